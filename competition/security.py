"""What every answer and every request body is held to, whatever the page.

- JSON bodies are bounded in size and in depth before they are parsed, so a body nested 50,000
  deep is a 400 in the API's error shape, never a RecursionError.
- Every answer carries the browser's defences: a Content-Security-Policy with no inline script
  or style (pages keep their code in static files; data travels in <script type=
  "application/json"> blocks, which never run), no framing, no MIME sniffing, no referrer to
  other sites. (The servers' Server header names no versions: competition/__main__.py for the
  embedded one; gunicorn says only "gunicorn".) A page for a signed-in person (who may
  see personal data) is never stored by a browser or proxy."""
import re

from flask import Request, current_app, request

from .errors import ActionRefused

JSON_MAX_BYTES = 64 * 1024
JSON_MAX_DEPTH = 32

# The JSON text without its strings (a bracket in a name is not nesting), then its brackets.
_STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(rb"[\[\]{}]")
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?")


def json_depth(body: bytes) -> int:
    """How deep the arrays and objects of a JSON text nest (0 for a bare value); a text that
    is not JSON may give any number, and fails to parse afterwards."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub(b'""', body)):
        if bracket in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedRequest(Request):
    """A request whose JSON body is refused, before parsing, when it is larger than
    JSON_MAX_BYTES or nests deeper than JSON_MAX_DEPTH."""

    def get_json(self, force: bool = False, silent: bool = False, cache: bool = True):
        if force or self.is_json:
            limit = current_app.config.get("JSON_MAX_BYTES", JSON_MAX_BYTES)
            if (self.content_length or 0) > limit:
                raise ActionRefused(413, "json_too_large", {"max": limit})
            body = self.get_data(cache=True)
            if len(body) > limit:  # chunked, without a Content-Length
                raise ActionRefused(413, "json_too_large", {"max": limit})
            deepest = current_app.config.get("JSON_MAX_DEPTH", JSON_MAX_DEPTH)
            if json_depth(body) > deepest:
                raise ActionRefused(400, "json_too_deep", {"max": deepest})
        return super().get_json(force=force, silent=silent, cache=cache)


CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self' {sockets}",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _defend(response):
    for name, value in HEADERS.items():
        response.headers[name] = value
    # The live pages' websocket, to this host only (older browsers do not count ws: as 'self').
    host = request.host if _HOST.fullmatch(request.host or "") else None
    response.headers["Content-Security-Policy"] = CSP.format(
        sockets=f"ws://{host} wss://{host}" if host else "")
    # Every page a logged-in person sees may hold personal data (names, ID and phone numbers
    # masked or not, marks before they are public): none of it is kept in a shared cache or
    # the browser's history. Public boards, static files and the API's public reads keep
    # their own caching.
    if request.endpoint != "static" and "Cache-Control" not in response.headers and _signed_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    from flask_login import current_user
    return bool(getattr(current_user, "is_authenticated", False))


def init_security(app) -> None:
    app.request_class = BoundedRequest
    app.after_request(_defend)
