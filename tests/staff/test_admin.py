"""Running the platform without a terminal (issue 15): an administrator creates, renames and
deactivates organisations, invites organisers by a one-time link on which they set a password,
resets and deactivates accounts, reads the audit trail and sets the address phones use.
Organisers invite colleagues into their own organisation only."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from competition.accounts.models import Invite, Organisation, User
from competition.accounts.services import find_user
from competition.addresses import is_loopback, public_base
from competition.audit.models import AuditEntry
from competition.database import utcnow
from competition.extensions import db

from ..factory import PASSWORD, make_user
from ..helpers import isolated_client, login

NEW_PASSWORD = "Gongjiang-2026!"


@pytest.fixture
def admin(app):
    return make_user("root", is_admin=True, name="平台管理员")


@pytest.fixture
def org(app):
    organisation = Organisation(name="朝阳区总工会")
    db.session.add(organisation)
    db.session.commit()
    return organisation


def client_as(app, username, password=PASSWORD):
    client = isolated_client(app)
    assert login(client, username, password).status_code == 302
    return client


def invite_url(html: str) -> str:
    found = re.search(r'data-invite-url>(http[^<]+)<', html)
    assert found, "no invite link on the page"
    return found.group(1)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def audit_actions() -> list[str]:
    return list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


# --- organisations ------------------------------------------------------------------------------

def test_admin_creates_renames_and_deactivates_an_organisation(app, admin):
    client = client_as(app, "root")
    response = client.post("/admin/organisations", data={"name": "  海淀区　总工会 "})
    assert response.status_code == 302
    organisation = db.session.scalar(select(Organisation))
    assert organisation.name == "海淀区 总工会"  # full-width space folded, spaces collapsed
    # The same name up to spaces is the same organisation: refused, what was typed kept.
    again = client.post("/admin/organisations", data={"name": "海淀区总工会"})
    assert again.status_code == 409
    assert "海淀区 总工会" in again.get_data(as_text=True) and 'value="海淀区总工会"' in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    empty = client.post("/admin/organisations", data={"name": " "})
    assert empty.status_code == 422

    page = f"/admin/organisations/{organisation.id}"
    assert client.post(page + "/rename", data={"name": "海淀区总工会"}).status_code == 302
    db.session.refresh(organisation)
    assert organisation.name == "海淀区总工会"

    organiser = make_user("hd1", organisation=organisation)
    organiser_client = client_as(app, "hd1")
    assert organiser_client.get("/o/").status_code == 200
    assert client.post(page + "/deactivate").status_code == 302
    # The organiser's session has ended and they cannot log in again.
    assert organiser_client.get("/o/").status_code == 302
    assert login(isolated_client(app), "hd1").status_code == 422
    assert client.post(page + "/reactivate").status_code == 302
    assert login(isolated_client(app), "hd1").status_code == 302
    assert organiser.is_active
    assert {"organisation.create", "organisation.rename", "organisation.deactivate",
            "organisation.reactivate"} <= set(audit_actions())


def test_only_administrators_reach_the_administration(app, admin, org):
    organiser = make_user("cy1", organisation=org)
    judge = make_user("judge1")
    for username in (organiser.username, judge.username):
        client = client_as(app, username)
        for path in ("/admin/", f"/admin/organisations/{org.id}", "/admin/audit", "/admin/settings"):
            assert client.get(path).status_code == 404, (username, path)
        assert client.post("/admin/organisations", data={"name": "伪造工会"}).status_code == 404
        assert client.post(f"/admin/accounts/{organiser.id}/reset").status_code == 404
        assert client.post("/admin/settings", data={"public_url": "http://evil.example"}).status_code == 404
    assert db.session.scalar(select(func.count(Organisation.id))) == 1
    anonymous = isolated_client(app)
    response = anonymous.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- invites -----------------------------------------------------------------------------------

def test_an_invited_organiser_sets_a_password_once_and_lands_on_their_contests(app, admin, org):
    client = client_as(app, "root")
    response = client.post(f"/admin/organisations/{org.id}/invite", data={"name": "王小明", "username": "WangXM"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    url = invite_url(html)
    assert "<svg" in html  # the QR code
    user = find_user("wangxm")
    assert user.organisation_id == org.id and user.password_hash is None
    assert "account.invite" in audit_actions()
    # The organisation page says the account waits for its password.
    assert 'data-state="invited"' in client.get(f"/admin/organisations/{org.id}").get_data(as_text=True)

    invitee = isolated_client(app)
    page = invitee.get(path_of(url))
    assert page.status_code == 200 and "王小明" in page.get_data(as_text=True)
    # A weak password and two passwords that differ are refused; nothing is echoed back.
    weak = invitee.post(path_of(url), data={"password": "12345678", "confirm": "12345678"})
    assert weak.status_code == 422 and 'value="12345678"' not in weak.get_data(as_text=True)
    differ = invitee.post(path_of(url), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 422
    db.session.refresh(user)
    assert user.password_hash is None
    done = invitee.post(path_of(url), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/o/")
    assert invitee.get("/o/").status_code == 200
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD) and user.password_changed_at is not None
    # The link works once.
    used = isolated_client(app).get(path_of(url))
    assert used.status_code == 410
    assert login(isolated_client(app), "wangxm", NEW_PASSWORD).status_code == 302


def test_invite_links_that_cannot_be_used_say_why(app, admin, org):
    user = make_user("later", password=None, organisation=org)
    expired, expired_token = Invite.issue(user, expires_at=utcnow() - timedelta(minutes=1))
    revoked, revoked_token = Invite.issue(user, expires_at=utcnow() + timedelta(hours=1))
    revoked.revoked_at = utcnow()
    db.session.add_all([expired, revoked])
    db.session.commit()
    client = isolated_client(app)
    for token, status, words in ((expired_token, 410, "expired"), (revoked_token, 410, "replaced"),
                                 ("x" * 43, 404, "not valid")):
        response = client.get(f"/invite/{token}", headers={"Accept-Language": "en"})
        assert response.status_code == status
        assert words in response.get_data(as_text=True)
        assert client.post(f"/invite/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                           headers={"Accept-Language": "en"}).status_code == status
    db.session.refresh(user)
    assert user.password_hash is None


def test_invite_refuses_a_taken_or_malformed_username_and_keeps_the_form(app, admin, org):
    make_user("taken")
    client = client_as(app, "root")
    taken = client.post(f"/admin/organisations/{org.id}/invite", data={"name": "李四", "username": "taken"})
    assert taken.status_code == 409 and 'value="李四"' in taken.get_data(as_text=True)
    bad = client.post(f"/admin/organisations/{org.id}/invite", data={"name": "李四", "username": "李 四"})
    assert bad.status_code == 422
    assert db.session.scalar(select(func.count(User.id)).where(User.organisation_id == org.id)) == 0


def test_reset_ends_the_old_password_and_sessions_and_gives_a_new_link(app, admin, org):
    organiser = make_user("cy1", organisation=org)
    organiser_client = client_as(app, "cy1")
    client = client_as(app, "root")
    response = client.post(f"/admin/accounts/{organiser.id}/reset")
    assert response.status_code == 200
    url = invite_url(response.get_data(as_text=True))
    assert organiser_client.get("/o/").status_code == 302  # the session ended
    assert login(isolated_client(app), "cy1").status_code == 422  # the old password is gone
    # A second reset replaces the first link.
    second = invite_url(client.post(f"/admin/accounts/{organiser.id}/reset").get_data(as_text=True))
    assert isolated_client(app).get(path_of(url)).status_code == 410
    fresh = isolated_client(app)
    assert fresh.post(path_of(second), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}).status_code == 302
    assert login(isolated_client(app), "cy1", NEW_PASSWORD).status_code == 302


def test_deactivating_an_account_ends_its_sessions_and_an_admin_cannot_deactivate_themselves(app, admin, org):
    organiser = make_user("cy1", organisation=org)
    organiser_client = client_as(app, "cy1")
    client = client_as(app, "root")
    assert client.post(f"/admin/accounts/{organiser.id}/deactivate").status_code == 302
    assert organiser_client.get("/o/").status_code == 302
    assert login(isolated_client(app), "cy1").status_code == 422
    assert client.post(f"/admin/accounts/{organiser.id}/reactivate").status_code == 302
    assert login(isolated_client(app), "cy1").status_code == 302
    # Judges' accounts (no organisation) are not managed here.
    judge = make_user("judge1")
    assert client.post(f"/admin/accounts/{judge.id}/deactivate").status_code == 404


# --- organisers invite their colleagues -----------------------------------------------------------

def test_an_organiser_invites_a_colleague_into_their_own_organisation_only(app, org):
    other = Organisation(name="海淀区总工会")
    db.session.add(other)
    db.session.commit()
    make_user("cy1", organisation=org)
    outsider = make_user("hd1", organisation=other, name="海淀的人")
    client = client_as(app, "cy1")
    page = client.get("/o/organisers")
    assert page.status_code == 200 and "海淀的人" not in page.get_data(as_text=True)
    response = client.post("/o/organisers/invite", data={"name": "赵六", "username": "cy2"})
    assert response.status_code == 200
    assert find_user("cy2").organisation_id == org.id
    # A new link for a colleague of another organisation: 404; for one who set a password: refused.
    assert client.post(f"/o/organisers/{outsider.id}/link").status_code == 404
    assert client.post(f"/o/organisers/{find_user('cy1').id}/link").status_code == 302
    assert find_user("cy1").check_password(PASSWORD)
    # Judges have no team page.
    make_user("judge1")
    assert client_as(app, "judge1").get("/o/organisers").status_code == 404


# --- the audit trail ----------------------------------------------------------------------------

def test_the_audit_trail_filters_by_organisation_user_and_action(app, admin, org):
    other = Organisation(name="海淀区总工会")
    db.session.add(other)
    db.session.commit()
    make_user("cy1", organisation=org)
    make_user("hd1", organisation=other)
    client_as(app, "cy1")
    client_as(app, "hd1")
    client = client_as(app, "root")
    everything = client.get("/admin/audit").get_data(as_text=True)
    assert "cy1" in everything and "hd1" in everything
    by_org = client.get(f"/admin/audit?organisation={org.id}").get_data(as_text=True)
    assert "cy1" in by_org and "hd1" not in by_org
    by_user = client.get("/admin/audit?user=hd1&action=account.login").get_data(as_text=True)
    assert "hd1" in by_user and "cy1" not in by_user
    nothing = client.get("/admin/audit?action=no.such.action&organisation=abc")
    assert nothing.status_code == 200
    # Times are Beijing time, not UTC: the login just now shows the local hour.
    local_hour = (utcnow() + timedelta(hours=8)).strftime("%Y-%m-%d %H:")
    assert local_hour in by_user


# --- the public address ---------------------------------------------------------------------------

def test_the_public_address_is_set_in_the_app_and_warned_about_when_loopback(app, admin):
    client = client_as(app, "root")
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "data-loopback-warning" in page
    bad = client.post("/admin/settings", data={"public_url": "ftp://x y"})
    assert bad.status_code == 422 and 'value="ftp://x y"' in bad.get_data(as_text=True)
    assert client.post("/admin/settings", data={"public_url": "http://192.168.1.20:5000/"}).status_code == 302
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "data-loopback-warning" not in page and "http://192.168.1.20:5000" in page
    with app.test_request_context(base_url="http://127.0.0.1:5000"):
        assert public_base() == "http://192.168.1.20:5000"
    # Invite links now carry it.
    org = Organisation(name="朝阳区总工会")
    db.session.add(org)
    db.session.commit()
    html = client.post(f"/admin/organisations/{org.id}/invite", data={"name": "王五", "username": "wangwu"}).get_data(
        as_text=True)
    assert invite_url(html).startswith("http://192.168.1.20:5000/invite/")
    assert client.post("/admin/settings", data={"public_url": ""}).status_code == 302
    with app.test_request_context(base_url="http://10.0.0.5:5000"):
        assert public_base() == "http://10.0.0.5:5000"


@pytest.mark.parametrize("url, loopback", [("http://127.0.0.1:5000", True), ("http://localhost", True),
                                           ("http://[::1]:5000", True), ("http://0.0.0.0:5000", True),
                                           ("http://192.168.1.20:5000", False), ("https://contest.example.cn", False)])
def test_loopback_addresses(url, loopback):
    assert is_loopback(url) is loopback
