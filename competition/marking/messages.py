"""What a judge is told when a mark is refused, in their language, by the refusal's code:
shared by the tablet API (marking.services) and the judges' form (judging.forms)."""
from flask_babel import gettext as _

from ..scoring import CriterionRule
from ..scoring.marks import decimal_text


def is_buttons(rule: CriterionRule) -> bool:
    """Judgement marks (0–3) are given with four large buttons; everything else is typed."""
    return rule.method == "judgement"


def mark_messages(rule: CriterionRule) -> dict[str, str]:
    """What to tell a judge for each way parse_mark can refuse a value, by its code."""
    if is_buttons(rule):
        step = _("Choose a whole mark from 0 to 3.")
        empty = _("Choose a mark.")
    else:
        step = (_("Use at most 2 decimals.") if rule.step is None
                else _("The mark must be a multiple of %(step)s.", step=decimal_text(rule.step)))
        empty = _("Enter a mark.")
    return {
        "empty": empty,
        "not_a_number": _("Enter a plain number such as 7.5 (no letters, no exponent)."),
        "negative": _("A mark cannot be negative."),
        "over_max": _("The mark must be at most %(max)s.", max=decimal_text(rule.mark_max)),
        "too_many_decimals": step,
        "not_a_step": step,
    }


