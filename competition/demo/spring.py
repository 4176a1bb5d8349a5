"""The demo's second contest, open for registration: the organiser's registration work as it
looks a few weeks before the deadline. Two events with their marking schemes, capacities and
deadlines; about forty people who registered on the form or were imported from a union's list,
some approved (part of them numbered), some waiting, two rejected, one withdrawn; judges on the
books but not yet seated.

The scheme and the judges come in as a contest file like the first contest; the registrations
are written as the registration service writes them (with their past registration times), and
the organiser's review, bibs and withdrawal go through the organiser's services."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from ..audit.models import record
from ..contests.models import Contest, Event
from ..database import utcnow, write_transaction
from ..extensions import db
from ..entries import identity as ident
from ..entries.models import Contestant, Entry
from ..entries.identity import Registrant
from ..entries.services import delegation_named, new_contestant
from . import data

SLUG = "chaoyang-2027-spring"
NAME = "朝阳区2027年春季职工数字技能竞赛"
BIB_PATTERN = "CY27-{event}{n:03}"
# Registration stays open this long after the demo is loaded (the events' deadlines, in days).
DEADLINE_DAYS = {"dl": 30, "robot": 25}
CAPACITY = {"dl": 40, "robot": 24}
FORM_PEOPLE = {"dl": 18, "robot": 12}
BOTH_EVENTS = 2  # form registrants of `dl` who also entered `robot`


def _criterion(code, name, max, kind, method, judges, **extra):
    out = {"code": code, "name": name, "max": max, "kind": kind, "method": method, "judges": judges}
    out.update(extra)
    return out


def _judgement(code, name, max):
    return _criterion(code, name, max, "judgement", "judgement", 3, spread="1", descriptors=list(data.DESCRIPTORS))


EVENTS = [
    {"code": "dl", "name": "数据标注员", "team": False, "places": 2, "capacity": CAPACITY["dl"],
     "tie_break": ["section:P", "section:T"],
     "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}, {"name": "三等奖", "count": 3}],
     "sections": [
         {"code": "T", "name": "理论", "weight": "30", "criteria": [
             _criterion("T1", "理论知识考试", "100", "measurement", "single", 1, step="1")]},
         {"code": "P", "name": "实操", "weight": "70", "criteria": [
             _criterion("P1", "图像与视频数据标注", "30", "measurement", "mean", 2, step="0.5"),
             _criterion("P2", "文本与语音数据标注", "25", "measurement", "mean", 2, step="0.5"),
             _criterion("P3", "标注质量检验与数据清洗", "25", "measurement", "trimmed", 5, trim=1, step="0.5"),
             _judgement("P4", "数据安全与职业规范", "10"),
         ]}]},
    {"code": "robot", "name": "工业机器人系统运维员", "team": False, "places": 2, "capacity": CAPACITY["robot"],
     "tie_break": ["section:P", "section:T"],
     "awards": [{"name": "一等奖", "share": "10"}, {"name": "二等奖", "share": "20"},
                {"name": "三等奖", "share": "30"}],
     "sections": [
         {"code": "T", "name": "理论", "weight": "20", "criteria": [
             _criterion("T1", "理论知识考试", "100", "measurement", "single", 1, step="1")]},
         {"code": "P", "name": "实操", "weight": "80", "criteria": [
             _criterion("P1", "机器人系统安装与调试", "25", "measurement", "trimmed", 5, trim=1, step="0.5"),
             _criterion("P2", "编程与示教运行", "30", "measurement", "mean", 2, step="0.5"),
             _criterion("P3", "故障诊断与维修", "25", "measurement", "tolerance", 5, trim=1, tolerance="3",
                        step="0.5"),
             _judgement("P4", "安全文明生产", "10"),
         ]}]},
]


def contest_dates(now: datetime) -> tuple[date, date]:
    """A spring weekend, and at least three weeks after the last deadline."""
    starts = max(date(2027, 3, 20), (now + timedelta(days=max(DEADLINE_DAYS.values()) + 21)).date())
    return starts, starts + timedelta(days=1)


def deadline(now: datetime, event_code: str) -> datetime:
    """23:59 Beijing time (15:59 UTC), DEADLINE_DAYS after `now`."""
    day = (now + timedelta(days=DEADLINE_DAYS[event_code])).date()
    return datetime.combine(day, time(15, 59))


def spring_contest_file(now: datetime) -> dict:
    """The scheme and the judges as a contest file: no entries, no marks."""
    starts, ends = contest_dates(now)
    names = {u: n for u, n, *_ in data.JUDGES}
    return {
        "contest": {"slug": SLUG, "name": NAME, "organisation": data.ORGANISATION,
                    "venue": "朝阳区职工技能实训基地（北京市朝阳区望京东路8号）",
                    "starts_on": starts.isoformat(), "ends_on": ends.isoformat(),
                    "status": "registration", "blind": False},
        "events": [dict(e) for e in EVENTS],
        "judges": [{"username": u, "name": names[u], "delegation": d} for u, d in data.SPRING_JUDGES],
    }


# --- the people ------------------------------------------------------------------------------

@dataclass
class Registration:
    """One person and what happens to each of their entries: `plan` maps an event code to
    "imported" (approved as the list came in), "approved" (before the bibs), "approved_late"
    (after them), "pending", "withdrawn" (approved, numbered, then withdrawn) or
    "rejected:<reason index>"."""

    person: Registrant
    events: list[str]
    source: str  # "form" or "import"
    hours_ago: int  # when they registered (or their union's list was imported)
    reference: str | None = None
    plan: dict[str, str] = field(default_factory=dict)
    import_file: str = ""


def resident_id(rng: random.Random, gender: str, today: date, used: set[str]) -> str:
    """A valid 18-digit resident ID number of a Beijing district (GB 11643), 19 to 55 years old."""
    while True:
        region = rng.choice(data.BEIJING_DISTRICTS)
        born = today - timedelta(days=rng.randint(19 * 366, 55 * 365))
        sequence = rng.randrange(100) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "male" else (0, 2, 4, 6, 8))
        first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
        number = first17 + ident.check_character(first17)
        if number not in used:
            used.add(number)
            return number


def _pick_level(rng: random.Random) -> str:
    levels, weights = zip(*data.SPRING_LEVELS)
    return rng.choices(levels, weights)[0]


class _People:
    def __init__(self, today: date):
        self.rng = random.Random(2027)
        self.today = today
        self.ids, self.mobiles, self.names, self.references = set(), set(), set(), set()
        self.special = list(data.SPRING_SPECIAL_NAMES)

    def name(self, gender: str) -> str:
        given = data.GIVEN_MALE if gender == "male" else data.GIVEN_FEMALE
        while True:
            name = self.rng.choice(data.SURNAMES) + "".join(self.rng.sample(given, self.rng.choice((1, 2, 2))))
            if name not in self.names and name not in data.SPECIAL_NAMES:
                self.names.add(name)
                return name

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(data.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.mobiles:
                self.mobiles.add(number)
                return number

    def email(self, id_number: str) -> str:
        kind = self.rng.random()
        if kind < 0.25:
            return f"{self.rng.randrange(10**8, 3 * 10**9)}@qq.com"
        if kind < 0.45:
            return f"{self.rng.choice(data.MAIL_HANDLES)}{id_number[8:10]}{self.rng.randrange(10, 99)}@" \
                   f"{self.rng.choice(data.MAIL_DOMAINS)}"
        return ""

    def reference(self) -> str:
        while True:
            reference = ident.REFERENCE_PREFIX + "".join(
                self.rng.choice(ident.REFERENCE_ALPHABET) for _ in range(ident.REFERENCE_LENGTH))
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def person(self, event: str, delegation: str, *, special: bool = False, trade: str | None = None) -> Registrant:
        rng = self.rng
        if special and self.special:
            name, gender = self.special.pop(0)
            self.names.add(name)
        else:
            gender = "male" if rng.random() < (0.7 if event == "robot" else 0.45) else "female"
            name = self.name(gender)
        id_number = resident_id(rng, gender, self.today, self.ids)
        return Registrant(name=name, gender=gender, id_type=ident.RESIDENT_ID, id_number=id_number,
                          mobile=self.mobile(), email=self.email(id_number), delegation=delegation,
                          trade=trade or rng.choice(data.SPRING_TRADES[event]), skill_level=_pick_level(rng))


def _form_plan(index: int) -> str:
    """What the organiser did with the index-th form registrant (in registration order)."""
    if index == 3:
        return "rejected:0"
    if index == 9:
        return "rejected:1"
    if index == 6:
        return "withdrawn"
    if index < 14:
        return "approved"
    if index < 19:
        return "approved_late"
    return "pending"


def spring_registrations(today: date) -> list[Registration]:
    """Everyone registered for the spring contest, the same on every call for the same day
    (birth dates keep them 19 to 55 years old on that day)."""
    people = _People(today)
    rng = people.rng
    out: list[Registration] = []
    for event, delegation, count, filename in data.SPRING_IMPORTS:
        hours = rng.randrange(200, 260)
        trade = data.SPRING_TRADES[event][0]
        for _ in range(count):
            out.append(Registration(people.person(event, delegation, trade=trade), [event], "import", hours,
                                    plan={event: "imported"}, import_file=filename))
    form = []
    for event, count in FORM_PEOPLE.items():
        for i in range(count):
            person = people.person(event, rng.choice(data.SPRING_DELEGATIONS[event]), special=i % 5 == 2)
            events = [event] + (["robot"] if event == "dl" and i < BOTH_EVENTS else [])
            form.append(Registration(person, events, "form", rng.randrange(2, 24 * 16), people.reference()))
    form.sort(key=lambda r: -r.hours_ago)  # earliest first
    # One decision per person: a reason to refuse someone holds for each event they entered.
    for index, registration in enumerate(form):
        registration.plan = {event: _form_plan(index) for event in registration.events}
    return out + form


# --- loading ---------------------------------------------------------------------------------

def _unused(reference: str) -> str:
    """The demo's reference, unless the database already holds it (then a fresh one)."""
    while db.session.scalar(select(Contestant.id).where(Contestant.reference == reference)) is not None:
        reference = ident.new_reference()
    return reference


