"""Projected rank range: the final rank always lies in it, and it is as tight as it can be."""
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from competition.scoring import CriterionRule, EventRule, RuleError, SectionRule, Standing, aggregate, rank, \
    score_entry
from competition.scoring.projection import Pending, RankRange, missing_marks, rank_ranges, top_mark, total_range

# --- random events, partial marks and their completions --------------------------------------


@st.composite
def criteria(draw, code: str) -> CriterionRule:
    method = draw(st.sampled_from(["single", "mean", "median", "trimmed", "judgement", "tolerance"]))
    maximum = D(draw(st.sampled_from([1, 3, 5, 10, 20, 100])))
    trim = draw(st.integers(0, 1)) if method in ("trimmed", "tolerance") else 1
    judges = 1 if method == "single" else draw(st.integers(max(1, 2 * trim + 1), 5))
    step = None if method == "judgement" else draw(st.sampled_from([None, D("0.5"), D(1), D(3)]))
    tolerance = D(draw(st.sampled_from(["0", "0.5", "1", "2"]))) if method == "tolerance" else None
    return CriterionRule(code, maximum, method=method, judges=judges, trim=trim, tolerance=tolerance, step=step)


@st.composite
def events(draw) -> EventRule:
    count = draw(st.integers(1, 3))
    weighted = draw(st.booleans())
    sections = []
    for i in range(count):
        code = "ABC"[i]
        rules = [draw(criteria(f"{code}{j}")) for j in range(draw(st.integers(1, 2)))]
        sections.append(SectionRule(code, rules, weight=D(draw(st.sampled_from([10, 30, 70]))) if weighted else None))
    keys = [f"section:{s.code}" for s in sections] + ["-completion_time"]
    tie_break = draw(st.lists(st.sampled_from(keys), unique=True, max_size=3))
    return EventRule(sections, places=draw(st.integers(0, 2)), tie_break=tie_break)


def marks_for(rule: CriterionRule):
    top = top_mark(rule)
    step = D(1) if rule.method == "judgement" else rule.step or D("0.01")
    steps = int(top / step)
    # The bounds often: that is where ties with the projection's extremes are.
    return st.one_of(st.just(D(0)), st.just(top), st.integers(0, steps).map(lambda n: n * step))


def expected(rule: CriterionRule) -> int:
    return 1 if rule.method == "single" else rule.judges


@st.composite
def boards(draw):
    """An event; for each entry its partial marks, what is missing, and a full completion."""
    event = draw(events())
    rules = [c for s in event.sections for c in s.criteria]
    entries, finals = [], {}
    for key in range(draw(st.integers(1, 6))):
        absent = draw(st.integers(0, 5)) == 0  # no marks yet at all
        have, final = {}, {}
        for rule in rules:
            full = [draw(marks_for(rule)) for _ in range(expected(rule))]
            shown = 0 if absent else draw(st.integers(0, len(full)))
            final[rule.code] = full
            if shown:
                have[rule.code] = full[:shown]
        penalty = draw(st.sampled_from([D(0), D(0), D("0.5"), D(2)]))
        time = draw(st.sampled_from([None, D(100), D(200)]))
        missing = missing_marks(event, have, {})
        entries.append(Pending(key, have, missing, penalty, time))
        finals[key] = final
    return event, entries, finals


def final_ranks(event: EventRule, entries: list[Pending], marks: dict) -> dict:
    """The board's ranks once the given entries have the given marks (others stay unmarked)."""
    standings = []
    for entry in entries:
        score = score_entry(event, marks.get(entry.key, {}), entry.penalty)
        standings.append(Standing(entry.key, score.total if score.has_marks else None, score.sections,
                                  entry.completion_time))
    return {p.key: p.rank for p in rank(standings, event.tie_break)}


def completed(event: EventRule, entry: Pending, value) -> dict:
    """The entry's marks with every missing one set by `value(rule)`."""
    out = {code: list(v) for code, v in entry.marks.items()}
    for code, count in entry.missing.items():
        rule = event.criterion(code)
        out.setdefault(code, []).extend(value(rule) for _ in range(count))
    return out


PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(boards(), st.data())
def test_the_final_rank_always_lies_in_the_projected_range(board, data):
    event, entries, finals = board
    ranges = rank_ranges(event, entries)
    # Some entries without marks never get any (absent); everyone else gets all of theirs.
    absent = {e.key for e in entries if not any(e.marks.values()) and data.draw(st.booleans())}
    marks = {key: final for key, final in finals.items() if key not in absent}
    ranks = final_ranks(event, entries, marks)
    for entry in entries:
        if entry.key in absent:
            continue
        assert ranges[entry.key] is not None
        best, worst = ranges[entry.key]
        assert best <= ranks[entry.key] <= worst, (entry, ranges, ranks)


@PROPERTY
@given(boards())
def test_the_total_always_lies_between_the_lowest_and_highest(board):
    event, entries, finals = board
    for entry in entries:
        lo, hi = total_range(event, entry)
        final = score_entry(event, finals[entry.key], entry.penalty)
        assert lo.total <= final.total <= hi.total
        assert all(lo.sections[c] <= final.sections[c] <= hi.sections[c] for c in final.sections)


@PROPERTY
@given(boards())
def test_both_ends_of_the_range_happen_when_no_tolerance_mark_is_missing(board):
    event, entries, _ = board
    assume(not any(event.criterion(code).method == "tolerance" for e in entries for code in e.missing))
    ranges = rank_ranges(event, entries)
    for x in entries:
        # Best: x's missing marks at the top, the others' at 0, the unmarked never marked.
        marks = {e.key: completed(event, e, top_mark if e is x else lambda rule: D(0))
                 for e in entries if e is x or any(e.marks.values())}
        assert final_ranks(event, entries, marks)[x.key] == ranges[x.key].best
        # Worst: x's at 0, everyone else's at the top.
        marks = {e.key: completed(event, e, lambda rule: D(0) if e is x else top_mark(rule)) for e in entries}
        assert final_ranks(event, entries, marks)[x.key] == ranges[x.key].worst


@PROPERTY
@given(boards())
def test_a_complete_field_has_its_ranks_as_ranges(board):
    event, entries, finals = board
    complete = [Pending(e.key, finals[e.key], {}, e.penalty, e.completion_time) for e in entries]
    ranks = final_ranks(event, complete, finals)
    assert rank_ranges(event, complete) == {key: RankRange(r, r) for key, r in ranks.items()}


# --- examples ----------------------------------------------------------------------------------

EVENT = EventRule([SectionRule("T", [CriterionRule("T1", D(100))]),
                   SectionRule("P", [CriterionRule("P1", D(10), method="mean", judges=3)])])


def entry(key, t1=None, p1=(), **kw) -> Pending:
    have = {"T1": [D(t1)]} if t1 is not None else {}
    if p1:
        have["P1"] = [D(v) for v in p1]
    return Pending(key, have, missing_marks(EVENT, have, {}), **kw)


def test_an_incomplete_entry_whose_best_beats_everyone_can_still_win():
    # A has 95 for good; B has 60 and two of three practical marks to come: at most 60 + 8.33.
    # C has 60 + 10 + 10 and one mark to come: 60 + at least 6.67 (the mean with a 0), up to 70.
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 60, (5,)), entry("C", 60, (10, 10))])
    assert ranges == {"A": RankRange(1, 1), "B": RankRange(2, 3), "C": RankRange(2, 3)}
    # With a theory of 86 B can reach 94.33 < 95 and no further; with 87, 95.33 > 95: first.
    assert rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 86, (5,))])["B"] == RankRange(2, 2)
    assert rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 87, (5,))])["B"] == RankRange(1, 2)


def test_a_complete_entry_can_still_be_passed():
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 88, ())])
    assert ranges == {"A": RankRange(1, 2), "B": RankRange(1, 2)}


def test_an_entry_without_marks_gets_a_range_but_is_never_surely_ahead():
    # C may be absent (never ranked) or score anything from 0 to 110.
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 10, (0, 0, 0)), entry("C")])
    assert ranges == {"A": RankRange(1, 2), "B": RankRange(2, 3), "C": RankRange(1, 3)}


