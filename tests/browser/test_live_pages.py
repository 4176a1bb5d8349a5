"""The live pages in a real browser: the phone board and the big screen follow marks submitted
through the API without a reload, also when websockets are blocked; the screen fits
1920×1080 without scrollbars and pages through long boards; the organiser's live view."""
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from playwright.sync_api import expect

from competition.demo import EVENTS, SLUG
from competition.demo.data import JUDGES

from .conftest import PHONE, SCREEN, TABLET, log_in, shot

pytestmark = pytest.mark.browser

_tokens: dict[str, str] = {}


@pytest.fixture(autouse=True, scope="module")
def patient_expect():
    """Updates cross a server, a socket and a browser: on a busy machine allow 10 s, not 5."""
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


def tokens(server, usernames) -> dict[str, str]:
    """API tokens for the judges (each is a CLI run: fetch the missing ones side by side)."""
    missing = [u for u in usernames if u not in _tokens]
    with ThreadPoolExecutor(max_workers=6) as pool:
        for username, token in zip(missing, pool.map(server.token, missing)):
            _tokens[username] = token
    return {u: _tokens[u] for u in usernames}


def board(server, event: str) -> dict:
    response = requests.get(f"{server.url}/api/v1/contests/{SLUG}/events/{event}/board", timeout=10)
    response.raise_for_status()
    return response.json()


def row_of(snapshot: dict, bib: str) -> dict:
    return next(row for row in snapshot["rows"] if row["entry"] == bib)


def unmarked_entry(server, event: str, skip=()) -> str:
    """An entry of the event with no marks at all: every assigned (judge, criterion) is open."""
    return next(r["entry"] for r in board(server, event)["rows"]
                if r["progress"][0] == 0 and r["progress"][1] > 0 and r["entry"] not in skip)


def criteria(event: str) -> list[dict]:
    scheme = next(e for e in EVENTS if e["code"] == event)
    return [c for s in scheme["sections"] for c in s["criteria"]]


def top_value(criterion: dict) -> str:
    return "3" if criterion["method"] == "judgement" else criterion["max"]


def post_mark(server, token: str, event: str, bib: str, criterion: str, value: str) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/marks", timeout=10, headers={"Authorization": f"Bearer {token}"},
                         json={"contest": SLUG, "event": event, "entry": bib, "criterion": criterion,
                               "value": value, "client_id": str(uuid.uuid4())})


def mark(server, event: str, bib: str, only=None) -> list[int]:
    """Every judge of the event tries the top mark on every criterion (or those in `only`);
    403 means not assigned. Returns the board seqs of the stored marks."""
    panel = [u for u, _n, _d, events, _c in JUDGES if event in events]
    seqs = []
    for username, token in tokens(server, panel).items():
        for criterion in criteria(event):
            if only and criterion["code"] not in only:
                continue
            response = post_mark(server, token, event, bib, criterion["code"], top_value(criterion))
            assert response.status_code in (201, 403), response.text
            if response.status_code == 201:
                seqs.append(response.json()["seq"])
    return seqs


def wait_live(page):
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def no_scrollbars(page) -> bool:
    return page.evaluate("""() => {
        const d = document.documentElement;
        return d.scrollWidth <= innerWidth && d.scrollHeight <= innerHeight
            && document.body.scrollHeight <= innerHeight && document.body.scrollWidth <= innerWidth;
    }""")


def rows_fit_the_frame(page) -> bool:
    """Every row of the shown page lies inside the board's frame: nothing is cut off."""
    page.wait_for_timeout(800)  # a page turn slides the rows in
    return page.evaluate("""() => {
        const frame = document.querySelector('[data-frame]').getBoundingClientRect();
        return [...document.querySelectorAll('[data-screen-board] tbody tr')]
            .every((tr) => tr.getBoundingClientRect().bottom <= frame.bottom + 1);
    }""")


def cut_off(page) -> list[str]:
    """The screen's cells whose text does not fit (they would end in "…")."""
    return page.evaluate("""() => {
        const out = [];
        for (const cell of document.querySelectorAll('[data-screen-board] th, [data-screen-board] td')) {
            const style = getComputedStyle(cell);
            const room = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const range = document.createRange();
            range.selectNodeContents(cell);
            if (range.getBoundingClientRect().width > room + 0.01) out.push(cell.className + ": " + cell.textContent);
        }
        return out;
    }""")


