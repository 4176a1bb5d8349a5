"""Who a registrant is, as plain rules without Flask: cleaning what people type (full-width
digits from a Chinese IME, ideographic spaces), the 18-digit resident ID number (GB 11643-1999),
the other identity documents, mainland mobile numbers and e-mail shape. (Masking for display is
competition.privacy's.)

Every refusal is an `InvalidIdentity` with a machine `code`; the web layer says it in the
reader's language."""
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from ..references import ALPHABET, random_code
from ..text import strip_bidi

# Identity documents, by the code stored in Contestant.id_type.
RESIDENT_ID = "resident_id"      # 居民身份证
HK_MACAO_PERMIT = "hkmo_permit"  # 港澳居民来往内地通行证
TAIWAN_PERMIT = "tw_permit"      # 台湾居民来往大陆通行证
PASSPORT = "passport"            # 护照
ID_TYPES = (RESIDENT_ID, HK_MACAO_PERMIT, TAIWAN_PERMIT, PASSPORT)

# What a spreadsheet may call each document.
ID_TYPE_NAMES = {
    RESIDENT_ID: ("居民身份证", "身份证", "二代身份证", "resident id", "id card"),
    HK_MACAO_PERMIT: ("港澳居民来往内地通行证", "港澳通行证", "回乡证", "hk/macao permit"),
    TAIWAN_PERMIT: ("台湾居民来往大陆通行证", "台胞证", "taiwan permit"),
    PASSPORT: ("护照", "passport"),
}

GENDERS = ("male", "female")
GENDER_NAMES = {"male": ("男", "m", "male", "男性"), "female": ("女", "f", "female", "女性")}

# National vocational qualification levels (国家职业资格等级), highest last.
SKILL_LEVELS = ("level5", "level4", "level3", "level2", "level1")
SKILL_LEVEL_NAMES = {
    "level5": ("五级", "初级工", "初级", "五级/初级工", "初级工（五级）"),
    "level4": ("四级", "中级工", "中级", "四级/中级工", "中级工（四级）"),
    "level3": ("三级", "高级工", "高级", "三级/高级工", "高级工（三级）"),
    "level2": ("二级", "技师", "二级/技师", "技师（二级）"),
    "level1": ("一级", "高级技师", "一级/高级技师", "高级技师（一级）"),
}

# Province-level codes of the administrative division code (GB/T 2260), the first two digits.
PROVINCES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64",
    "65", "71", "81", "82", "83",  # 83: residence permits of Taiwan residents
})
_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_CHECK = "10X98765432"

_SPACES = re.compile(r"\s+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_HK_MACAO = re.compile(r"[HM]\d{8}(\d{2})?")
_TAIWAN = re.compile(r"\d{8}(\d{2})?")
_PASSPORT = re.compile(r"(?=.*\d)[A-Z0-9]{5,17}")

# Reference codes: no 0/O, 1/I/L, so a registrant can read theirs out on the phone.
REFERENCE_ALPHABET = ALPHABET
REFERENCE_PREFIX = "GJ-"
REFERENCE_LENGTH = 6


class InvalidIdentity(ValueError):
    """Input that is not what it claims to be; `code` says which rule refused it."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Registrant:
    """A person's registration data, already normalised and validated."""

    name: str
    gender: str | None
    id_type: str
    id_number: str
    mobile: str
    email: str = ""
    delegation: str = ""
    trade: str = ""
    skill_level: str = ""


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: date
    gender: str  # "male" or "female"


def clean_text(value: str | None) -> str:
    """Strip and collapse whitespace (the ideographic space U+3000 too) and drop bidirectional
    controls, nothing else: names keep every other character exactly, rare ones (𠈌, 䶮) and
    compatibility forms included."""
    return _SPACES.sub(" ", strip_bidi(value or "")).strip()


def normalise(value: str | None) -> str:
    """What people type into a code-like field, made comparable: NFKC turns full-width
    digits and letters into ASCII (１３８ → 138, ｘ → x), whitespace is stripped and collapsed."""
    return clean_text(unicodedata.normalize("NFKC", value or ""))


def compact(value: str | None) -> str:
    """A normalised code without any spaces or hyphens, letters upper-cased (ID numbers)."""
    return re.sub(r"[\s\-]", "", normalise(value)).upper()


def name_key(value: str | None) -> str:
    """What makes two delegation names the same union: NFKC (full-width forms as half-width)
    and no whitespace at all, so "朝阳区 总工会", "朝阳区　总工会" and "朝阳区总工会" are one."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value or ""))


def check_character(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits of a resident ID number."""
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS)) % 11]


