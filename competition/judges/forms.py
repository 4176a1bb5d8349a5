"""Forms of the judges page: add a judge (a new account or an existing one), a login link's
validity and the judges' list to import. Remove, revoke, generate and confirming an import are
bare confirmations (competition.forms.ConfirmForm)."""
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import IntegerField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from ..collation import pinyin_key
from ..forms import Form
from ..entries.identity import InvalidIdentity, parse_mobile

LINK_HOURS_MAX = 72


class JudgeForm(Form):
    username = StringField(_l("Username"), validators=[
        DataRequired(), Length(max=80),
        Regexp(r"^[A-Za-z0-9_.@-]+$", message=_l("Use letters, digits and . _ @ - only, without spaces."))],
        render_kw={"autocapitalize": "none", "autocomplete": "off", "list": "judge-accounts"},
        description=_l("An account of your organisation with this username (a judge of its other contests) is "
                       "added; otherwise a new account is created."))
    name = StringField(_l("Name"), validators=[Optional(), Length(max=120)],
                       description=_l("Needed for a new account."))
    phone = StringField(_l("Mobile (optional)"), validators=[Optional(), Length(max=40)],
                        render_kw={"inputmode": "tel", "autocomplete": "off"})
    delegation = SelectField(_l("Delegation the judge comes from"), coerce=int, default=0,
                             description=_l("A judge never marks entries of their own delegation."))
    role = SelectField(_l("Role"), default="judge",
                       choices=[SelectChoice("judge", _l("Judge")),
                                SelectChoice("supervisor", _l("Supervisor (监督仲裁组): rules on objections and appeals"))],
                       description=_l("Supervisors see marks, rule on objections and appeals, and never mark."))
    password = PasswordField(_l("Password (optional)"), validators=[Optional(), Length(min=8, max=200)],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("Without a password the judge logs in with a one-time link."))

    def validate_phone(self, field) -> None:
        """A mainland mobile (138 0013 8000, +86…, full-width digits too) becomes its 11 digits."""
        if not (field.data or "").strip():
            field.data = ""
            return
        try:
            field.data = parse_mobile(field.data)
        except InvalidIdentity:
            raise ValidationError(_l("Enter an 11-digit mainland mobile number, such as 138 0013 8000.")) from None

    def set_delegations(self, contest) -> "JudgeForm":
        self.delegation.choices = ([SelectChoice(0, _l("— none —"))]
                                   + [SelectChoice(d.id, d.name) for d in sorted(contest.delegations,
                                                                                 key=lambda d: pinyin_key(d.name))])
        return self


class LinkForm(Form):
    hours = IntegerField(_l("Valid for (hours)"), validators=[DataRequired(), NumberRange(min=1, max=LINK_HOURS_MAX)])

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("hours", current_app.config.get("LOGIN_LINK_HOURS", 12))
        super().__init__(*args, **kwargs)


class ImportForm(Form):
    file = FileField(_l("Judges' list (XLSX or CSV)"),
                     validators=[FileRequired(_l("Choose a file.")),
                                 FileAllowed(["xlsx", "csv"], _l("Upload an XLSX or CSV file."))])
