"""A judge's tablet (768×1024) that loses the venue Wi-Fi: Playwright cuts the network
(context.set_offline), the judge marks 10 criteria across 3 entries from the pages the service
worker kept, reloads, and when the network is back the outbox sends every mark once, in the
order given, at revision 1. Again with a server restart while the tablet is offline, and with an
entry locked by the chief judge meanwhile (kept, shown with the reason, settled after the
unlock). The chief judge's tablet view shows the tablet offline, then its waiting marks.
And the outbox's bad input: marks kept under an account since logged out, and marks an earlier
version of the page kept."""
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from ..server import LiveServer, in_app
from .conftest import TABLET, log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.live]
SLUG, EVENT = "chaoyang-2026", "ai"
MARKS = 10
HOME = f"/j/{SLUG}/{EVENT}"


@pytest.fixture(scope="module")
def server():
    """The demo on a server of its own: these tests restart it and change its assignments."""
    live = LiveServer(env={"TABLET_REPORT_SECONDS": "1"}).start()
    live.flask("demo-load")
    yield live
    print("SERVERLOG", (live.tmp / "server.log").read_text()[-6000:])
    live.stop()


def query(server, sql: str, **params) -> list[tuple]:
    engine = create_engine(server.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql), params)]
    finally:
        engine.dispose()


def execute(server, sql: str, **params) -> None:
    """One statement, so that SQLite takes its write lock at once (the server writes meanwhile)."""
    engine = create_engine(server.env["DATABASE_URL"], connect_args={"timeout": 30})
    try:
        with engine.begin() as conn:
            conn.execute(text(sql), params)
    finally:
        engine.dispose()


def stored_marks(server, username: str, bibs: list[str]) -> list[tuple]:
    """(bib, criterion, revisions, first revision id) of the judge's marks on these entries."""
    return query(server, (
        "SELECT e.bib, c.code, count(r.id), min(r.id) FROM mark m JOIN mark_revision r ON r.mark_id = m.id"
        " JOIN entry e ON e.id = m.entry_id JOIN criterion c ON c.id = m.criterion_id"
        " JOIN judge j ON j.id = m.judge_id JOIN user_account u ON u.id = j.user_id"
        " WHERE u.username = :username AND e.bib IN ({}) GROUP BY m.id, e.bib, c.code ORDER BY min(r.id)"
        .format(", ".join(f"'{b}'" for b in bibs))), username=username)


def ten_marks_on_three_entries(server, username: str) -> list[str]:
    """Three entries still to mark for the judge, with 4, 3 and 3 of the event's criteria
    assigned to them: MARKS marks across three entries. A criterion the judge lacks is taken
    over from another judge who has not marked it, so that each criterion keeps the number of
    judges its scheme asks for."""
    out = in_app(server, f"""
from sqlalchemy import select
from competition.extensions import db
from competition.models import Assignment, Criterion, Entry, Event, Contest, Judge, Mark, User
judge = db.session.scalar(select(Judge).join(User).join(Contest).where(User.username == "{username}", Contest.slug == "{SLUG}"))
event = db.session.scalar(select(Event).join(Contest).where(Contest.slug == "{SLUG}", Event.code == "{EVENT}"))
criteria = list(db.session.scalars(select(Criterion).where(Criterion.event_id == event.id).order_by(Criterion.position)))
marked = set(db.session.scalars(select(Mark.entry_id).where(Mark.judge_id == judge.id)))
assigned = set(db.session.scalars(select(Assignment.entry_id).where(Assignment.judge_id == judge.id)))
entries = [e for e in db.session.scalars(select(Entry).where(Entry.event_id == event.id).order_by(Entry.bib))
           if e.id in assigned and e.id not in marked][:3]
assert len(entries) == 3, entries
for entry, count in zip(entries, (4, 3, 3)):
    rows = {{a.criterion_id: a for a in db.session.scalars(select(Assignment).where(
        Assignment.entry_id == entry.id, Assignment.judge_id == judge.id))}}
    for criterion in criteria:
        if len(rows) >= count:
            break
        if criterion.id in rows:
            continue
        given = set(db.session.scalars(select(Mark.judge_id).where(Mark.entry_id == entry.id, Mark.criterion_id == criterion.id)))
        other = next((a for a in db.session.scalars(select(Assignment).where(
            Assignment.entry_id == entry.id, Assignment.criterion_id == criterion.id)) if a.judge_id not in given), None)
        if other is not None:
            other.judge_id = judge.id
            rows[criterion.id] = other
    for criterion_id in sorted(rows, key=lambda c: [x.id for x in criteria].index(c))[count:]:
        db.session.delete(rows.pop(criterion_id))
    assert len(rows) == count, (entry.bib, len(rows))
db.session.commit()
print(",".join(e.bib for e in entries))
""")
    return out.strip().splitlines()[-1].split(",")


