"""Forms of the delegations page: add or edit a delegation (name, team leader, contact) and merge
one into another. A reason is asked for only once results are announced (the service says when)."""
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from ..collation import pinyin_key
from ..forms import Form
from ..text import REASON_MAX

NAME_MAX = 200
PERSON_MAX = 120


class DelegationForm(Form):
    # Emptiness is the service's refusal (after spaces are stripped), next to the field.
    name = StringField(_l("Name of the delegation"), validators=[Length(max=NAME_MAX)], render_kw={"maxlength": NAME_MAX})
    leader = StringField(_l("Team leader (领队)"), validators=[Length(max=PERSON_MAX)],
                         render_kw={"maxlength": PERSON_MAX, "autocomplete": "off"})
    contact = StringField(_l("Contact"), validators=[Length(max=PERSON_MAX)],
                          description=_l("A phone number or e-mail address of the team leader: organisers only."),
                          render_kw={"maxlength": PERSON_MAX, "autocomplete": "off"})
    reason = TextAreaField(_l("Reason for the new name (recorded)"), validators=[Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})


class MergeForm(Form):
    into = SelectField(_l("Merge into"), coerce=int, validate_choice=False,
                       description=_l("Its entries, contestants and judges move to the chosen delegation, which "
                                      "keeps its name; this one is deleted."))
    reason = TextAreaField(_l("Reason (recorded)"), validators=[Length(max=REASON_MAX)],
                           render_kw={"rows": 2, "maxlength": REASON_MAX})

    def set_targets(self, delegations, source) -> "MergeForm":
        """Every other delegation of the contest. Any id is accepted here: one of another
        contest, or the delegation itself, is the service's refusal, next to the field."""
        self.into.choices = [SelectChoice(d.id, d.name) for d in sorted(delegations, key=lambda d: pinyin_key(d.name))
                             if d.id != source.id]
        return self
