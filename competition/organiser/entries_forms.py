"""Forms of the organiser's entries pages: filters, review actions, import upload and
confirmation, export."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from ..registration.messages import ENTRY_STATUS_LABELS

REASON_MAX = 500


class FilterForm(FlaskForm):
    """The list's filters, sent by GET (nothing changes: no CSRF token in the address)."""

    class Meta:
        csrf = False

    event = SelectField(_l("Event"), validate_choice=False)
    status = SelectField(_l("Status"), validate_choice=False,
                         choices=[SelectChoice("", _l("All statuses"))]
                         + [SelectChoice(code, label) for code, label in ENTRY_STATUS_LABELS.items()])
    delegation = SelectField(_l("Delegation"), validate_choice=False)
    q = StringField(_l("Search"), render_kw={"placeholder": _l("Name, bib, reference or last digits of ID"),
                                             "type": "search"})

    def set_contest(self, contest, delegations) -> None:
        self.event.choices = [SelectChoice("", _l("All events"))] + [
            SelectChoice(e.code, e.name) for e in contest.events]
        self.delegation.choices = [SelectChoice("", _l("All delegations"))] + [
            SelectChoice(str(d.id), d.name) for d in delegations]


class ReviewForm(FlaskForm):
    """Approve or withdraw (reason optional) or reject (reason required) one entry."""

    reason = StringField(_l("Reason"), validators=[Length(max=REASON_MAX)], render_kw={"maxlength": REASON_MAX})


class BulkForm(FlaskForm):
    """Approve the selected entries; the ids come as repeated `entry` fields."""


class UploadForm(FlaskForm):
    file = FileField(_l("Entrant list (XLSX or CSV)"),
                     validators=[FileRequired(_l("Choose a file.")),
                                 FileAllowed(["xlsx", "csv"], _l("Upload an XLSX or CSV file."))])
    default_event = SelectField(_l("Event for rows without an event column"), validate_choice=False)

    def set_events(self, events) -> None:
        self.default_event.choices = [SelectChoice("", _l("— from the file —"))] + [
            SelectChoice(e.code, e.name) for e in events if not e.is_team]


class ConfirmImportForm(FlaskForm):
    default_event = HiddenField()


class ExportForm(FlaskForm):
    format = SelectField(_l("Format"), choices=[SelectChoice("xlsx", "Excel (XLSX)"), SelectChoice("csv", "CSV")],
                         default="xlsx")
    full = BooleanField(_l("Include full ID and mobile numbers (recorded in the audit log)"))
    reason = StringField(_l("Why full numbers are needed"), validators=[Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})

    def validate(self, extra_validators=None) -> bool:
        from flask_babel import gettext as _
        ok = super().validate(extra_validators)
        if self.format.data not in ("xlsx", "csv"):
            self.format.errors = [_("Choose XLSX or CSV.")]
            ok = False
        if self.full.data and not (self.reason.data or "").strip():
            self.reason.errors = [_("Say why the full numbers are needed: the export is recorded.")]
            ok = False
        return ok
