"""The hall in headless Chromium: the organiser names two screens (a 1920×1080 screen and a
1280×720 projector) and switches them from the console; an announcement reaches a phone's
board, a big screen and a judge's tablet; a rehearsal of the contest is revealed by award, from
the lowest award up to the winner, and its winners card goes up on a screen."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ..factory import PASSWORD
from ..server import LiveServer, in_app
from .conftest import PHONE, SCREEN, TABLET, shot

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
LAPTOP = {"width": 1280, "height": 900}
SAMPLE = Path(__file__).parents[1] / "data" / "sample-contest.json"
SLUG = "sample-2026"
NOTICE = "第二场实操 14:00 开始，请选手到 B 区候场"

SETUP = f"""
import json
from competition.accounts.services import create_user
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug
from competition.extensions import db
data = json.loads(open({str(SAMPLE)!r}, encoding="utf-8").read())
data["contest"]["status"] = "judging"
import_contest(data, passwords={{"k2": {PASSWORD!r}}})
create_user("hall-org", "周敏", {PASSWORD!r}, organisation=contest_by_slug({SLUG!r}).organisation)
db.session.commit()
"""


@pytest.fixture(scope="module")
def server():
    live = LiveServer(env={"LOGIN_RATE_LIMIT": "1000 per minute"}).start()
    in_app(live, SETUP)
    yield live
    live.stop()


def log_in(page, base: str, username: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def set_screen(office, name: str, mode: str, event: str = "", scale: str = "100", rows: str = "") -> None:
    row = office.locator(f'tr[data-screen="{name}"]')
    row.locator("select[name$=-mode]").select_option(mode)
    row.locator("select[name$=-event]").select_option(event)
    row.locator("input[name$=-scale]").fill(scale)
    row.locator("input[name$=-rows]").fill(rows)
    row.locator("[data-set-screen]").click()
    expect(office.locator(".flash-success")).to_contain_text(name)


def test_the_console_runs_the_hall_and_a_rehearsal_is_revealed_by_award(server, page_at):
    base = server.url
    office = page_at(LAPTOP)
    log_in(office, base, "hall-org")
    office.goto(f"{base}/o/c/{SLUG}/screens")
    for name in ("大屏一", "大屏二"):
        office.get_by_label("屏幕名称").fill(name)
        office.locator("[data-add-screen]").click()
        expect(office.locator(f'tr[data-screen="{name}"]')).to_be_visible()

    big, projector = page_at(SCREEN), page_at(PROJECTOR)
    big.goto(f"{base}/c/{SLUG}/screen?name=大屏一")
    projector.goto(f"{base}/c/{SLUG}/screen?name=大屏二")
    for screen in (big, projector):
        expect(screen.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
        expect(screen.locator("[data-frame]")).to_have_attribute("data-event", "iot")  # follows the marking
    # The console sees both connected (it asks every two seconds).
    for name in ("大屏一", "大屏二"):
        expect(office.locator(f'tr[data-screen="{name}"] [data-connected]')).to_have_attribute("data-connected", "1")
    shot(office, "hall-01-console")

    # The console switches them: the standings, larger, on one; the board with 8 rows on the other.
    set_screen(office, "大屏一", "standings", scale="130")
    set_screen(office, "大屏二", "event", event="iot", rows="8")
    expect(big.locator("[data-frame]")).to_have_attribute("data-show", "standings")
    expect(big.locator("[data-standings-rows] tr").first).to_be_visible()
    expect(projector.locator("[data-frame]")).to_have_attribute("data-rows", "8")
    expect(projector.locator("[data-frame]")).to_have_attribute("data-show", "board")
    shot(big, "hall-02-standings-1920")
    shot(projector, "hall-03-board-1280")

    # An announcement: the phone's board, both screens and a judge's tablet show it.
    phone, tablet = page_at(PHONE), page_at(TABLET)
    phone.goto(f"{base}/c/{SLUG}/events/iot/board")
    expect(phone.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    log_in(tablet, base, "k2")
    tablet.goto(f"{base}/j/{SLUG}/iot")
    office.locator("[data-announce-form] input[name=text]").fill(NOTICE)
    office.locator("[data-announce-form] button[type=submit]").click()
    expect(office.locator("[data-current-announcement]")).to_contain_text(NOTICE)
    for page in (phone, big, projector, tablet):
        expect(page.locator("[data-announcement] [data-announcement-text]")).to_have_text(NOTICE)
    shot(phone, "hall-04-phone-announcement")
    shot(tablet, "hall-05-tablet-announcement")
    shot(projector, "hall-06-projector-announcement")
    # The whole screen for the announcement, then taken off everywhere.
    set_screen(office, "大屏一", "announcement")
    expect(big.locator("[data-overlay-announcement]")).to_have_text(NOTICE)
    shot(big, "hall-07-announcement-1920")
    office.locator("[data-clear-announcement]").click()
    for page in (phone, projector, tablet):
        expect(page.locator("[data-announcement]")).to_be_hidden()

    # A rehearsal: made-up names and marks, signed off, frozen; revealed by award to the winner.
    office.locator("[data-make-rehearsal]").click()
    expect(office).to_have_url(re.compile(rf"/o/c/{SLUG}-rehearsal/live$"))
    rehearsal = f"{SLUG}-rehearsal"
    hall = page_at(SCREEN)
    hall.goto(f"{base}/c/{rehearsal}/screen")
    expect(hall.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    expect(hall.locator("[data-frozen-banner]")).to_be_visible()
    rows = office.request.get(f"{base}/api/v1/contests/{rehearsal}/events/iot/board").json()["rows"]
    winner = rows[0]["entry"]
    assert rows[0]["rank"] == 1 and rows[0]["award"] == "一等奖"
    card = office.locator('[data-event-card="iot"]')
    steps = 0
    while card.locator("[data-frozen]").is_visible():
        card.locator('form[action$="/reveal"]:has(input[value="award"]) button').click()
        steps += 1
        office.wait_for_timeout(300)
        assert steps <= len(rows)
    expect(hall.locator("[data-frozen-banner]")).to_be_hidden()
    expect(hall.locator(f'[data-screen-board] tbody tr[data-entry="{winner}"] td.rank')).to_have_text("1")
    shot(hall, "hall-08-rehearsal-revealed-1920")
    public = office.request.get(f"{base}/api/v1/contests/{rehearsal}/events/iot/board").json()
    assert [r["award"] for r in public["rows"]][:3] == ["一等奖", "二等奖", "三等奖"]

    # Its winners card on a screen of the rehearsal.
    office.goto(f"{base}/o/c/{rehearsal}/screens")
    office.get_by_label("屏幕名称").fill("大屏一")
    office.locator("[data-add-screen]").click()
    winners = page_at(PROJECTOR)
    winners.goto(f"{base}/c/{rehearsal}/screen?name=大屏一")
    expect(winners.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    set_screen(office, "大屏一", "winners", event="iot")
    expect(winners.locator("[data-frame]")).to_have_attribute("data-show", "winners")
    expect(winners.locator(".winners-group").first).to_contain_text("一等奖")
    expect(winners.locator(f'.winners-group li[data-entry="{winner}"]')).to_be_visible()
    shot(winners, "hall-09-winners-1280")
    assert json.dumps(public, ensure_ascii=False)
