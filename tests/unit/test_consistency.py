"""Judge consistency (competition.scoring.consistency): each judge's mean deviation from the
other judges of the panel, per criterion, exactly in Decimal."""
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.scoring import ScoringError
from competition.scoring.consistency import Deviation, deviations


def test_a_harsh_and_a_lenient_judge_stand_out():
    marks = []
    for entry in ("A", "B", "C"):
        marks += [(entry, "P4", "harsh", D(1)), (entry, "P4", "fair", D(2)), (entry, "P4", "kind", D(3))]
    out = deviations(marks)
    # harsh: 1 − mean(2, 3) = −1.5 on every entry; kind: 3 − mean(1, 2) = +1.5; fair: 0.
    assert out["harsh", "P4"] == Deviation("harsh", "P4", D("-1.5"), 3, D("1.5"))
    assert out["kind", "P4"].mean == D("1.5") and out["kind", "P4"].count == 3
    assert out["fair", "P4"].mean == 0


def test_the_mean_of_the_others_excludes_the_judge_themselves():
    out = deviations([("A", "c", "j1", D(10)), ("A", "c", "j2", D(4)), ("A", "c", "j3", D(6))])
    assert out["j1", "c"].mean == D(5)  # 10 − 5
    assert out["j2", "c"].mean == D(-4)  # 4 − 8
    assert out["j3", "c"].mean == D(-1)  # 6 − 7


def test_a_mark_no_one_else_gave_is_left_out():
    out = deviations([("A", "T1", "j1", D(80)), ("A", "P1", "j1", D(2)), ("A", "P1", "j2", D(3))])
    assert ("j1", "T1") not in out
    assert out["j1", "P1"].count == 1 and out["j1", "P1"].mean == D(-1)


def test_counts_follow_the_entries_a_judge_shared_with_others():
    marks = [("A", "c", "j1", D(2)), ("A", "c", "j2", D(2)),
             ("B", "c", "j1", D(3)), ("B", "c", "j3", D(1)),
             ("C", "c", "j2", D(0))]  # alone on C: not counted
    out = deviations(marks)
    assert out["j1", "c"].count == 2 and out["j1", "c"].mean == D(1)  # (0 + 2) / 2
    assert out["j2", "c"].count == 1 and out["j2", "c"].mean == 0
    assert out["j3", "c"].count == 1 and out["j3", "c"].mean == D(-2)


def test_criteria_are_kept_apart():
    marks = [("A", "x", "j1", D(3)), ("A", "x", "j2", D(1)), ("A", "y", "j1", D(0)), ("A", "y", "j2", D(2))]
    out = deviations(marks)
    assert out["j1", "x"].mean == D(2) and out["j1", "y"].mean == D(-2)


def test_the_spread_shows_one_wild_mark_against_a_steady_lean():
    marks = [("A", "c", "j1", D(3)), ("A", "c", "j2", D(0)),
             ("B", "c", "j1", D(1)), ("B", "c", "j2", D(1))]
    out = deviations(marks)
    assert out["j1", "c"].mean == D("1.5") and out["j1", "c"].spread == D(3)


def test_thirds_are_exact_to_the_decimal_context():
    out = deviations([("A", "c", "j1", D(1)), ("A", "c", "j2", D(0)), ("A", "c", "j3", D(0)),
                      ("A", "c", "j4", D(0))])
    assert out["j1", "c"].mean == D(1)
    assert out["j2", "c"].mean == D(-1) / 3
    assert str(out["j2", "c"].mean).startswith("-0.3333333333")


def test_whole_numbers_are_welcome_but_floats_are_not():
    assert deviations([("A", "c", "j1", 2), ("A", "c", "j2", 1)])["j1", "c"].mean == 1
    with pytest.raises(ScoringError):
        deviations([("A", "c", "j1", 2.5), ("A", "c", "j2", D(1))])
    with pytest.raises(ScoringError):
        deviations([("A", "c", "j1", D("NaN")), ("A", "c", "j2", D(1))])


def test_two_marks_of_one_judge_on_one_entry_and_criterion_are_an_error():
    with pytest.raises(ScoringError, match="two marks"):
        deviations([("A", "c", "j1", D(1)), ("A", "c", "j1", D(2))])


def test_no_marks_no_deviations():
    assert deviations([]) == {}


panels = st.lists(st.decimals(min_value=0, max_value=30, places=1, allow_nan=False, allow_infinity=False),
                  min_size=2, max_size=7)


@given(panels)
def test_on_one_entry_the_deviations_of_a_panel_add_up_to_zero(values):
    out = deviations([("A", "c", f"j{i}", v) for i, v in enumerate(values)])
    assert len(out) == len(values)
    assert abs(sum(d.mean for d in out.values())) < D("1e-20")


@given(panels, st.decimals(min_value=-5, max_value=5, places=1, allow_nan=False, allow_infinity=False))
def test_adding_the_same_amount_to_everyone_changes_nothing(values, shift):
    shifted = [v + shift for v in values]
    before = deviations([("A", "c", i, v) for i, v in enumerate(values)])
    after = deviations([("A", "c", i, v) for i, v in enumerate(shifted)])
    assert {k: d.mean for k, d in before.items()} == {k: d.mean for k, d in after.items()}