def _write_registrations(contest: Contest, organiser, registrations: list[Registration], now: datetime) -> None:
    """Settings the contest file does not carry, and the registrations as the public form and
    the organiser's import write them, with their past times. One transaction."""
    with write_transaction():
        contest = db.session.get(Contest, contest.id)
        contest.bib_pattern = BIB_PATTERN
        contest.privacy_notice = data.PRIVACY_NOTICE
        events = {e.code: e for e in contest.events}
        for code, event in events.items():
            event.registration_deadline = deadline(now, code)
        imported: dict[str, tuple[datetime, int]] = {}
        for r in registrations:
            # A union's list came in at one moment; people filled the form in at odd minutes.
            minutes = 0 if r.source == "import" else int(r.person.id_number[12:16]) % 60
            at = now.replace(second=0, microsecond=0) - timedelta(hours=r.hours_ago, minutes=minutes)
            delegation = delegation_named(contest, r.person.delegation)
            form = r.source == "form"
            contestant = new_contestant(contest, r.person, source=r.source, delegation=delegation,
                                        reference=_unused(r.reference) if form else None,
                                        consented_at=at if form else None)
            contestant.created_at = at
            db.session.flush()
            for code in r.events:
                db.session.add(Entry(contest_id=contest.id, event_id=events[code].id, contestant_id=contestant.id,
                                     delegation_id=contestant.delegation_id, name=contestant.name,
                                     status="pending" if form else "approved", bib=None, created_at=at,
                                     reviewed_at=None if form else at,
                                     reviewed_by_id=None if form else organiser.id))
            if form:
                record("registration.submit", contest=contest, target=f"contestant:{contestant.reference}",
                       events=list(r.events)).at = at
            else:
                imported[r.import_file] = (at, imported.get(r.import_file, (at, 0))[1] + 1)
        for filename, (at, rows) in imported.items():
            record("entries.import", user=organiser, contest=contest, filename=filename, rows=rows).at = at


