"""The jury's projected rank ranges (可能名次) on the live board: organisers and chief judges get
them in the snapshot and then as `ranges` events computed after the marks (never inside one:
patches carry none), the public never (DESIGN.md §3–4); the final ranks always fall inside
every range the jury was shown on the way."""
import json
import re

from competition.boards import results
from competition.boards import services as boards
from competition.extensions import db

from .factory import complete_marks, judging_sample, organiser, sample_event as event
from .helpers import apply_patch, isolated_client, login

SLUG, EVENT = "sample-2026", "iot"
ROW_KEYS = {"entry", "name", "delegation", "rank", "total", "sections", "progress", "status", "award"}


def apply_jury(board: dict, patch: dict, ranges: dict) -> dict:
    """What the jury's page does (static/js/board.js): the patch's rows, then the `ranges`
    event computed after it, a whole replacement of every row's range."""
    board = apply_patch(board, patch)
    board["rows"] = [dict(row, range=ranges.get(row["entry"])) for row in board["rows"]]
    return board


def by_entry(board: dict) -> dict:
    return {row["entry"]: row for row in board["rows"]}


def test_the_jury_snapshot_has_ranges_and_the_public_one_none(app):
    judging_sample()
    jury = boards.board_snapshot(event(), jury=True)
    public = boards.board_snapshot(event(), jury=False)
    assert all("range" in row for row in jury["rows"])
    assert all(set(row) == ROW_KEYS for row in public["rows"]), public["rows"]
    # The sample contest is judging: S02 to S04 have marks to come, and anyone can still win.
    assert {row["entry"]: row["range"] for row in jury["rows"]} == {
        "S01": [1, 4], "S02": [1, 4], "S03": [1, 4], "S04": [1, 4]}
    assert {bib: {k: v for k, v in row.items() if k not in ("range", "provisional_award")}
            for bib, row in by_entry(jury).items()} == by_entry(public)


def test_the_api_gives_ranges_to_the_organiser_only(app):
    judging_sample()
    organiser()
    db.session.commit()
    anonymous = isolated_client(app)
    path = f"/api/v1/contests/{SLUG}/events/{EVENT}/board"
    public = anonymous.get(path).get_json()
    assert public["view"] == "public" and all(set(row) == ROW_KEYS for row in public["rows"])
    staff = isolated_client(app)
    login(staff, "org1")
    live = staff.get(path).get_json()
    assert live["view"] == "jury" and by_entry(live)["S02"]["range"] == [1, 4]
    # The public board page embeds no range either.
    html = anonymous.get(f"/c/{SLUG}/events/{EVENT}/board").get_data(as_text=True)
    assert '"range"' not in html


def test_the_organiser_live_view_carries_the_ranges_and_their_words(app):
    judging_sample()
    organiser()
    db.session.commit()
    staff = isolated_client(app)
    login(staff, "org1")
    html = staff.get(f"/o/c/{SLUG}/live", headers={"Accept-Language": "en"}).get_data(as_text=True)
    config = json.loads(re.search(r'<script type="application/json" id="gj-organiser">(.*?)</script>', html,
                                  re.S).group(1))
    rows = by_entry(config["boards"][EVENT])
    assert rows["S03"]["range"] == [1, 4]
    words = json.loads(re.search(r'<script type="application/json" id="gj-i18n">(.*?)</script>', html,
                                 re.S).group(1))
    assert words["possible_rank"] == "Possible rank {best}–{worst}"
    assert words["rank_will_be"] == "Rank will be {rank}"


def test_ranges_come_after_the_patches_and_always_hold_the_final_rank(app):
    judging_sample()
    jury = boards.board_snapshot(event(), jury=True)
    public = boards.board_snapshot(event(), jury=False)
    shown = [{bib: row["range"] for bib, row in by_entry(jury).items()}]
    sent = []

    def keep(sender=None, patch=None, **_):
        sent.append((patch, results.ranges_message(event())))  # what the feed computes after commit
    with results.board_changed.connected_to(keep):
        complete_marks()
    assert sent
    for patch, message in sent:
        body = patch.as_dict(jury=True)
        assert "ranges" not in body and not any("range" in row for row in body["upsert"])  # never in a mark
        assert message["seq"] == patch.seq and message["event"] == EVENT
        jury = apply_jury(jury, body, message["ranges"])
        shown.append({bib: row["range"] for bib, row in by_entry(jury).items()})
        for_public = patch.as_dict(jury=False)
        assert all(set(row) == ROW_KEYS for row in for_public["upsert"])
        public = apply_patch(public, for_public)
    db.session.commit()
    # The jury's board, patched all the way, is the jury's snapshot now, ranges and all.
    assert by_entry(jury) == by_entry(boards.board_snapshot(event(), jury=True))
    assert by_entry(public) == by_entry(boards.board_snapshot(event(), jury=False))
    final = {bib: row["rank"] for bib, row in by_entry(jury).items()}
    assert final == {"S01": 1, "S02": 2, "S03": 3, "S04": 4}
    # Every range the jury saw on the way held the final rank; once complete, none is left.
    for ranges in shown:
        for bib, span in ranges.items():
            if span is not None:
                assert span[0] <= final[bib] <= span[1], (bib, span, ranges)
    assert shown[-1] == {"S01": None, "S02": None, "S03": None, "S04": None}
    assert any(ranges["S01"] == [1, 2] for ranges in shown)  # they narrowed on the way


