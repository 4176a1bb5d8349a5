"""aggregate: how the judges' marks for one criterion become its score, method by method."""
from decimal import Decimal as D, localcontext

import pytest
from hypothesis import given, settings, strategies as st

from competition.scoring import CriterionRule, CriterionScore, InvalidMark, METHODS, NotEnoughMarks, ScoringError, aggregate


def marks(text: str) -> list[D]:
    return [D(mark) for mark in text.split()]


def rule(method: str, **fields) -> CriterionRule:
    defaults = {"single": {}, "mean": {"judges": 3}, "median": {"judges": 3},
                "trimmed": {"judges": 5}, "judgement": {"judges": 3},
                "tolerance": {"judges": 5, "tolerance": D("0.5")}}
    maximum = fields.pop("max", D(10))
    return CriterionRule("C", maximum, method=method, **(defaults[method] | fields))


def test_single_is_the_one_mark():
    assert aggregate(rule("single"), [D("7.25")]) == CriterionScore(D("7.25"))


def test_single_with_two_marks_is_a_data_error_not_a_missing_mark():
    with pytest.raises(ScoringError, match="single takes exactly one mark") as caught:
        aggregate(rule("single"), marks("7 8"))
    assert not isinstance(caught.value, NotEnoughMarks)


def test_mean_is_unrounded():
    assert aggregate(rule("mean"), marks("3 3 4")).value == D(10) / 3
    assert aggregate(rule("mean"), marks("7 8 9.5")).value == D("24.5") / 3


def test_median_of_an_odd_count_is_the_middle_mark():
    assert aggregate(rule("median"), marks("9 2 7")).value == D(7)


def test_median_of_an_even_count_is_the_mean_of_the_two_middle_marks():
    assert aggregate(rule("median"), marks("1 9 7 8")).value == D("7.5")


def test_five_judges_drop_the_highest_and_lowest():
    # 去掉一个最高分和一个最低分: (9.0 + 9.2 + 8.8) / 3 = 9.0 exactly
    assert aggregate(rule("trimmed"), marks("8.5 9.0 9.2 8.8 9.5")) == CriterionScore(D("9.0"))


def test_seven_judges_drop_two_and_two_as_in_diving():
    score = aggregate(rule("trimmed", judges=7, trim=2), marks("7.0 7.5 8.0 8.0 8.5 9.0 9.5"))
    assert score.value == D("24.5") / 3  # mean of 8.0 8.0 8.5 = 8.1666…
    assert str(score.value).startswith("8.1666666666")


def test_trim_zero_is_the_plain_mean():
    assert aggregate(rule("trimmed", trim=0), marks("1 2 9")).value == D(4)


def test_trimmed_with_fewer_marks_than_trimming_needs_says_how_many():
    with pytest.raises(NotEnoughMarks) as caught:
        aggregate(rule("trimmed"), marks("8 9"))
    assert "at least 3 marks" in str(caught.value)
    assert "has 2" in str(caught.value)


def test_diving_trim_needs_five_marks():
    with pytest.raises(NotEnoughMarks, match=r"at least 5 marks.*has 4"):
        aggregate(rule("trimmed", judges=7, trim=2), marks("7 8 9 10"))


def test_trimmed_scores_a_partial_panel_once_trimming_is_possible():
    assert aggregate(rule("trimmed"), marks("9 7 8")).value == D(8)


def test_three_worldskills_judgement_scores_in_agreement():
    score = aggregate(rule("judgement"), marks("2 3 2"))
    assert score.value == D(70) / 9  # mean 7/3, ÷ 3 × 10 = 7.777…
    assert score.flags == ()


def test_judgement_spread_above_the_limit_is_flagged():
    score = aggregate(rule("judgement"), marks("0 2 3"))
    assert score.value == D(50) / 9
    assert score.flags == ("spread",)


def test_judgement_spread_equal_to_the_limit_is_not_flagged():
    assert aggregate(rule("judgement", spread=D(2)), marks("1 2 3")).flags == ()
    assert aggregate(rule("judgement", spread=D(2)), marks("0 2 3")).flags == ("spread",)


