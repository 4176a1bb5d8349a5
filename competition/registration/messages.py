"""What the registration rules' codes mean to people, in their language (lazy: the same
strings serve the public form, the organiser's import preview and the exports)."""
from flask_babel import lazy_gettext as _l

from . import identity as ident

ID_TYPE_LABELS = {
    ident.RESIDENT_ID: _l("Resident ID card"),
    ident.HK_MACAO_PERMIT: _l("Mainland travel permit for Hong Kong and Macao residents"),
    ident.TAIWAN_PERMIT: _l("Mainland travel permit for Taiwan residents"),
    ident.PASSPORT: _l("Passport"),
}
GENDER_LABELS = {"male": _l("Male"), "female": _l("Female")}
SKILL_LEVEL_LABELS = {
    "level5": _l("Level 5 (junior worker)"),
    "level4": _l("Level 4 (intermediate worker)"),
    "level3": _l("Level 3 (senior worker)"),
    "level2": _l("Level 2 (technician)"),
    "level1": _l("Level 1 (senior technician)"),
}
ENTRY_STATUS_LABELS = {
    "pending": _l("Pending review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "withdrawn": _l("Withdrawn"),
}

IDENTITY_ERRORS = {
    "empty": _l("This field is required."),
    "id_shape": _l("A resident ID number has 18 characters: 17 digits and a final digit or X."),
    "id_region": _l("The first digits of this ID number are not a region code."),
    "id_birth_date": _l("The birth date in this ID number is not a valid date in the past."),
    "id_check_digit": _l("The check digit does not match: please check the ID number for a typing error."),
    "id_type": _l("Choose a known ID type."),
    f"{ident.HK_MACAO_PERMIT}_shape": _l("A Hong Kong and Macao permit number is H or M followed by 8 or 10 digits."),
    f"{ident.TAIWAN_PERMIT}_shape": _l("A Taiwan permit number has 8 or 10 digits."),
    f"{ident.PASSPORT}_shape": _l("A passport number has 5 to 17 letters and digits."),
    "mobile": _l("Enter an 11-digit mainland mobile number starting with 13 to 19."),
    "email": _l("Enter an e-mail address such as name@example.cn."),
    "gender": _l("Gender must be male (男) or female (女)."),
    "gender_mismatch": _l("The gender does not match the ID number."),
    "skill_level": _l("Unknown skill level."),
}


def identity_error(code: str) -> str:
    return str(IDENTITY_ERRORS.get(code, code))
