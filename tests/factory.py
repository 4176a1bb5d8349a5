"""What tests build: users, the contract's sample contest (as a contest file), the staff
contest (the sample plus an event nobody is numbered in yet, contestants with personal data and
a second organisation), a contest open for registration, and valid identities to register with.
The root conftest seeds a database once per session with the sample or the staff contest (the
`sample` and `staff` fixtures) and copies it for every test that asks."""
import copy
import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from competition.accounts.models import Organisation
from competition.accounts.services import create_user
from competition.contest_files.services import import_contest
from competition.contests import services as contests
from competition.contests.models import Contest, Criterion, Event, Section, contest_by_slug, event_by_code
from competition.database import utcnow
from competition.entries.identity import check_character
from competition.entries.models import Contestant, Delegation, Entry
from competition.extensions import db
from competition.judges.models import Assignment, Judge
from competition.judges.services import add_judge
from competition.judging import services as judging
from competition.marking.models import Mark
from competition.marking.services import submit_marks
from competition.sealing import blind_index

PASSWORD = "secret-pass-1"


def has_id_number(number: str, id_type: str = "resident_id"):
    """The condition that finds a contestant by document number: numbers are sealed at rest,
    so by their blind index (competition/sealing.py)."""
    return Contestant.id_index == blind_index(id_type, number)


def make_user(username: str, password: str | None = PASSWORD, *, name: str | None = None,
              commit: bool = True, **kwargs):
    """A user with a scrypt-hashed password, committed."""
    user = create_user(username, name or username, password, **kwargs)
    if commit:
        db.session.commit()
    return user


# The contract's sample contest (../shared/contract/sample-contest.json), plus judge "k6" on
# the iot panel whose delegation is entry S04's: the conflict-of-interest case.
SAMPLE_CONTEST = {
    "contest": {"slug": "sample-2026", "name": "示例职工数字技能竞赛", "organisation": "示例区总工会",
                "blind": False},
    "events": [{
        "code": "iot", "name": "工业互联网运维员", "team": False, "places": 2,
        "tie_break": ["section:P", "section:T"],
        "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1},
                   {"name": "三等奖", "count": 1}],
        "sections": [
            {"code": "T", "name": "理论", "weight": "20", "criteria": [
                {"code": "T1", "name": "理论考试", "max": "100", "kind": "measurement",
                 "method": "single", "judges": 1}]},
            {"code": "P", "name": "实操", "weight": "80", "criteria": [
                {"code": "P1", "name": "网络配置", "max": "30", "kind": "judgement",
                 "method": "trimmed", "trim": 1, "judges": 5},
                {"code": "P2", "name": "故障排查", "max": "10", "kind": "judgement",
                 "method": "judgement", "judges": 3, "spread": "1"}]},
        ],
    }],
    "judges": [
        {"username": "k1", "name": "裁判k1", "delegation": "裁判委员会", "events": ["iot"], "chief": True},
        {"username": "k2", "name": "裁判k2", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k3", "name": "裁判k3", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k4", "name": "裁判k4", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k5", "name": "裁判k5", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k9", "name": "其他赛项裁判", "delegation": "裁判委员会", "events": [], "chief": False},
        {"username": "k6", "name": "裁判k6", "delegation": "首钢集团工会", "events": ["iot"], "chief": False},
    ],
    "entries": [
        {"event": "iot", "bib": "S01", "name": "选手1", "delegation": "亦庄开发区工会"},
        {"event": "iot", "bib": "S02", "name": "选手2", "delegation": "京东方工会"},
        {"event": "iot", "bib": "S03", "name": "选手3", "delegation": "北汽集团工会"},
        {"event": "iot", "bib": "S04", "name": "选手4", "delegation": "首钢集团工会"},
    ],
    "marks": [
        {"event": "iot", "entry": "S01", "criterion": "T1", "judge": "k1", "value": "82"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k1", "value": "24"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k2", "value": "25"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k3", "value": "26"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k4", "value": "22"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k5", "value": "27"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k1", "value": "2"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k2", "value": "3"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k3", "value": "2"},
        {"event": "iot", "entry": "S02", "criterion": "T1", "judge": "k1", "value": "90"},
    ],
}


def sample_contest(**changes) -> dict:
    """A fresh deep copy of the sample contest; `changes` replace top-level keys."""
    data = copy.deepcopy(SAMPLE_CONTEST)
    data.update(changes)
    return data


def import_sample(data: dict | None = None) -> Contest:
    """Import the sample contest (or `data`), its judges with PASSWORD, committed."""
    data = data or sample_contest()
    contest = import_contest(data, passwords={j["username"]: PASSWORD for j in data.get("judges", [])})
    db.session.commit()
    return contest


# --- the staff contest: the organiser's bibs, judges and people pages --------------------------

SLUG = "sample-2026"
OTHER_SLUG = "other-2026"
# Personal data that must never reach a public page, a board, the API, /live or a judge.
PEOPLE = [  # name, delegation, ID number, mobile, status
    ("赵一", "京东方工会", "11010519491231002X", "13812345678", "approved"),
    ("钱二", "北汽集团工会", "110105198001010037", "13998765432", "approved"),
    ("孙三", "京东方工会", "310101199002024519", "15011112222", "approved"),
    ("李四", "首钢集团工会", "440301198503036672", "18633334444", "pending"),
]


def staff_contest(app=None) -> Contest:
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


# --- a contest open for registration ------------------------------------------------------------

