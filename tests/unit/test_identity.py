"""The registrant's identity rules: cleaning input, resident ID numbers (GB 11643-1999), other
documents, mobile numbers, e-mail, reference codes."""
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.entries import identity as ident
from competition.entries.identity import InvalidIdentity

TODAY = date(2026, 11, 28)


def make_id(region: str = "110101", born: date = date(1990, 3, 7), seq: int = 123) -> str:
    first17 = f"{region}{born:%Y%m%d}{seq:03d}"
    return first17 + ident.check_character(first17)


def test_known_valid_number():
    # The standard's own example (GB 11643-1999 appendix).
    parsed = ident.parse_resident_id("11010519491231002X", TODAY)
    assert parsed.birth_date == date(1949, 12, 31)
    assert parsed.gender == "female"
    assert parsed.number == "11010519491231002X"


@pytest.mark.parametrize("typed,expected", [
    ("11010519491231002x", "11010519491231002X"),
    ("１１０１０５１９４９１２３１００２ｘ", "11010519491231002X"),
    ("  110105 19491231 002X\u3000", "11010519491231002X"),
    ("110105-19491231-002X", "11010519491231002X"),
])
def test_typed_forms_are_normalised(typed, expected):
    assert ident.parse_resident_id(typed, TODAY).number == expected


@pytest.mark.parametrize("number,code", [
    ("", "missing_value"),
    ("   ", "missing_value"),
    ("1101051949123100", "id_shape"),           # 16 digits
    ("110105194912310021X", "id_shape"),        # 19
    ("11010519491231002A", "id_shape"),
    ("1101051949123100X2", "id_shape"),
    ("99010519491231002X", "id_region"),
    ("00010519491231002X", "id_region"),
    (make_id(born=date(1990, 1, 1))[:10] + "0230" + "0000", "id_birth_date"),  # 30 February
    ("110105" + "18991231" + "0011", "id_birth_date"),
    (make_id(born=date(2027, 1, 1)), "id_birth_date"),  # in the future
    ("110105194912310021", "id_check_digit"),
])
def test_invalid_numbers(number, code):
    with pytest.raises(InvalidIdentity) as raised:
        ident.parse_resident_id(number, TODAY)
    assert raised.value.code == code


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY), seq=st.integers(0, 999),
       region=st.sampled_from(sorted(ident.PROVINCES)))
def test_every_generated_number_parses_back(born, seq, region):
    number = make_id(region + "0101", born, seq)
    parsed = ident.parse_resident_id(number, TODAY)
    assert parsed.birth_date == born
    assert parsed.gender == ("male" if seq % 2 else "female")
    assert ident.parse_resident_id(number.lower(), TODAY) == parsed


@given(born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY), seq=st.integers(0, 999),
       position=st.integers(0, 17), digit=st.sampled_from("0123456789X"))
def test_changing_one_character_is_caught(born, seq, position, digit):
    """MOD 11-2 catches every single-character error: any change is refused (or is no change)."""
    number = make_id("110101", born, seq)
    changed = number[:position] + digit + number[position + 1:]
    if changed == number:
        return
    with pytest.raises(InvalidIdentity):
        ident.parse_resident_id(changed, TODAY)


@pytest.mark.parametrize("id_type,typed,stored", [
    (ident.HK_MACAO_PERMIT, "h12345678", "H12345678"),
    (ident.HK_MACAO_PERMIT, "M1234567801", "M1234567801"),
    (ident.TAIWAN_PERMIT, "12345678", "12345678"),
    (ident.TAIWAN_PERMIT, "１２３４５６７８９０", "1234567890"),
    (ident.PASSPORT, "e 1234 5678", "E12345678"),
    (ident.PASSPORT, "G12345678", "G12345678"),
])
def test_other_documents(id_type, typed, stored):
    assert ident.parse_id_number(id_type, typed, TODAY) == stored


