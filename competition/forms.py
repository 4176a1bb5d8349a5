"""What every feature's forms share: the base form (text held to its bounds), the bare
confirmation (a button that needs only the CSRF token; the action is in the URL), the question
asked before an action that is not easily taken back, and putting a refused action next to the
field it concerns."""
from flask import render_template, request
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import Length

from .errors import ActionRefused
from .text import TEXT_MAX, strip_bidi


class Form(FlaskForm):
    """The app's forms: every text field loses bidirectional controls (except passwords, which
    are taken as typed) and, unless it declares its own Length, is refused past TEXT_MAX
    characters with the message next to it, what was typed kept."""

    class Meta(FlaskForm.Meta):
        def bind_field(self, form, unbound_field, options):
            field = super().bind_field(form, unbound_field, options)
            if isinstance(field, StringField):
                if not isinstance(field, PasswordField):
                    field.filters = (*field.filters, strip_bidi)
                if not any(isinstance(v, Length) and v.max >= 0 for v in field.validators):
                    field.validators = [*field.validators, Length(max=TEXT_MAX)]
            return field


class ConfirmForm(Form):
    """Only the CSRF token."""


def attach(form, refused: ActionRefused) -> None:
    """Show a refusal on the form: next to its field when the form has it, else above the form.
    What the user typed stays in the form."""
    field = getattr(form, refused.field, None) if refused.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [refused.message]
    else:
        form.form_errors.append(refused.message)


def confirmed() -> bool:
    """Whether this POST carries the person's "yes" from the confirmation page."""
    return request.form.get("confirmed") == "yes"


def ask_first(title: str, consequences: list[str], confirm_label: str, cancel: str):
    """The page that asks before a lock, a status change or a scheme overwritten: what will
    happen, and the very same POST again with confirmed=yes. Nothing has changed yet."""
    fields = [(name, value) for name, value in request.form.items(multi=True) if name != "confirmed"]
    return render_template("confirm.html", title=title, consequences=consequences, confirm_label=confirm_label,
                           cancel=cancel, fields=fields, action=request.path)
