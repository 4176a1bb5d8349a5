"""Accounts as a user meets them: the login page, CSRF, wrong and right passwords, where
`next` may lead, logout, password storage, inactive accounts, the login rate limit, and the
create-admin and judge-token commands."""
import pytest
from sqlalchemy import select

from competition.accounts.models import ApiToken, User
from competition.audit.models import AuditEntry
from competition.extensions import db
from .factory import PASSWORD, make_user
from .helpers import csrf_from, english, isolated_client, login, page_csrf

NO_TRACE = ("Traceback", "File \"", "werkzeug", "CSRFError")


def logged_in_user_id(client):
    with client.session_transaction() as session:
        return session.get("_user_id")


def assert_friendly_page(response, status):
    assert response.status_code == status
    assert response.mimetype == "text/html"
    body = response.get_data(as_text=True)
    assert f"<h1>{status}</h1>" in body
    for clue in NO_TRACE:
        assert clue not in body
    return body


# --- the login page -----------------------------------------------------------------------

class TestLoginPageWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_login_page_renders_a_form_with_a_csrf_field(self, client):
        response = client.get("/login")
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        assert '<form method="post"' in body
        assert 'name="username"' in body and 'name="password"' in body
        assert 'type="password"' in body
        assert csrf_from(body)

    def test_post_without_csrf_token_is_refused_with_a_friendly_page(self, app, client):
        make_user("alice")
        response = client.post("/login", data={"username": "alice", "password": PASSWORD})
        assert_friendly_page(response, 400)
        assert logged_in_user_id(client) is None

    def test_post_with_a_forged_csrf_token_is_refused(self, app, client):
        make_user("alice")
        client.get("/login")
        response = client.post("/login", data={"username": "alice", "password": PASSWORD,
                                               "csrf_token": "forged"})
        assert_friendly_page(response, 400)
        assert logged_in_user_id(client) is None

    def test_post_with_csrf_token_logs_in(self, app, client):
        user = make_user("alice")
        response = login(client, "alice", csrf=True)
        assert response.status_code == 302
        assert logged_in_user_id(client) == user.get_id()

    def test_logout_needs_the_csrf_token(self, app, client):
        user = make_user("alice")
        login(client, "alice", csrf=True)
        assert_friendly_page(client.post("/logout"), 400)
        assert logged_in_user_id(client) == user.get_id()
        token = page_csrf(client, "/")  # the logout form in the header carries it
        response = client.post("/logout", data={"csrf_token": token})
        assert response.status_code == 302
        assert logged_in_user_id(client) is None


