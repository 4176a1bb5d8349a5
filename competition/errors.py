"""Errors: JSON `{"error": {"code", "message"}}` for the API, a friendly page elsewhere, and
never a stack trace."""
from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 422: "invalid",
         429: "too_many_requests", 500: "server_error", 503: "unavailable"}


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


def init_errors(app) -> None:
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
        if wants_json():
            return json_error(status, message)
        return render_template("error.html", status=status, message=message), status

    @app.errorhandler(OperationalError)
    def database_down(exc):
        app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, exc)
        return http_error(ServiceUnavailable())

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return http_error(exc)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return http_error(InternalServerError())