def tablet(browser, **options):
    """A tablet: a context of its own at 768×1024, in Chinese, and its page."""
    context = browser.new_context(viewport=TABLET, locale="zh-CN", device_scale_factor=1, **options)
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def until(page, script: str, arg=None, seconds: float = 30) -> None:
    """Poll a function in the page (wait_for_function would eval, which the pages' CSP forbids)."""
    for _ in range(int(seconds * 5)):
        if page.evaluate(script, arg):
            return
        page.wait_for_timeout(200)
    raise AssertionError(f"never true: {script}")


def kept_pages(page) -> int:
    return page.evaluate("""async () => {
        const names = (await caches.keys()).filter(n => n.startsWith('gj-pages-'));
        let n = 0;
        for (const name of names) n += (await (await caches.open(name)).keys()).length;
        return n;
    }""")


def open_online(page, base: str, username: str, bibs: list[str]) -> None:
    """Log in and open the event while online: the service worker takes the tablet and keeps
    the event's pages (each entry's form among them)."""
    log_in(page, base, username)
    page.goto(base + HOME)
    until(page, "() => !!(navigator.serviceWorker && navigator.serviceWorker.controller)")
    page.reload()  # controlled from the first request on: the files are kept too
    until(page, """async (bibs) => {
        const names = (await caches.keys()).filter(n => n.startsWith('gj-pages-'));
        const urls = [];
        for (const name of names) for (const r of await (await caches.open(name)).keys()) urls.push(r.url);
        return bibs.every(b => urls.some(u => u.endsWith('/' + b))) && urls.some(u => u.endsWith('/j/offline'));
    }""", bibs)


def fill_form(page, share: float = 0.7, reason: str = "") -> list[tuple[str, str]]:
    """Every criterion of the form at about `share` of its maximum; a reason if it corrects."""
    given = []
    for fieldset in page.locator("fieldset.criterion").all():
        buttons = fieldset.locator(".score-button")
        if buttons.count():
            value = str(round(3 * share))
            buttons.nth(int(value)).click()
        else:
            field = fieldset.locator("input.mark-input")
            value = str(int(float(field.get_attribute("data-max")) * share))
            field.fill(value)
        given.append((fieldset.get_attribute("data-criterion"), value))
    if reason:
        page.locator("[data-reason] textarea").fill(reason)
    return given


def mark_offline(page, base: str, bibs: list[str], name: str, corrected: str = "") -> list[tuple[str, str, str]]:
    """With the network cut: each entry's form from the kept pages, filled and submitted; the
    `corrected` entry, marked before, at other values with a reason."""
    given = []
    for bib in bibs:
        page.goto(f"{base}{HOME}/{bib}")
        assert page.locator("form[data-marking]").count() == 1, page.content()[:2000]
        values = fill_form(page, 0.5, "复核录像后修正") if bib == corrected else fill_form(page)
        given += [(bib, code, value) for code, value in values]
        if bib == bibs[0]:
            shot(page, f"{name}-form-offline-tablet")
        page.locator(".submit-marks").click()
        page.wait_for_url(f"**{HOME}#entry-{bib}")
        outbox = page.locator("[data-outbox]")
        outbox.wait_for(state="visible")
        assert bib in outbox.locator("[data-outbox-summary]").inner_text()  # "the marks for … are kept"
    assert len(given) == MARKS
    return given


