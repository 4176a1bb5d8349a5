"""The pages' JavaScript on its own, in Chromium: the tablet's check of a mark (static/js/marks.js)
against the cases parse_mark is tested with, and the live board's patch logic (BoardState in
static/js/board.js) against what DESIGN.md §4 says a client does, the same as the Python
helper the server-side tests use."""
import json
import random
from pathlib import Path

import pytest

from ..helpers import apply_patch

pytestmark = pytest.mark.browser

CASES = json.loads((Path(__file__).parents[1] / "data" / "mark-cases.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page(browser, demo_server):
    """A page of the app (for its origin: modules load from /static), with nothing booted."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(demo_server.url + "/healthz")
    yield page
    context.close()


def run(page, module: str, body: str, arg):
    """Evaluate `body` (an async function body with the module as `m` and `arg`) in the page."""
    return page.evaluate(f"async (arg) => {{ const m = await import('/static/js/{module}'); {body} }}", arg)


def test_the_tablet_refuses_exactly_what_parse_mark_refuses(page):
    cases = [dict(case, rule={"max": CASES["rules"][case["rule"]]["max"], "step": CASES["rules"][case["rule"]]["step"],
                              "judgement": CASES["rules"][case["rule"]]["method"] == "judgement"})
             for case in CASES["cases"]]
    got = run(page, "marks.js", "return arg.map(c => m.refusal(c.raw, c.rule));", cases)
    wrong = [(c["raw"], c["rule"], c["code"], code) for c, code in zip(cases, got) if code != c["code"]]
    assert not wrong, wrong
    assert len(cases) > 60


def test_one_mark_written_two_ways_is_one_mark(page):
    pairs = [("８．５", "8.5"), (" 8.50 ", "8.5"), ("007.50", "7.5"), (".5", "0.5"), ("7.", "7"), ("0.00", "0"),
             ("abc", "abc")]
    got = run(page, "marks.js", "return arg.map(([a, b]) => [m.canonical(a), m.canonical(b)]);", pairs)
    assert all(a == b for a, b in got[:-1]), got
    assert got[-1] == ["abc", "abc"]  # anything else is compared as typed


# --- the board's patches ---------------------------------------------------------------------

APPLY = """
const state = new m.BoardState("c", "e");
state.load(arg.snapshot);
const outcomes = arg.patches.map(p => state.apply(p));
return {outcomes, seq: state.seq, frozen: state.frozen, revealed: state.revealed,
        rows: state.ordered()};
"""


def row(bib, rank=None, total=None):
    return {"entry": bib, "name": bib, "delegation": "d", "rank": rank, "total": total, "sections": {},
            "progress": [0, 1], "status": "provisional", "award": None}


def snapshot(seq, rows, frozen=False):
    return {"contest": "c", "event": "e", "seq": seq, "frozen": frozen, "columns": [], "rows": rows}


def patch(base, seq, upsert=(), remove=(), **extra):
    return {"contest": "c", "event": "e", "base": base, "seq": seq, "upsert": list(upsert), "remove": list(remove),
            **extra}


def test_a_patch_applies_removals_first_then_upserts(page):
    # A bib both removed and upserted in one patch (a renumbered entry taking a freed bib) stays.
    done = run(page, "board.js", APPLY, {"snapshot": snapshot(1, [row("A", 1, "9"), row("B", 2, "8")]),
                                         "patches": [patch(1, 2, upsert=[row("B", 1, "10")], remove=["A", "B"])]})
    assert done["outcomes"] == ["applied"] and [r["entry"] for r in done["rows"]] == ["B"]


def test_an_old_patch_is_ignored_and_a_gap_asks_for_a_snapshot(page):
    done = run(page, "board.js", APPLY, {"snapshot": snapshot(5, [row("A")]),
                                         "patches": [patch(4, 5), patch(3, 4), patch(6, 7), patch(5, 6)]})
    assert done["outcomes"] == ["old", "old", "gap", "applied"] and done["seq"] == 6


def test_frozen_and_reveal_follow_the_patches(page):
    done = run(page, "board.js", APPLY, {
        "snapshot": snapshot(1, [row("A"), row("B")], frozen=True),
        "patches": [patch(1, 2, upsert=[row("B", 2, "5")], frozen=True, reveal={"entry": "B", "revealed": 1, "of": 2}),
                    patch(2, 3, upsert=[row("A", 1, "9")], frozen=False, reveal={"entry": "A", "revealed": 2, "of": 2})]})
    assert done["outcomes"] == ["applied", "applied"]
    assert done["frozen"] is False and done["revealed"] == 0
    assert [r["entry"] for r in done["rows"]] == ["A", "B"]


def test_new_columns_ask_for_a_snapshot(page):
    done = run(page, "board.js", APPLY, {"snapshot": snapshot(1, [row("A")]),
                                         "patches": [patch(1, 2, upsert=[row("A")], columns=[{"code": "T"}])]})
    assert done["outcomes"] == ["gap"] and done["seq"] == 1


def test_random_patch_chains_end_where_the_server_side_client_ends(page):
    """Rows in board order, as the Python helper of the server-side tests applies them."""
    rng = random.Random(7)
    bibs = [f"E{i:02}" for i in range(12)]
    board = snapshot(0, [row(b) for b in bibs[:6]])
    start, patches = board, []
    for seq in range(1, 40):
        upsert = [row(b, rng.choice([None, 1, 2, 2, 4, 5]), str(rng.randint(0, 99))) for b in rng.sample(bibs, 3)]
        remove = [b for b in rng.sample(bibs, 2) if b not in {r["entry"] for r in upsert}]
        patches.append(patch(seq - 1, seq, upsert, remove))
        board = apply_patch(board, patches[-1])
    done = run(page, "board.js", APPLY, {"snapshot": start, "patches": patches})
    order = sorted(board["rows"], key=lambda r: (r["rank"] is None, r["rank"] or 0, r["entry"]))
    assert set(done["outcomes"]) == {"applied"} and done["seq"] == board["seq"]
    assert done["rows"] == order
