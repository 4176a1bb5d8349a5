"""One's own account as its owner meets it: changing the password (the current one first, a
rule against weak ones, every other session and remember-me cookie ends, this one goes on), the
account page with the roles and the last login in Beijing time, and where each role lands
after logging in."""
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from competition.accounts.models import User
from competition.accounts.services import find_user, password_problem
from competition.audit.models import AuditEntry
from competition.contests.models import contest_by_slug
from competition.extensions import db

from . import factory
from .factory import PASSWORD, make_organiser, make_user
from .helpers import english, isolated_client, login

NEW_PASSWORD = "Nine-Lanterns-77"


def logged_in_as(client) -> str | None:
    """Whom the pages take the client for: the account page's username, else None (a redirect)."""
    response = client.get("/account")
    if response.status_code != 200:
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        return None
    body = response.get_data(as_text=True)
    return body.split("data-username>", 1)[1].split("<", 1)[0]


def typed_back(body: str) -> list[str]:
    """The values the page's password fields come back with (none, ever)."""
    fields = re.findall(r'<input[^>]*type="password"[^>]*>', body)
    assert fields
    return [value for f in fields for value in re.findall(r'value="([^"]*)"', f) if value]


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post("/account/password", data={"current_password": current, "password": new,
                                                  "confirm": new if confirm is None else confirm})


def cookie_only_client(app, cookie: str):
    """A browser that has only the remember-me cookie (its session is gone, as after closing it)."""
    client = isolated_client(app)
    client.set_cookie("remember_token", cookie, domain="localhost")
    return client


def remember_cookie(client) -> str:
    cookie = client.get_cookie("remember_token", domain="localhost")
    assert cookie is not None, "no remember-me cookie"
    return cookie.value


# --- changing the password -------------------------------------------------------------------------

def test_changing_the_password_ends_every_other_session_and_cookie_but_this_one(app):
    user = make_user("alice", name="Alice Liddell")
    version = user.session_version
    here, elsewhere, remembered = isolated_client(app), isolated_client(app), isolated_client(app)
    assert login(here, "alice", remember="y").status_code == 302
    assert login(elsewhere, "alice").status_code == 302
    assert login(remembered, "alice", remember="y").status_code == 302
    old_cookie = remember_cookie(remembered)
    assert logged_in_as(cookie_only_client(app, old_cookie)) == "alice"  # the cookie alone logs in

    response = change(here)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")

    assert logged_in_as(here) == "alice"
    assert logged_in_as(elsewhere) is None
    assert logged_in_as(remembered) is None
    assert logged_in_as(cookie_only_client(app, old_cookie)) is None
    # This browser asked to be remembered: its new cookie works on its own.
    assert logged_in_as(cookie_only_client(app, remember_cookie(here))) == "alice"

    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.session_version == version + 1 and user.password_changed_at is not None
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed"))
    assert entry.user_id == user.id and entry.target == "user:alice"
    assert NEW_PASSWORD not in repr(entry.data) and PASSWORD not in repr(entry.data)
    # The old password no longer logs in; the new one does.
    assert login(isolated_client(app), "alice").status_code == 422
    assert login(isolated_client(app), "alice", NEW_PASSWORD).status_code == 302


def test_without_keep_me_logged_in_no_cookie_is_made_by_the_change(app, client):
    make_user("alice")
    login(client, "alice")
    response = change(client)
    assert response.status_code == 302
    assert not any(c.startswith("remember_token=") and "expires=thu, 01 jan 1970" not in c.lower()
                   for c in response.headers.getlist("Set-Cookie"))
    assert logged_in_as(client) == "alice"


def test_a_wrong_current_password_changes_nothing(app, client):
    user = make_user("alice")
    other = isolated_client(app)
    login(client, "alice")
    login(other, "alice")
    response = change(english(client), current="not-my-password")
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="current_password-error"' in body and "The current password is not right." in body
    assert typed_back(body) == []
    for typed in ("not-my-password", NEW_PASSWORD):
        assert typed not in body
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)
    assert db.session.get(User, user.id).password_changed_at is None
    assert logged_in_as(other) == "alice"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "account.password_changed")) is None


@pytest.mark.parametrize("new, says", [
    ("short7!", "A password needs at least 8 characters."),
    ("", "This field is required."),
    ("zzzzzzzzzzzz", "This password repeats one character"),
    ("alice-liddell", "must not be your username or your name"),
    ("ALICE-LIDDELL", "must not be your username or your name"),
    ("Alice Liddell", "must not be your username or your name"),
    ("AliceLiddell", "must not be your username or your name"),
    ("12345678", "one of the most common passwords"),
    ("Password", "one of the most common passwords"),
    ("qwertyuiop", "one of the most common passwords"),
    ("woaini1314", "one of the most common passwords"),
    ("88888888", "This password repeats one character"),
    ("1qaz2wsx", "one of the most common passwords"),
    (PASSWORD, "This is your current password"),
])
def test_a_weak_or_reused_password_is_refused_next_to_its_field(app, client, new, says):
    user = make_user("alice-liddell", name="Alice Liddell")
    login(client, "alice-liddell")
    response = change(english(client), new=new)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    error = body.split('id="password-error"', 1)[1].split("</p>", 1)[0]
    assert says in error
    assert typed_back(body) == []
    assert PASSWORD not in body
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_two_new_passwords_must_agree(app, client):
    user = make_user("alice")
    login(client, "alice")
    response = change(english(client), confirm=NEW_PASSWORD + "x")
    assert response.status_code == 422
    assert "The two passwords differ." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_the_rule_itself(app):
    user = make_user("wang.lei", name="王磊")
    assert password_problem(NEW_PASSWORD, user) is None
    assert password_problem("王磊王磊王磊王磊", user) is None  # the name twice is not the name
    assert password_problem("1234567", user) == "password_too_short"
    assert password_problem("11111111", user) == "password_one_character"
    assert password_problem("  WANG.LEI  ", user) == "password_like_name"
    assert password_problem("A1234567", user) == "password_common"
    assert password_problem(PASSWORD, user) == "password_reused"
    # An account whose password an administrator reset has none to reuse.
    user.password_hash = None
    assert password_problem(PASSWORD, user) is None