def parse_resident_id(value: str | None, today: date | None = None) -> ResidentId:
    """An 18-character resident ID number (GB 11643-1999) with its birth date and gender."""
    number = compact(value)
    if not number:
        raise InvalidIdentity("missing_value")
    if len(number) != 18 or not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdentity("id_shape")
    if number[:2] not in PROVINCES:
        raise InvalidIdentity("id_region")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentity("id_birth_date") from None
    if born.year < 1900 or born > (today or date.today()):
        raise InvalidIdentity("id_birth_date")
    if check_character(number[:17]) != number[17]:
        raise InvalidIdentity("id_check_digit")
    return ResidentId(number, born, "male" if int(number[16]) % 2 else "female")


# How Excel spoils a resident ID number typed into a cell formatted as a number, and the refusal
# that says so (instead of a wrong check digit).
EXCEL_DAMAGE = {"scientific": "id_number_excel_scientific", "digits_lost": "id_number_excel_digits_lost",
                "number": "id_number_mangled_by_excel"}
_SCIENTIFIC = re.compile(r"\d+(\.\d+)?E\+?\d+")


def excel_damage(value: str | None, was_number: bool = False) -> str | None:
    """What Excel did to a resident ID number that does not check, or None when it looks typed:
    "scientific" (1.10105199003071E+17), "digits_lost" (18 digits, the last three 000: a number
    keeps only 15 digits), or "number" (the cell held a number, not text)."""
    number = compact(value)
    if _SCIENTIFIC.fullmatch(number):
        return "scientific"
    if len(number) == 18 and number.isdigit() and number.endswith("000"):
        return "digits_lost"
    return "number" if was_number else None


def parse_id_number(id_type: str, value: str | None, today: date | None = None) -> str:
    """The document number as stored, checked for its type's shape; the resident ID fully."""
    if id_type not in ID_TYPES:
        raise InvalidIdentity("id_type")
    if id_type == RESIDENT_ID:
        return parse_resident_id(value, today).number
    number = compact(value)
    if not number:
        raise InvalidIdentity("missing_value")
    pattern = {HK_MACAO_PERMIT: _HK_MACAO, TAIWAN_PERMIT: _TAIWAN, PASSPORT: _PASSPORT}[id_type]
    if not pattern.fullmatch(number):
        raise InvalidIdentity(f"{id_type}_shape")
    return number


def parse_mobile(value: str | None) -> str:
    """A mainland mobile number as its 11 digits; +86, 0086 or 86 in front is removed, and
    spaces and hyphens (138 0013 8000, 138-0013-8000) are allowed."""
    digits = re.sub(r"[\s\-()]", "", normalise(value))
    if not digits:
        raise InvalidIdentity("missing_value")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix):]
            break
    if not _MOBILE.fullmatch(digits):
        raise InvalidIdentity("bad_mobile")
    return digits


def parse_email(value: str | None) -> str:
    """An e-mail address of plausible shape, or "" when none was given (it is optional)."""
    email = normalise(value)
    if not email:
        return ""
    if len(email) > 200 or not _EMAIL.fullmatch(email):
        raise InvalidIdentity("bad_email")
    return email


def _lookup(value: str | None, names: dict[str, tuple[str, ...]], code: str) -> str:
    text = normalise(value).lower()
    for key, aliases in names.items():
        if text == key.lower() or text in (a.lower() for a in aliases):
            return key
    raise InvalidIdentity(code)


def parse_id_type(value: str | None) -> str:
    """An ID type by its code or by what people call it (身份证 → resident_id); "" → resident ID."""
    return RESIDENT_ID if not normalise(value) else _lookup(value, ID_TYPE_NAMES, "id_type")


def parse_gender(value: str | None) -> str:
    return _lookup(value, GENDER_NAMES, "bad_gender")


def parse_skill_level(value: str | None) -> str:
    """A skill level by its code or its usual names (高级工, 三级 → level3); "" when none given."""
    return "" if not normalise(value) else _lookup(value, SKILL_LEVEL_NAMES, "bad_skill_level")


def new_reference() -> str:
    """A short, unguessable reference (报名编号) such as GJ-7K3M9Q: 31⁶ ≈ 8.9 × 10⁸ codes."""
    return REFERENCE_PREFIX + random_code(REFERENCE_LENGTH)


def normalise_reference(value: str | None) -> str:
    """A reference as typed (gj-7k3m9q, ＧＪ７Ｋ３Ｍ９Ｑ) in its stored form GJ-7K3M9Q."""
    text = compact(value)
    if text.startswith("GJ") and not text.startswith(REFERENCE_PREFIX):
        text = REFERENCE_PREFIX + text[2:]
    return text
