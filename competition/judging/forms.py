"""The marking form, built at run time from the marking scheme: one field per criterion the
judge marks, each value parsed as a Decimal by scoring.parse_mark, every refusal told next to
its field in the judge's language; and the chief judge's small forms."""
import hashlib
import re
import uuid

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..marking.messages import is_buttons, mark_messages  # noqa: F401  (the form's vocabulary)
from ..marking.services import criterion_rule
from ..scoring import CriterionRule, InvalidMark, parse_mark
from ..scoring.marks import decimal_text

_CLIENT_ID = re.compile(r"[A-Za-z0-9-]{8,40}")
REASON_MAX = 500


def field_name(criterion) -> str:
    return f"c_{criterion.code}"


def new_client_id() -> str:
    return str(uuid.uuid4())


def criterion_client_id(client_id: str, code: str) -> str:
    """The client id of one criterion's mark, derived from the form's: the same form sent again
    gives the same ids, so submit_mark replays instead of storing twice."""
    derived = f"{client_id}:{code}"
    if len(derived) <= 64:
        return derived
    return f"{client_id}:{hashlib.sha256(code.encode()).hexdigest()[:16]}"


def hint(rule: CriterionRule) -> str:
    if is_buttons(rule):
        return _("0 to 3")
    if rule.step is not None:
        return _("0 to %(max)s, in steps of %(step)s", max=decimal_text(rule.mark_max), step=decimal_text(rule.step))
    return _("0 to %(max)s, at most 2 decimals", max=decimal_text(rule.mark_max))


class MarkingForm(FlaskForm):
    """Base of the run-time form; build_form adds one StringField per criterion."""

    client_id = HiddenField()
    reason = TextAreaField(_l("Reason for the correction"), validators=[Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})

    criteria: list = []
    marks: dict = {}
    changes: list = []

    def mark_fields(self):
        return [(c, self[field_name(c)]) for c in self.criteria]

    def set_marks(self, marks: dict) -> None:
        """The judge's stored marks by criterion id (what "changed" and "correction" compare with)."""
        self.marks = marks

    @property
    def is_correction(self) -> bool:
        """Whether the judge already has a mark here that is not sent back: changing it needs a reason."""
        return any(m.status != "returned" for m in self.marks.values())

    def ensure_client_id(self) -> None:
        if not _CLIENT_ID.fullmatch(self.client_id.data or ""):
            self.client_id.data = new_client_id()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        self.changes = []
        for criterion, f in self.mark_fields():
            rule = criterion_rule(criterion)
            try:
                parsed = parse_mark(rule, f.data or "")
            except InvalidMark as invalid:
                f.errors.append(mark_messages(rule).get(invalid.code, str(invalid)))
                ok = False
                continue
            mark = self.marks.get(criterion.id)
            if mark is None or mark.status == "returned" or mark.value != parsed:
                self.changes.append((criterion, f, parsed, mark))
        corrects = any(mark is not None and mark.status != "returned" for *_rest, mark in self.changes)
        if corrects and not (self.reason.data or "").strip():
            self.reason.errors.append(_("A correction needs a reason: say why the mark changes."))
            ok = False
        return ok

    def error_map(self) -> dict[str, str]:
        fields = [f for _c, f in self.mark_fields()] + [self.reason]
        return {f.name: " ".join(str(e) for e in f.errors) for f in fields if f.errors}


def build_form(criteria: list, marks: dict, **kwargs) -> MarkingForm:
    """A marking form for these criteria; `marks` are the judge's stored marks by criterion id,
    shown as the fields' values unless the request posted others."""
    class Form(MarkingForm):
        pass

    for criterion in criteria:
        rule = criterion_rule(criterion)
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
    return form


class NoteForm(FlaskForm):
    """The chief judge sends a mark back with a note."""

    note = TextAreaField(_l("Note to the judge"), validators=[DataRequired(), Length(max=REASON_MAX)],
                         render_kw={"rows": 2, "maxlength": REASON_MAX})


class ReasonForm(FlaskForm):
    """Unlocking needs a reason."""

    reason = TextAreaField(_l("Reason for unlocking"), validators=[DataRequired(), Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


class ConfirmForm(FlaskForm):
    """A button that only needs the CSRF token (lock an entry or the event)."""
