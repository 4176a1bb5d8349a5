"""Masks for ID numbers and phone numbers."""
import pytest

from competition.privacy import mask_id_number, mask_phone


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
