"""The JSON API under /api/v1: the board snapshot and the judges' tablet calls."""
from flask import Blueprint, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import ValidationError, validate_csrf

from .. import policy
from ..accounts.services import user_for_token
from ..boards.services import announced_results, board_snapshot
from ..boards.services import standings as delegation_standings
from ..errors import ActionRefused, json_error
from ..extensions import csrf, limiter
from ..certificates import services as certificates
from ..contests.models import contest_by_slug
from ..hall import services as hall
from ..ledger import services as ledger
from ..marking.services import submit_mark
from ..messages import message
from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Token clients carry no cookie, so no CSRF token: session clients are checked by hand below.
csrf.exempt(bp)


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())


@bp.get("/contests/<contest>/events/<event>/board")
def board(contest: str, event: str):
    _contest, event_row = policy.viewable_event(contest, event)
    # The jury (organisers, chief judges) sees the live board; the public a frozen one.
    response = jsonify(board_snapshot(event_row, current_user))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<contest>/standings")
def standings(contest: str):
    response = jsonify(delegation_standings(policy.viewable_contest(contest)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<contest>/announcement")
def announcement(contest: str):
    row = contest_by_slug(contest)
    if row is None or not policy.can_hear_announcements(current_user, row):
        raise ActionRefused(404, "not_found")
    response = jsonify(hall.announcement_payload(row))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<contest>/results")
def results(contest: str):
    """DESIGN.md §4: the announced (or official) results; 404 before any event is announced."""
    view = announced_results(policy.viewable_contest(contest))
    if view is None:
        raise ActionRefused(404, "not_found", say="no_results_yet")
    for event in view["events"]:
        event.pop("columns")
    response = jsonify(view)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contests/<contest>/ledger")
def ledger_export(contest: str):
    """DESIGN.md §4: once published, the contest's ledger as JSON lines (judges as pseudonyms,
    entries by bib, no personal data); docs/ledger.md says how to check it."""
    row = policy.viewable_contest(contest)
    if row.status != "published":
        raise ActionRefused(404, "not_found", say="ledger_not_published")
    response = current_app.response_class(ledger.export_lines(row), mimetype="application/x-ndjson")
    response.headers["Content-Disposition"] = f"attachment; filename={row.slug}-ledger.jsonl"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/certificates/<number>")
def certificate(number: str):
    """DESIGN.md §4: a certificate by its number (valid or revoked); 404 for an unknown one."""
    found = certificates.lookup(number)
    if found is None:
        raise ActionRefused(404, "not_found", say="no_such_certificate")
    response = jsonify(certificates.as_json(found))
    response.headers["Cache-Control"] = "no-store"
    return response


def _api_user():
    """The judge behind a request: a bearer token, or the login session with its CSRF token."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _space, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise ActionRefused(401, "invalid_token")
        return user
    if current_user.is_authenticated:
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            raise ActionRefused(400, "csrf_failed", say="csrf_header") from None
        return current_user._get_current_object()
    raise ActionRefused(401, "unauthorized")


@bp.post("/marks")
@limiter.limit(lambda: current_app.config.get("MARK_RATE_LIMIT") or "600 per minute")
def post_mark():
    user = _api_user()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ActionRefused(400, "bad_json")
    missing = [k for k in ("contest", "event", "entry", "criterion", "value", "client_id")
               if not isinstance(data.get(k), (str, int)) or isinstance(data.get(k), bool)]
    if "reason" in data and data["reason"] is not None and not isinstance(data["reason"], str):
        missing.append("reason")
    if missing:
        return json_error(422, message("invalid_fields", fields=missing), "invalid", fields=missing)
    # A refusal (ActionRefused) is answered by the app's handler: {"error": {code, message, field}}.
    outcome = submit_mark(user, contest=str(data["contest"]), event=str(data["event"]),
                          entry=str(data["entry"]), criterion=str(data["criterion"]),
                          value=str(data["value"]), client_id=str(data["client_id"]),
                          reason=str(data.get("reason") or ""), source="api")
    return jsonify(outcome.body), 201 if outcome.created else 200
