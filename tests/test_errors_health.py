"""Errors and health as clients meet them: JSON errors under /api/, friendly pages elsewhere,
never a stack trace; /healthz, /readyz, and the OpenAPI document."""
import pytest
from sqlalchemy.exc import OperationalError

from competition.accounts.services import issue_token

from .factory import make_user
from .helpers import isolated_client

TRACE_CLUES = ("Traceback", "File \"", "line ", "RuntimeError", "kaboom-secret-detail")


def assert_json_error(response, status, code):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    return body


def assert_html_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f"<h1>{status}</h1>" in body
    assert "<!doctype html>" in body.lower()
    return body


# --- 404 / 405 ----------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/", "/api/v2/marks",
                                  "/api/v1/contests/none/events/none/board"])
def test_unknown_api_path_is_json_404(client, path):
    assert_json_error(client.get(path), 404, "not_found")


def test_unknown_page_is_an_html_404_page(client):
    body = assert_html_error(client.get("/no/such/page"), 404)
    assert 'href="/"' in body  # a way back


def test_unknown_page_asking_for_json_gets_json(client):
    response = client.get("/no/such/page", headers={"Accept": "application/json"})
    assert_json_error(response, 404, "not_found")


def test_unknown_page_in_english(client):
    body = assert_html_error(client.get("/no/such/page", headers={"Accept-Language": "en"}), 404)
    assert "This page does not exist." in body


def test_wrong_method_on_the_api_is_json_405(client):
    assert_json_error(client.get("/api/v1/marks"), 405, "method_not_allowed")
    assert_json_error(client.delete("/api/v1/openapi.json"), 405, "method_not_allowed")


def test_wrong_method_on_a_page_is_an_html_405(client):
    assert_html_error(client.put("/login"), 405)


def test_a_body_too_large_for_the_api_is_json_413(app, client):
    token = issue_token(make_user("judge1"))
    response = client.post("/api/v1/marks", data=b"x" * (16 * 1024 * 1024 + 1),
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert_json_error(response, 413, "json_too_large")  # refused by its Content-Length, unread


# --- 500 ----------------------------------------------------------------------------------

@pytest.fixture
def broken_app(app):
    def boom():
        raise RuntimeError("kaboom-secret-detail")

    app.add_url_rule("/api/v1/test-boom", "test_api_boom", boom)
    app.add_url_rule("/test-boom", "test_page_boom", boom)
    # TESTING propagates exceptions; a deployed app does not.
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_exception_in_an_api_view_is_a_json_500_without_traceback(broken_app, caplog):
    response = isolated_client(broken_app).get("/api/v1/test-boom")
    assert_json_error(response, 500, "server_error")
    text = response.get_data(as_text=True)
    for clue in TRACE_CLUES:
        assert clue not in text
    # The traceback goes to the log instead.
    assert any(r.exc_info and "kaboom-secret-detail" in str(r.exc_info[1]) for r in caplog.records)


def test_exception_in_a_page_is_an_html_500_without_traceback(broken_app):
    response = isolated_client(broken_app).get("/test-boom")
    body = assert_html_error(response, 500)
    for clue in TRACE_CLUES:
        assert clue not in body


def test_database_down_is_a_503(app):
    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_url_rule("/api/v1/test-db-down", "test_db_down", db_down)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = isolated_client(app).get("/api/v1/test-db-down")
    assert_json_error(response, 503, "unavailable")
    assert "connection refused" not in response.get_data(as_text=True)
    assert response.headers["Retry-After"] == "5"


def test_database_down_on_a_posted_form_gives_back_what_was_typed(app):
    def db_down():
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    app.add_url_rule("/j/test-db-down", "test_db_down_form", db_down, methods=["POST"])
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = isolated_client(app).post("/j/test-db-down", data={
        "c_P1": "17.5", "c_P2": "<b>2</b>", "reason": "复核", "client_id": "abc-123", "password": "hunter22"})
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert 'name="c_P1" value="17.5"' in body and ">P1</label>" in body
    assert 'value="&lt;b&gt;2&lt;/b&gt;"' in body  # escaped, never markup
    assert 'value="复核"' in body
    assert '<input type="hidden" name="client_id" value="abc-123">' in body  # a resend is idempotent
    assert 'action="/j/test-db-down"' in body
    assert "hunter22" not in body and "connection refused" not in body


# --- health -------------------------------------------------------------------------------

def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_readyz_with_the_database_up(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == "ok"
    assert "message_queue" not in body["checks"]  # embedded mode: no queue to check


def test_readyz_on_postgres(any_db_app):
    response = isolated_client(any_db_app).get("/readyz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok"}


class TestReadyzWithTheQueueDown:
    @pytest.fixture
    def app_config(self):
        return {"SOCKETIO_MESSAGE_QUEUE": "redis://127.0.0.1:1/0"}

    def test_readyz_is_503_and_says_which_check_failed(self, client):
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.get_json()
        assert body["status"] == "unavailable"
        assert body["checks"] == {"database": "ok", "message_queue": "unreachable"}

    def test_healthz_stays_up(self, client):
        assert client.get("/healthz").status_code == 200


class TestReadyzWithTheDatabaseDown:
    @pytest.fixture
    def app_config(self, tmp_path):
        # A directory where the SQLite file should be: the database cannot be opened.
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}"}

    def test_readyz_is_503(self, client):
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"] == "unreachable"


# --- the OpenAPI document -----------------------------------------------------------------

def test_openapi_document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["info"]["title"] and doc["info"]["version"]
    paths = doc["paths"]
    board = paths["/api/v1/contests/{contest}/events/{event}/board"]["get"]
    assert {"200", "404"} <= set(board["responses"])
    post = paths["/api/v1/marks"]["post"]
    assert {"201", "200", "401", "403", "404", "409", "422"} <= set(post["responses"])
    assert {"400", "429"} <= set(post["responses"])
    # Every $ref points at something the document defines.
    schemas = doc["components"]["schemas"]
    refs = set()

    def walk(node):
        if isinstance(node, dict):
            if "$ref" in node:
                refs.add(node["$ref"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(doc)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref
    # The mark body documents what the API takes.
    assert set(schemas["MarkIn"]["required"]) == {"contest", "event", "entry", "criterion", "value", "client_id"}
    assert set(schemas["BoardRow"]["required"]) == {"entry", "name", "delegation", "rank", "total", "sections",
                                                    "progress", "status", "award"}
    for scheme in {k for s in post["security"] for k in s}:
        assert scheme in doc["components"]["securitySchemes"]
