"""Section scores, totals, rounding and pass marks of one entry, and the event rules behind them."""
from decimal import ROUND_HALF_EVEN, Decimal as D

import pytest
from hypothesis import given, settings, strategies as st

from competition.scoring import AwardRule, CriterionRule, EventRule, RuleError, ScoringError, SectionRule, round_half_up, score_entry


def marks(text: str) -> list[D]:
    return [D(mark) for mark in text.split()]


# The sample event of DESIGN.md: theory 30 %, practical 70 %.
T1 = CriterionRule("T1", D(100))
P1 = CriterionRule("P1", D(10), method="judgement", judges=3)
P2 = CriterionRule("P2", D(20), method="trimmed", judges=5)
WEIGHTED = EventRule(sections=(SectionRule("T", (T1,), weight=D(30)),
                               SectionRule("P", (P1, P2), weight=D(70))))
# A plain-sum event: two rounds of a skills test.
UNWEIGHTED = EventRule(sections=(
    SectionRule("R1", (CriterionRule("A", D(40)), CriterionRule("B", D(10)))),
    SectionRule("R2", (CriterionRule("C", D(50), method="mean", judges=2),)),
))


@pytest.mark.parametrize("value, places, expected", [
    ("2.345", 2, "2.35"), ("2.344", 2, "2.34"), ("0.125", 2, "0.13"), ("1.005", 2, "1.01"),
    ("2.5", 0, "3"), ("3.5", 0, "4"), ("0.05", 1, "0.1"), ("7", 2, "7.00"), ("7.1", 4, "7.1000"),
    ("-2.345", 2, "-2.35"), ("99.99499", 2, "99.99"),
])
def test_round_half_up_rounds_a_tie_up_and_keeps_exactly_the_places(value, places, expected):
    assert str(round_half_up(D(value), places)) == expected