PRIVACY = "我们仅将您的信息用于本次竞赛的组织。"


def resident_id(n: int, born: date = date(1990, 1, 1), region: str = "110105") -> str:
    """A valid resident ID number, different for every n (men for odd n, women for even)."""
    born = born + timedelta(days=n // 500)
    first17 = f"{region}{born:%Y%m%d}{n % 500 * 2 + n % 2:03d}"[:17]
    return first17 + check_character(first17)


def make_contest(slug: str = "reg-2026", *, organisation: str = "朝阳区总工会", status: str = "registration",
                 capacity: int | None = None, deadline_in: timedelta | None = None) -> Contest:
    org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
    contest = Contest(slug=slug, name="职工数字技能竞赛", organisation=org, status=status,
                      privacy_notice=PRIVACY)
    contest.events = [
        Event(code="ai", name="人工智能训练师", position=1, capacity=capacity,
              registration_deadline=(utcnow() + deadline_in) if deadline_in is not None else None),
        Event(code="iiot", name="工业互联网运维员", position=2),
    ]
    contest.delegations = [Delegation(name="首钢集团工会"), Delegation(name="京东方科技集团工会")]
    db.session.add(contest)
    db.session.commit()
    return contest


def make_organiser(username: str = "org1", organisation: str = "朝阳区总工会"):
    org = db.session.query(Organisation).filter_by(name=organisation).one_or_none()
    if org is None:
        org = Organisation(name=organisation)
        db.session.add(org)
        db.session.flush()
    return make_user(username, organisation=org)


def form_data(n: int = 1, **changes) -> dict:
    data = {"name": "张𠈌䶮", "gender": "male" if n % 2 else "female", "id_type": "resident_id",
            "id_number": resident_id(n), "mobile": "13800138000", "email": "zhang@example.cn",
            "delegation": "首钢集团工会", "trade": "电工", "skill_level": "level3", "events": ["ai"],
            "consent": "y"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def decide_awards(slug: str, *codes: str) -> None:
    """Mark events as signed off (all of the contest's, or those named) without the chief
    judge's locks, as a test of ranks and awards needs: awards are public only from then."""
    from competition.boards import results
    contest = contest_by_slug(slug)
    for event in contest.events:
        if not codes or event.code in codes:
            event.result_status = "signed_off"
            results.recompute_event(event, refresh=True)
    db.session.commit()


# --- the sample contest at its end: every mark given, signed off, announced -----------------------

# What the judges give to the marks the sample contest leaves open (see complete_marks).
VALUES = {"S02": {"P1": "20", "P2": "1"}, "S03": {"T1": "70", "P1": "15", "P2": "1"},
          "S04": {"T1": "60", "P1": "10", "P2": "1"}}
# Then: S01 81.96 (1 一等奖), S02 64.67 (2 二等奖), S03 50.67 (3 三等奖), S04 38.67 (4, none).
S03_ID = "110105199003070011"


def sample_event() -> Event:
    return event_by_code(contest_by_slug(SLUG), "iot")


def complete_marks() -> None:
    """Every assigned mark of the sample contest given, through the marking service."""
    for assignment in db.session.scalars(select(Assignment).order_by(Assignment.id)).all():
        done = db.session.scalar(select(Mark.id).where(
            Mark.entry_id == assignment.entry_id, Mark.criterion_id == assignment.criterion_id,
            Mark.judge_id == assignment.judge_id))
        if done is None:
            entry, code = assignment.entry, assignment.criterion.code
            outcome = submit_marks(assignment.judge.user, entry, {code: VALUES[entry.bib][code]},
                                   client_id=str(uuid.uuid4()))
            assert outcome.is_stored, outcome.refusals


def chief():
    return judge_named("k1").user


def judging_sample() -> Contest:
    """The sample contest, judging."""
    import_sample()
    contest = contest_by_slug(SLUG)
    contest.status = "judging"
    db.session.commit()
    return contest


def signed_off_contest():
    judging_sample()
    complete_marks()
    judging.lock_event(chief(), sample_event())
    return contest_by_slug(SLUG)


def organiser():
    from competition.accounts.services import find_user
    contest = contest_by_slug(SLUG)
    return find_user("org1") or make_user("org1", organisation=contest.organisation)


def announced_contest(days: int = 3):
    signed_off_contest()
    user = organiser()
    contests.change_status(user, contest_by_slug(SLUG), "finished")
    until = utcnow() + timedelta(days=days)
    contests.announce(user, contest_by_slug(SLUG), until)
    return contest_by_slug(SLUG)


def published():
    """The sample contest announced, its objection and appeal windows over, then published
    (official): its certificates are issued."""
    announced_contest()
    contest = contest_by_slug(SLUG)
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")
    return contest_by_slug(SLUG)


def s03_contestant() -> Contestant:
    """Entry S03's contestant, with a registration reference and an ID number."""
    entry = db.session.scalar(select(Entry).where(Entry.bib == "S03"))
    person = Contestant(contest_id=entry.contest_id, name=entry.name, delegation_id=entry.delegation_id,
                        id_type="resident_id", id_number=S03_ID, reference="GJ-S03ABC", source="organiser")
    db.session.add(person)
    db.session.flush()
    entry.contestant_id = person.id
    db.session.commit()
    return person


def supervisor(username: str = "sup1"):
    contest = contest_by_slug(SLUG)
    judge, _new = add_judge(None, contest, username=username, name=f"监督{username}", password=PASSWORD,
                            role="supervisor")
    return judge.user