def _entries(contest: Contest, registrations: list[Registration], wanted) -> list[int]:
    """Ids of the contest's entries whose plan satisfies `wanted`, found by ID number and event."""
    plans = {(r.person.id_number, code): plan for r in registrations for code, plan in r.plan.items()}
    rows = db.session.execute(
        select(Entry.id, Contestant.id_number, Event.code).join(Contestant, Contestant.id == Entry.contestant_id)
        .join(Event, Event.id == Entry.event_id).where(Entry.contest_id == contest.id).order_by(Entry.id))
    return [entry_id for entry_id, id_number, code in rows if wanted(plans.get((id_number, code), ""))]


def load_spring(organiser, passwords: dict[str, str], now: datetime | None = None) -> Contest | None:
    """Create the spring contest with its registrations and the organiser's review so far.
    None when the contest is there already (nothing is changed)."""
    from ..contest_files.services import ContestFileInvalid, import_contest
    from ..contests.models import contest_by_slug
    from ..entries.services import review
    from ..numbering.services import assign_bibs

    now = now or utcnow()
    if contest_by_slug(SLUG) is not None:
        return None
    try:
        contest = import_contest(spring_contest_file(now), passwords=passwords)
    except ContestFileInvalid:
        if contest_by_slug(SLUG) is not None:  # another demo-load got there first
            return None
        raise
    registrations = spring_registrations(now.date())
    _write_registrations(contest, organiser, registrations, now)
    # The organiser's review so far: a first batch approved and numbered, two refused, one
    # contestant withdrawn after getting a bib, a few approved since; the latest still waiting.
    review(contest, "approve", _entries(contest, registrations, lambda p: p in ("approved", "withdrawn")),
           user=organiser)
    for index, reason in enumerate(data.SPRING_REJECT_REASONS):
        review(contest, "reject", _entries(contest, registrations, lambda p: p == f"rejected:{index}"),
               user=organiser, reason=reason)
    for event in sorted(contest.events, key=lambda e: e.position):
        assign_bibs(organiser, event, order="registration")
    review(contest, "withdraw", _entries(contest, registrations, lambda p: p == "withdrawn"), user=organiser,
           reason=data.SPRING_WITHDRAW_REASON)
    review(contest, "approve", _entries(contest, registrations, lambda p: p == "approved_late"), user=organiser)
    return contest
