"""One-time login links for judges' tablets: shown once as URL and QR code, only the hash
stored, a confirmation before use, one login only, expired and revoked links refused with a
clear page, every step audited."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.judges.models import LoginLink
from competition.audit.models import AuditEntry
from competition.database import utcnow
from competition.extensions import db

from ..helpers import english, isolated_client, login
from ..factory import SLUG, judge_named

URL = re.compile(r'data-login-url>(http://[^<]+)<')


@pytest.fixture
def tablet_client(app):
    return english(isolated_client(app))


def new_link(organiser, username="k1", hours="12") -> str:
    judge = judge_named(username)
    response = organiser.post(f"/o/c/{SLUG}/judges/{judge.id}/link", data={"hours": hours})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    assert "<svg" in html  # the QR code, inline: nothing to fetch later with the token in it
    return URL.search(html).group(1)


def actions(name):
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == name)))


def test_a_link_logs_the_judge_in_once(organiser, tablet_client):
    url = new_link(organiser)
    path = url.split("localhost", 1)[1]
    token = path.rsplit("/", 1)[1]
    link = db.session.scalar(select(LoginLink))
    assert link.token_hash == LoginLink.hash(token) and token not in str(link.__dict__)
    assert link.expires_at - utcnow() > timedelta(hours=11, minutes=59)
    assert actions("account.login_link_created")[0].data["hours"] == 12
    shown = (link.expires_at + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")  # Asia/Shanghai, never UTC
    judges_page = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    assert shown in judges_page and "UTC" not in judges_page

    confirm = tablet_client.get(path)  # opening it (or a link preview) does not log in
    assert confirm.status_code == 200 and "裁判k1" in confirm.get_data(as_text=True)
    assert tablet_client.get("/j/").status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(LoginLink)).used_at is None

    response = tablet_client.post(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/j/")
    home = tablet_client.get("/j/")
    assert home.status_code == 200 and "示例职工数字技能竞赛" in home.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(LoginLink)).used_at is not None
    [used] = actions("account.login_link_used")
    assert used.target == "user:k1" and used.contest_id is not None

    other = english(isolated_client(tablet_client.application))
    for response in (other.get(path), other.post(path)):
        assert response.status_code == 410
        assert "already been used" in response.get_data(as_text=True)
    assert other.get("/j/").status_code == 302  # not logged in


def test_an_expired_link_is_refused(organiser, tablet_client):
    path = new_link(organiser).split("localhost", 1)[1]
    link = db.session.scalar(select(LoginLink))
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for response in (tablet_client.get(path), tablet_client.post(path)):
        assert response.status_code == 410
        assert "expired" in response.get_data(as_text=True)
    assert tablet_client.get("/j/").status_code == 302
    assert not actions("account.login_link_used")


def test_a_revoked_link_is_refused(organiser, tablet_client):
    path = new_link(organiser).split("localhost", 1)[1]
    page = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    link = db.session.scalar(select(LoginLink))
    assert f'data-revoke="{link.id}"' in page
    assert organiser.post(f"/o/c/{SLUG}/judges/links/{link.id}/revoke").status_code == 302
    response = tablet_client.post(path)
    assert response.status_code == 410 and "revoked" in response.get_data(as_text=True)
    assert tablet_client.get("/j/").status_code == 302
    assert len(actions("account.login_link_revoked")) == 1
    # Revoking again changes nothing and logs nothing.
    organiser.post(f"/o/c/{SLUG}/judges/links/{link.id}/revoke")
    assert len(actions("account.login_link_revoked")) == 1


def test_an_unknown_link_is_404(tablet_client, contest):
    for token in ("nope", "x" * 200):
        response = tablet_client.get(f"/login/link/{token}")
        assert response.status_code == 404
        assert "not valid" in response.get_data(as_text=True)


def test_removing_a_judge_revokes_their_open_links(organiser, tablet_client):
    path = new_link(organiser, "k9").split("localhost", 1)[1]
    organiser.post(f"/o/c/{SLUG}/judges/{judge_named('k9').id}/remove")
    assert tablet_client.post(path).status_code == 410


@pytest.mark.parametrize("hours", ["0", "73", "x", ""])
def test_bad_validity_is_refused(organiser, hours):
    judge = judge_named("k1")
    response = organiser.post(f"/o/c/{SLUG}/judges/{judge.id}/link", data={"hours": hours})
    assert response.status_code == 422
    assert "1 to 72 hours" in response.get_data(as_text=True)
    assert db.session.scalar(select(LoginLink)) is None


def test_another_contests_link_cannot_be_revoked_here(organiser, app):
    other = english(isolated_client(app))
    login(other, "org2")
    from competition.judges.models import Judge
    from competition.contests.models import contest_by_slug
    foreign = db.session.scalar(select(Judge).where(Judge.contest_id == contest_by_slug("other-2026").id))
    assert other.post(f"/o/c/other-2026/judges/{foreign.id}/link", data={"hours": "2"}).status_code == 200
    link = db.session.scalar(select(LoginLink))
    assert organiser.post(f"/o/c/{SLUG}/judges/links/{link.id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(LoginLink)).revoked_at is None


@pytest.mark.parametrize("power", ["admin", "organiser", "judge elsewhere"])
def test_no_link_for_an_account_with_other_powers(organiser, app, power):
    """A link logs in without a password: an organiser must not get one for an administrator,
    an organiser, or a judge of another organisation attached here by username (by an
    administrator: an organiser may not seat them, tests/staff/test_judges_import.py)."""
    from competition.accounts.models import Organisation
    from competition.contests.models import contest_by_slug
    from ..factory import make_user
    if power == "admin":
        make_user("boss", name="管理员", is_admin=True)
        username = "boss"
    elif power == "organiser":
        make_user("orgx", name="别的组织者", organisation=Organisation(name="第三工会"))
        username = "orgx"
    else:
        username = "xk1"  # judges in other-2026, of 其他工会
    from competition.judges.services import add_judge
    judge, _created = add_judge(make_user("admin", name="平台管理员", is_admin=True), contest_by_slug(SLUG),
                                username=username)
    response = organiser.post(f"/o/c/{SLUG}/judges/{judge.id}/link", data={"hours": "12"})
    assert response.status_code == 409
    assert "password only" in response.get_data(as_text=True)
    assert db.session.scalar(select(LoginLink)) is None


def test_a_judges_api_token_is_listed_and_revoked_from_the_judges_page(organiser, app):
    from competition.accounts.services import issue_token, user_for_token
    from competition.accounts.models import ApiToken
    token = issue_token(judge_named("k2").user, "平板 3")
    html = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    row = db.session.scalar(select(ApiToken).where(ApiToken.label == "平板 3"))
    assert f'data-revoke-token="{row.id}"' in html and "平板 3" in html
    assert organiser.post(f"/o/c/{SLUG}/judges/tokens/{row.id}/revoke").status_code == 302
    assert user_for_token(token) is None
    assert f'data-revoke-token="{row.id}"' not in organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "account.token_revoked"))
    assert entry.target == "user:k2"
    # Another contest's judge's token cannot be revoked from here.
    other = issue_token(judge_named("xk2", "other-2026").user, "x")
    other_row = db.session.scalar(select(ApiToken).where(ApiToken.label == "x"))
    assert organiser.post(f"/o/c/{SLUG}/judges/tokens/{other_row.id}/revoke").status_code == 404
    assert user_for_token(other) is not None


def test_a_token_expires_and_shows_its_last_use(organiser, app):
    from competition.accounts.services import issue_token, user_for_token
    from competition.accounts.models import ApiToken
    token = issue_token(judge_named("k2").user, "平板 4", days=2)
    row = db.session.scalar(select(ApiToken).where(ApiToken.label == "平板 4"))
    assert timedelta(days=1, hours=23) < row.expires_at - utcnow() <= timedelta(days=2)
    html = organiser.get(f"/o/c/{SLUG}/judges", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "never used" in html and "works until" in html
    assert user_for_token(token).username == "k2"
    db.session.expire_all()
    used = db.session.get(ApiToken, row.id).last_used_at
    assert used is not None
    assert user_for_token(token) is not None  # within the minute: not written again
    db.session.expire_all()
    assert db.session.get(ApiToken, row.id).last_used_at == used
    shown = (used + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"last used {shown}" in organiser.get(f"/o/c/{SLUG}/judges", headers={"Accept-Language": "en"}).get_data(
        as_text=True)
    db.session.get(ApiToken, row.id).expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert user_for_token(token) is None  # expired: the API answers 401
    html = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    assert f'data-revoke-token="{row.id}"' not in html  # an expired token is not listed as working


def test_the_cli_says_where_a_token_is_revoked(app, contest):
    out = app.test_cli_runner().invoke(args=["judge-token", "k1"])
    assert out.exit_code == 0 and "judges page" in out.output and "removing the judge" in out.output
