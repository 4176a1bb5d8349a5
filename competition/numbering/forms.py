"""Forms of the bibs & draw codes page: the bib pattern, numbering an event's entries, drawing
their secret codes."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import Form
from . import rules


class PatternForm(Form):
    pattern = StringField(_l("Bib pattern"), validators=[DataRequired(), Length(max=64)],
                          description=_l("{event}: the event's code in capitals; {n}: the running number, "
                                         "{n:03} with three digits (AI001)."))


class BibsForm(Form):
    order = SelectField(_l("Order"), choices=[
        SelectChoice("registration", _l("Registration order")),
        SelectChoice("delegation", _l("Delegation, then name")),
        SelectChoice("random", _l("Random (the seed is recorded)"))], default="registration")
    seed = IntegerField(_l("Seed for the random order"), validators=[Optional(), NumberRange(min=0, max=10**9)],
                        description=_l("Leave empty to draw one; the same seed gives the same order."))
    renumber = BooleanField(_l("Renumber every entry of the event (bibs already given change)"))


class CodesForm(Form):
    length = IntegerField(_l("Characters per code"), default=rules.DRAW_LENGTH[0],
                          validators=[DataRequired(), NumberRange(min=rules.DRAW_LENGTH[1],
                                                                  max=rules.DRAW_LENGTH[2])])
    redraw = BooleanField(_l("Redraw every code of the event (codes already given change)"))
