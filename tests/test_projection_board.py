"""The jury's projected rank ranges (可能名次) on the live board: organisers and chief judges get
them in the snapshot and in every patch, the public never (DESIGN.md §3–4); the final ranks
always fall inside every range the jury was shown on the way."""
import json
import re

from competition.boards import results
from competition.boards import services as boards
from competition.extensions import db
from competition.live.coalesce import merge

from .factory import complete_marks, judging_sample, organiser, sample_event as event
from .helpers import apply_patch, isolated_client, login

SLUG, EVENT = "sample-2026", "iot"
ROW_KEYS = {"entry", "name", "delegation", "rank", "total", "sections", "progress", "status", "award"}


def apply_jury(board: dict, patch: dict) -> dict:
    """What the jury's page does with a patch (static/js/board.js BoardState.apply): the rows,
    then "ranges" as a whole replacement of every row's range."""
    board = apply_patch(board, patch)
    if "ranges" in patch:
        board["rows"] = [dict(row, range=patch["ranges"].get(row["entry"])) for row in board["rows"]]
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


def test_ranges_flow_in_jury_patches_only_and_always_hold_the_final_rank(app):
    judging_sample()
    jury = boards.board_snapshot(event(), jury=True)
    public = boards.board_snapshot(event(), jury=False)
    shown = [{bib: row["range"] for bib, row in by_entry(jury).items()}]
    sent = []
    with results.board_changed.connected_to(lambda sender=None, patch=None, **_: sent.append(patch)):
        complete_marks()
    assert sent
    for patch in sent:
        body = patch.as_dict(jury=True)
        assert "ranges" in body and all("range" in row for row in body["upsert"])
        jury = apply_jury(jury, body)
        assert jury["rows"] and all(
            row["range"] == body["ranges"].get(row["entry"]) for row in jury["rows"])
        shown.append({bib: row["range"] for bib, row in by_entry(jury).items()})
        for_public = patch.as_dict(jury=False)
        assert "ranges" not in for_public
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


def test_a_merged_burst_keeps_the_latest_ranges():
    first = {"base": 1, "seq": 2, "upsert": [], "remove": [], "ranges": {"S01": [1, 3]}}
    second = {"base": 2, "seq": 3, "upsert": [], "remove": [], "ranges": {"S01": [1, 2]}}
    empty = {"base": 3, "seq": 4, "upsert": [], "remove": []}  # the jury's catch-up patch
    assert merge([first, second, empty])["ranges"] == {"S01": [1, 2]}
    assert "ranges" not in merge([empty])


def test_a_frozen_board_keeps_the_jury_s_ranges_coming(app):
    judging_sample()
    boards.freeze_board(event(), organiser())
    frozen = boards.board_snapshot(event(), jury=False)
    assert all(set(row) == ROW_KEYS for row in frozen["rows"])
    sent = []
    with results.board_changed.connected_to(lambda sender=None, patch=None, **_: sent.append(patch)):
        complete_marks()
    assert sent and all(patch.audience == results.JURY for patch in sent)
    assert sent[0].as_dict(jury=True)["ranges"]["S04"] == [1, 4]
    # The public's frozen board has no ranges, at any point.
    assert all(set(row) == ROW_KEYS for row in boards.board_snapshot(event(), jury=False)["rows"])
