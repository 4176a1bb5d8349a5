"""What every request body and every answer is held to (competition/security.py): JSON bounded
in size and depth before it is parsed, the documented error shape for what is refused, Allow on
a 405, and the browser's defences in the headers of a real server's answers."""
import json

import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from competition.accounts.services import issue_token
from competition.demo import DEMO_PASSWORD
from competition.security import json_depth

from .factory import import_sample, make_user
from .server import LiveServer


@pytest.fixture
def bearer(app):
    import_sample()
    return {"Authorization": f"Bearer {issue_token(make_user('tablet-owner'), 'test')}"}


def test_a_body_nested_fifty_thousand_deep_is_refused_not_a_500(client, bearer):
    response = client.post("/api/v1/marks", data="[" * 50_000 + "]" * 50_000, headers=bearer,
                           content_type="application/json")
    assert response.status_code == 413  # 100 KB: refused for its size before its depth is read
    assert response.get_json()["error"]["code"] == "json_too_large"
    response = client.post("/api/v1/marks", data="[" * 20_000 + "]" * 20_000, headers=bearer,
                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "json_too_deep"
    deep_object = '{"a":' * 40 + "1" + "}" * 40
    response = client.post("/api/v1/marks", data=deep_object, headers=bearer, content_type="application/json")
    assert response.status_code == 400 and "32" in response.get_json()["error"]["message"]


def test_a_body_too_large_is_a_413_in_the_error_shape(client, bearer):
    body = json.dumps({"contest": "x", "reason": "理" * 40_000})  # 120 KB of UTF-8
    response = client.post("/api/v1/marks", data=body, headers=bearer, content_type="application/json")
    assert response.status_code == 413
    error = response.get_json()["error"]
    assert error["code"] == "json_too_large" and error["message"]


def test_brackets_inside_strings_are_not_nesting(client, bearer):
    """A reason full of brackets is text: the body goes on to the ordinary checks."""
    body = json.dumps({"contest": "nope", "event": "x", "entry": "1", "criterion": "c", "value": "1",
                       "client_id": "c-1", "reason": "[[[[{{{{" * 50 + '\\"]'})
    response = client.post("/api/v1/marks", data=body, headers=bearer, content_type="application/json")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


@given(st.recursive(st.none() | st.integers() | st.text(alphabet='[]{}"\\ab'),
                    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children,
                                                                                       max_size=3),
                    max_leaves=20))
def test_json_depth_is_the_nesting_of_the_parsed_value(value):
    def depth(v):
        if isinstance(v, list):
            return 1 + max(map(depth, v), default=0)
        if isinstance(v, dict):
            return 1 + max(map(depth, v.values()), default=0)
        return 0
    assert json_depth(json.dumps(value).encode()) == depth(value)


def test_a_405_says_what_is_allowed(client):
    api = client.delete("/api/v1/marks")
    assert api.status_code == 405 and "POST" in api.headers["Allow"]
    assert api.get_json()["error"]["code"] == "method_not_allowed"
    page = client.delete("/")
    assert page.status_code == 405 and "GET" in page.headers["Allow"]


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    server.flask("demo-load")
    yield server
    server.stop()


def test_a_real_servers_answers_carry_the_defences(server):
    for path in ("/", "/login", "/healthz", "/static/css/app.css", "/nope", "/api/v1/openapi.json"):
        response = requests.get(server.url + path, timeout=10)
        headers = response.headers
        assert headers["Server"] == "Gongjiang", path  # no Werkzeug, no Python version
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["X-Frame-Options"] == "DENY" and headers["Referrer-Policy"] == "same-origin", path
        csp = headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp, path
        assert "script-src 'self'" in csp and "style-src 'self'" in csp, path


def test_the_remember_me_cookie_is_same_site_lax(server):
    session = requests.Session()
    login = session.get(server.url + "/login", timeout=10).text
    token = login.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    response = session.post(server.url + "/login", allow_redirects=False, timeout=10, data={
        "csrf_token": token, "username": "organiser", "password": DEMO_PASSWORD, "remember": "y"})
    assert response.status_code == 302, response.text[:500]
    [remember] = [c for c in response.raw.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]
    assert "SameSite=Lax" in remember and "HttpOnly" in remember
    page = session.get(server.url + "/o/", timeout=10)
    assert page.headers["Cache-Control"] == "no-store"  # a signed-in page is not kept
