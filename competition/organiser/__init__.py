"""The organiser's pages (/o/…): contests, events and marking schemes, registration review and
import, bibs and draw codes, judges. Every page is scoped to the organiser's own organisation
through `managed_contest`."""
from flask import Blueprint

bp = Blueprint("organiser", __name__, url_prefix="/o")

from . import routes  # noqa: E402,F401  (registers the views on bp)
from . import contests  # noqa: E402,F401  (contest settings, events, marking schemes)
from . import numbers, judges, people  # noqa: E402,F401  (bibs & draw codes, judges, contestants)
