"""Every organiser page, action and export refuses another organisation's contest (issue 5).

The routes are read from the app's URL map: a page added later under /o/ is covered without
editing this test. The outsider is an organiser of another organisation; every GET and POST
must answer 404 (403 where the contest is public anyway), show nothing of the contest, and
change nothing in it."""
from sqlalchemy import func, select
from werkzeug.routing import AnyConverter

from competition.accounts.models import LoginLink
from competition.audit.models import AuditEntry
from competition.contest_files.services import export_contest
from competition.contests.models import Contestant, Entry, Judge
from competition.contests.queries import contest_by_slug
from competition.extensions import db

from .helpers import isolated_client, login
from .staff_setup import SLUG, staff_contest

# Pages that name no contest: the outsider's own dashboard and new contests of their own.
NO_CONTEST = {"organiser.dashboard", "organiser.contest_new", "organiser.contest_upload"}


def _values(contest) -> dict[str, object]:
    """A real value for every URL argument an organiser route takes, all of the given contest."""
    judge = db.session.scalar(select(Judge).where(Judge.contest_id == contest.id).order_by(Judge.id))
    entry = db.session.scalar(select(Entry).where(Entry.contest_id == contest.id).order_by(Entry.id))
    person = db.session.scalar(select(Contestant).where(Contestant.contest_id == contest.id)
                               .order_by(Contestant.id))
    link, _token = LoginLink.issue(judge.user, expires_at=contest.created_at.replace(year=2099), contest=contest)
    db.session.add(link)
    db.session.commit()
    return {"slug": contest.slug, "contest": contest.slug, "event": "ai", "code": "ai",
            "section_code": "P", "criterion_code": "A1", "entry_id": entry.id, "judge_id": judge.id,
            "contestant_id": person.id, "link_id": link.id, "token": "0" * 32}


def _urls(app, values):
    """(method, url) for every organiser route that names a contest, every choice of an
    any(…) argument included."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.rule.startswith("/o/") or rule.endpoint in NO_CONTEST:
            continue
        choices = [{}]
        for name, converter in rule._converters.items():
            options = sorted(converter.items) if isinstance(converter, AnyConverter) else [values[name]]
            choices = [dict(c, **{name: option}) for c in choices for option in options]
        for args in choices:
            with app.test_request_context():
                from flask import url_for
                url = url_for(rule.endpoint, **args)
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield method, url


def _state(contest_id):
    db.session.expire_all()
    from competition.contests.models import Contest
    contest = db.session.get(Contest, contest_id)
    return (export_contest(contest), contest.status, contest.archived_at, contest.bib_pattern,
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(LoginLink.id)).where(LoginLink.revoked_at.is_not(None))),
            sorted(db.session.execute(select(Entry.id, Entry.status, Entry.bib, Entry.draw_code)).all()))


def test_every_organiser_route_refuses_another_organisations_contest(app):
    staff_contest(app)
    contest = contest_by_slug(SLUG)
    values = _values(contest)
    urls = list(_urls(app, values))
    assert len(urls) > 40  # the URL map really was read
    outsider = isolated_client(app)
    login(outsider, "org2")
    before = _state(contest.id)
    wrong = []
    for method, url in urls:
        response = outsider.open(url, method=method, data={"reason": "x", "confirm": "y", "status": "finished"})
        if response.status_code not in (403, 404):
            wrong.append(f"{method} {url}: {response.status_code}")
        elif contest.name in response.get_data(as_text=True) and contest.status == "draft":
            wrong.append(f"{method} {url}: shows the draft contest's name")
    assert not wrong, "\n".join(wrong)
    assert _state(contest.id) == before


def test_the_contests_own_organiser_reaches_the_same_routes(app):
    """The check above is not vacuous: for the contest's own organiser the pages exist."""
    staff_contest(app)
    contest = contest_by_slug(SLUG)
    values = _values(contest)
    organiser = isolated_client(app)
    login(organiser, "org1")
    gets = [url for method, url in _urls(app, values) if method == "GET" and "/import/" not in url
            and not url.endswith(("/reveal", "/link", "/revoke", "/assign", "/delete"))]
    missing = [url for url in gets if organiser.get(url).status_code == 404]
    assert not missing, missing
