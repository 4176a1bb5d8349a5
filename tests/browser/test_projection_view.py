"""The jury's projected rank ranges (可能名次) in Chromium: the organiser's live view shows them
under each open row's progress and keeps them current from the jury's patches; BoardState
replaces them as a whole, as the server-side helper does."""
import re
import time
import uuid

import pytest
import requests
from playwright.sync_api import expect

from competition.demo import SLUG

from .conftest import TABLET, log_in, shot
from .test_live_pages import mark, unmarked_entry, wait_live

pytestmark = pytest.mark.browser

RANGE_TEXT = re.compile(r"^(可能名次 ?\d+–\d+|Possible rank \d+–\d+|Rank will be \d+|名次将为 ?\d+)$")


def jury_board(page, event: str) -> dict:
    """The board as the logged-in organiser's API snapshot gives it (the jury's view)."""
    return page.evaluate("async (url) => (await fetch(url, {headers: {Accept: 'application/json'}})).json()",
                         f"/api/v1/contests/{SLUG}/events/{event}/board")


def shown_ranges(card) -> dict:
    out = {}
    for tr in card.locator("tbody tr[data-entry]").all():
        cell = tr.locator(".rank-range")
        out[tr.get_attribute("data-entry")] = cell.inner_text() if cell.count() else None
    return out


def settled(check, seconds: float = 10):
    """check() once the page has caught up (patches are coalesced and cross a socket)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_the_live_view_shows_and_updates_the_possible_ranks(demo_server, page_at):
    expect.set_options(timeout=10_000)
    page = page_at(TABLET)
    log_in(page, demo_server.url, "organiser")
    page.goto(f"{demo_server.url}/o/c/{SLUG}/live")
    wait_live(page)
    event = "sec"
    card = page.locator(f'[data-event-card="{event}"]')
    expect(card.locator("tbody tr[data-entry]").first).to_be_visible()

    def expected_ranges() -> dict:
        snapshot = jury_board(page, event)
        assert snapshot["view"] == "jury"
        return {row["entry"]: row["range"] for row in snapshot["rows"]}

    def check():
        ranges = expected_ranges()
        shown = shown_ranges(card)
        assert shown, "no rows"
        for bib, text in shown.items():
            assert (text is None) == (ranges[bib] is None), (bib, text, ranges[bib])
            if text is not None:
                assert RANGE_TEXT.match(text), text
                assert [int(n) for n in re.findall(r"\d+", text)][-1] == ranges[bib][1]
        return shown

    before = settled(check)
    assert any(text for text in before.values()), "the demo is judging: some rank must be open"
    # A whole entry marked at the top: everyone's range moves, through the jury's patches only.
    bib = unmarked_entry(demo_server, event)
    seqs = mark(demo_server, event, bib)
    assert seqs
    expect(card.locator(f'tbody tr[data-entry="{bib}"]')).to_be_visible()  # top marks: into the top 5
    after = settled(check)
    assert after != before
    public = requests.get(f"{demo_server.url}/api/v1/contests/{SLUG}/events/{event}/board", timeout=10).json()
    assert public["view"] == "public" and not any("range" in row for row in public["rows"])
    shot(page, "organiser-live-ranges")


APPLY = """
const state = new m.BoardState("c", "e");
state.load(arg.snapshot);
const outcomes = [];
for (const step of arg.steps) {
  if (step.ranges && !step.upsert) state.setRanges(step.ranges);
  else outcomes.push(state.apply(step));
}
return {outcomes, rows: state.ordered(), text: state.ordered().map(r => m.rankRange(r.range))};
"""


def test_board_state_keeps_the_ranges_apart_from_the_patches(demo_server, page_at):
    """Patches carry no ranges (a mark never waits for them): a patched row keeps the range the
    last `ranges` event gave, and each `ranges` event replaces the whole set."""
    page = page_at(TABLET)
    page.goto(demo_server.url + "/healthz")
    row = {"name": None, "delegation": None, "total": "1.00", "sections": {}, "progress": [1, 2],
           "status": "provisional", "award": None}
    snapshot = {"seq": 1, "frozen": False, "columns": [], "view": "jury",
                "rows": [dict(row, entry="A", rank=1, range=[1, 2]), dict(row, entry="B", rank=2, range=[1, 2])]}
    steps = [{"base": 1, "seq": 2, "upsert": [dict(row, entry="B", rank=1, total="2.00")], "remove": []},
             {"ranges": {"B": [1, 1], "A": [2, 2]}},
             {"base": 2, "seq": 3, "upsert": [], "remove": []},  # no ranges: they stay
             {"ranges": {"A": [2, 3]}}]
    got = page.evaluate(f"async (arg) => {{ const m = await import('/static/js/board.js'); {APPLY} }}",
                        {"snapshot": snapshot, "steps": steps})
    assert got["outcomes"] == ["applied"] * 2
    assert [(r["entry"], r["range"]) for r in got["rows"]] == [("A", [2, 3]), ("B", None)]  # both rank 1: by bib
    # No catalogue on this page: the words' key stands in for them.
    assert got["text"] == ["possible_rank", ""]


PUBLIC_SETUP = """
import json
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug
from competition.extensions import db
data = json.loads(open({path!r}, encoding="utf-8").read())
data["contest"]["status"] = "judging"
import_contest(data)
contest_by_slug("sample-2026").shows_public_ranges = True
db.session.commit()
"""


def test_a_contest_shows_the_possible_ranks_on_its_public_board(page_at):
    """A contest that chooses so: a phone's board shows each open entry's possible rank, and a
    mark moves them without a reload (the `ranges` event the public room gets)."""
    from pathlib import Path
    from ..server import LiveServer, in_app
    from .conftest import PHONE
    server = LiveServer().start()
    try:
        in_app(server, PUBLIC_SETUP.format(path=str(Path(__file__).parents[1] / "data" / "sample-contest.json")))
        token = server.token("k1")
        phone = page_at(PHONE)
        phone.goto(f"{server.url}/c/sample-2026/events/iot/board")
        expect(phone.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
        api = f"{server.url}/api/v1/contests/sample-2026/events/iot/board"

        def ranges():
            return {row["entry"]: row.get("range") for row in requests.get(api, timeout=10).json()["rows"]}
        before = ranges()
        expect(phone.locator('tbody tr[data-entry="S03"] td.total .rank-range')).to_be_visible()  # a phone sees it
        expect(phone.locator('tbody tr[data-entry="S03"] td.total .rank-range')).to_have_text(RANGE_TEXT)
        for bib, value in (("S03", "100"), ("S04", "0")):
            answer = requests.post(f"{server.url}/api/v1/marks", headers={"Authorization": f"Bearer {token}"}, json={
                "contest": "sample-2026", "event": "iot", "entry": bib, "criterion": "T1", "value": value,
                "client_id": str(uuid.uuid4())}, timeout=10)
            assert answer.status_code == 201, answer.text
        after = ranges()
        moved = [bib for bib in after if after[bib] != before.get(bib) and after[bib]]
        assert moved, (before, after)
        for bib in moved:  # the phone follows without a reload
            best, worst = after[bib]
            expect(phone.locator(f'tbody tr[data-entry="{bib}"] td.total .rank-range')).to_have_text(
                re.compile(rf"{best}–{worst}$" if best != worst else rf"{best}$"))
        shot(phone, "board-phone-public-ranges")
    finally:
        server.stop()
