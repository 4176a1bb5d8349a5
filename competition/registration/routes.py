"""The public registration pages: /c/<contest>/register (the form), its confirmation with the
registrant's reference, and /c/<contest>/register/status (reference + last 4 of the ID number,
rate-limited). Handlers are thin: find, validate, call a service, render."""
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..contests.queries import contest_by_slug
from ..extensions import limiter
from ..policy import can_view_contest
from . import services
from .forms import RegistrationForm, StatusForm
from .messages import ENTRY_STATUS_LABELS, GENDER_LABELS, ID_TYPE_LABELS, SKILL_LEVEL_LABELS

bp = Blueprint("registration", __name__, url_prefix="/c/<slug>/register")


def _status_limit() -> str:
    return current_app.config.get("REGISTRATION_STATUS_RATE_LIMIT", "10 per minute;60 per hour")


def _contest(slug: str):
    contest = contest_by_slug(slug)
    if contest is None or not can_view_contest(current_user, contest):
        abort(404)
    return contest


def refusal_message(refused: services.RegistrationRefused) -> str:
    names = "、".join(refused.events)
    return {
        "closed": _("Registration for this contest is closed."),
        "team": _("Team events are entered by the organiser: %(events)s.", events=names),
        "deadline": _("The registration deadline has passed for: %(events)s.", events=names),
        "full": _("No places are left in: %(events)s.", events=names),
        "duplicate": (_("This ID number is already entered in: %(events)s.", events=names) if names
                      else _("This ID number is already entered in the chosen event.")),
        "no_event": _("Choose at least one event."),
    }.get(refused.code, _("The registration could not be taken."))


@bp.context_processor
def _labels():
    return {"id_type_labels": ID_TYPE_LABELS, "gender_labels": GENDER_LABELS,
            "skill_level_labels": SKILL_LEVEL_LABELS, "entry_status_labels": ENTRY_STATUS_LABELS}


@bp.route("", methods=["GET", "POST"])
def register(slug: str):
    contest = _contest(slug)
    events = services.open_events(contest)
    if not events:
        return render_template("registration/closed.html", contest=contest,
                               is_open=services.is_registration_open(contest))
    form = RegistrationForm()
    form.set_events(events, {e.code for e in contest.events})
    if form.validate_on_submit():
        try:
            contestant = services.register(contest, form.person, form.events.data, ip=request.remote_addr)
        except services.RegistrationRefused as refused:
            target = getattr(form, refused.field or "events")
            target.errors = list(target.errors) + [refusal_message(refused)]
        else:
            session["registered"] = {"contest": contest.slug, "reference": contestant.reference}
            return redirect(url_for(".done", slug=contest.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("registration/register.html", contest=contest, form=form,
                           delegations=[d.name for d in contest.delegations]), status


@bp.get("/done")
def done(slug: str):
    contest = _contest(slug)
    registered = session.get("registered") or {}
    if registered.get("contest") != contest.slug:
        return redirect(url_for(".register", slug=contest.slug))
    return render_template("registration/done.html", contest=contest, reference=registered["reference"])


@bp.route("/status", methods=["GET", "POST"])
@limiter.limit(_status_limit, methods=["POST"])
def status(slug: str):
    contest = _contest(slug)
    form = StatusForm()
    view = None
    code = 200
    if form.validate_on_submit():
        view = services.lookup_status(contest, form.reference.data, form.id_last4.data)
        if view is None:
            form.id_last4.errors = [_("No registration matches this reference and these digits.")]
            code = 404
    elif request.method == "POST":
        code = 422
    return render_template("registration/status.html", contest=contest, form=form, view=view), code
