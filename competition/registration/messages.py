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

FIELD_LABELS = {
    "name": _l("Name"), "gender": _l("Gender"), "id_type": _l("ID type"), "id_number": _l("ID number"),
    "mobile": _l("Mobile number"), "email": _l("E-mail"), "delegation": _l("Employer or district union"),
    "trade": _l("Trade"), "skill_level": _l("Skill level"), "event": _l("Event"), "team": _l("Team name"),
}

# Why an imported row cannot be taken; %(value)s is the cell, the other row, or the name on file.
IMPORT_PROBLEMS = {
    "missing_column": _l("No column holds this required field: choose it for one of the columns."),
    "no_rows": _l("The file has a header row but no entrants."),
    "missing_name": _l("The name is missing."),
    "name_too_long": _l("The name is too long."),
    "missing_id_number": _l("The ID number is missing."),
    "missing_mobile": _l("The mobile number is missing."),
    "missing_delegation": _l("The employer or district union is missing."),
    "delegation_too_long": _l("The employer or district union is too long."),
    "trade_too_long": _l("The trade is too long."),
    "missing_event": _l("The event is missing (or choose an event for the whole file)."),
    "unknown_event": _l("Unknown event “%(value)s”."),
    "missing_team": _l("%(value)s is a team event: give the row its team's name (队名)."),
    "team_too_long": _l("The team name is too long."),
    "team_exists": _l("A team named “%(value)s” is already entered in this event."),
    "team_delegation_differs": _l("A team's members come from one delegation: this row's differs from row %(value)s."),
    "team_too_big": _l("The team already has %(value)s members, as many as the event allows."),
    "duplicate_in_file": _l("The same ID number is already in row %(value)s for this event."),
    "already_entered": _l("This person is already entered in %(value)s."),
    "event_full": _l("%(value)s has no place left for this row: the rows before it fill the event's capacity."),
    "name_differs_in_file": _l("The same ID number has another name in row %(value)s."),
    "name_differs_on_file": _l("This ID number is registered under the name “%(value)s”."),
}

FILE_PROBLEMS = {
    "format": _l("This is not a readable XLSX or CSV file."),
    "encoding": _l("The CSV file is neither UTF-8 nor GBK/GB18030 text."),
    "empty": _l("The file is empty."),
    "too_many_rows": _l("The file has more than %(max)d rows."),
}


def problem_message(problem) -> str:
    """A row's problem in the reader's language."""
    if problem.code in IMPORT_PROBLEMS:
        return str(IMPORT_PROBLEMS[problem.code]) % {"value": problem.value}
    return identity_error(problem.code)