def shot_outbox(page, name: str) -> None:
    page.locator("[data-outbox]").scroll_into_view_if_needed()
    shot(page, name)


def waiting(page) -> int:
    return int(page.locator("[data-outbox]").get_attribute("data-waiting") or 0)


def wait_waiting(page, count: int) -> None:
    expect(page.locator("[data-outbox]")).to_have_attribute("data-waiting", str(count), timeout=20000)


def wait_status(page, status: str) -> None:
    expect(page.locator("[data-outbox]")).to_have_attribute("data-status", status, timeout=20000)


def tablet_row(chief, username: str, attributes: str = "", has: str = ""):
    """The judge's tablet in the chief judge's view (refreshed every few seconds), once it matches."""
    row = chief.locator(f"table.tablets tr[data-device][data-username='{username}']{attributes}"
                        + (f":has({has})" if has else ""))
    row.first.wait_for(timeout=30000)
    return row.first


@pytest.mark.parametrize("meanwhile", ["nothing", "restart-and-lock"])
def test_marks_given_offline_are_sent_once_in_order_when_the_network_is_back(server, browser, meanwhile):
    """Offline: 10 marks across 3 entries, a reload; then the network is back. Again with, while
    the tablet is offline, the server restarted and one of the entries locked by the chief judge."""
    base = server.url
    username = {"nothing": "judge02", "restart-and-lock": "judge04"}[meanwhile]
    restart = lock = meanwhile == "restart-and-lock"
    bibs = ten_marks_on_three_entries(server, username)
    context, page = tablet(browser)
    chief_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    try:
        open_online(page, base, username, bibs)
        before = []
        if lock:
            # The entry to be locked: this judge alone marks it, and has marked it already (online),
            # so the chief judge can sign it off; offline the judge corrects it.
            execute(server, "DELETE FROM assignment WHERE entry_id = (SELECT e.id FROM entry e JOIN event v ON v.id ="
                            " e.event_id WHERE v.code = :event AND e.bib = :bib) AND judge_id NOT IN (SELECT j.id FROM"
                            " judge j JOIN user_account u ON u.id = j.user_id WHERE u.username = :u)",
                    event=EVENT, bib=bibs[1], u=username)
            page.goto(f"{base}{HOME}/{bibs[1]}")
            before = fill_form(page)
            page.locator(".submit-marks").click()
            page.wait_for_url(f"**{HOME}?saved={bibs[1]}*")
            # The kept copy of the form is fetched again: offline it shows the stored marks.
            until(page, """async (bib) => { const r = await caches.match(location.origin + '/j/chaoyang-2026/ai/' + bib);
                return !!r && !(await r.text()).includes('data-current=""'); }""", bibs[1])
        chief = chief_context.new_page()
        chief.set_default_timeout(20000)
        log_in(chief, base, "judge01")  # the event's chief judge
        chief.goto(f"{base}{HOME}/chief/tablets")

        context.set_offline(True)
        given = mark_offline(page, base, bibs, f"outbox-{meanwhile}", bibs[1] if lock else "")
        page.reload()  # offline: the kept page, and the outbox survives it
        wait_waiting(page, MARKS)
        assert page.locator("[data-outbox-list] li").count() == 3
        shot_outbox(page, f"outbox-{meanwhile}-waiting-tablet")
        assert query(server, "SELECT count(*) FROM mark m JOIN judge j ON j.id = m.judge_id JOIN user_account u"
                             " ON u.id = j.user_id WHERE u.username = :u AND m.entry_id IN (SELECT id FROM entry"
                             " WHERE bib IN ('%s', '%s', '%s'))" % tuple(bibs), u=username) == [(len(before),)]  # none of them yet

        # The chief judge sees the tablet go quiet: offline, with when it was last seen.
        tablet_row(chief, username, "[data-connected=no]")
        shot(chief, f"tablets-{meanwhile}-offline-chief")

        if restart:
            server.kill()
            server.log.close()
            server.start(migrate=False)
        if lock:
            in_app(server, f"""
from sqlalchemy import select
from competition.extensions import db
from competition.models import Entry, Event, Contest, User
from competition.judging.services import lock_entry
entry = db.session.scalar(select(Entry).join(Event).join(Contest).where(Contest.slug == "{SLUG}", Entry.bib == "{bibs[1]}"))
lock_entry(db.session.scalar(select(User).where(User.username == "judge01")), entry)
""")

        # The network is back, slowly: the tablet reports its outbox before the marks get through.
        held = []
        form_posts = f"**{HOME}/*"
        page.route(form_posts, lambda route: held.append(route) if route.request.method == "POST"
                   else route.continue_())
        context.set_offline(False)
        page.evaluate("window.dispatchEvent(new Event('online'))")
        tablet_row(chief, username, f"[data-connected=yes][data-waiting='{MARKS}']")
        shot(chief, f"tablets-{meanwhile}-waiting-chief")
        assert held  # the first kept form was on its way while the chief judge looked
        for route in held:
            route.continue_()
        page.unroute(form_posts)

        if not lock:
            wait_waiting(page, 0)
            wait_status(page, "sent")
            shot_outbox(page, f"outbox-{meanwhile}-sent-tablet")
            stored = stored_marks(server, username, bibs)
            assert [(b, c) for b, c, _n, _id in stored] == [(b, c) for b, c, _v in given]  # in order
            assert all(n == 1 for _b, _c, n, _id in stored)  # each once, revision 1
            values = dict(((b, c), v) for b, c, v in given)
            for (bib, code), value in values.items():
                assert query(server, "SELECT m.value FROM mark m JOIN entry e ON e.id = m.entry_id JOIN criterion c"
                                     " ON c.id = m.criterion_id JOIN judge j ON j.id = m.judge_id JOIN user_account u"
                                     " ON u.id = j.user_id WHERE e.bib = :b AND c.code = :c AND u.username = :u",
                             b=bib, c=code, u=username)[0][0] == int(value) * 1000  # Fixed(3): thousandths
            tablet_row(chief, username, "[data-waiting='0']")
            return

        # Locked meanwhile: the two other entries are stored; the locked one waits, with the reason.
        refused = page.locator("[data-outbox-list] li[data-state=refused]")
        refused.wait_for()
        wait_waiting(page, 0)
        assert bibs[1] in refused.inner_text() and "锁定" in refused.inner_text()
        shot_outbox(page, f"outbox-{meanwhile}-refused-tablet")
        stored = stored_marks(server, username, bibs)
        assert [(b, c, n) for b, c, n, _id in stored if b != bibs[1]] == [(b, c, 1) for b, c, _v in given if b != bibs[1]]
        assert [(b, c, n) for b, c, n, _id in stored if b == bibs[1]] == [(bibs[1], c, 1) for c, _v in before]
        tablet_row(chief, username, has=".has-refused")

        # The chief judge unlocks; the judge opens the entry from the outbox: the kept values are there.
        in_app(server, f"""
from sqlalchemy import select
from competition.extensions import db
from competition.models import Entry, Event, Contest, User
from competition.judging.services import unlock_entry
entry = db.session.scalar(select(Entry).join(Event).join(Contest).where(Contest.slug == "{SLUG}", Entry.bib == "{bibs[1]}"))
unlock_entry(db.session.scalar(select(User).where(User.username == "judge01")), entry, "评委平板离线时误锁")
""")
        refused.locator("a").click()
        page.wait_for_url(f"**{HOME}/{bibs[1]}")
        banner = page.locator("#net-banner")
        banner.wait_for(state="visible")
        for bib, code, value in given:
            if bib == bibs[1]:
                fieldset = page.locator(f"fieldset[data-criterion='{code}']")
                if fieldset.locator(".score-button").count():
                    assert fieldset.locator(f"input[value='{value}']").is_checked()
                else:
                    assert fieldset.locator("input.mark-input").input_value() == value
        shot(page, f"outbox-{meanwhile}-settle-tablet")
        page.locator(".submit-marks").click()
        page.wait_for_url(f"**{HOME}?saved={bibs[1]}*")
        assert page.locator("[data-outbox]").is_hidden() or waiting(page) == 0
        assert page.locator("[data-outbox-list] li").count() == 0
        stored = stored_marks(server, username, bibs)
        assert sorted((b, c) for b, c, _n, _id in stored) == sorted((b, c) for b, c, _v in given)
        assert all(n == (2 if b == bibs[1] else 1) for b, _c, n, _id in stored)  # the correction: revision 2
        for bib, code, value in given:
            assert query(server, "SELECT m.value FROM mark m JOIN entry e ON e.id = m.entry_id JOIN criterion c"
                                 " ON c.id = m.criterion_id JOIN judge j ON j.id = m.judge_id JOIN user_account u"
                                 " ON u.id = j.user_id WHERE e.bib = :b AND c.code = :c AND u.username = :u",
                         b=bib, c=code, u=username)[0][0] == int(value) * 1000
    finally:
        context.close()
        chief_context.close()


