"""Forms of the administrators' pages, the organisers' team page and the set-password link."""
from flask_babel import lazy_gettext as _l
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from ..forms import Form


class OrganisationForm(Form):
    name = StringField(_l("Name of the organisation"), validators=[DataRequired(), Length(max=200)],
                       description=_l("For example 朝阳区总工会. Contests show it as their host."))


class InviteForm(Form):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)],
                           render_kw={"autocapitalize": "none", "autocomplete": "off"},
                           description=_l("What they log in with: small letters, digits and . _ - @."))


class SetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "new-password"},
                             description=_l("At least 8 characters; not your username or name, nor a common "
                                            "password."))
    confirm = PasswordField(_l("The new password again"),
                            validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class PublicUrlForm(Form):
    public_url = StringField(_l("Public address"), validators=[Optional(), Length(max=200)],
                             render_kw={"placeholder": "http://192.168.1.20:5000", "autocapitalize": "none"},
                             description=_l("The address phones and tablets on the venue network reach this "
                                            "server at. QR codes, login links and certificates carry it. Empty: "
                                            "the server's PUBLIC_URL, else the address the page was opened at."))


class AuditFilterForm(Form):
    """The audit view's filters (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    organisation = SelectField(_l("Organisation"), coerce=int, default=0, validate_choice=False)
    contest = SelectField(_l("Contest"), coerce=int, default=0, validate_choice=False)
    user = StringField(_l("User (username)"), validators=[Optional(), Length(max=80)])
    action = SelectField(_l("Action"), default="", validate_choice=False)