def test_the_live_feature_sends_the_ranges_to_the_jury_only_once_per_burst(app, monkeypatch):
    from competition import live
    judging_sample()
    sent, asked = [], []
    monkeypatch.setattr(live, "_listened", lambda to: True)
    monkeypatch.setattr(live, "_send_patch", lambda to, patch, jury: None)
    monkeypatch.setattr(live, "request_progress", lambda contest: None)
    monkeypatch.setattr(live, "request_standings", lambda contest: None)

    def feed(key, window, produce):
        asked.append((key, window))
        if len(asked) == 1:
            sent.extend(produce())  # the coalescer computes once per window, however often asked
    monkeypatch.setattr(live.coalescer, "feed", feed)
    complete_marks()
    assert {key for key, _window in asked} == {("ranges", SLUG, EVENT)} and len(asked) > 1
    assert all(window >= live.RANGES_WINDOW for _key, window in asked)
    assert [(name, to) for name, _payload, to in sent] == [("ranges", live.jury_room(SLUG, EVENT))]
    assert set(sent[0][1]) == {"contest", "event", "seq", "frozen", "ranges"}


def test_a_frozen_board_keeps_the_jury_s_ranges_coming(app):
    judging_sample()
    boards.freeze_board(event(), organiser())
    frozen = boards.board_snapshot(event(), jury=False)
    assert all(set(row) == ROW_KEYS for row in frozen["rows"])
    sent = []
    with results.board_changed.connected_to(lambda sender=None, patch=None, **_: sent.append(
            (patch, results.ranges_message(event())))):
        complete_marks()
    assert sent and all(patch.audience == results.JURY for patch, _message in sent)
    assert sent[0][1]["ranges"]["S04"] == [1, 4]
    # The public's frozen board has no ranges, at any point.
    assert all(set(row) == ROW_KEYS for row in boards.board_snapshot(event(), jury=False)["rows"])


def test_a_contest_may_show_the_ranges_on_its_public_board_but_never_while_frozen(app, monkeypatch):
    from competition import live
    from competition.contests.models import contest_by_slug
    judging_sample()
    contest = contest_by_slug(SLUG)
    contest.shows_public_ranges = True
    db.session.commit()
    public = boards.board_snapshot(event(), jury=False)
    assert {row["entry"]: row["range"] for row in public["rows"]}["S02"] == [1, 4]
    anonymous = isolated_client(app)
    api = anonymous.get(f"/api/v1/contests/{SLUG}/events/{EVENT}/board").get_json()
    assert by_entry(api)["S02"]["range"] == [1, 4]
    # After a mark the feed sends the ranges to the public room as well as the jury's.
    sent = []
    monkeypatch.setattr(live, "_listened", lambda to: True)
    monkeypatch.setattr(live, "_send_patch", lambda to, patch, jury: None)
    monkeypatch.setattr(live, "request_progress", lambda contest: None)
    monkeypatch.setattr(live, "request_standings", lambda contest: None)
    monkeypatch.setattr(live.coalescer, "feed", lambda key, window, produce: sent.extend(produce()))
    complete_marks()
    assert {to for _name, _message, to in sent} == {live.jury_room(SLUG, EVENT), live.room(SLUG, EVENT)}
    # Frozen: the public's board has no ranges, and the feed keeps them for the jury.
    boards.freeze_board(event(), organiser())
    assert all(set(row) == ROW_KEYS for row in boards.board_snapshot(event(), jury=False)["rows"])
    sent.clear()
    live.request_ranges(SLUG, EVENT)
    assert {to for _name, _message, to in sent} == {live.jury_room(SLUG, EVENT)}