@pytest.mark.parametrize("id_type,typed", [
    (ident.HK_MACAO_PERMIT, "12345678"), (ident.HK_MACAO_PERMIT, "H1234567"),
    (ident.HK_MACAO_PERMIT, "X12345678"), (ident.TAIWAN_PERMIT, "H12345678"),
    (ident.TAIWAN_PERMIT, "1234567"), (ident.PASSPORT, "ABCDEFG"), (ident.PASSPORT, "E12"),
    (ident.PASSPORT, "E1234567890123456789"), (ident.PASSPORT, "E123456#8"),
])
def test_other_documents_refused(id_type, typed):
    with pytest.raises(InvalidIdentity) as raised:
        ident.parse_id_number(id_type, typed, TODAY)
    assert raised.value.code == f"{id_type}_shape"


def test_unknown_id_type():
    with pytest.raises(InvalidIdentity) as raised:
        ident.parse_id_number("driving_licence", "123", TODAY)
    assert raised.value.code == "id_type"


@pytest.mark.parametrize("typed", ["13800138000", "+8613800138000", "86 138 0013 8000", "008613800138000",
                                   "138-0013-8000", "１３８００１３８０００", "19912345678"])
def test_mobile_accepted(typed):
    assert ident.parse_mobile(typed) in ("13800138000", "19912345678")


@pytest.mark.parametrize("typed", ["12800138000", "1380013800", "138001380001", "010-12345678",
                                   "+85213800138000", "1380013800a"])
def test_mobile_refused(typed):
    with pytest.raises(InvalidIdentity) as raised:
        ident.parse_mobile(typed)
    assert raised.value.code == "bad_mobile"


@given(st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True), st.sampled_from(["", "+86", "86", "0086"]))
def test_mobile_prefixes_are_removed(number, prefix):
    assert ident.parse_mobile(prefix + number) == number


@pytest.mark.parametrize("typed,ok", [("wang@example.cn", True), ("  li.na@sub.example.com ", True),
                                      ("", True), ("no-at.example.cn", False), ("a@b", False),
                                      ("a b@example.cn", False), ("a@@example.cn", False)])
def test_email(typed, ok):
    if ok:
        assert ident.parse_email(typed) == typed.strip()
    else:
        with pytest.raises(InvalidIdentity):
            ident.parse_email(typed)


def test_names_keep_rare_characters_and_lose_extra_spaces():
    assert ident.clean_text("  𠈌\u3000 䶮  ") == "𠈌 䶮"
    assert ident.clean_text("欧阳　文博") == "欧阳 文博"
    # A CJK compatibility ideograph is kept as typed, not folded by NFKC.
    assert ident.clean_text("\uf900") == "\uf900"


@pytest.mark.parametrize("typed,code", [("男", "male"), ("女", "female"), ("F", "female"), ("male", "male")])
def test_gender_names(typed, code):
    assert ident.parse_gender(typed) == code


@pytest.mark.parametrize("typed,code", [("身份证", ident.RESIDENT_ID), ("", ident.RESIDENT_ID),
                                        ("护照", ident.PASSPORT), ("台胞证", ident.TAIWAN_PERMIT),
                                        ("港澳居民来往内地通行证", ident.HK_MACAO_PERMIT)])
def test_id_type_names(typed, code):
    assert ident.parse_id_type(typed) == code


@pytest.mark.parametrize("typed,code", [("高级工", "level3"), ("三级", "level3"), ("技师", "level2"),
                                        ("", ""), ("level1", "level1")])
def test_skill_levels(typed, code):
    assert ident.parse_skill_level(typed) == code


def test_bad_lookup_values():
    for parse, code in ((ident.parse_gender, "bad_gender"), (ident.parse_skill_level, "bad_skill_level"),
                        (ident.parse_id_type, "id_type")):
        with pytest.raises(InvalidIdentity) as raised:
            parse("unknown")
        assert raised.value.code == code


def test_references_are_short_distinct_and_readable():
    refs = {ident.new_reference() for _ in range(500)}
    assert len(refs) == 500
    for ref in refs:
        assert ref.startswith("GJ-") and len(ref) == 9
        assert not set(ref[3:]) & set("01OIL")
    assert ident.normalise_reference(" gj-7k3m9q ") == "GJ-7K3M9Q"
    assert ident.normalise_reference("ＧＪ７Ｋ３Ｍ９Ｑ") == "GJ-7K3M9Q"
