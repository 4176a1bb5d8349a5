"""Errors: JSON `{"error": {"code", "message"}}` for the API, a friendly page elsewhere, and
never a stack trace. An action the rules refuse raises ActionRefused, the one refusal of the
app: a status, a code and its parameters; the handler here says it in the reader's words
(competition.messages), as JSON for the API and as a flash message on the page it came from."""
import math
import time

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, InternalServerError

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
         429: "too_many_requests", 500: "server_error", 503: "unavailable"}


class ActionRefused(Exception):
    """An action that cannot be done: the HTTP status (403, 404, 409, 422 …), a machine
    `code` (the API's error code, and the key of its message in competition.messages), the
    message's `params` and, for a form, the `field` it concerns. `say` names another message
    where one code covers several cases (the API's "not_found"). Services raise it before they
    write anything, or inside their transaction, which then rolls back."""

    def __init__(self, status: int, code: str, params: dict | None = None, *, field: str | None = None,
                 say: str | None = None):
        super().__init__(code)
        self.status, self.code, self.params, self.field = status, code, dict(params or {}), field
        self.say = say or code

    @property
    def message(self) -> str:
        """What the refusal says in the reader's language."""
        from .messages import message
        return message(self.say, **self.params)

    def __repr__(self) -> str:
        return f"ActionRefused({self.status}, {self.code!r}, {self.params!r})"


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def json_error(status: int, message: str, code: str | None = None, **extra):
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, **extra}}
    return jsonify(body), status


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please log in first."),
        403: _("You are not allowed to do this."),
        404: _("This page does not exist."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with the current state."),
        413: _("The upload is too large."),
        422: _("The data is not valid."),
        429: _("Too many attempts. Please wait a moment and try again."),
        500: _("Something went wrong on our side. The error has been logged."),
        503: _("The service is temporarily unavailable. Please try again shortly."),
    }


# Form fields that go back as they came but are not shown (never echoed: passwords).
_HIDDEN_FIELDS = ("csrf_token", "client_id", "next")


def _kept_fields():
    """A posted form's fields for the 503 (or 429) page: (hidden), (name, label, value) to show."""
    from .messages import FIELD_LABELS
    hidden, kept = [], []
    if request.method != "POST" or request.mimetype not in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        return hidden, kept
    for name, value in request.form.items(multi=True):
        if "password" in name.lower():
            continue
        if name in _HIDDEN_FIELDS:
            hidden.append((name, value))
        else:
            # The marking form names a criterion's field c_<code>: the judge knows the code.
            label = name[2:] if name.startswith("c_") else (
                _("Reason for the correction") if name == "reason" else str(FIELD_LABELS.get(name, name)))
            kept.append((name, label, value))
    return hidden, kept


def database_unavailable(exc):
    """The database is unreachable (down, restarting, failing over): 503, JSON for the API;
    a posted form comes back filled in, so a judge loses nothing typed."""
    current_app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, exc)
    message = _messages()[503]
    if wants_json():
        body, status = json_error(503, message, "unavailable")
    else:
        # Rendering asks Flask-Login for the user, which would query the database again.
        from .extensions import login_manager
        login_manager._update_request_context_with_user()  # anonymous for this page
        hidden, kept = _kept_fields()
        body = render_template("unavailable.html", status=503, message=message, hidden=hidden, kept=kept,
                               action=request.full_path if request.query_string else request.path)
        status = 503
    return body, status, {"Retry-After": "5"}


def retry_after(exc: RateLimitExceeded) -> int:
    """Seconds until the limit that was hit lets a request through again."""
    from .extensions import limiter
    window = max(1, exc.limit.limit.get_expiry())
    hit = limiter.current_limit
    try:
        if hit is not None and hit.breached:
            # reset_at is rounded up to the next whole second: never say more than the window.
            return min(window, max(1, math.ceil(hit.reset_at - time.time())))
    except Exception:  # noqa: BLE001 - the limits' storage went away meanwhile: say the window
        pass
    return window


def rate_limited_message(seconds: int) -> str:
    """"Too many attempts. Try again in 40 seconds." (in minutes from 90 seconds on)."""
    from .messages import message
    if seconds < 90:
        return message("rate_limited", num=seconds)
    return message("rate_limited_minutes", num=math.ceil(seconds / 60))


def rate_limited(exc: RateLimitExceeded, page=None):
    """429 with when to try again: JSON with Retry-After for the API, else `page(message)` (a
    feature's own page, such as the login form) or the error page."""
    seconds = retry_after(exc)
    message = rate_limited_message(seconds)
    headers = {"Retry-After": str(seconds)}
    if wants_json():
        body, status = json_error(429, message, "rate_limited", retry_after=seconds)
        return body, status, headers
    if page is not None:
        return page(message), 429, headers
    hidden, kept = _kept_fields()
    if kept:  # a public form (registering, an objection …): what was typed comes back
        return render_template("unavailable.html", status=429, message=message, hidden=hidden, kept=kept,
                               action=request.full_path if request.query_string else request.path), 429, headers
    return render_template("error.html", status=429, message=message), 429, headers


def refusal_response(refused: ActionRefused):
    """JSON for an API client; else the message flashed on the page the form came from."""
    if wants_json():
        extra = {"field": refused.field} if refused.field else {}
        return json_error(refused.status, refused.message, refused.code, **extra)
    from .safety import back_target
    flash(refused.message, "error")
    return redirect(back_target(url_for("public.home")))


def init_errors(app) -> None:
    app.register_error_handler(ActionRefused, refusal_response)
    app.register_error_handler(RateLimitExceeded, rate_limited)

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        message = _("The form has expired or was sent from elsewhere. Please reload the page and try again.")
        if wants_json():
            return json_error(400, message, "csrf_failed")
        return render_template("error.html", status=400, message=message), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = _messages().get(status, exc.name)
        # What the exception says in headers stays said: Allow on a 405, WWW-Authenticate …
        headers = [(k, v) for k, v in exc.get_headers() if k.lower() != "content-type"]
        if wants_json():
            return (*json_error(status, message), headers)
        return render_template("error.html", status=status, message=message), status, headers

    for error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(error, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())
