"""The marking form, built at run time from the marking scheme: one field per criterion the
judge marks, and the reason for a correction. The values are checked where they are stored
(marking.services.submit_marks, in one transaction), and every refusal comes back next to its
field in the judge's language. Also the chief judge's small forms."""
import re
import uuid

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form
from ..text import REASON_MAX
from ..messages import message
from ..scoring import MARK_CODES, CriterionRule
from ..scoring.marks import decimal_text
from ..marking.models import REOPENED

_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,40}")


def field_name(criterion) -> str:
    return f"c_{criterion.code}"


def new_client_id() -> str:
    return str(uuid.uuid4())


def is_buttons(rule: CriterionRule) -> bool:
    """Judgement marks (0–3) are given with four large buttons; everything else is typed."""
    return rule.method == "judgement"


def mark_messages(rule: CriterionRule) -> dict[str, str]:
    """What to tell a judge for each way parse_mark can refuse a value of this criterion, by
    its code (for the tablet, which checks a value before it is sent)."""
    params = {"max": decimal_text(rule.mark_max), "step": decimal_text(rule.step) if rule.step else ""}
    return {code: message(code, **params) for code in MARK_CODES}


def rule_json(rule: CriterionRule) -> dict:
    """What the tablet checks a value by before sending it (static/js/marks.js)."""
    return {"max": decimal_text(rule.mark_max), "step": decimal_text(rule.step) if rule.step else None,
            "judgement": is_buttons(rule)}


def hint(rule: CriterionRule) -> str:
    if is_buttons(rule):
        return _("0 to 3")
    if rule.step is not None:
        return _("0 to %(max)s, in steps of %(step)s", max=decimal_text(rule.mark_max), step=decimal_text(rule.step))
    return _("0 to %(max)s, at most 2 decimals", max=decimal_text(rule.mark_max))


class MarkingForm(Form):
    """Base of the run-time form; build_form adds one StringField per criterion."""

    client_id = HiddenField()
    # The revision of each mark the page showed, "P1:2 P2:0": a mark that moved on since (the
    # judge's other tablet) is not overwritten unawares.
    seen = HiddenField()
    reason = TextAreaField(_l("Reason for the correction"), validators=[Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})

    criteria: list = []
    marks: dict = {}

    def mark_fields(self):
        return [(c, self[field_name(c)]) for c in self.criteria]

    def set_marks(self, marks: dict) -> None:
        """The judge's stored marks by criterion id (what "changed" and "correction" compare with)."""
        self.marks = marks

    @property
    def is_correction(self) -> bool:
        """Whether the judge already has a mark here that is not sent back (or reopened by an
        appeal): changing it needs a reason."""
        return any(m.status not in REOPENED for m in self.marks.values())

    def ensure_client_id(self) -> None:
        if not _CLIENT_ID.fullmatch(self.client_id.data or ""):
            self.client_id.data = new_client_id()

    def values(self) -> dict[str, str]:
        """The typed values by criterion code, as submit_marks takes them."""
        return {criterion.code: f.data or "" for criterion, f in self.mark_fields()}

    def seen_revisions(self) -> dict[str, int] | None:
        """What the page showed (see `seen`); None when the page did not say (an old page)."""
        seen = {}
        for part in (self.seen.data or "").split():
            code, _colon, revision = part.rpartition(":")
            if not code or not revision.isdigit():
                return None
            seen[code] = int(revision)
        return seen or None

    def show_seen(self) -> None:
        self.seen.data = " ".join(f"{c.code}:{self.marks[c.id].revision if c.id in self.marks else 0}"
                                  for c in self.criteria)

    def show_refusals(self, refusals: dict) -> None:
        """The refusals of submit_marks next to their fields (a criterion's code, or "reason")."""
        fields = {criterion.code: f for criterion, f in self.mark_fields()} | {"reason": self.reason}
        for name, refused in refusals.items():
            fields.get(name, self.reason).errors = list(fields.get(name, self.reason).errors) + [refused.message]

    def error_map(self) -> dict[str, str]:
        fields = [f for _c, f in self.mark_fields()] + [self.reason]
        return {f.name: " ".join(str(e) for e in f.errors) for f in fields if f.errors}


def build_form(criteria: list, marks: dict, **kwargs) -> MarkingForm:
    """A marking form for these criteria; `marks` are the judge's stored marks by criterion id,
    shown as the fields' values unless the request posted others."""
    class Form(MarkingForm):
        pass

    for criterion in criteria:
        rule = criterion.rule
        render_kw = {"autocomplete": "off", "spellcheck": "false"}
        if not is_buttons(rule):
            # Text with a decimal keypad, not type=number: a browser empties a number field it
            # cannot read (full-width ８．５ from a Chinese IME, "7,5"), so the judge's typing would
            # be lost instead of kept and explained.
            render_kw.update({"inputmode": "decimal", "data-max": decimal_text(rule.mark_max),
                              "data-step": decimal_text(rule.step) if rule.step else "0.01"})
        setattr(Form, field_name(criterion), StringField(criterion.name, render_kw=render_kw))
    data = {field_name(c): decimal_text(marks[c.id].value) for c in criteria if c.id in marks}
    form = Form(data=data, **kwargs)
    form.criteria = list(criteria)
    form.set_marks(marks)
    if not form.seen.data:
        form.show_seen()
    return form


class NoteForm(Form):
    """The chief judge sends a mark back with a note."""

    note = TextAreaField(_l("Note to the judge"), validators=[DataRequired(), Length(max=REASON_MAX)],
                         render_kw={"rows": 2, "maxlength": REASON_MAX})


class ReasonForm(Form):
    """Unlocking needs a reason."""

    reason = TextAreaField(_l("Reason for unlocking"), validators=[DataRequired(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


class ConfirmForm(Form):
    """A button that only needs the CSRF token (lock an entry or the event)."""