def mark_no_reload(page):
    page.evaluate("window.__noReload = true")


def reloaded(page) -> bool:
    return not page.evaluate("window.__noReload === true")


# --- the phone board and the big screen ---------------------------------------------------------

def test_a_mark_moves_the_rank_on_the_phone_board_and_the_big_screen(demo_server, page_at):
    bib = unmarked_entry(demo_server, "ai")
    before = board(demo_server, "ai")
    leader = before["rows"][0]
    assert row_of(before, bib)["rank"] is None

    phone = page_at(PHONE)
    phone.goto(f"{demo_server.url}/c/{SLUG}/events/ai/board")
    screen = page_at(SCREEN)
    screen.goto(f"{demo_server.url}/c/{SLUG}/screen?event=ai&interval=300")
    for page in (phone, screen):
        wait_live(page)
        mark_no_reload(page)
    phone_row = phone.locator(f'table.board tbody tr[data-entry="{bib}"]')
    expect(phone_row.locator("td.rank")).to_have_text("–")
    expect(phone.locator("table.board tbody tr").first.locator("td.rank")).to_have_text("1")
    # The screen shows the first page; the unranked entry is further down the board.
    expect(screen.locator(f'[data-screen-board] tbody tr[data-entry="{leader["entry"]}"] td.rank')).to_have_text("1")
    assert screen.locator(f'[data-screen-board] tbody tr[data-entry="{bib}"]').count() == 0
    assert no_horizontal_scroll(phone)
    assert no_scrollbars(screen) and rows_fit_the_frame(screen)
    shot(phone, "board-phone-before")
    shot(screen, "screen-before")

    seqs = mark(demo_server, "ai", bib)
    assert len(seqs) == row_of(before, bib)["progress"][1]  # every assigned mark went in
    after = board(demo_server, "ai")
    assert after["seq"] == max(seqs)
    mine = row_of(after, bib)
    assert (mine["rank"], mine["total"]) == (1, "100.00")

    # Both pages show the new rank and total, in place.
    expect(phone_row.locator("td.rank")).to_have_text("1")
    expect(phone_row.locator("td.total strong")).to_have_text("100.00")
    expect(phone.locator("table.board tbody tr").first).to_have_attribute("data-entry", bib)
    expect(phone.locator(f'table.board tbody tr[data-entry="{leader["entry"]}"] td.rank')).to_have_text("2")
    expect(phone.locator("table.board")).to_have_attribute("data-seq", str(after["seq"]))
    screen_row = screen.locator(f'[data-screen-board] tbody tr[data-entry="{bib}"]')
    expect(screen_row.locator("td.rank")).to_have_text("1")
    expect(screen_row.locator("td.total strong")).to_have_text("100.00")
    expect(screen.locator("[data-screen-board] tbody tr").first).to_have_attribute("data-entry", bib)
    expect(screen.locator(f'[data-screen-board] tbody tr[data-entry="{leader["entry"]}"] td.rank')).to_have_text("2")
    # Every row the API has, in the API's order, on the phone.
    phone.wait_for_timeout(700)  # the rank move's animation
    assert phone.locator("table.board tbody tr").evaluate_all("trs => trs.map(tr => tr.dataset.entry)") \
        == [r["entry"] for r in after["rows"]]
    assert not reloaded(phone) and not reloaded(screen)
    assert no_horizontal_scroll(phone)
    assert no_scrollbars(screen) and rows_fit_the_frame(screen)
    assert cut_off(screen) == []  # "100.00" included
    shot(phone, "board-phone-after")
    shot(screen, "screen-after")


