"""What every feature's forms share: the bare confirmation (a button that needs only the CSRF
token; the action is in the URL), and putting a refused action next to the field it concerns."""
from flask_wtf import FlaskForm

from .errors import ActionRefused


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def attach(form, refused: ActionRefused) -> None:
    """Show a refusal on the form: next to its field when the form has it, else above the form.
    What the user typed stays in the form."""
    field = getattr(form, refused.field, None) if refused.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [refused.message]
    else:
        form.form_errors.append(refused.message)
