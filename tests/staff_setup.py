"""A contest for the organiser's bibs, judges and people pages: the sample contest (event iot,
judged, with marks) plus an event "ai" with nobody numbered yet, contestants with ID and phone
numbers, a judge from one entrant's delegation, and a second organisation's organiser."""
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from competition.accounts.models import Organisation
from competition.contest_files.services import import_contest
from competition.contests.models import Contest, Criterion, Event, Section
from competition.entries.models import Contestant, Delegation, Entry
from competition.judges.models import Judge
from competition.contests.models import contest_by_slug, event_by_code
from competition.extensions import db

from .helpers import make_user, sample_contest

SLUG = "sample-2026"
OTHER_SLUG = "other-2026"
# Personal data that must never reach a public page, a board, the API, /live or a judge.
PEOPLE = [  # name, delegation, ID number, mobile, status
    ("赵一", "京东方工会", "11010519491231002X", "13812345678", "approved"),
    ("钱二", "北汽集团工会", "110105198001010037", "13998765432", "approved"),
    ("孙三", "京东方工会", "310101199002024519", "15011112222", "approved"),
    ("李四", "首钢集团工会", "440301198503036672", "18633334444", "pending"),
]


def staff_contest(app) -> Contest:
    import_contest(sample_contest())
    contest = contest_by_slug(SLUG)
    organisation = contest.organisation
    make_user("org1", name="组织者一", organisation=organisation)
    other_org = Organisation(name="其他工会")
    make_user("org2", name="别家组织者", organisation=other_org)
    other = sample_contest()
    other["contest"] = dict(other["contest"], slug=OTHER_SLUG, organisation="其他工会")
    other["judges"] = [dict(j, username="x" + j["username"]) for j in other["judges"]]
    other["marks"] = [dict(m, judge="x" + m["judge"]) for m in other["marks"]]
    import_contest(other)

    contest = contest_by_slug(SLUG)
    delegations = {d.name: d for d in contest.delegations}
    ai = Event(contest=contest, code="ai", name="人工智能训练师", position=1)
    section = Section(event=ai, code="P", name="实操", position=0)
    db.session.add_all([ai, section])
    db.session.flush()
    db.session.add_all([
        Criterion(section=section, event_id=ai.id, code="A1", name="数据标注", position=0, max=Decimal(10),
                  kind="judgement", method="mean", judges=2),
        Criterion(section=section, event_id=ai.id, code="A2", name="模型训练", position=1, max=Decimal(20),
                  kind="measurement", method="single", judges=1)])
    start = datetime(2026, 5, 1, 9)
    for i, (name, delegation, id_number, mobile, status) in enumerate(PEOPLE):
        person = Contestant(contest_id=contest.id, name=name, delegation=delegations[delegation],
                            id_type="resident", id_number=id_number, mobile=mobile, source="form")
        db.session.add(Entry(contest_id=contest.id, event=ai, delegation=delegations[delegation], contestant=person,
                             name=name, status=status, created_at=start + timedelta(minutes=10 - i)))
    db.session.commit()
    return contest


def ai_event() -> Event:
    return event_by_code(contest_by_slug(SLUG), "ai")


def ai_entries() -> dict[str, Entry]:
    db.session.expire_all()
    return {e.name: e for e in db.session.scalars(select(Entry).where(Entry.event_id == ai_event().id))}


def judge_named(username: str, slug: str = SLUG) -> Judge:
    from competition.accounts.services import find_user
    user = find_user(username)
    return db.session.scalar(select(Judge).where(Judge.user_id == user.id,
                                                 Judge.contest_id == contest_by_slug(slug).id))


def delegation(name: str) -> Delegation:
    return db.session.scalar(select(Delegation).where(Delegation.contest_id == contest_by_slug(SLUG).id,
                                                      Delegation.name == name))


def english(client):
    """Assertions read the English msgids: the zh catalogue is filled after merging."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client