@pytest.mark.parametrize("value, places", [("2.345", 2), ("0.125", 2), ("2.5", 0), ("8.005", 2)])
def test_round_half_up_differs_from_bankers_rounding_on_a_tie(value, places):
    bankers = D(value).quantize(D(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    assert round_half_up(D(value), places) == bankers + D(1).scaleb(-places)


@pytest.mark.parametrize("places", [-1, 1.5, None])
def test_round_half_up_needs_whole_non_negative_places(places):
    with pytest.raises(RuleError):
        round_half_up(D(1), places)


@settings(max_examples=200)
@given(st.decimals(min_value=-1000, max_value=1000, places=6,
                   allow_nan=False, allow_infinity=False),
       st.integers(min_value=0, max_value=4))
def test_round_half_up_is_never_more_than_half_a_unit_away(value, places):
    rounded = round_half_up(value, places)
    half_unit = D(1).scaleb(-places) / 2
    assert rounded.as_tuple().exponent == -places
    assert abs(rounded - value) <= half_unit
    if abs(rounded - value) == half_unit:
        assert abs(rounded) > abs(value)  # a tie goes away from zero


def test_weighted_sections_are_the_share_of_their_maximum_times_the_weight():
    entry_marks = {"T1": marks("85"), "P1": marks("2 3 2"), "P2": marks("15 16 17 18 14")}
    score = score_entry(WEIGHTED, entry_marks)
    # T: 85 / 100 × 30 = 25.50
    # P: (70/9 + 16) / 30 × 70 = 55.481481… → 55.48  (P1 = 2⅓ ÷ 3 × 10; P2 drops 18 and 14)
    assert score.sections == {"T": D("25.50"), "P": D("55.48")}
    assert score.total == D("80.98")
    assert score.criteria["P1"].value == D(70) / 9
    assert score.criteria["P2"].value == D(16)
    assert (score.has_marks, score.passed, score.flags) == (True, True, {})


def test_unweighted_sections_are_the_plain_sum_of_their_criteria():
    score = score_entry(UNWEIGHTED, {"A": marks("31.5"), "B": marks("8.25"), "C": marks("40 41")})
    assert score.sections == {"R1": D("39.75"), "R2": D("40.50")}
    assert score.total == D("80.25")


def test_max_total_is_the_sum_of_weights_or_of_criterion_maxima():
    assert WEIGHTED.max_total == D("100.00")
    assert UNWEIGHTED.max_total == D("100.00")
    one_decimal = EventRule((SectionRule("S", (CriterionRule("A", D("7.5")),)),), places=1)
    assert str(one_decimal.max_total) == "7.5"


def test_a_section_on_a_rounding_tie_rounds_up():
    score = score_entry(UNWEIGHTED, {"A": marks("0"), "B": marks("0"), "C": marks("8.00 8.01")})
    assert score.sections["R2"] == D("8.01")  # 8.005: banker's rounding would show 8.00


def test_a_section_exactly_on_a_tie_rounds_up_although_its_criteria_are_thirds():
    # (11.65 + 37.30 + 40) / 3 = 29.65 exactly, but each third is carried to 28 digits
    # and their sum arrives as 29.6499…; rounding that naively would show 29.6.
    criteria = (CriterionRule("A", D(5), method="mean", judges=3),
                CriterionRule("B", D(20), method="mean", judges=3),
                CriterionRule("J", D(30), method="judgement", judges=3))
    event = EventRule((SectionRule("S", criteria),), places=1)
    entry_marks = {"A": marks("2.83 4.16 4.66"), "B": marks("6.06 15 16.24"), "J": marks("0 2 2")}
    assert score_entry(event, entry_marks).sections["S"] == D("29.7")


def test_the_total_is_the_sum_of_the_rounded_sections_so_what_is_shown_adds_up():
    event = EventRule((SectionRule("S1", (CriterionRule("A", D(10), method="mean", judges=2),)),
                       SectionRule("S2", (CriterionRule("B", D(10), method="mean", judges=2),))))
    score = score_entry(event, {"A": marks("1.00 1.01"), "B": marks("1.00 1.01")})
    assert score.sections == {"S1": D("1.01"), "S2": D("1.01")}
    assert score.total == D("2.02")  # not 2.01, the rounded unrounded sum 2.010


def test_a_penalty_is_taken_off_the_total_not_the_sections():
    entry_marks = {"A": marks("30"), "B": marks("5"), "C": marks("40 40")}
    score = score_entry(UNWEIGHTED, entry_marks, penalty=D("2.5"))
    assert score.sections == {"R1": D("35.00"), "R2": D("40.00")}
    assert score.total == D("72.50")


def test_a_penalty_larger_than_the_score_gives_a_negative_total():
    score = score_entry(UNWEIGHTED, {"A": marks("1")}, penalty=D(3))
    assert score.total == D("-2.00")


def test_a_negative_penalty_is_refused():
    with pytest.raises(ScoringError, match="penalty"):
        score_entry(UNWEIGHTED, {}, penalty=D(-1))


def test_criteria_without_enough_marks_are_unscored_and_count_zero():
    score = score_entry(WEIGHTED, {"T1": marks("80"), "P2": marks("15 16")})
    assert score.criteria["P1"] is None and score.criteria["P2"] is None
    assert score.sections == {"T": D("24.00"), "P": D("0.00")}
    assert score.total == D("24.00")
    assert score.has_marks


def test_a_partial_panel_gives_a_provisional_score():
    score = score_entry(WEIGHTED, {"P2": marks("12 15 18")})
    assert score.criteria["P2"].value == D(15)
    assert score.sections["P"] == D("35.00")  # 15 / 30 × 70


def test_an_entry_without_marks_has_every_section_at_zero():
    score = score_entry(WEIGHTED, {})
    assert score.sections == {"T": D("0.00"), "P": D("0.00")}
    assert score.total == D("0.00")
    assert score.criteria == {"T1": None, "P1": None, "P2": None}
    assert not score.has_marks
    assert not score_entry(WEIGHTED, {"T1": []}).has_marks


def test_too_many_marks_for_a_single_criterion_is_an_error_not_a_partial_score():
    with pytest.raises(ScoringError, match="single takes exactly one mark"):
        score_entry(WEIGHTED, {"T1": marks("80 81")})


def test_marks_for_an_unknown_criterion_are_a_rule_error():
    with pytest.raises(RuleError, match="Z9"):
        score_entry(WEIGHTED, {"Z9": marks("1")})


def test_flags_list_only_the_flagged_criteria():
    entry_marks = {"T1": marks("80"), "P1": marks("0 2 3"), "P2": marks("15 16 17")}
    score = score_entry(WEIGHTED, entry_marks)
    assert score.flags == {"P1": ("spread",)}


def pass_event(pass_mark):
    theory = CriterionRule("T1", D(100), method="mean", judges=2)
    return EventRule((SectionRule("T", (theory,), pass_mark=pass_mark),
                      SectionRule("P", (CriterionRule("P1", D(100)),))))


@pytest.mark.parametrize("t1, passed", [
    ("60 60", True), ("59.99 60", False), ("100 100", True), ("0 0", False)])
def test_a_section_pass_mark_is_a_percentage_of_its_maximum(t1, passed):
    assert score_entry(pass_event(D(60)), {"T1": marks(t1), "P1": marks("90")}).passed is passed


def test_a_pass_mark_compares_the_unrounded_share():
    score = score_entry(pass_event(D(60)), {"T1": marks("59.99 60.00"), "P1": marks("90")})
    assert score.sections["T"] == D("60.00")  # 59.995 shown rounded …
    assert not score.passed  # … but it is below 60 %


def test_a_share_exactly_on_the_pass_mark_passes_although_its_criteria_are_thirds():
    # 20/9 + 0.9 + 1/3 + 4/9 = 3.9 of 15 = 26 % exactly; the thirds alone would land just below.
    criteria = (CriterionRule("A", D(10), method="judgement", judges=3),
                CriterionRule("B", D(2), method="mean", judges=3),
                CriterionRule("C", D(1), method="judgement", judges=3),
                CriterionRule("D", D(2), method="judgement", judges=3))
    event = EventRule((SectionRule("S", criteria, pass_mark=D(26)),))
    entry_marks = {"A": marks("0 0 2"), "B": marks("1.09 0.31 1.3"),
                   "C": marks("1 1 1"), "D": marks("1 0 1")}
    assert score_entry(event, entry_marks).passed


def test_a_weighted_pass_mark_uses_the_share_not_the_weighted_score():
    event = EventRule((SectionRule("T", (T1,), weight=D(30), pass_mark=D(60)),
                       SectionRule("P", (P1,), weight=D(70))))
    assert score_entry(event, {"T1": marks("60")}).passed
    assert not score_entry(event, {"T1": marks("59")}).passed


def test_without_pass_marks_every_entry_passes():
    assert score_entry(WEIGHTED, {}).passed


def test_criterion_lookup_by_code():
    assert WEIGHTED.criterion("P2") is P2
    with pytest.raises(KeyError):
        WEIGHTED.criterion("nope")


def test_event_rule_turns_lists_into_tuples():
    event = EventRule([SectionRule("S", [T1])], tie_break=["section:S"],
                      awards=[AwardRule("一等奖", count=1)])
    assert isinstance(event.sections, tuple) and isinstance(event.sections[0].criteria, tuple)
    assert event.tie_break == ("section:S",)


def event_with(**fields):
    default = (SectionRule("T", (T1,), weight=D(30)), SectionRule("P", (P1,), weight=D(70)))
    return EventRule(fields.pop("sections", default), **fields)


@pytest.mark.parametrize("build", [
    pytest.param(lambda: event_with(sections=()), id="no sections"),
    pytest.param(lambda: event_with(sections=(SectionRule("T", (T1,), weight=D(30)),
                                              SectionRule("P", (P1,)))), id="only some weights"),
    pytest.param(lambda: event_with(sections=(SectionRule("T", (T1,)), SectionRule("T", (P1,)))),
                 id="section code twice"),
    pytest.param(lambda: event_with(sections=(SectionRule("T", (T1,)), SectionRule("P", (T1,)))),
                 id="criterion code in two sections"),
    pytest.param(lambda: event_with(places=5), id="places 5"),
    pytest.param(lambda: event_with(places=-1), id="places -1"),
    pytest.param(lambda: event_with(places=True), id="places True"),
    pytest.param(lambda: event_with(tie_break=("time",)), id="tie-break time"),
    pytest.param(lambda: event_with(tie_break=("completion_time",)), id="tie-break without minus"),
    pytest.param(lambda: event_with(tie_break=("section:X",)), id="tie-break unknown section"),
    pytest.param(lambda: event_with(tie_break=("section:",)), id="tie-break empty section"),
    pytest.param(lambda: event_with(tie_break=("section:P", "section:P")), id="tie-break twice"),
    pytest.param(lambda: event_with(awards=(AwardRule("一等奖", count=1), AwardRule("一等奖", count=2))),
                 id="award name twice"),
    pytest.param(lambda: event_with(awards=({"name": "一等奖", "count": 1},)), id="award as dict"),
    pytest.param(lambda: SectionRule("T", ()), id="section without criteria"),
    pytest.param(lambda: SectionRule("T", (T1,), weight=D(0)), id="weight 0"),
    pytest.param(lambda: SectionRule("T", (T1,), pass_mark=D(101)), id="pass mark 101"),
    pytest.param(lambda: SectionRule("T", (T1,), pass_mark=D(-1)), id="pass mark -1"),
    pytest.param(lambda: SectionRule("", (T1,)), id="empty section code"),
    pytest.param(lambda: AwardRule("一等奖"), id="award without count or share"),
    pytest.param(lambda: AwardRule("一等奖", count=1, share=D(10)), id="award with both"),
    pytest.param(lambda: AwardRule("一等奖", count=0), id="award count 0"),
    pytest.param(lambda: AwardRule("一等奖", share=D(0)), id="award share 0"),
    pytest.param(lambda: AwardRule("一等奖", share=D(101)), id="award share 101"),
    pytest.param(lambda: AwardRule("", count=1), id="award without name"),
])
def test_an_invalid_event_rule_raises_rule_error(build):
    with pytest.raises(RuleError):
        build()


def test_valid_tie_break_keys_are_accepted():
    keys = ("-completion_time", "section:P", "section:T")
    assert event_with(tie_break=keys).tie_break == keys


@settings(max_examples=200)
@given(t1=st.integers(0, 10000), p1=st.lists(st.integers(0, 3), max_size=3),
       p2=st.lists(st.integers(0, 2000), max_size=5), penalty=st.integers(0, 2000),
       places=st.integers(0, 4))
def test_the_total_is_always_the_sum_of_the_sections_minus_the_penalty(t1, p1, p2, penalty, places):
    event = EventRule(WEIGHTED.sections, places=places)
    entry_marks = {"T1": [D(t1) / 100], "P1": [D(m) for m in p1], "P2": [D(m) / 100 for m in p2]}
    penalty = round_half_up(D(penalty) / 100, places)
    score = score_entry(event, entry_marks, penalty=penalty)
    assert score.total == sum(score.sections.values()) - penalty
    shown = [score.total, *score.sections.values()]
    assert all(value.as_tuple().exponent == -places for value in shown)
    for section in event.sections:
        assert D(0) <= score.sections[section.code] <= section.weight
