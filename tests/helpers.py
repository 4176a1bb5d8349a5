"""How tests drive the app: a test client whose every request starts afresh, CSRF tokens from
rendered pages, logging in, reading English, and applying a board patch as a client does.
What tests build (users, contests) is in tests/factory.py."""
import re

from flask import g
from flask.testing import FlaskClient

from competition.extensions import db

from .factory import PASSWORD

_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """A test client whose every request starts afresh, as in production.

    The `app` fixtures keep one app context pushed for the whole test, and a request reuses
    it: `g` would carry Flask-Login's cached user, Flask-Babel's locale and Flask-WTF's CSRF
    token from one request (or one client) into the next, and the request would share the
    test's database transaction, so it could read a snapshot older than what other threads
    committed. Each request here gets an empty `g` and a new transaction (the test's own
    objects stay attached and reload on access)."""

    def open(self, *args, **kwargs):
        self._fresh()
        try:
            return super().open(*args, **kwargs)
        finally:
            self._fresh()

    @staticmethod
    def _fresh():
        for name in list(g):
            g.pop(name, None)
        session = db.session()
        if not (session.new or session.dirty or session.deleted):
            session.rollback()  # nothing unsaved: just end the read transaction


def isolated_client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    found = _CSRF_INPUT.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def page_csrf(client, path: str = "/login") -> str:
    """GET a page and return its CSRF token (the session cookie now holds its secret)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf_from(response.get_data(as_text=True))


def login(client, username: str, password: str = PASSWORD, *, csrf: bool = False, **extra):
    data = {"username": username, "password": password, **extra}
    if csrf:
        data["csrf_token"] = page_csrf(client)
    return client.post("/login", data=data)


def apply_patch(board: dict, patch: dict) -> dict:
    """What a client does with a patch (DESIGN.md §4): removals, then upserts; the board is
    then at the patch's seq (and frozen or not, when the patch says)."""
    rows = {r["entry"]: r for r in board["rows"]}
    for bib in patch["remove"]:
        rows.pop(bib, None)
    for row in patch["upsert"]:
        rows[row["entry"]] = row
    after = dict(board, seq=patch["seq"], rows=list(rows.values()))
    if "frozen" in patch:
        after["frozen"] = patch["frozen"]
    return after


def english(client):
    """Assertions read the English msgids: the zh catalogue is filled after merging."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def logged_in(base: str, username: str, password: str = PASSWORD):
    """A real server's logged-in browser session (requests), whose cookie a python-socketio
    client can carry in its handshake (socketio.Client(http_session=…))."""
    import requests
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    answer = http.post(base + "/login", data={"username": username, "password": password,
                                              "csrf_token": _CSRF_INPUT.search(page).group(1)},
                       timeout=10, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:300]
    return http


def csrf_of(http, url: str) -> str:
    """The CSRF token of a real server's page, for the session `http`."""
    return _CSRF_INPUT.search(http.get(url, timeout=10).text).group(1)
