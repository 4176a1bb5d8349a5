"""The paper sheet's form: the marking form the judges' tablets use (judging.forms.build_form),
built from the criteria the judge is assigned, empty, so the values are typed and read exactly
as a tablet's are (full-width digits too), with the reason for a correction."""
from ..judging.forms import build_form, hint


def sheet_form(criteria: list, **kwargs):
    """A form for these criteria, never filled from stored marks: the second entry is blind."""
    return build_form(criteria, {}, **kwargs)


def hints(criteria: list) -> dict[str, str]:
    """What each criterion takes (0 to 30, at most 2 decimals …), by code."""
    return {criterion.code: hint(criterion.rule) for criterion in criteria}
