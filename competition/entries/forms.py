"""Forms of entries: the public registration form and the status lookup (every field checked
by the rules in `identity`, refused next to itself in the reader's language, what was typed
kept), and the organiser's filters, review actions, import upload and confirmation, export and
revealing a personal field."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (BooleanField, HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField,
                     StringField)
from wtforms import FieldList, FormField
from wtforms import Form as SubForm  # a member's row: no CSRF token of its own
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from ..text import REASON_MAX
from ..messages import ENTRY_STATUS_LABELS, GENDER_LABELS, ID_TYPE_LABELS, SKILL_LEVEL_LABELS, message
from . import identity as ident
from .identity import Registrant
from .services import REVEALABLE

NAME_MAX = 60
TEAM_NAME_MAX = 200  # Entry.name


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def check_identity(form, refuse, *, no_name: str, no_gender: str) -> tuple[str, str | None, str, str, str]:
    """The one check of who a person is, on every form that names one (the registration form, a
    team's member, the organiser's correction): name, gender, document (a resident ID's check
    digit and gender agreeing) and mobile, each problem refused next to its field. Returns the
    name, gender, document type and number and mobile as they are kept."""
    name = ident.clean_text(form.name.data)
    if not name:
        refuse(form.name, no_name)
    elif len(name) > NAME_MAX:
        refuse(form.name, _("A name has at most %(max)d characters.", max=NAME_MAX))
    gender = form.gender.data if form.gender.data in GENDER_LABELS else None
    if gender is None:
        refuse(form.gender, no_gender)
    id_type = form.id_type.data
    if id_type not in ID_TYPE_LABELS:
        refuse(form.id_type, message("id_type"))
    id_number = ""
    try:
        if id_type == ident.RESIDENT_ID:
            resident = ident.parse_resident_id(form.id_number.data)
            id_number = resident.number
            if gender is not None and gender != resident.gender:
                refuse(form.gender, message("gender_mismatch"))
        elif id_type in ID_TYPE_LABELS:
            id_number = ident.parse_id_number(id_type, form.id_number.data)
    except ident.InvalidIdentity as invalid:
        refuse(form.id_number, message(invalid.code))
    mobile = ""
    try:
        mobile = ident.parse_mobile(form.mobile.data)
    except ident.InvalidIdentity as invalid:
        refuse(form.mobile, message(invalid.code))
    return name, gender, id_type, id_number, mobile


class PersonForm(Form):
    """A person's data as the registration form and the organiser's correction take it, checked
    into a Registrant (`person`) as the import checks a row."""

    name = StringField(_l("Name"), render_kw={"autocomplete": "name", "maxlength": NAME_MAX})
    gender = RadioField(_l("Gender"), choices=choices(GENDER_LABELS.items()), validate_choice=False)
    id_type = SelectField(_l("ID type"), choices=choices(ID_TYPE_LABELS.items()), default=ident.RESIDENT_ID,
                          validate_choice=False)
    id_number = StringField(_l("ID number"), render_kw={"autocomplete": "off", "spellcheck": "false",
                                                        "autocapitalize": "characters", "maxlength": 40})
    mobile = StringField(_l("Mobile number"), render_kw={"type": "tel", "inputmode": "tel",
                                                         "autocomplete": "tel", "maxlength": 20})
    email = StringField(_l("E-mail (optional)"), render_kw={"type": "email", "inputmode": "email",
                                                            "autocomplete": "email", "maxlength": 200})
    delegation = StringField(_l("Employer or district union"),
                             validators=[Length(max=200)],
                             description=_l("Choose from the list or type the name of your employer or union."),
                             render_kw={"list": "delegations", "autocomplete": "organization", "maxlength": 200})
    trade = StringField(_l("Trade"), validators=[Length(max=120)],
                        description=_l("Your occupation, e.g. 电工 or 人工智能训练师."),
                        render_kw={"maxlength": 120})
    skill_level = SelectField(_l("Skill level"), validate_choice=False,
                              choices=choices([("", _l("None / not certified")), *SKILL_LEVEL_LABELS.items()]))

    person: Registrant | None = None

    def refuse(self, field, message) -> None:
        field.errors = list(field.errors) + [str(message)]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)

        def refuse(field, message) -> None:
            nonlocal ok
            self.refuse(field, message)
            ok = False

        name, gender, id_type, id_number, mobile = check_identity(
            self, refuse, no_name=_("Enter your name."), no_gender=_("Choose your gender."))
        email = ""
        try:
            email = ident.parse_email(self.email.data)
        except ident.InvalidIdentity as invalid:
            refuse(self.email, message(invalid.code))
        if not ident.clean_text(self.delegation.data):
            refuse(self.delegation, _("Enter your employer or district union."))
        skill_level = self.skill_level.data or ""
        if skill_level and skill_level not in SKILL_LEVEL_LABELS:
            refuse(self.skill_level, message("skill_level"))
        if ok:
            self.person = Registrant(
                name=name, gender=gender, id_type=id_type, id_number=id_number, mobile=mobile, email=email,
                delegation=ident.clean_text(self.delegation.data), trade=ident.clean_text(self.trade.data),
                skill_level=skill_level)
        return ok


class RegistrationForm(PersonForm):
    events = CheckboxList(_l("Events to enter"), validate_choice=False)
    consent = BooleanField(_l("I have read the privacy notice above and agree that my data is used as it says."))

    known_events: set = set()

    def set_events(self, events, known: set[str]) -> None:
        """Offer the open events; accept any event of the contest, so that one which closed or
        filled up while the page was open is refused by the service with its name."""
        self.events.choices = [SelectChoice(e.code, e.name) for e in events]
        self.known_events = set(known)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        offered = {choice.value for choice in self.events.choices or []} | self.known_events
        chosen = [code for code in (self.events.data or []) if code]
        if not chosen:
            self.refuse(self.events, _("Choose at least one event."))
        elif not set(chosen) <= offered:
            self.refuse(self.events, _("One of the chosen events does not take registrations now."))
        if not self.consent.data:
            self.refuse(self.consent, _("Registration needs your consent to the privacy notice."))
        if self.events.errors or self.consent.errors:
            self.person = None
            return False
        return ok


class MemberForm(SubForm):
    """One member of a team on the public form; a row left empty is no member."""

    name = StringField(_l("Name"), validators=[Length(max=NAME_MAX)], render_kw={"maxlength": NAME_MAX})
    gender = SelectField(_l("Gender"), choices=choices([("", "—"), *GENDER_LABELS.items()]), validate_choice=False)
    id_type = SelectField(_l("ID type"), choices=choices(ID_TYPE_LABELS.items()), default=ident.RESIDENT_ID,
                          validate_choice=False)
    id_number = StringField(_l("ID number"), validators=[Length(max=40)],
                            render_kw={"autocomplete": "off", "spellcheck": "false", "maxlength": 40})
    mobile = StringField(_l("Mobile number"), validators=[Length(max=20)],
                         render_kw={"type": "tel", "inputmode": "tel", "maxlength": 20})

    @property
    def is_empty(self) -> bool:
        return not any((f.data or "").strip() for f in (self.name, self.id_number, self.mobile))

    def person(self, delegation: str) -> Registrant | None:
        """The member as a Registrant, or None with each problem next to its field (the same
        checks as the individual form)."""
        def refuse(field, text) -> None:
            field.errors = list(field.errors) + [str(text)]

        name, gender, id_type, id_number, mobile = check_identity(
            self, refuse, no_name=_("Enter the member's name."), no_gender=_("Choose the member's gender."))
        if any(f.errors for f in self):
            return None
        return Registrant(name=name, gender=gender, id_type=id_type, id_number=id_number, mobile=mobile,
                          delegation=delegation)


class TeamFields(Form):
    """A team's own data: its name, delegation, leader and contact (registration, correction)."""

    name = StringField(_l("Team name"), validators=[Length(max=TEAM_NAME_MAX)], render_kw={"maxlength": TEAM_NAME_MAX})
    delegation = StringField(_l("Employer or district union"), validators=[Length(max=200)],
                             render_kw={"list": "delegations", "autocomplete": "organization", "maxlength": 200})
    leader = StringField(_l("Team leader (领队)"), validators=[Length(max=120)], render_kw={"maxlength": 120})
    contact = StringField(_l("Leader's phone or e-mail"), validators=[Length(max=120)], render_kw={"maxlength": 120})


