"""The organiser's upload of a contest file."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import BooleanField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from ..forms import Form
from ..contests.forms import SLUG_RE, slug_hint


class ImportForm(Form):
    file = FileField(_l("Contest file (.json)"))
    slug = StringField(_l("New web address (slug)"), validators=[Optional(), Regexp(SLUG_RE, message=slug_hint)],
                       description=_l("Leave empty to keep the one in the file."),
                       render_kw={"autocapitalize": "none", "spellcheck": "false"})
    name = StringField(_l("New contest name"), validators=[Optional(), Length(max=200)],
                       description=_l("Leave empty to keep the one in the file."))
    scheme_only = BooleanField(_l("Only the events and marking schemes (start a new contest as a draft, "
                                  "without judges, entries and marks)"), default=True)

    def validate_file(self, field):
        if not getattr(field.data, "filename", None):
            raise ValidationError(_("Choose a contest file to upload."))
