"""Judging on a tablet (768×1024) in headless Chromium against the demo contest: a judge marks a
whole entry with touch-sized taps and sees the progress, the chief judge locks the entry, and a
dropped connection keeps the marks in the tablet's outbox and sends them again without storing twice."""
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from .conftest import TABLET, log_in, shot

pytestmark = pytest.mark.browser
SLUG, EVENT = "chaoyang-2026", "ai"
TAP = 44  # px: the smallest touch target we allow


@pytest.fixture
def touch_page(browser):
    """A tablet with a touch screen: taps, not clicks."""
    context = browser.new_context(viewport=TABLET, locale="zh-CN", device_scale_factor=1, has_touch=True,
                                  service_workers="block")  # as page_at's
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def assert_touch_sized(locator, what: str) -> None:
    assert locator.count() > 0, what
    for i in range(locator.count()):
        box = locator.nth(i).bounding_box()
        assert box is not None, what
        assert box["width"] >= TAP and box["height"] >= TAP, (what, i, box)


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def to_mark(page, base: str) -> tuple[str, int]:
    """Open the demo event and take the first entry with nothing marked yet; (key, marks left)."""
    page.goto(f"{base}/j/")
    left = int(page.locator(f".event-card[data-event={EVENT}] [data-to-mark]").get_attribute("data-to-mark"))
    link = page.locator(f".event-card[data-event={EVENT}] .event-link")
    link.tap() if _has_touch(page) else link.click()
    page.wait_for_url(f"**/j/{SLUG}/{EVENT}")
    item = page.locator(".entry-item:has(.state-todo)").first
    key = item.get_attribute("id")[len("entry-"):]
    return key, left


def _has_touch(page) -> bool:
    return page.evaluate("'ontouchstart' in window || navigator.maxTouchPoints > 0")


def value_for(field) -> str:
    """A valid mark for a typed field: about four fifths of its maximum, on its step."""
    top, step = Decimal(field.get_attribute("data-max")), Decimal(field.get_attribute("data-step"))
    return str(((top * Decimal("0.8")) / step).to_integral_value() * step)


def fill_by_touch(page) -> dict[str, str]:
    """Tap a mark into every criterion of the form; returns what was given per criterion."""
    given = {}
    for fieldset in page.locator("fieldset.criterion").all():
        code = fieldset.get_attribute("data-criterion")
        buttons = fieldset.locator(".score-button")
        if buttons.count():
            buttons.nth(2).tap()
            assert fieldset.locator("input[type=radio][value='2']").is_checked()
            given[code] = "2"
        else:
            field = fieldset.locator("input.mark-input")
            field.tap()
            value = value_for(field)
            page.keyboard.type(value)
            given[code] = value
    return given


def missing_marks(server, key: str) -> list[tuple[str, str]]:
    """(judge username, criterion code) of every assigned mark of the entry still missing,
    read from the server's own database."""
    engine = create_engine(server.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(
                "SELECT u.username, c.code FROM assignment a"
                " JOIN entry e ON e.id = a.entry_id JOIN criterion c ON c.id = a.criterion_id"
                " JOIN judge j ON j.id = a.judge_id JOIN user_account u ON u.id = j.user_id"
                " LEFT JOIN mark m ON m.entry_id = a.entry_id AND m.criterion_id = a.criterion_id"
                "  AND m.judge_id = a.judge_id"
                " WHERE e.bib = :bib AND m.id IS NULL ORDER BY u.username, c.code"), {"bib": key})]
    finally:
        engine.dispose()


def assigned_marks(server, key: str) -> int:
    """How many marks the entry's judges owe it in all, read from the server's own database
    (other browser tests share the demo server and may have marked the entry already)."""
    engine = create_engine(server.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT count(*) FROM assignment a JOIN entry e ON e.id = a.entry_id WHERE e.bib = :bib"),
                {"bib": key}).scalar_one()
    finally:
        engine.dispose()


def revision_counts(server, key: str, username: str) -> list[int]:
    engine = create_engine(server.env["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            return [row[0] for row in conn.execute(text(
                "SELECT count(r.id) FROM mark m JOIN mark_revision r ON r.mark_id = m.id"
                " JOIN entry e ON e.id = m.entry_id JOIN judge j ON j.id = m.judge_id"
                " JOIN user_account u ON u.id = j.user_id"
                " WHERE e.bib = :bib AND u.username = :username GROUP BY m.id"), {"bib": key, "username": username})]
    finally:
        engine.dispose()