class TeamRegistrationForm(TeamFields):
    """A team registers on the public form: the event, the team's name and delegation, its
    leader and contact, one row per member, and the privacy consent."""

    event = SelectField(_l("Team event"), validate_choice=False)
    members = FieldList(FormField(MemberForm), min_entries=2, max_entries=12)
    consent = BooleanField(_l("The members have read the privacy notice above and agree that their data is used "
                              "as it says."))

    people: list[Registrant] = []

    def set_events(self, events) -> "TeamRegistrationForm":
        self.event.choices = [SelectChoice(e.code, e.name + (f" ({_('at most %(n)s', n=e.team_size)})"
                                                              if e.team_size else "")) for e in events]
        rows = max([e.team_size or 2 for e in events] + [2])
        while len(self.members) < min(rows, 12):
            self.members.append_entry()
        return self

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)

        def refuse(field, text) -> None:
            nonlocal ok
            field.errors = list(field.errors) + [str(text)]
            ok = False

        if not ident.clean_text(self.name.data):
            refuse(self.name, _("Enter the team's name."))
        delegation = ident.clean_text(self.delegation.data)
        if not delegation:
            refuse(self.delegation, _("Enter your employer or district union."))
        if not ident.clean_text(self.leader.data):
            refuse(self.leader, _("Name the team leader."))
        if not ident.clean_text(self.contact.data):
            refuse(self.contact, _("Say how to reach the team leader."))
        if not self.consent.data:
            refuse(self.consent, _("Registration needs your consent to the privacy notice."))
        self.people = []
        for row in self.members:
            if row.form.is_empty:
                continue
            person = row.form.person(delegation)
            if person is None:
                ok = False
            else:
                self.people.append(person)
        return ok