def test_judgement_full_marks_give_the_criterion_maximum():
    assert aggregate(rule("judgement", max=D(20)), marks("3 3 3")).value == D(20)


def test_tolerance_uses_the_trimmed_mean_when_the_counted_marks_agree():
    # kept 8.2 8.4 8.6 spread 0.4 <= 0.5
    assert aggregate(rule("tolerance"), marks("8.0 8.2 8.4 8.6 9.9")) == CriterionScore(D("8.4"))


def test_tolerance_spread_equal_to_the_tolerance_still_counts_as_agreeing():
    # kept 8.0 8.2 8.5 spread exactly 0.5
    assert aggregate(rule("tolerance"), marks("7 8.0 8.2 8.5 9")) == CriterionScore(D("24.7") / 3)


def test_tolerance_falls_back_to_the_mean_of_all_marks_and_flags_it():
    # kept 8.0 8.5 9.0 spread 1.0 > 0.5: mean of all five = 42.4 / 5
    score = aggregate(rule("tolerance"), marks("7.0 8.0 8.5 9.0 9.9"))
    assert score == CriterionScore(D("8.48"), ("tolerance",))


@pytest.mark.parametrize("method", METHODS)
def test_equal_marks_give_that_mark(method):
    count = 1 if method == "single" else 5
    value = D(2) if method == "judgement" else D("8.5")
    expected = D(20) / 3 if method == "judgement" else value
    assert aggregate(rule(method), [value] * count).value == expected


@pytest.mark.parametrize("method", METHODS)
def test_no_marks_is_not_enough_marks_for_every_method(method):
    with pytest.raises(NotEnoughMarks, match="has 0"):
        aggregate(rule(method), [])


def test_marks_are_checked_against_the_rule_again():
    with pytest.raises(InvalidMark) as caught:
        aggregate(rule("mean"), marks("7 11"))
    assert caught.value.code == "over_max"
    with pytest.raises(InvalidMark):
        aggregate(rule("judgement"), marks("2 2.5"))


def test_marks_may_come_in_any_order():
    assert aggregate(rule("trimmed"), marks("9.5 8.5 9.2 8.8 9.0")).value == D("9.0")


def test_aggregation_ignores_the_callers_decimal_context():
    with localcontext(prec=3):
        assert aggregate(rule("mean"), marks("3 3 4")).value == D("3.333333333333333333333333333")


hundredths = st.integers(min_value=0, max_value=1000).map(lambda n: D(n) / 100)


@settings(max_examples=200)
@given(st.lists(hundredths, min_size=1, max_size=9),
       st.sampled_from(["mean", "median", "trimmed", "tolerance"]))
def test_an_aggregate_lies_between_the_lowest_and_highest_mark(values, method):
    trim = (len(values) - 1) // 2 if method in ("trimmed", "tolerance") else 1
    criterion = rule(method, judges=max(len(values), 2 * trim + 1), trim=trim)
    value = aggregate(criterion, values).value
    assert min(values) <= value <= max(values)


@settings(max_examples=200)
@given(st.lists(hundredths, min_size=3, max_size=9), st.randoms(use_true_random=False),
       st.sampled_from(["mean", "median", "trimmed", "tolerance"]))
def test_an_aggregate_does_not_depend_on_the_order_of_the_marks(values, random, method):
    shuffled = values[:]
    random.shuffle(shuffled)
    criterion = rule(method, judges=len(values))
    assert aggregate(criterion, shuffled) == aggregate(criterion, values)


@settings(max_examples=200)
@given(st.lists(st.integers(min_value=0, max_value=3).map(D), min_size=1, max_size=7))
def test_a_judgement_score_lies_between_0_and_the_maximum(values):
    score = aggregate(rule("judgement", max=D(15)), values)
    assert D(0) <= score.value <= D(15)
    assert (score.flags == ("spread",)) == (max(values) - min(values) > 1)
