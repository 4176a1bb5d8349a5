"""Masks for ID numbers and phone numbers."""
import pytest

from hypothesis import given, strategies as st

from competition.privacy import mask_email, mask_id_number, mask_phone


@pytest.mark.parametrize("value, masked", [
    ("11010519491231002X", "1101**********002X"),
    ("110105194912310123", "1101**********0123"),
    ("E12345678", "E1*****78"),  # a passport: less kept
    ("ABC", "A*C"),
    ("AB", "**"),
    ("", ""), (None, ""), ("  ", ""),
])
def test_mask_id_number(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize("value, masked", [
    ("13812345678", "138****5678"),
    ("+86 138 1234 5678", "+86 1** **** 5678"),
    ("010-6512345", "010-***2345"),
    ("12345", "1***5"),
    ("12", "**"),
    ("", ""), (None, ""),
])
def test_mask_phone(value, masked):
    assert mask_phone(value) == masked


def test_masks_keep_the_length_and_hide_most_of_the_value():
    for value in ("11010519491231002X", "13812345678", "E12345678"):
        for mask in (mask_id_number, mask_phone):
            out = mask(value)
            assert len(out) == len(value)
            assert out != value and out.count("*") >= len(value) // 3


@given(st.text(alphabet="0123456789X", min_size=12, max_size=18))
def test_a_long_number_shows_only_its_first_and_last_four(number):
    masked = mask_id_number(number)
    assert masked[:4] == number[:4] and masked[-4:] == number[-4:]
    assert masked[4:-4] == "*" * (len(number) - 8)


@pytest.mark.parametrize("value, masked", [
    ("zhang@example.cn", "z***@example.cn"), ("a@b.cn", "a***@b.cn"), ("", ""), (None, ""),
])
def test_mask_email(value, masked):
    assert mask_email(value) == masked