def test_marks_kept_under_a_judge_since_logged_out_wait_for_that_judge(server, browser):
    base = server.url
    bibs = [query(server, "SELECT e.bib FROM entry e JOIN assignment a ON a.entry_id = e.id JOIN judge j ON j.id ="
                          " a.judge_id JOIN user_account u ON u.id = j.user_id JOIN event v ON v.id = e.event_id"
                          " WHERE u.username = 'judge05' AND v.code = :event AND NOT EXISTS (SELECT 1 FROM mark m"
                          " WHERE m.entry_id = e.id AND m.judge_id = j.id) ORDER BY e.bib", event=EVENT)[0][0]]
    context, page = tablet(browser)
    try:
        open_online(page, base, "judge05", bibs)
        context.set_offline(True)
        page.goto(f"{base}{HOME}/{bibs[0]}")
        given = fill_form(page)
        page.locator(".submit-marks").click()
        page.wait_for_url(f"**{HOME}#entry-{bibs[0]}")
        wait_waiting(page, len(given))
        context.set_offline(False)
        # Logged out before the marks went (the outbox held back: no sending while we log out).
        page.route(f"**{HOME}/*", lambda route: route.abort() if route.request.method == "POST" else route.continue_())
        page.locator("form[action$='/logout'] button").click()
        page.wait_for_load_state()
        log_in(page, base, "judge06")
        page.unroute(f"**{HOME}/*")
        page.goto(f"{base}/j/")
        item = page.locator("[data-outbox-list] li")
        item.wait_for()
        name = query(server, "SELECT name FROM user_account WHERE username = 'judge05'")[0][0]
        assert name in item.inner_text() and item.get_attribute("data-state") == "waiting"
        shot_outbox(page, "outbox-other-judge-tablet")
        page.wait_for_timeout(1500)  # a sending round would have gone by
        assert stored_marks(server, "judge05", bibs[:1]) == []
        # judge05 again: the marks go, once.
        page.locator("form[action$='/logout'] button").click()
        page.wait_for_load_state()
        log_in(page, base, "judge05")
        page.goto(base + HOME)
        expect(page.locator("[data-outbox-list] li")).to_have_count(0, timeout=20000)  # sent, here or on the way
        stored = stored_marks(server, "judge05", bibs[:1])
        assert len(stored) == len(given) and all(n == 1 for _b, _c, n, _id in stored)
    finally:
        context.close()


