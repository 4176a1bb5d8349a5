"""The organiser's board actions: freeze a board or the whole contest, reveal it step by step
or at once, unfreeze. POST forms with the CSRF token; each redirects back with a flash (or
answers JSON to a client that asks for it)."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..contests.queries import contest_by_slug, event_by_code
from ..errors import json_error, wants_json
from ..policy import can_manage_contest
from ..safety import safe_next
from . import services

bp = Blueprint("boards", __name__, url_prefix="/o/c/<contest>")


def _managed_contest(slug: str):
    contest = contest_by_slug(slug)
    if contest is None:
        abort(404)
    if not can_manage_contest(current_user, contest):
        abort(403)
    return contest


def _managed_event(slug: str, code: str):
    contest = _managed_contest(slug)
    event = event_by_code(contest, code)
    if event is None:
        abort(404)
    return contest, event


def _back(contest, event=None):
    """Where the form came from (`next`, else the referrer on this site), else the board."""
    target = safe_next(request.form.get("next"))
    if target is None and request.referrer:
        parts = urlsplit(request.referrer)
        if parts.netloc == request.host:
            target = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    if target is None:
        target = (url_for("public.board", slug=contest.slug, code=event.code) if event is not None
                  else url_for("public.contest", slug=contest.slug))
    return redirect(target)


def _refused(refused: services.BoardActionRefused, contest, event=None):
    message = {"frozen": _("The board is already frozen."),
               "not_frozen": _("The board is not frozen.")}.get(refused.code, refused.message)
    if wants_json():
        return json_error(refused.status, message, refused.code)
    flash(message, "error")
    return _back(contest, event)


def _done(message: str, contest, event=None, **data):
    if wants_json():
        return jsonify(data)
    flash(message, "success")
    return _back(contest, event)


def _event_action(contest_slug: str, event_code: str, action, message):
    contest, event = _managed_event(contest_slug, event_code)
    try:
        state = action(event, current_user)
    except services.BoardActionRefused as refused:
        return _refused(refused, contest, event)
    return _done(message(state, event), contest, event, state=state)


@bp.post("/events/<event>/freeze")
@login_required
def freeze(contest: str, event: str):
    return _event_action(contest, event, services.freeze_board, lambda state, ev: _(
        "%(event)s is frozen: the public keeps this board until it is revealed.", event=ev.name))


@bp.post("/events/<event>/reveal")
@login_required
def reveal(contest: str, event: str):
    def message(state, ev):
        if not state["frozen"]:
            return _("%(event)s is fully revealed: the board is live again.", event=ev.name)
        return _("%(count)d rows of %(event)s revealed.", count=state["revealed"], event=ev.name)
    return _event_action(contest, event, services.reveal_step, message)


@bp.post("/events/<event>/reveal-all")
@login_required
def reveal_all(contest: str, event: str):
    return _event_action(contest, event, services.reveal_all, lambda state, ev: _(
        "%(event)s is fully revealed: the board is live again.", event=ev.name))


@bp.post("/events/<event>/unfreeze")
@login_required
def unfreeze(contest: str, event: str):
    return _event_action(contest, event, services.unfreeze, lambda state, ev: _(
        "%(event)s is live again.", event=ev.name))


@bp.post("/freeze")
@login_required
def freeze_contest(contest: str):
    contest_row = _managed_contest(contest)
    count = services.freeze_contest(contest_row, current_user)
    return _done(_("%(count)d boards frozen.", count=count), contest_row, frozen=count)


@bp.post("/unfreeze")
@login_required
def unfreeze_contest(contest: str):
    contest_row = _managed_contest(contest)
    count = services.unfreeze_contest(contest_row, current_user)
    return _done(_("%(count)d boards live again.", count=count), contest_row, unfrozen=count)