class CorrectionForm(PersonForm):
    """An organiser corrects a person's data: the same checks, and a reason that is recorded."""

    reason = StringField(_l("Reason for the correction (recorded)"), validators=[Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.reason.data or "").strip():
            self.refuse(self.reason, _("Say why the data is corrected: it is recorded."))
            self.person = None
            return False
        return ok


class EntryCorrectionForm(TeamFields):
    """An organiser corrects an entry: its event, and for a team its name, delegation, leader
    and contact; with a reason that is recorded."""

    event = SelectField(_l("Event"), validate_choice=False)
    reason = StringField(_l("Reason for the correction (recorded)"), validators=[Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})

    def set_events(self, events) -> "EntryCorrectionForm":
        self.event.choices = [SelectChoice(e.code, e.name) for e in events]
        return self

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.event.data not in {choice.value for choice in self.event.choices}:
            self.event.errors = list(self.event.errors) + [_("Choose an event.")]
            ok = False
        if not (self.reason.data or "").strip():
            self.reason.errors = list(self.reason.errors) + [_("Say why the data is corrected: it is recorded.")]
            ok = False
        return ok


class StatusForm(Form):
    reference = StringField(_l("Registration reference"),
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20,
                                       "placeholder": "GJ-XXXXXX"})
    id_last4 = StringField(_l("Last 4 characters of your ID number"),
                           render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 8})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not ident.normalise_reference(self.reference.data):
            self.reference.errors = [_("Enter the reference you were given when you registered.")]
            ok = False
        if len(ident.compact(self.id_last4.data)) != 4:
            self.id_last4.errors = [_("Enter the last 4 characters of your ID number.")]
            ok = False
        return ok



class FilterForm(Form):
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


class ReviewForm(Form):
    """Approve or withdraw (reason optional) or reject (reason required) one entry."""

    reason = StringField(_l("Reason"), validators=[Length(max=REASON_MAX)], render_kw={"maxlength": REASON_MAX})


class BulkForm(Form):
    """Approve the selected entries; the ids come as repeated `entry` fields."""


class UploadForm(Form):
    file = FileField(_l("Entrant list (XLSX or CSV)"),
                     validators=[FileRequired(_l("Choose a file.")),
                                 FileAllowed(["xlsx", "csv"], _l("Upload an XLSX or CSV file."))])
    default_event = SelectField(_l("Event for rows without an event column"), validate_choice=False)

    def set_events(self, events) -> None:
        self.default_event.choices = [SelectChoice("", _l("— from the file —"))] + [
            SelectChoice(e.code, e.name) for e in events if not e.is_team]


class ConfirmImportForm(Form):
    default_event = HiddenField()


class ExportForm(Form):
    format = SelectField(_l("Format"), choices=[SelectChoice("xlsx", "Excel (XLSX)"), SelectChoice("csv", "CSV")],
                         default="xlsx")
    full = BooleanField(_l("Include full ID and mobile numbers (recorded in the audit log)"))
    reason = StringField(_l("Why full numbers are needed"), validators=[Length(max=REASON_MAX)],
                         render_kw={"maxlength": REASON_MAX})

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.format.data not in ("xlsx", "csv"):
            self.format.errors = [_("Choose XLSX or CSV.")]
            ok = False
        if self.full.data and not (self.reason.data or "").strip():
            self.reason.errors = [_("Say why the full numbers are needed: the export is recorded.")]
            ok = False
        return ok


class RevealForm(Form):
    field = SelectField(choices=[SelectChoice("id_number", _l("ID number")),
                                 SelectChoice("mobile", _l("Mobile phone"))],
                        validators=[DataRequired()])

    def validate(self, extra_validators=None) -> bool:
        return super().validate(extra_validators) and self.field.data in REVEALABLE