def test_marks_an_earlier_version_of_the_page_kept_are_shown_and_never_sent_as_they_are(server, browser):
    base = server.url
    context, page = tablet(browser)
    try:
        log_in(page, base, "judge09")
        page.goto(f"{base}/j/{SLUG}")
        links = page.locator("a.event-link")
        links.first.click()
        page.wait_for_load_state()
        item = page.locator(".entry-item:has(.state-todo) a.entry-link").first
        url = item.get_attribute("href")
        page.goto(base + url)
        fields = [(name, "") for name in page.eval_on_selector_all(
            "fieldset.criterion", "sets => sets.map(s => s.dataset.field)")]
        codes = page.eval_on_selector_all("fieldset.criterion", "sets => sets.map(s => s.dataset.criterion)")
        user = int(page.locator("[data-outbox]").get_attribute("data-user"))
        form_key = page.locator("form[data-marking]").get_attribute("data-draft")
        # What an older page left: a form of another format in the outbox.
        old = {"v": 0, "user": user, "userName": "", "formKey": form_key, "url": url, "label": "old",
               "fields": [[n, "1"] for n, _ in fields], "marks": [{"code": c, "value": "1"} for c in codes],
               "keptAt": 0, "state": "waiting"}
        page.evaluate("""(item) => new Promise((resolve, reject) => {
            const r = indexedDB.open('gongjiang', 1);
            r.onupgradeneeded = () => r.result.createObjectStore('outbox', {keyPath: 'id', autoIncrement: true});
            r.onsuccess = () => { const tx = r.result.transaction('outbox', 'readwrite');
                tx.objectStore('outbox').add(item); tx.oncomplete = resolve; tx.onerror = reject; };
        })""", old)
        page.reload()
        listed = page.locator("[data-outbox-list] li[data-state=old]")
        listed.wait_for()
        assert page.locator("#net-banner").is_visible()  # the form says it holds the old page's values
        shot_outbox(page, "outbox-old-version-tablet")
        page.wait_for_timeout(1500)  # a sending round would have gone by: nothing is sent as it is
        marked = query(server, "SELECT count(*) FROM mark m JOIN judge j ON j.id = m.judge_id JOIN user_account u"
                               " ON u.id = j.user_id WHERE u.username = 'judge09'")[0][0]
        page.locator(".submit-marks").click()  # the judge checks them and submits
        page.wait_for_load_state()
        expect(page.locator("[data-outbox-list] li")).to_have_count(0, timeout=20000)
        assert query(server, "SELECT count(*) FROM mark m JOIN judge j ON j.id = m.judge_id JOIN user_account u"
                             " ON u.id = j.user_id WHERE u.username = 'judge09'")[0][0] == marked + len(codes)
    finally:
        context.close()


