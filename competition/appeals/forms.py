"""The forms of objections, appeals and rulings. A refused form keeps what was typed (files
cannot be kept by a browser: the page says to choose them again)."""
from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import Form
from .models import RULINGS


class ObjectionForm(Form):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name", "maxlength": 120})
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(min=5, max=32)],
                        render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 32})
    text = TextAreaField(_l("Your objection"), validators=[DataRequired(), Length(max=4000)],
                         render_kw={"rows": 5, "maxlength": 4000})


class LookupForm(Form):
    reference = StringField(_l("Objection reference"), validators=[DataRequired(), Length(max=20)],
                            render_kw={"autocomplete": "off", "autocapitalize": "characters", "maxlength": 20})


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AppealForm(Form):
    criteria = CheckboxesField(_l("The criteria whose marks should be reviewed"), choices=[],
                               validate_choice=False)
    reasons = TextAreaField(_l("Why"), validators=[DataRequired(), Length(max=4000)],
                            render_kw={"rows": 6, "maxlength": 4000})
    files = MultipleFileField(_l("Evidence (images or PDF, at most 3 files of 5 MB each)"),
                              render_kw={"accept": "image/png,image/jpeg,application/pdf"})

    def set_criteria(self, event) -> "AppealForm":
        self.criteria.choices = [SelectChoice(c.code, f"{c.code} {c.name}") for c in event.criteria]
        return self


class RulingForm(Form):
    decision = RadioField(_l("Ruling"), choices=[SelectChoice(r, r) for r in RULINGS], validators=[DataRequired()])
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(max=4000)],
                            render_kw={"rows": 5, "maxlength": 4000})
    marks = CheckboxesField(_l("Marks to review (upheld)"), choices=[], coerce=int, validate_choice=False)

    def set_labels(self, upheld: str, dismissed: str) -> "RulingForm":
        self.decision.choices = [SelectChoice("upheld", upheld), SelectChoice("dismissed", dismissed)]
        return self
