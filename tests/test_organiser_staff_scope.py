"""Another organisation's organiser gets 404 on every page and action of bibs & draw codes,
judges, panels, login links and contestants, and nothing changes; anonymous users are sent to
log in."""
import pytest
from sqlalchemy import func, select

from competition.accounts.models import LoginLink
from competition.audit.models import AuditEntry
from competition.contests.models import Contestant, Judge, PanelSeat
from competition.contests.queries import contest_by_slug
from competition.extensions import db

from .helpers import isolated_client, login
from .staff_setup import SLUG, staff_contest


def _ids():
    contest = contest_by_slug(SLUG)
    judge = db.session.scalar(select(Judge).where(Judge.contest_id == contest.id).order_by(Judge.id))
    person = db.session.scalar(select(Contestant).where(Contestant.contest_id == contest.id).order_by(Contestant.id))
    return judge.id, person.id


PAGES = [
    ("get", "/o/c/{slug}/numbers", {}),
    ("post", "/o/c/{slug}/numbers/pattern", {"pattern": "{n:03}"}),
    ("post", "/o/c/{slug}/numbers/ai/bibs", {"bibs-ai-order": "registration"}),
    ("post", "/o/c/{slug}/numbers/ai/codes", {"codes-ai-length": "3"}),
    ("get", "/o/c/{slug}/judges", {}),
    ("post", "/o/c/{slug}/judges", {"username": "intruder", "name": "x", "delegation": "0"}),
    ("post", "/o/c/{slug}/judges/{judge}/remove", {}),
    ("post", "/o/c/{slug}/judges/{judge}/link", {"hours": "12"}),
    ("post", "/o/c/{slug}/judges/links/{link}/revoke", {}),
    ("get", "/o/c/{slug}/judges/panels/ai", {}),
    ("post", "/o/c/{slug}/judges/panels/ai", {"seat": []}),
    ("post", "/o/c/{slug}/judges/panels/ai/assign", {}),
    ("get", "/o/c/{slug}/contestants/{person}", {}),
    ("post", "/o/c/{slug}/contestants/{person}/reveal", {"field": "id_number"}),
]


@pytest.fixture
def setup(app):
    staff_contest(app)
    judge_id, person_id = _ids()
    organiser = isolated_client(app)
    login(organiser, "org1")
    assert organiser.post(f"/o/c/{SLUG}/judges/{judge_id}/link", data={"hours": "2"}).status_code == 200
    link_id = db.session.scalar(select(LoginLink.id))
    return {"slug": SLUG, "judge": judge_id, "person": person_id, "link": link_id}


def _state():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(AuditEntry.id))), db.session.scalar(select(func.count(Judge.id))),
            db.session.scalar(select(func.count(PanelSeat.id))), contest_by_slug(SLUG).bib_pattern,
            db.session.scalar(select(LoginLink.revoked_at)))


@pytest.mark.parametrize("method, path, data", PAGES, ids=[f"{m} {p}" for m, p, _d in PAGES])
def test_another_organisations_organiser_gets_404(app, setup, method, path, data):
    outsider = isolated_client(app)
    login(outsider, "org2")
    before = _state()
    response = getattr(outsider, method)(path.format(**setup), data=data)
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("method, path, data", PAGES, ids=[f"{m} {p}" for m, p, _d in PAGES])
def test_anonymous_users_are_sent_to_log_in(app, setup, method, path, data):
    response = getattr(isolated_client(app), method)(path.format(**setup), data=data)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_judge_of_the_contest_is_no_organiser(app, setup):
    from competition.accounts.services import find_user
    from .helpers import PASSWORD
    find_user("k1").set_password(PASSWORD)
    db.session.commit()
    judge = isolated_client(app)
    login(judge, "k1")
    for method, path, data in PAGES:
        assert getattr(judge, method)(path.format(**setup), data=data).status_code == 404, path
