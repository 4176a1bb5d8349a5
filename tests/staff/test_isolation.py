"""Every organiser page, action and export is its own organisation's: the one isolation test.

The routes are read from the app's URL map, so a page added later under /o/ is covered the day
it is written. For every GET and POST that names a contest: another organisation's organiser,
and a judge of the very contest, get 404 (as for a contest that does not exist, so a draft's
existence does not leak), see nothing of it and change nothing in it; an anonymous visitor is
sent to log in; the contest's own organiser and a platform admin reach every page (so the
check is not vacuous)."""
from datetime import datetime

import pytest
from flask import url_for
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from competition.appeals.models import Appeal, AppealFile, Objection
from competition.certificates.models import Certificate
from competition.accounts.models import ApiToken
from competition.accounts.services import find_user, issue_token
from competition.audit.models import AuditEntry
from competition.contest_files.services import export_contest
from competition.contests.models import Contest
from competition.entries.models import Contestant, Entry
from competition.extensions import db
from competition.hall.models import EventSession, Screen
from competition.judges.models import Judge, LoginLink
from competition.printing.models import PrintJob

from ..factory import PASSWORD, SLUG, make_user
from ..helpers import isolated_client, login

# Pages that name no contest: the user's own dashboard and new contests of their own.
NO_CONTEST = {"contests.dashboard", "contests.contest_new", "contest_files.upload", "admin.team", "admin.team_invite",
              "admin.team_link"}
# A POST answered with a download or a page rather than a redirect, for the own organiser.
FORMS = {"name": "x", "reason": "x", "confirm": "y", "target": "finished", "pattern": "{n:03}", "field": "id_number",
         "hours": "12", "note": "x", "username": "intruder", "delegation": "0"}


def _values(contest) -> dict[str, object]:
    """A real value for every URL argument an organiser route takes, all of the given contest."""
    judge = db.session.scalar(select(Judge).where(Judge.contest_id == contest.id).order_by(Judge.id))
    entry = db.session.scalar(select(Entry).where(Entry.contest_id == contest.id).order_by(Entry.id))
    person = db.session.scalar(select(Contestant).where(Contestant.contest_id == contest.id)
                               .order_by(Contestant.id))
    link, _token = LoginLink.issue(judge.user, expires_at=contest.created_at.replace(year=2099), contest=contest)
    db.session.add(link)
    db.session.commit()
    objection = Objection(contest_id=contest.id, reference=f"Y{contest.id:08d}", name="张三", phone="13800000000",
                          text="异议")
    appeal = Appeal(contest_id=contest.id, event_id=entry.event_id, entry_id=entry.id, reference=f"S{contest.id:08d}",
                    criteria=["A1"], reasons="理由", reviewed=[], before={}, changes=[])
    appeal.files.append(AppealFile(filename="a.pdf", content_type="application/pdf", size=5, sha256="0" * 64,
                                   data=b"%PDF-"))
    certificate = Certificate(number="GJ2026-ABABABAB" + "CDEFGHJKMN"[contest.id % 10] * 2, contest_id=contest.id,
                              event_id=entry.event_id, entry_id=entry.id, name=entry.name, award="一等奖", rank=1,
                              total=0)
    job = PrintJob(contest_id=contest.id, kind="results_book", status="done", done=1, total=1,
                   file_name="book.pdf", mimetype="application/pdf", size=5, body=b"%PDF-")
    screen = Screen(contest_id=contest.id, name="大屏一")
    session = EventSession(event_id=entry.event_id, name="第一场", starts_at=datetime(2026, 12, 9, 1),
                           ends_at=datetime(2026, 12, 9, 4))
    db.session.add_all([objection, appeal, certificate, job, screen, session])
    db.session.commit()
    issue_token(judge.user, "tablet")
    token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == judge.user_id))
    return {"slug": contest.slug, "code": "ai", "section_code": "P", "criterion_code": "A1", "entry_id": entry.id,
            "judge_id": judge.id, "contestant_id": person.id, "link_id": link.id, "token_id": token.id,
            "token": "0" * 32, "appeal_id": appeal.id, "objection_id": objection.id, "file_id": appeal.files[0].id,
            "number": certificate.number, "job_id": job.id, "kind": "results_book",
            "delegation_id": entry.delegation_id, "screen_id": screen.id, "session_id": session.id}