def test_wrong_password_is_422_with_a_message_keeping_the_username(app, client):
    make_user("alice")
    response = client.post("/login", data={"username": "alice", "password": "not-the-password-xyz"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Wrong username or password." in body
    assert 'value="alice"' in body
    assert "not-the-password-xyz" not in body
    assert logged_in_user_id(client) is None


def test_unknown_user_gets_the_same_message_as_a_wrong_password(app, client):
    response = client.post("/login", data={"username": "nobody", "password": "whatever-123"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_wrong_password_message_is_chinese_by_default(app, client):
    make_user("alice")
    response = client.post("/login", data={"username": "alice", "password": "nope-nope-nope"})
    assert response.status_code == 422
    assert "Wrong username or password." not in response.get_data(as_text=True)


def test_empty_form_is_422_and_nobody_logs_in(app, client):
    response = client.post("/login", data={"username": "", "password": ""})
    assert response.status_code == 422
    assert logged_in_user_id(client) is None


def test_right_password_logs_in_and_notes_it(app, client):
    user = make_user("alice")
    response = login(client, "alice")
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")
    assert logged_in_user_id(client) == user.get_id()
    db.session.expire_all()
    assert db.session.get(User, user.id).last_login_at is not None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.login",
                                                      AuditEntry.user_id == user.id)) is not None
    # The pages now know who is there.
    assert "alice" in client.get("/").get_data(as_text=True)


def test_another_device_is_not_logged_in(app, client):
    make_user("alice")
    login(client, "alice")
    other = isolated_client(app)
    assert logged_in_user_id(other) is None
    assert ">alice<" not in other.get("/").get_data(as_text=True)
    assert other.post("/api/v1/marks", json={}).status_code == 401


def test_session_cookies_are_http_only_and_same_site(app, client):
    make_user("alice")
    response = login(client, "alice", remember="y")
    cookies = {c.split("=", 1)[0]: c.lower() for c in response.headers.getlist("Set-Cookie")}
    assert "httponly" in cookies["session"] and "samesite=lax" in cookies["session"]
    assert "remember_token" in cookies and "httponly" in cookies["remember_token"]
    # Without "keep me logged in" there is no long-lived cookie.
    other = isolated_client(app)
    response = login(other, "alice")
    assert not any(c.startswith("remember_token=") for c in response.headers.getlist("Set-Cookie"))


def test_username_is_case_insensitive(app, client):
    user = make_user("Alice")
    assert login(client, "  alice ").status_code == 302
    assert logged_in_user_id(client) == user.get_id()


@pytest.mark.parametrize("target", ["/c/x", "/c/x?tab=board", "/login"])
def test_next_leads_to_a_page_of_this_site(app, client, target):
    make_user("alice")
    response = login(client, "alice", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] in (target, "http://localhost" + target)


@pytest.mark.parametrize("target", [
    "https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)",
    "\\\\evil", "http:/evil.example", " //evil.example", "/\t/evil.example", "///evil.example",
    "https:evil.example", "c/x", "",
])
def test_next_elsewhere_falls_back_to_the_home_page(app, client, target):
    make_user("alice")
    response = login(client, "alice", next=target)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/", "http://localhost/")


def test_next_from_the_query_string_is_carried_by_the_form(app, client):
    body = client.get("/login?next=/c/x").get_data(as_text=True)
    assert 'name="next"' in body and 'value="/c/x"' in body


def test_logout_is_post_only(app, client):
    user = make_user("alice")
    login(client, "alice")
    assert client.get("/logout").status_code == 405
    assert logged_in_user_id(client) == user.get_id()
    response = client.post("/logout")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None


def test_logout_when_not_logged_in_asks_to_log_in(app, client):
    response = client.post("/logout")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_passwords_are_stored_hashed_with_scrypt(app):
    app.config.pop("PASSWORD_HASH_METHOD")  # the production setting
    user = make_user("alice", "a-plain-password-42")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert stored.startswith("scrypt:")
    assert "a-plain-password-42" not in stored
    assert user.check_password("a-plain-password-42")
    assert not user.check_password("a-plain-password-43")
    # Two users with the same password get different hashes (salted).
    other = make_user("bob", "a-plain-password-42")
    assert other.password_hash != user.password_hash


def test_password_is_not_in_the_database_in_plain_text(app):
    make_user("alice", "plain-text-canary-991")
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            assert "plain-text-canary-991" not in repr(tuple(row)), table.name


def test_user_without_a_password_cannot_log_in(app, client):
    make_user("nopass", None)
    response = client.post("/login", data={"username": "nopass", "password": "anything-at-all"})
    assert response.status_code == 422
    assert logged_in_user_id(client) is None


def test_inactive_user_cannot_log_in(app, client):
    user = make_user("alice")
    user.is_active_account = False
    db.session.commit()
    response = login(client, "alice")
    assert response.status_code == 422
    assert logged_in_user_id(client) is None


def test_deactivated_user_loses_a_running_session(app, client):
    user = make_user("alice")
    login(client, "alice")
    user.is_active_account = False
    db.session.commit()
    # A protected action now asks for a login again.
    response = client.post("/logout")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# --- the login rate limits ----------------------------------------------------------------

def fail(client, username="alice", address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": "wrong-wrong"},
                       environ_base={"REMOTE_ADDR": address})


def log_in_from(client, username="alice", address="10.0.0.1", **extra):
    return client.post("/login", data={"username": username, "password": PASSWORD, **extra},
                       environ_base={"REMOTE_ADDR": address})


class TestLoginRateLimit:
    """Failed logins only count: 3 a minute per account, 5 a minute per address here."""

    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute",
                "LOGIN_ADDRESS_RATE_LIMIT": "5 per minute"}

    def test_after_three_failures_the_account_waits_and_the_page_says_how_long(self, app, client):
        make_user("alice")
        for _ in range(3):
            assert fail(client).status_code == 422
        response = log_in_from(english(client), next="/c/x")
        assert response.status_code == 429 and response.mimetype == "text/html"
        seconds = int(response.headers["Retry-After"])
        assert 1 <= seconds <= 60
        body = response.get_data(as_text=True)
        assert "Too many attempts. Try again in" in body and "seconds." in body
        # The login form comes back with the username (never the password) and the next page.
        assert 'value="alice"' in body and PASSWORD not in body and 'value="/c/x"' in body
        for clue in NO_TRACE:
            assert clue not in body
        assert logged_in_user_id(client) is None

    def test_the_wait_is_said_in_chinese_by_default(self, app, client):
        make_user("alice")
        for _ in range(3):
            fail(client)
        body = log_in_from(client).get_data(as_text=True)
        assert "Too many attempts" not in body and "尝试次数过多" in body

    def test_the_account_limit_holds_from_every_address_and_every_spelling(self, app, client):
        make_user("alice")
        for spelling in ("alice", " Alice ", "ALICE"):
            fail(client, spelling, "10.0.0.1")
        assert log_in_from(client, "alice", "10.0.0.2").status_code == 429

    def test_other_accounts_on_the_same_address_still_log_in(self, app, client):
        make_user("alice")
        make_user("bob")
        for _ in range(4):
            fail(client)
        assert log_in_from(client, "bob").status_code == 302

    def test_a_hall_of_tablets_behind_one_address_all_log_in(self, app):
        for n in range(12):
            make_user(f"judge{n}")
        for n in range(12):
            assert log_in_from(isolated_client(app), f"judge{n}").status_code == 302, n
        # A few typing mistakes among them stop nobody either.
        make_user("late")
        for _ in range(2):
            fail(client := isolated_client(app), "late")
        assert log_in_from(client, "late").status_code == 302

    def test_the_address_limit_stops_a_guesser_of_many_accounts(self, app, client):
        make_user("alice")
        for n in range(5):
            assert fail(client, f"guess{n}").status_code == 422
        assert log_in_from(client, "alice").status_code == 429
        assert log_in_from(isolated_client(app), "alice", "10.0.0.2").status_code == 302

    def test_forms_that_check_no_password_do_not_count(self, app, client):
        make_user("alice")
        for _ in range(5):
            assert client.post("/login", data={"username": "alice", "password": ""}).status_code == 422
        assert log_in_from(client).status_code == 302

    def test_a_json_client_gets_the_code_and_retry_after(self, app, client):
        make_user("alice")
        for _ in range(3):
            fail(client)
        response = client.post("/login", data={"username": "alice", "password": PASSWORD},
                               headers={"Accept": "application/json", "Accept-Language": "en"},
                               environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert response.status_code == 429
        error = response.get_json()["error"]
        assert error["code"] == "rate_limited" and "Try again in" in error["message"]
        assert 1 <= int(response.headers["Retry-After"]) <= 60 and error["retry_after"] >= 1

    def test_the_page_itself_is_not_limited(self, app, client):
        for _ in range(6):
            assert client.get("/login").status_code == 200


class TestPasswordChangeRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"}

    def test_guessing_the_current_password_is_limited_like_a_login(self, app, client):
        make_user("alice")
        assert login(client, "alice").status_code == 302
        for _ in range(3):
            response = client.post("/account/password", data={"current_password": "guess-guess",
                                                              "password": "Nine-Lanterns-77",
                                                              "confirm": "Nine-Lanterns-77"})
            assert response.status_code == 422
        response = client.post("/account/password", data={"current_password": PASSWORD,
                                                          "password": "Nine-Lanterns-77",
                                                          "confirm": "Nine-Lanterns-77"})
        assert_friendly_page(response, 429)
        assert response.headers["Retry-After"]


# --- command-line tools -------------------------------------------------------------------

def test_create_admin_creates_an_admin_who_can_log_in(app, runner, client):
    app.config.pop("PASSWORD_HASH_METHOD")  # the production setting
    result = runner.invoke(args=["create-admin", "boss", "--password", "long-enough-1"])
    assert result.exit_code == 0, result.output
    assert "boss" in result.output
    user = db.session.scalar(select(User).where(User.username == "boss"))
    assert user.is_admin
    assert user.password_hash.startswith("scrypt:")
    assert login(client, "boss", "long-enough-1").status_code == 302
    assert logged_in_user_id(client) == user.get_id()


def test_create_admin_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["create-admin", "boss", "--password", "short"])
    assert result.exit_code != 0
    assert "8 characters" in result.output
    assert db.session.scalar(select(User).where(User.username == "boss")) is None


def test_create_admin_on_an_existing_user_promotes_and_resets_the_password(app, runner, client):
    make_user("alice")
    result = runner.invoke(args=["create-admin", "alice", "--password", "a-new-password-1"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.scalars(select(User)).all()[0].is_admin
    assert login(client, "alice").status_code == 422
    assert login(client, "alice", "a-new-password-1").status_code == 302


def test_judge_token_prints_the_token_alone_on_the_last_line(app, runner, client):
    user = make_user("judge1")
    result = runner.invoke(args=["judge-token", "judge1"])
    assert result.exit_code == 0, result.output
    token = result.output.rstrip("\n").splitlines()[-1]
    assert token == token.strip() and " " not in token and len(token) >= 32
    # Only the hash is stored.
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert row.token_hash == ApiToken.hash(token) and token not in row.token_hash
    # The token authenticates: the API now complains about the body, not the credentials.
    response = client.post("/api/v1/marks", data="not json",
                           headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_json"
    wrong = client.post("/api/v1/marks", data="not json",
                        headers={"Authorization": f"Bearer {token}x", "Content-Type": "application/json"})
    assert wrong.status_code == 401


def test_judge_token_tokens_differ_each_time(app, runner):
    make_user("judge1")
    first = runner.invoke(args=["judge-token", "judge1"]).output.splitlines()[-1]
    second = runner.invoke(args=["judge-token", "judge1"]).output.splitlines()[-1]
    assert first != second


def test_judge_token_for_an_unknown_user_fails_with_a_message(app, runner):
    result = runner.invoke(args=["judge-token", "ghost"])
    assert result.exit_code != 0
    assert "ghost" in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_token_of_an_inactive_user_does_not_authenticate(app, runner, client):
    user = make_user("judge1")
    token = runner.invoke(args=["judge-token", "judge1"]).output.splitlines()[-1]
    user.is_active_account = False
    db.session.commit()
    response = client.post("/api/v1/marks", json={}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_every_login_attempt_costs_one_password_check(app, monkeypatch):
    """Unknown usernames, accounts without a password and disabled ones cost the same check as
    a wrong password, against a hash made the same way: the time taken tells no usernames."""
    from competition.accounts import services
    real = make_user("has-password")
    make_user("link-only", password=None)
    make_user("gone").is_active_account = False
    db.session.commit()
    checked = []
    original = services.check_password_hash

    def counting(stored, password):
        checked.append(stored.split("$", 1)[0])
        return original(stored, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    for username in ("has-password", "nobody-here", "link-only"):
        assert services.authenticate(username, "wrong-password") is None
    assert services.authenticate("gone", PASSWORD) is None  # the right password of a disabled account
    assert services.authenticate("has-password", PASSWORD).id == real.id
    method = real.password_hash.split("$", 1)[0]
    assert checked == [method] * 5