def test_the_phone_s_websocket_is_compressed_message_by_message_and_carries_patches(demo_server, page_at):
    """Chromium offers permessage-deflate; the server answers with no context takeover either
    way (competition/extensions.py, compression_without_memory), so no zlib state stays per
    phone between messages. The browser accepts that answer: the board upgrades to the
    websocket, and a mark's patch arrives over it, compressed."""
    phone = page_at(PHONE)
    handshakes, received, sent = [], [], []
    cdp = phone.context.new_cdp_session(phone)
    cdp.send("Network.enable")
    cdp.on("Network.webSocketHandshakeResponseReceived", lambda e: handshakes.append(e["response"]))

    def on_websocket(ws):
        ws.on("framereceived", lambda payload: received.append(payload))
        ws.on("framesent", lambda payload: sent.append(payload))
    phone.on("websocket", on_websocket)
    bib = unmarked_entry(demo_server, "ai")
    phone.goto(f"{demo_server.url}/c/{SLUG}/events/ai/board")
    wait_live(phone)

    def wait_until(condition, what: str):
        for _ in range(150):
            if condition():
                return
            phone.wait_for_timeout(100)
        raise AssertionError(f"{what}: sent {sent[-3:]}, received {received[-3:]}")
    wait_until(lambda: "5" in sent, "no upgrade to the websocket")  # engine.io's upgrade packet
    assert handshakes and handshakes[0]["status"] == 101
    extensions = {k.lower(): v for k, v in handshakes[0]["headers"].items()}["sec-websocket-extensions"]
    assert "permessage-deflate" in extensions and "server_no_context_takeover" in extensions \
        and "client_no_context_takeover" in extensions, extensions
    judge = next(u for u, _n, _d, events, _c in JUDGES if "ai" in events)
    code = criteria("ai")[0]["code"]
    answer = post_mark(demo_server, tokens(demo_server, [judge])[judge], "ai", bib, code,
                       top_value(criteria("ai")[0]))
    if answer.status_code == 403:  # not this judge's criterion: every judge tries, as mark() does
        seq = mark(demo_server, "ai", bib, only={code})[-1]
    else:
        assert answer.status_code == 201, answer.text
        seq = answer.json()["seq"]
    wait_until(lambda: any(isinstance(f, str) and '"patch"' in f and f'"seq":{seq}' in f for f in received),
               f"no patch with seq {seq} over the websocket")
    expect(phone.locator("table.board")).to_have_attribute("data-seq", str(seq))


def test_the_board_works_with_websockets_blocked(demo_server, browser):
    """No WebSocket in the browser: the client stays on long-polling and still gets patches."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    context.add_init_script("window.WebSocket = undefined; window.MozWebSocket = undefined;")
    try:
        page = context.new_page()
        page.set_default_timeout(20000)
        bib = unmarked_entry(demo_server, "iiot")
        page.goto(f"{demo_server.url}/c/{SLUG}/events/iiot/board")
        wait_live(page)
        mark_no_reload(page)
        page.wait_for_timeout(1500)  # time for an upgrade attempt, which must fail
        expect(page.locator("[data-live-indicator]")).to_have_attribute("data-transport", "polling")
        row = page.locator(f'table.board tbody tr[data-entry="{bib}"]')
        expect(row.locator("td.rank")).to_have_text("–")
        seqs = mark(demo_server, "iiot", bib, only={"T1"})
        assert len(seqs) == 1
        mine = row_of(board(demo_server, "iiot"), bib)
        expect(row.locator("td.rank")).to_have_text(str(mine["rank"]))
        expect(row.locator("td.total strong")).to_have_text(mine["total"])
        expect(page.locator("table.board")).to_have_attribute("data-seq", str(seqs[0]))
        assert not reloaded(page)
        assert no_horizontal_scroll(page)
        shot(page, "board-phone-polling")
    finally:
        context.close()


def test_the_board_honours_transport_polling(demo_server, page_at):
    page = page_at(TABLET)
    page.goto(f"{demo_server.url}/c/{SLUG}/events/sec/board?transport=polling")
    wait_live(page)
    page.wait_for_timeout(1000)
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-transport", "polling")
    assert page.locator("table.board tbody tr").count() == len(board(demo_server, "sec")["rows"])
    shot(page, "board-tablet-polling")


def test_the_board_shows_the_snapshot_without_a_connection(demo_server, browser):
    """Socket.IO's script cannot load: the page still shows the server's snapshot."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    try:
        page = context.new_page()
        page.route(re.compile(r".*socket\.io.*"), lambda route: route.abort())
        page.goto(f"{demo_server.url}/c/{SLUG}/events/ai/board")
        expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "offline")
        assert page.locator("table.board tbody tr").count() == len(board(demo_server, "ai")["rows"])
        expect(page.locator("table.board tbody tr").first.locator("td.rank")).to_have_text("1")
    finally:
        context.close()