def test_the_outbox_survives_a_browser_restart(server, browser):
    """The tablet is switched off with marks kept offline; switched on again (a new browser
    context from what the old one stored, IndexedDB included) and online, it sends them once."""
    base = server.url
    context, page = tablet(browser)
    try:
        log_in(page, base, "judge08")
        page.goto(f"{base}/j/{SLUG}")
        page.locator("a.event-link").first.click()
        page.wait_for_load_state()
        url = page.locator(".entry-item:has(.state-todo) a.entry-link").first.get_attribute("href")
        page.goto(base + url)
        page.route(base + url, lambda route: route.abort("internetdisconnected") if route.request.method == "POST"
                   else route.continue_())  # the Wi-Fi drops as the judge submits
        given = fill_form(page)
        page.locator(".submit-marks").click()
        page.wait_for_url("**#entry-*")
        wait_waiting(page, len(given))
        state = context.storage_state(indexed_db=True)
    finally:
        context.close()
    bib = url.rsplit("/", 1)[1]
    assert stored_marks(server, "judge08", [bib]) == []
    context, page = tablet(browser, storage_state=state)
    try:
        page.goto(f"{base}/j/")
        wait_status(page, "sent")
        stored = stored_marks(server, "judge08", [bib])
        assert len(stored) == len(given) and all(n == 1 for _b, _c, n, _id in stored)
    finally:
        context.close()
