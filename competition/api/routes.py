"""The JSON API under /api/v1: the board snapshot and the judges' tablet calls."""
from flask import Blueprint, abort, jsonify, request, session
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from ..accounts.services import user_for_token
from ..contests.queries import get_viewable_event
from ..errors import json_error
from ..extensions import csrf, limiter
from ..marking.services import MarkRefused, submit_mark
from ..results.services import snapshot
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
    response = jsonify(snapshot(event_row))
    response.headers["Cache-Control"] = "no-store"
    return response


def _api_user():
    """The judge behind a request: a bearer token, or the login session with its CSRF token.
    Returns (user, error_response)."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            return None, json_error(401, "The API token is not valid.", "invalid_token")
        return user, None
    if current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            return None, json_error(400, "Missing or invalid X-CSRFToken header.", "csrf_failed")
        return current_user._get_current_object(), None
    return None, json_error(401, "Log in or send an API token.", "unauthorized")


@bp.post("/marks")
@limiter.limit("600 per minute")
def post_mark():
    user, error = _api_user()
    if error:
        return error
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return json_error(400, "The body must be a JSON object.", "bad_json")
    missing = [k for k in ("contest", "event", "entry", "criterion", "value", "client_id")
               if not isinstance(data.get(k), (str, int)) or isinstance(data.get(k), bool)]
    if missing:
        return json_error(422, "Missing or invalid fields: " + ", ".join(missing), "invalid", fields=missing)
    try:
        outcome = submit_mark(user, contest=str(data["contest"]), event=str(data["event"]),
                              entry=str(data["entry"]), criterion=str(data["criterion"]),
                              value=str(data["value"]), client_id=str(data["client_id"]),
                              reason=str(data.get("reason") or ""), source="api")
    except MarkRefused as refused:
        extra = {"field": refused.field} if refused.field else {}
        return json_error(refused.status, refused.message, refused.code, **extra)
    return jsonify(outcome.body), 201 if outcome.created else 200