# --- the big screen -----------------------------------------------------------------------------

def test_the_screen_pages_through_a_long_board_by_itself(demo_server, page_at):
    page = page_at(SCREEN)
    page.goto(f"{demo_server.url}/c/{SLUG}/screen?interval=3")
    frame = page.locator("[data-frame]")
    wait_live(page)
    expect(frame).to_have_attribute("data-event", "ai")
    shown = page.evaluate("""() => ({
        page: +document.querySelector('[data-frame]').dataset.page,
        pages: +document.querySelector('[data-frame]').dataset.pages,
        rows: document.querySelectorAll('[data-screen-board] tbody tr').length })""")
    if shown["page"] == 1:  # read in one go, between two page turns
        assert shown["pages"] >= 2 and shown["rows"] >= 8  # 30 entries: more than one page of large rows
        ranked = [r for r in board(demo_server, "ai")["rows"] if r["rank"] is not None]  # unmarked: one line
        assert shown["pages"] == -(-len(ranked) // shown["rows"])
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    expect(page.locator("[data-event-name]")).to_have_text("人工智能训练师")
    expect(page.locator("[data-pager]")).not_to_be_empty()
    assert page.evaluate("document.querySelector('[data-qr]').naturalWidth > 0")
    # Page two comes by itself after the interval.
    expect(frame).to_have_attribute("data-page", "2", timeout=10000)
    assert no_scrollbars(page) and rows_fit_the_frame(page)
    shot(page, "screen-page-2")


def test_the_screen_rotates_to_the_next_event_after_the_last_page(demo_server, page_at):
    page = page_at(SCREEN)
    page.goto(f"{demo_server.url}/c/{SLUG}/screen?interval=300")
    frame = page.locator("[data-frame]")
    wait_live(page)
    expect(frame).to_have_attribute("data-event", "ai")
    pages = int(frame.get_attribute("data-pages"))
    assert pages >= 2
    assert no_scrollbars(page) and rows_fit_the_frame(page)
    # Keys step at once (the timer does the same every interval); no mouse needed.
    for _ in range(pages - 1):
        page.keyboard.press("ArrowRight")
    expect(frame).to_have_attribute("data-page", str(pages))
    assert no_scrollbars(page) and rows_fit_the_frame(page)  # the last page, shorter
    page.keyboard.press("ArrowRight")
    expect(frame).to_have_attribute("data-event", "iiot")
    expect(frame).to_have_attribute("data-page", "1")
    expect(page.locator("[data-event-name]")).to_have_text("工业互联网运维员")
    expect(page.locator("[data-qr]")).to_have_attribute("src", re.compile(r"/qr/iiot\.svg$"))
    assert no_scrollbars(page) and rows_fit_the_frame(page)
    assert cut_off(page) == []
    shot(page, "screen-iiot")


def test_the_screen_pins_one_event(demo_server, page_at):
    page = page_at(SCREEN)
    page.goto(f"{demo_server.url}/c/{SLUG}/screen?event=sec&interval=3")
    wait_live(page)
    frame = page.locator("[data-frame]")
    expect(frame).to_have_attribute("data-event", "sec")
    assert page.locator("[data-event-item]").count() == 1
    page.keyboard.press("ArrowRight")
    expect(frame).to_have_attribute("data-event", "sec")
    assert no_scrollbars(page) and cut_off(page) == []  # a team's name is long
    shot(page, "screen-sec-pinned")
    assert page_at(SCREEN).goto(f"{demo_server.url}/c/{SLUG}/screen?event=nope").status == 404


def test_the_screen_in_english_fits_too(demo_server, page_at):
    page = page_at(SCREEN, locale="en-US")
    page.goto(f"{demo_server.url}/c/{SLUG}/screen?event=ai&interval=300")
    wait_live(page)
    assert page.locator("html").get_attribute("lang") == "en"
    assert no_scrollbars(page) and rows_fit_the_frame(page)
    assert cut_off(page) == []
    shot(page, "screen-english")


def test_the_qr_code_is_an_svg_of_the_board_address(demo_server):
    response = requests.get(f"{demo_server.url}/c/{SLUG}/qr/ai.svg", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in response.text
    assert requests.get(f"{demo_server.url}/c/{SLUG}/qr/nope.svg", timeout=10).status_code == 404


# --- delegation standings -----------------------------------------------------------------------

def standings(server) -> dict:
    response = requests.get(f"{server.url}/api/v1/contests/{SLUG}/standings", timeout=10)
    response.raise_for_status()
    return response.json()


def test_the_delegation_standings_follow_the_boards(demo_server, page_at):
    page = page_at(PHONE)
    assert page.goto(f"{demo_server.url}/c/{SLUG}/standings").status == 200
    wait_live(page)
    mark_no_reload(page)
    before = standings(demo_server)
    rows = page.locator("table.standings tbody tr")
    expect(rows).to_have_count(len(before["rows"]))
    assert rows.evaluate_all("trs => trs.map(tr => tr.dataset.entry)") == [r["delegation"] for r in before["rows"]]
    assert no_horizontal_scroll(page)
    shot(page, "standings-phone-before")
    # Full marks for an entry: its delegation's best totals, so its standing, change.
    bib = unmarked_entry(demo_server, "ai")
    delegation = row_of(board(demo_server, "ai"), bib)["delegation"]
    mark(demo_server, "ai", bib)
    after = next(r for r in standings(demo_server)["rows"] if r["delegation"] == delegation)
    assert after["total"] != next(r for r in before["rows"] if r["delegation"] == delegation)["total"]
    row = page.locator(f'table.standings tbody tr[data-entry="{delegation}"]')
    expect(row.locator("td.total")).to_have_text(after["total"])
    expect(row.locator("td.rank")).to_have_text(str(after["rank"]))
    assert not reloaded(page)
    shot(page, "standings-phone-after")


# --- the organiser's live view --------------------------------------------------------------------

def test_the_organiser_live_view_follows_judging(demo_server, page_at):
    page = page_at(TABLET)
    log_in(page, demo_server.url, "organiser")
    page.goto(f"{demo_server.url}/c/{SLUG}")
    page.locator(f'.nav a[href="/o/c/{SLUG}/live"]').click()  # the organiser's one nav link
    page.wait_for_load_state()
    assert page.url.endswith(f"/o/c/{SLUG}/live")
    wait_live(page)
    mark_no_reload(page)
    cards = page.locator("[data-event-card]")
    expect(cards).to_have_count(3)
    sec = page.locator('[data-event-card="sec"]')
    marked, expected = (int(n) for n in sec.locator("[data-marked]").inner_text().split("/"))
    bib = unmarked_entry(demo_server, "sec")
    seqs = mark(demo_server, "sec", bib, only={"T1"})
    assert len(seqs) == 1
    expect(sec.locator("[data-marked]")).to_have_text(f"{marked + 1}/{expected}")
    expect(page.locator("[data-activity] li").first).to_contain_text(bib)
    assert not reloaded(page)
    shot(page, "organiser-live-tablet")


def test_the_live_view_is_for_the_jury_only(demo_server, page_at):
    anonymous = page_at(TABLET)
    anonymous.goto(f"{demo_server.url}/o/c/{SLUG}/live")
    assert "/login" in anonymous.url
    chief = page_at(TABLET)
    log_in(chief, demo_server.url, "judge07")  # chief judge of iiot only
    assert chief.goto(f"{demo_server.url}/o/c/{SLUG}/live").status == 200
    expect(chief.locator("[data-event-card]")).to_have_count(1)
    expect(chief.locator('[data-event-card="iiot"]')).to_have_count(1)
    judge = page_at(TABLET)
    log_in(judge, demo_server.url, "judge02")  # a judge, not a chief
    assert judge.goto(f"{demo_server.url}/o/c/{SLUG}/live").status == 404
    assert judge.goto(f"{demo_server.url}/o/c/nope/live").status == 404


def test_freeze_and_reveal_reach_every_screen(demo_server, page_at):
    """Frozen: the public (phone, big screen — also one opened by a logged-in organiser) keeps
    the frozen board under a banner while the jury sees marks come in; each reveal step, from
    the bottom up, shows on every screen; ending the freeze makes the board live again."""
    bib = unmarked_entry(demo_server, "iiot")
    organiser = page_at(TABLET)
    log_in(organiser, demo_server.url, "organiser")
    organiser.goto(f"{demo_server.url}/o/c/{SLUG}/live")
    phone = page_at(PHONE)
    phone.goto(f"{demo_server.url}/c/{SLUG}/events/iiot/board")
    screen = page_at(SCREEN)
    screen.goto(f"{demo_server.url}/c/{SLUG}/screen?event=iiot&interval=300")
    venue_pc = organiser.context.new_page()  # the organiser's session drives the projector
    venue_pc.set_viewport_size(SCREEN)
    venue_pc.goto(f"{demo_server.url}/c/{SLUG}/screen?event=iiot&interval=300")
    for page in (organiser, phone, screen, venue_pc):
        wait_live(page)
        mark_no_reload(page)
    card = organiser.locator('[data-event-card="iiot"]')
    publics = (phone, screen, venue_pc)
    try:
        card.locator('form[action$="/freeze"] button').click()
        expect(card.locator("[data-frozen]")).to_be_visible()
        for page in publics:
            expect(page.locator("[data-frozen-banner]")).to_be_visible()
        shot(screen, "screen-frozen")

        # A mark while frozen: the jury's count moves, the public boards do not.
        marked, expected = (int(n) for n in card.locator("[data-marked]").inner_text().split("/"))
        assert len(mark(demo_server, "iiot", bib, only={"T1"})) == 1
        expect(card.locator("[data-marked]")).to_have_text(f"{marked + 1}/{expected}")
        phone.wait_for_timeout(1500)
        expect(phone.locator(f'table.board tbody tr[data-entry="{bib}"] td.rank')).to_have_text("–")
        assert board(demo_server, "iiot")["frozen"] is True
        assert row_of(board(demo_server, "iiot"), bib)["rank"] is None  # the public API agrees
        public_seq = board(demo_server, "iiot")["seq"]
        jury_seq = organiser.request.get(f"{demo_server.url}/api/v1/contests/{SLUG}/events/iiot/board").json()["seq"]
        assert jury_seq > public_seq
        venue_pc.wait_for_timeout(6000)  # longer than the screen's HTTP refresh
        for page in (screen, venue_pc):
            expect(page.locator("[data-frame]")).to_have_attribute("data-seq", str(public_seq))

        # The first reveal step: the entries without a rank, and the lowest ranked entry of the
        # live board, which every public screen shows.
        live_rows = organiser.request.get(f"{demo_server.url}/api/v1/contests/{SLUG}/events/iiot/board").json()["rows"]
        ranked = [r for r in live_rows if r["rank"] is not None]
        bottom = ranked[-1]["entry"]
        card.locator('form[action$="/reveal"]:not(:has(input[name=mode])) button').click()
        expect(card.locator("[data-revealed]")).to_contain_text(f"{len(live_rows) - len(ranked) + 1}/")
        expect(phone.locator("table.board tbody tr.revealed")).to_have_attribute("data-entry", bottom)
        expect(phone.locator("[data-reveal-note]")).to_contain_text(bottom)  # the row may be far below
        for page in (screen, venue_pc):
            # The screen turns to the page that holds the revealed row.
            expect(page.locator("[data-screen-board] tbody tr.revealed")).to_have_attribute("data-entry", bottom)
            assert int(page.locator("[data-frame]").get_attribute("data-page")) > 1
            assert no_scrollbars(page) and rows_fit_the_frame(page)
        shot(screen, "screen-reveal-step")
        shot(phone, "board-phone-reveal-step")

        # Reveal the rest at once: live again everywhere, with the mark made while frozen.
        card.locator('form[action$="/unfreeze"] button').click()
        expect(card.locator("[data-frozen]")).to_be_hidden()
        mine = row_of(board(demo_server, "iiot"), bib)
        assert mine["rank"] is not None
        for page in publics:
            expect(page.locator("[data-frozen-banner]")).to_be_hidden()
        expect(phone.locator(f'table.board tbody tr[data-entry="{bib}"] td.rank')).to_have_text(str(mine["rank"]))
        expect(phone.locator("table.board")).to_have_attribute("data-seq", str(board(demo_server, "iiot")["seq"]))
        assert not any(reloaded(page) for page in (organiser, *publics))
        shot(organiser, "organiser-live-after-reveal")
    finally:
        if card.locator('form[action$="/unfreeze"]').is_visible():
            card.locator('form[action$="/unfreeze"] button').click()
            expect(card.locator("[data-frozen]")).to_be_hidden()
