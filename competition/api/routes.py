"""The JSON API under /api/v1: the board snapshot and the judges' tablet calls."""
from flask import Blueprint, abort, current_app, jsonify, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..accounts.services import user_for_token
from ..boards.services import board_snapshot
from ..boards.services import standings as delegation_standings
from ..contests.queries import contest_by_slug, get_viewable_event
from ..errors import json_error
from ..extensions import csrf, limiter
from ..marking.services import MarkRefused, submit_mark
from ..policy import can_view_contest
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token clients carry no cookie, so no CSRF token: session clients are checked by hand below.
csrf.exempt(bp)


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/contests/<contest>/events/<event>/board")
def board(contest: str, event: str):
    _contest, event_row = get_viewable_event(current_user, contest, event)
    # The jury (organisers, chief judges) sees the live board; the public a frozen one.
    response = jsonify(board_snapshot(event_row, current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<contest>/standings")
def standings(contest: str):
    contest_row = contest_by_slug(contest)
    if contest_row is None or not can_view_contest(current_user, contest_row):
        abort(404)
    response = jsonify(delegation_standings(contest_row))
    response.headers["Cache-Control"] = "no-store"
    return response


def _api_user():
    """The judge behind a request: a bearer token, or the login session with its CSRF token.
    Returns (user, error_response)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            return None, json_error(401, _("The API token is not valid."), "invalid_token")
        return user, None
    if current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            return None, json_error(400, _("Missing or invalid X-CSRFToken header."), "csrf_failed")
        return current_user._get_current_object(), None
    return None, json_error(401, _("Log in or send an API token."), "unauthorized")


@bp.post("/marks")
@limiter.limit(lambda: current_app.config.get("MARK_RATE_LIMIT") or "600 per minute")
def post_mark():
    user, error = _api_user()
    if error:
        return error
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, _("The body must be a JSON object."), "bad_json")
    missing = [k for k in ("contest", "event", "entry", "criterion", "value", "client_id")
               if not isinstance(data.get(k), (str, int)) or isinstance(data.get(k), bool)]
    if "reason" in data and data["reason"] is not None and not isinstance(data["reason"], str):
        missing.append("reason")
    if missing:
        return json_error(422, _("Missing or invalid fields: %(fields)s", fields=", ".join(missing)),
                          "invalid", fields=missing)
    try:
        outcome = submit_mark(user, contest=str(data["contest"]), event=str(data["event"]),
                              entry=str(data["entry"]), criterion=str(data["criterion"]),
                              value=str(data["value"]), client_id=str(data["client_id"]),
                              reason=str(data.get("reason") or ""), source="api")
    except MarkRefused as refused:
        extra = {"field": refused.field} if refused.field else {}
        return json_error(refused.status, refused.message, refused.code, **extra)
    return jsonify(outcome.body), 201 if outcome.created else 200
