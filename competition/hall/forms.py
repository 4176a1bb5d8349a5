"""The console's forms: a screen named, what it shows, an announcement, a session."""
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateTimeLocalField, HiddenField, IntegerField, SelectChoice, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..forms import Form
from .models import ANNOUNCEMENT_MAX, ROWS_RANGE, SCALE_RANGE, SCREEN_NAME_MAX

MODE_LABELS = {
    "follow": _l("Follow the event being marked"),
    "event": _l("A fixed event"),
    "standings": _l("Delegation standings"),
    "announcement": _l("The announcement"),
    "countdown": _l("Countdown"),
    "winners": _l("Winners card"),
}


class ScreenAddForm(Form):
    name = StringField(_l("Screen name"), validators=[Length(max=SCREEN_NAME_MAX)],
                       render_kw={"maxlength": SCREEN_NAME_MAX, "placeholder": "大屏一"})


class ScreenForm(Form):
    """What one screen shows, with its font scale and rows per page."""

    mode = SelectField(_l("Shows"), choices=[SelectChoice(k, v) for k, v in MODE_LABELS.items()])
    event = SelectField(_l("Event"), validate_choice=False)
    scale = IntegerField(_l("Font scale (percent)"), default=100,
                         validators=[InputRequired(), NumberRange(*SCALE_RANGE)],
                         render_kw={"min": SCALE_RANGE[0], "max": SCALE_RANGE[1], "step": 10, "inputmode": "numeric"})
    rows = IntegerField(_l("Rows per page"), validators=[Optional(), NumberRange(*ROWS_RANGE)],
                        render_kw={"min": ROWS_RANGE[0], "max": ROWS_RANGE[1], "inputmode": "numeric",
                                   "placeholder": _l("as many as fit")})

    def set_events(self, events) -> "ScreenForm":
        self.event.choices = [SelectChoice("", _l("—"))] + [SelectChoice(e.code, e.name) for e in events]
        return self


class AnnouncementForm(Form):
    text = StringField(_l("Announcement"), validators=[Length(max=ANNOUNCEMENT_MAX)],
                       render_kw={"maxlength": ANNOUNCEMENT_MAX,
                                  "placeholder": _l("第二场实操比赛 14:00 开始，请选手到 B 区候场")})
    back = HiddenField()


class SessionForm(Form):
    name = StringField(_l("Session"), validators=[Length(max=60)], render_kw={"maxlength": 60,
                                                                               "placeholder": "第一场"})
    starts = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])
    ends = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()])


class ClosesForm(Form):
    closes = BooleanField(_l("Marking of its measurement criteria closes when its last session ends"))