def test_a_judge_marks_an_entry_by_touch_and_the_chief_judge_locks_it(demo_server, touch_page, page_at):
    base, page = demo_server.url, touch_page
    log_in(page, base, "judge02")
    page.goto(f"{base}/j/")
    assert_touch_sized(page.locator(".event-link"), "event card")
    shot(page, "judging-home-before-tablet")
    key, left_before = to_mark(page, base)
    assert_touch_sized(page.locator(".entry-link"), "entry row")
    shot(page, "judging-event-before-tablet")

    page.locator(f"#entry-{key} .entry-link").tap()
    page.wait_for_url(f"**/j/{SLUG}/{EVENT}/{key}")
    assert page.locator("form[data-marking]").count() == 1
    assert no_horizontal_scroll(page)
    assert_touch_sized(page.locator(".score-button"), "0-3 button")
    assert_touch_sized(page.locator("input.mark-input"), "number field")
    assert_touch_sized(page.locator(".submit-marks"), "submit button")
    shot(page, "judging-form-empty-tablet")

    given = fill_by_touch(page)
    assert len(given) >= 2
    page.locator(".score-button").first.scroll_into_view_if_needed()
    shot(page, "judging-form-filled-tablet")
    page.locator(".submit-marks").tap()
    page.wait_for_url(f"**/j/{SLUG}/{EVENT}?saved={key}*")
    saved = page.locator(f"#entry-{key}")
    assert "just-saved" in saved.get_attribute("class")
    assert saved.locator(".state-done").count() == 1
    assert saved.locator(".entry-count").inner_text() == f"{len(given)}/{len(given)}"
    shot(page, "judging-event-after-submit-tablet")

    page.goto(f"{base}/j/")
    left_after = int(page.locator(f".event-card[data-event={EVENT}] [data-to-mark]").get_attribute("data-to-mark"))
    assert left_after == left_before - len(given)
    shot(page, "judging-home-after-tablet")

    # The entry's other judges give their marks from their own tablets (through the API).
    missing = missing_marks(demo_server, key)
    assert missing and all(username != "judge02" for username, _code in missing)
    tokens = {}
    for username, code in missing:
        tokens.setdefault(username, demo_server.token(username))
        response = requests.post(f"{base}/api/v1/marks", timeout=10, json={
            "contest": SLUG, "event": EVENT, "entry": key, "criterion": code, "value": "2",
            "client_id": f"browser-{key}-{username}-{code}"},
            headers={"Authorization": f"Bearer {tokens[username]}"})
        assert response.status_code == 201, response.text

    chief = page_at(TABLET)
    log_in(chief, base, "judge01")
    chief.goto(f"{base}/j/{SLUG}/{EVENT}/chief")
    row = chief.locator(f"tr#entry-{key}")
    assert row.locator(".chip-missing").count() == 0
    row.scroll_into_view_if_needed()
    shot(chief, "judging-chief-matrix-tablet")
    lock = row.locator("[data-lock-entry]")
    assert_touch_sized(lock, "lock button")
    lock.click()
    # Asked first: what a lock does, then the same tap again to confirm.
    confirm = chief.locator("[data-confirm]")
    assert_touch_sized(confirm, "confirm button")
    shot(chief, "judging-chief-lock-confirm-tablet")
    confirm.click()
    chief.wait_for_url(f"**/j/{SLUG}/{EVENT}/chief#entry-{key}")
    row = chief.locator(f"tr#entry-{key}")
    assert row.locator(".state-locked").count() == 1
    assert row.locator(".chip-locked").count() == assigned_marks(demo_server, key) >= len(missing) + len(given)
    row.scroll_into_view_if_needed()
    shot(chief, "judging-chief-locked-tablet")
    chief.goto(f"{base}/j/{SLUG}/{EVENT}/chief/{key}")
    shot(chief, "judging-chief-entry-tablet")
    chief.goto(f"{base}/j/{SLUG}/{EVENT}/chief/consistency")
    shot(chief, "judging-consistency-tablet")

    # The judge's form is read-only now.
    page.goto(f"{base}/j/{SLUG}/{EVENT}/{key}")
    assert page.locator("form[data-marking]").count() == 0
    assert page.locator(".submit-marks").count() == 0
    assert all(field.is_disabled() for field in page.locator("fieldset.criterion input").all())
    shot(page, "judging-form-locked-tablet")
    board = requests.get(f"{base}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10).json()
    assert next(r for r in board["rows"] if r["entry"] == key)["status"] == "final"


def test_a_dropped_connection_keeps_the_marks_and_sends_them_again_once(demo_server, page_at):
    base = demo_server.url
    page = page_at(TABLET)
    log_in(page, base, "judge03")
    key, _left = to_mark(page, base)
    page.goto(f"{base}/j/{SLUG}/{EVENT}/{key}")
    given = {}
    for fieldset in page.locator("fieldset.criterion").all():
        buttons = fieldset.locator(".score-button")
        if buttons.count():
            buttons.nth(1).click()
            given[fieldset.get_attribute("data-criterion")] = "1"
        else:
            field = fieldset.locator("input.mark-input")
            value = value_for(field)
            field.fill(value)
            given[fieldset.get_attribute("data-criterion")] = value

    # The form reaches the server, which stores all of it, but the answer is lost on the venue's Wi-Fi.
    def drop_answer(route):
        try:
            if route.request.method != "POST":
                return route.continue_()
            route.fetch()
            route.abort("connectionreset")
        except PlaywrightError:  # the page went on meanwhile (the outbox retries in the background)
            pass

    form_url = f"**/j/{SLUG}/{EVENT}/{key}"
    page.route(form_url, drop_answer)
    page.locator(".submit-marks").click()
    # No answer: the form waits in the tablet's outbox and the judge is back at the list.
    page.wait_for_url(f"**/j/{SLUG}/{EVENT}#entry-{key}")
    outbox = page.locator("[data-outbox]")
    outbox.wait_for(state="visible")
    assert key in outbox.inner_text()
    assert outbox.get_attribute("data-waiting") == str(len(given))
    assert page.locator(f"#entry-{key} [data-kept]").is_visible()  # the list says so at the entry too
    outbox.scroll_into_view_if_needed()
    shot(page, "judging-offline-outbox-tablet")
    assert revision_counts(demo_server, key, "judge03") == [1] * len(given)  # one transaction: all of it

    # Sending again while the answers are still lost, then with them back: stored once.
    page.locator("[data-outbox-send]").click()
    expect(page.locator("[data-outbox]")).not_to_have_attribute("data-status", "sending", timeout=20000)
    assert revision_counts(demo_server, key, "judge03") == [1] * len(given)
    # The form again, offline or not: the values kept on the tablet are in it.
    page.goto(f"{base}/j/{SLUG}/{EVENT}/{key}")
    page.locator("#net-banner").wait_for(state="visible")
    for code, value in given.items():  # nothing the judge typed is lost
        fieldset = page.locator(f"fieldset[data-criterion='{code}']")
        if fieldset.locator(".score-button").count():
            assert fieldset.locator(f"input[value='{value}']").is_checked()
        else:
            assert fieldset.locator("input.mark-input").input_value() == value
    page.unroute(form_url)
    page.goto(f"{base}/j/{SLUG}/{EVENT}")
    expect(page.locator("[data-outbox-list] li")).to_have_count(0, timeout=20000)  # sent, here or just before
    expect(page.locator("[data-outbox]")).to_have_attribute("data-waiting", "0")
    assert revision_counts(demo_server, key, "judge03") == [1] * len(given)


def test_a_refused_value_is_told_next_to_its_field_on_the_tablet(demo_server, page_at):
    base = demo_server.url
    page = page_at(TABLET)
    log_in(page, base, "judge04")
    key, _left = to_mark(page, base)
    page.goto(f"{base}/j/{SLUG}/{EVENT}/{key}")
    fields = page.locator("input.mark-input")
    first = fields.first
    first.fill("1e3")
    for i in range(1, fields.count()):
        fields.nth(i).fill("１")  # full width: accepted
    buttons = page.locator(".score-button")
    if buttons.count():
        buttons.nth(3).click()
    page.locator(".submit-marks").click()
    error = page.locator(f"#{first.get_attribute('id')}-error")
    error.wait_for(state="visible")
    assert error.inner_text()
    assert first.input_value() == "1e3"
    shot(page, "judging-form-refused-tablet")
