"""parse_mark and CriterionRule: what a judge may type, and which marking rules are well formed."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from competition.scoring import MARK_CODES, CriterionRule, InvalidMark, RuleError, ScoringError, parse_mark

TEN = CriterionRule("A", D(10))
HALVES = CriterionRule("B", D(10), step=D("0.5"))
JUDGEMENT = CriterionRule("J", D(20), method="judgement", judges=3)


def refused(rule, raw) -> InvalidMark:
    with pytest.raises(InvalidMark) as caught:
        parse_mark(rule, raw)
    return caught.value


@pytest.mark.parametrize("raw, expected", [
    ("7", "7"), ("7.5", "7.5"), ("0", "0"), ("10", "10"), ("10.00", "10.00"), ("0.01", "0.01"),
    ("9.99", "9.99"), (".5", "0.5"), ("7.", "7"), ("007.50", "7.50"), (" 7.5 ", "7.5"),
    ("\t9.25\n", "9.25"),
])
def test_plain_decimal_text_is_a_mark(raw, expected):
    assert parse_mark(TEN, raw) == D(expected)


@pytest.mark.parametrize("raw, expected", [
    ("８．５", "8.5"), ("　７　", "7"), ("１０", "10"), ("　８．２５ ", "8.25"), ("9．5", "9.5"),
])
def test_full_width_digits_point_and_ideographic_space_are_accepted(raw, expected):
    assert parse_mark(TEN, raw) == D(expected)


def test_mark_keeps_the_digits_as_typed():
    assert str(parse_mark(TEN, "2.50")) == "2.50"
    assert str(parse_mark(TEN, D("2.50"))) == "2.50"


def test_whole_numbers_and_decimals_are_accepted_as_values():
    assert parse_mark(TEN, 7) == D(7)
    assert isinstance(parse_mark(TEN, 7), D)
    assert parse_mark(TEN, D("9.5")) == D("9.5")


def test_negative_zero_decimal_is_zero():
    assert str(parse_mark(TEN, D("-0"))) == "0"


@pytest.mark.parametrize("raw", ["", "   ", "　", "\t\n", None])
def test_empty_input_is_refused_as_empty(raw):
    assert refused(TEN, raw).code == "empty"


@pytest.mark.parametrize("raw", [
    "nan", "NaN", "inf", "-inf", "Infinity", "1e3", "1E-2", "0x10", "1,5", "--1", " 1 2", "+1",
    "+7.5", "7.5.1", "abc", "7分", "８。５", "8。5", ".", "٣", "½", "1_0", "- 1",
])
def test_anything_but_plain_digits_with_one_point_is_not_a_number(raw):
    assert refused(TEN, raw).code == "not_a_number"


@pytest.mark.parametrize("raw", [D("NaN"), D("Infinity"), D("-Infinity"), D("sNaN"),
                                 7.5, True, [7]])
def test_non_finite_decimals_floats_and_other_objects_are_not_numbers(raw):
    assert refused(TEN, raw).code == "not_a_number"


@pytest.mark.parametrize("raw", ["-1", "-0.5", "-0", "－1", " -7 ", -1, D("-0.5")])
def test_negative_marks_are_refused_as_negative(raw):
    assert refused(TEN, raw).code == "negative"


@pytest.mark.parametrize("raw", ["10.01", "10.001", "11", "100", 11, D("10.5")])
def test_marks_above_the_maximum_are_refused_as_over_max(raw):
    assert refused(TEN, raw).code == "over_max"


@pytest.mark.parametrize("raw", ["9.001", "0.005", "7.125", D("7.125")])
def test_more_than_two_decimals_is_refused_when_no_step_is_set(raw):
    assert refused(TEN, raw).code == "too_many_decimals"


def test_trailing_zeros_do_not_count_as_decimals():
    assert parse_mark(TEN, "7.500") == D("7.5")


@pytest.mark.parametrize("raw", ["0", "0.5", "7.5", "8", "8.0", "8.50", "10"])
def test_a_step_accepts_its_multiples(raw):
    assert parse_mark(HALVES, raw) == D(raw)


@pytest.mark.parametrize("raw", ["7.25", "7.3", "0.1", "9.99"])
def test_a_step_refuses_other_values_as_not_a_step(raw):
    error = refused(HALVES, raw)
    assert error.code == "not_a_step"
    assert str(error) == "must be a multiple of 0.5"


@pytest.mark.parametrize("raw", ["0", "1", "2", "3", "3.0", "３", 2])
def test_judgement_marks_are_the_whole_numbers_0_to_3(raw):
    assert parse_mark(JUDGEMENT, raw) == D(str(raw).replace("３", "3"))


@pytest.mark.parametrize("raw, code", [
    ("2.5", "not_a_whole_mark"), ("0.01", "not_a_whole_mark"), ("4", "over_max"), ("3.5", "over_max"),
    ("20", "over_max"), ("-1", "negative"),
])
def test_judgement_refuses_anything_else(raw, code):
    assert refused(JUDGEMENT, raw).code == code


@pytest.mark.parametrize("rule, raw, message", [
    (TEN, "11", "must be at most 10"),
    (JUDGEMENT, "4", "must be at most 3"),
    (TEN, "abc", "must be a number like 7.5"),
    (TEN, "", "must not be empty"),
    (TEN, "-1", "must not be negative"),
    (TEN, "1.234", "must have at most 2 decimals"),
    (JUDGEMENT, "2.5", "must be a whole number from 0 to 3"),
])
def test_refusals_carry_a_plain_english_message(rule, raw, message):
    assert str(refused(rule, raw)) == message


def test_invalid_mark_is_a_scoring_error_and_a_value_error():
    error = refused(TEN, "x")
    assert isinstance(error, ScoringError) and isinstance(error, ValueError)


def test_mark_max_is_3_for_judgement_and_the_maximum_otherwise():
    assert JUDGEMENT.mark_max == D(3)
    assert TEN.mark_max == D(10)


def test_whole_number_rule_values_become_decimals():
    rule = CriterionRule("A", 10, method="tolerance", judges=5, tolerance=1, spread=2)
    assert (rule.max, rule.tolerance, rule.spread) == (D(10), D(1), D(2))
    assert all(isinstance(v, D) for v in (rule.max, rule.tolerance, rule.spread))


@pytest.mark.parametrize("fields", [
    {"max": D(0)},
    {"max": D(-1)},
    {"max": "10"},
    {"max": 10.0},
    {"max": D("NaN")},
    {"method": "average"},
    {"method": "trimmed", "judges": 5, "trim": -1},
    {"judges": 0},
    {"method": "mean", "judges": 0},
    {"method": "mean", "judges": 2.0},
    {"judges": 3},  # single takes exactly one judge
    {"method": "trimmed", "judges": 2},  # trimming 1 and 1 needs 3 judges
    {"method": "trimmed", "judges": 4, "trim": 2},
    {"method": "tolerance", "judges": 5},  # no tolerance given
    {"method": "tolerance", "judges": 5, "tolerance": D(-1)},
    {"step": D(0)},
    {"step": D("-0.5")},
    {"method": "judgement", "judges": 3, "step": D(1)},
    {"method": "judgement", "judges": 3, "spread": D(-1)},
    {"code": ""},
])
def test_an_invalid_criterion_rule_raises_rule_error(fields):
    arguments = {"code": "A", "max": D(10)} | fields
    with pytest.raises(RuleError):
        CriterionRule(**arguments)


def test_rule_error_names_the_criterion_and_every_problem_by_field_and_code():
    with pytest.raises(RuleError, match=r"'P2'.*method") as caught:
        CriterionRule("P2", D(0), method="average")
    assert [(p.path, p.code) for p in caught.value.problems] == [(("max",), "not_positive"),
                                                                 (("method",), "not_a_choice")]


def test_a_rule_error_lists_every_rule_broken_not_only_the_first():
    with pytest.raises(RuleError) as caught:
        CriterionRule("P3", D(-1), method="single", judges=3, spread=D(-1))
    assert {p.code for p in caught.value.problems} == {"not_positive", "single_judges", "negative_number"}


def test_an_empty_judgement_is_asked_to_be_chosen_and_an_over_max_says_the_max():
    assert refused(JUDGEMENT, "").code == "choose_mark"
    assert refused(TEN, "11").params == {"max": "10"}
    assert refused(HALVES, "7.3").params == {"step": "0.5"}


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=1000))
def test_every_hundredth_up_to_the_maximum_round_trips_through_text(hundredths):
    value = D(hundredths) / 100
    assert parse_mark(TEN, str(value)) == value
    full_width = str(value).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    assert parse_mark(TEN, f"\u3000{full_width}\u3000") == value


MARK_CASES = json.loads((Path(__file__).parents[1] / "data" / "mark-cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", MARK_CASES["cases"], ids=lambda c: f"{c['rule']}:{c['raw']!r}")
def test_the_shared_mark_cases(case):
    """The cases the tablet's own check (static/js/marks.js) is tested against too."""
    spec = MARK_CASES["rules"][case["rule"]]
    judges = 3 if spec["method"] == "judgement" else 1 if spec["method"] == "single" else 2
    rule = CriterionRule("X", D(spec["max"]), method=spec["method"], judges=judges,
                         step=D(spec["step"]) if spec["step"] else None)
    if case["code"] is None:
        parse_mark(rule, case["raw"])
    else:
        assert refused(rule, case["raw"]).code == case["code"]
    assert set(c["code"] for c in MARK_CASES["cases"]) - {None} <= set(MARK_CODES)