def _urls(app, values):
    """(method, url, endpoint) for every organiser route that names a contest, every choice of
    an any(…) argument included."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/o/") or rule.endpoint in NO_CONTEST:
            continue
        choices = [{}]
        for name, converter in rule._converters.items():
            options = sorted(converter.items) if isinstance(converter, AnyConverter) else [values[name]]
            choices = [dict(c, **{name: option}) for c in choices for option in options]
        for args in choices:
            with app.test_request_context():
                url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield method, url, rule.endpoint


def _state(contest_id):
    db.session.expire_all()
    contest = db.session.get(Contest, contest_id)
    return (export_contest(contest), contest.status, contest.archived_at, contest.bib_pattern,
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(LoginLink.id)).where(LoginLink.revoked_at.is_not(None))),
            db.session.scalar(select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_not(None))),
            sorted(db.session.execute(select(Entry.id, Entry.status, Entry.bib, Entry.draw_code)).all()))


@pytest.fixture
def routes(app, contest):
    find_user("k1").set_password(PASSWORD)  # a judge (and chief judge) of the contest
    make_user("admin", is_admin=True)
    urls = list(_urls(app, _values(contest)))
    assert len(urls) > 50  # the URL map really was read
    return contest, urls


@pytest.mark.parametrize("username", ["org2", "k1"])
def test_no_organiser_route_shows_or_changes_a_contest_that_is_not_the_users(app, routes, username):
    contest, urls = routes
    # The draft's name must not show: a judge's live view may show a judging contest's.
    contest.status = "draft"
    db.session.commit()
    stranger = isolated_client(app)
    login(stranger, username)
    before = _state(contest.id)
    wrong = []
    for method, url, endpoint in urls:
        if username == "k1" and endpoint in ("boards.organiser_live", "hall.announce", "hall.announcement_clear"):
            continue  # k1 is the chief judge of iot: the live view of judging and announcements are theirs too
        response = stranger.open(url, method=method, data=FORMS)
        if response.status_code != 404:
            wrong.append(f"{method} {url}: {response.status_code}")
        elif contest.name in response.get_data(as_text=True):
            wrong.append(f"{method} {url}: shows the draft contest's name")
    assert not wrong, "\n".join(wrong)
    assert _state(contest.id) == before


def test_anonymous_visitors_are_sent_to_log_in_and_change_nothing(app, routes):
    contest, urls = routes
    anonymous = isolated_client(app)
    before = _state(contest.id)
    wrong = [f"{method} {url}: {response.status_code}" for method, url, _endpoint in urls
             if not ((response := anonymous.open(url, method=method, data=FORMS)).status_code == 302
                     and "/login" in response.headers["Location"])]
    assert not wrong, "\n".join(wrong)
    assert _state(contest.id) == before


@pytest.mark.parametrize("username", ["org1", "admin"])
def test_the_contests_own_organiser_and_an_admin_reach_every_page(app, routes, username):
    """The checks above are not vacuous: for those who manage the contest the pages exist."""
    _contest, urls = routes
    client = isolated_client(app)
    login(client, username)
    gets = [url for method, url, endpoint in urls
            if method == "GET" and endpoint not in ("entries.import_preview", "judges.import_preview")]
    wrong = [f"{url}: {code}" for url in gets if (code := client.get(url).status_code) != 200]
    assert not wrong, "\n".join(wrong)
    assert SLUG in client.get("/o/").get_data(as_text=True)
    outsider = isolated_client(app)
    login(outsider, "org2")
    assert SLUG not in outsider.get("/o/").get_data(as_text=True)