def test_an_entry_that_will_have_no_marks_has_no_range():
    locked = Pending("L", {}, missing_marks(EVENT, {}, {}, locked=True))
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), locked])
    assert ranges == {"A": RankRange(1, 1), "L": None}


def test_a_tie_only_possible_counts_neither_way():
    # B reaches at most exactly A's 95 (85 + 10): a tie shares rank 1, so B's best is 1 and
    # A's worst is 1 too (a tie does not put B ahead).
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 85, (10, 10))])
    assert ranges == {"A": RankRange(1, 1), "B": RankRange(1, 2)}


def test_tie_breaks_decide_who_is_ahead_at_equal_totals():
    # The same totals as above, but the practical section breaks the tie: at 95 B's practical
    # 10.00 beats A's 5.00, so B may finish first and A second.
    event = EventRule(EVENT.sections, tie_break=["section:P"])
    have_a, have_b = {"T1": [D(90)], "P1": [D(5)] * 3}, {"T1": [D(85)], "P1": [D(10)] * 2}
    ranges = rank_ranges(event, [Pending("A", have_a, {}), Pending("B", have_b, missing_marks(event, have_b, {}))])
    assert ranges == {"A": RankRange(1, 2), "B": RankRange(1, 2)}


def test_a_penalty_counts_in_both_ends():
    ranges = rank_ranges(EVENT, [entry("A", 90, (5, 5, 5)), entry("B", 87, (5,), penalty=D(2))])
    assert ranges["B"] == RankRange(2, 2)  # at most 87 + 8.33 - 2 = 93.33


def test_the_assigned_judges_say_how_many_marks_are_missing():
    assert missing_marks(EVENT, {"P1": [D(1)]}, {"P1": 5}) == {"T1": 1, "P1": 4}
    assert missing_marks(EVENT, {"T1": [D(1)], "P1": [D(1)] * 3}, {}) == {}
    assert missing_marks(EVENT, {}, {"T1": 2}) == {"T1": 1, "P1": 3}  # single: one mark
    assert missing_marks(EVENT, {}, {}, locked=True) == {}


def test_the_top_mark_is_the_last_step_under_the_maximum():
    assert top_mark(CriterionRule("X", D(10), step=D(3))) == D(9)
    assert top_mark(CriterionRule("X", D(10), method="judgement", judges=3)) == D(3)
    assert top_mark(CriterionRule("X", D("7.5"))) == D("7.5")


def test_tolerance_is_not_monotone_and_its_range_still_holds():
    rule = CriterionRule("X", D(20), method="tolerance", judges=5, trim=1, tolerance=D("0.5"))
    # Raising a mark from 10 to 11 drops the score from 10 to 8.4: the kept marks now spread
    # by 1 and the mean of all is used.
    assert aggregate(rule, [D(v) for v in (0, 10, 10, 10, 11)]).value == D(10)
    assert aggregate(rule, [D(v) for v in (0, 10, 10, 11, 11)]).value == D("8.4")
    # So the two missing marks at 0 are not the lowest: 0 and 12 give less (66/7 < 10).
    rule = CriterionRule("X", D(20), method="tolerance", judges=7, trim=2, tolerance=D("0.5"))
    event = EventRule([SectionRule("S", [rule])])
    have = {"X": [D(v) for v in (10, 10, 10, 12, 12)]}
    assert score_entry(event, {"X": have["X"] + [D(0), D(0)]}).total == D("10.00")
    assert score_entry(event, {"X": have["X"] + [D(0), D(12)]}).total == D("9.43")
    lo, hi = total_range(event, Pending("x", have, {"X": 2}))
    finals = [score_entry(event, {"X": have["X"] + [D(v), D(w)]}).total for v in range(21) for w in range(v, 21)]
    assert lo.total <= min(finals) and max(finals) <= hi.total
    assert lo.total == D("7.71")  # the mean of all with the two zeros: the lower of the two ways


def test_entries_need_their_own_keys():
    with pytest.raises(RuleError):
        rank_ranges(EVENT, [entry("A", 1), entry("A", 2)])
