"""Completion times as typed (competition/scoring/durations.py)."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.scoring.durations import InvalidDuration, format_duration, parse_duration


@pytest.mark.parametrize("typed, seconds", [
    ("754", "754"), ("754.5", "754.5"), ("12:34", "754"), ("0:12:34", "754"), ("１２：３４", "754"),
    ("1:02:03", "3723"), (" 12:34.25 ", "754.25"), ("", None), (None, None),
])
def test_times_as_people_type_them(typed, seconds):
    assert parse_duration(typed) == (Decimal(seconds) if seconds else None)


@pytest.mark.parametrize("typed, code", [
    ("12:60", "duration_clock"), ("1:60:00", "duration_clock"), ("十二分", "duration_shape"), ("-5", "duration_shape"),
    ("1.2.3", "duration_shape"), ("12:34.5678", "duration_shape"), ("25:00:00", "duration_too_long"),
])
def test_what_is_not_a_time_is_named(typed, code):
    with pytest.raises(InvalidDuration) as refused:
        parse_duration(typed)
    assert refused.value.code == code


@given(st.decimals(min_value=0, max_value=86400, places=3))
def test_a_time_reads_back_as_itself(seconds):
    assert parse_duration(format_duration(seconds)) == seconds