def test_the_password_pages_need_a_login(app, client):
    for path in ("/account", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert change(client).status_code == 302


def test_an_account_without_a_password_is_told_how_it_logs_in(app, client):
    user = make_user("linkonly", None)
    with client.session_transaction() as session:  # as after a judge's login link
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
    english(client)
    page = client.get("/account/password")
    assert page.status_code == 200 and "logs in with the login links" in page.get_data(as_text=True)
    assert 'name="current_password"' not in page.get_data(as_text=True)
    assert change(client, current="").status_code == 409
    assert "/account/password" not in client.get("/account").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash is None


# --- the account page ---------------------------------------------------------------------------------

def test_the_account_page_shows_who_and_when_in_beijing_time(app, client):
    organiser = make_organiser("zhang", organisation="朝阳区总工会")
    login(english(client), "zhang")
    organiser.last_login_at = datetime(2026, 12, 9, 9, 0)  # UTC, as stored
    db.session.commit()
    body = client.get("/account").get_data(as_text=True)
    assert "2026-12-09 17:00" in body and "2026-12-09 09:00" not in body
    assert 'data-organisation>朝阳区总工会<' in body
    assert 'data-role="organiser"' in body and 'data-role="admin"' not in body
    assert 'href="/account/password"' in body
    # The header's name leads here.
    assert 'class="who" href="/account"' in client.get("/").get_data(as_text=True)


def test_the_account_page_names_the_judging_roles(app, client, sample):
    factory.supervisor("sup1")
    login(english(client), "k1")
    body = client.get("/account").get_data(as_text=True)
    assert f'data-role="judge" data-contest="{sample.slug}"' in body
    assert "Chief judge of 工业互联网运维员" in body

    other = english(isolated_client(app))
    login(other, "k2")
    body = other.get("/account").get_data(as_text=True)
    assert 'data-role="judge"' in body and "data-chief" not in body

    supervisor = english(isolated_client(app))
    login(supervisor, "sup1")
    body = supervisor.get("/account").get_data(as_text=True)
    assert f'data-role="supervisor" data-contest="{sample.slug}"' in body
    assert f'/o/c/{sample.slug}/cases' in body


def test_a_person_without_a_role_is_told_so(app, client):
    make_user("nobody")
    login(english(client), "nobody")
    body = client.get("/account").get_data(as_text=True)
    assert 'data-role="none"' in body


# --- where each role lands ------------------------------------------------------------------------------

def landing(client, username, **extra) -> str:
    response = login(client, username, **extra)
    assert response.status_code == 302
    return response.headers["Location"].removeprefix("http://localhost")


def test_each_role_lands_at_its_home(app, sample):
    make_user("boss", is_admin=True)
    make_organiser("org9", organisation=contest_by_slug(sample.slug).organisation.name)
    factory.supervisor("sup1")
    make_user("visitor")
    assert landing(isolated_client(app), "boss") == "/admin/"
    assert landing(isolated_client(app), "org9") == "/o/"
    assert landing(isolated_client(app), "k1") == "/j/"  # a chief judge
    assert landing(isolated_client(app), "k2") == "/j/"  # a judge
    assert landing(isolated_client(app), "sup1") == "/j/"  # a supervisor
    assert landing(isolated_client(app), "visitor") == "/"


def test_a_judge_of_an_archived_contest_only_lands_on_the_home_page(app, sample):
    sample.archived_at = datetime(2026, 1, 1)
    db.session.commit()
    assert landing(isolated_client(app), "k2") == "/"


def test_a_safe_next_wins_over_the_home_of_the_role(app, sample):
    make_organiser("org9", organisation=sample.organisation.name)
    assert landing(isolated_client(app), "org9", next=f"/c/{sample.slug}") == f"/c/{sample.slug}"
    assert landing(isolated_client(app), "k2", next="/j/" + sample.slug) == "/j/" + sample.slug
    # The header's link from the public home, and a next leading off the site, are no wish.
    assert landing(isolated_client(app), "org9", next="/") == "/o/"
    assert landing(isolated_client(app), "k2", next="https://evil.example/") == "/j/"
    assert find_user("org9").last_login_at is not None
