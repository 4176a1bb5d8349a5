"""The demo contest that `make run` loads: a district union's digital skills contest with three
events, written as a contest file (DESIGN.md §4) and imported like any other, plus the demo logins."""
import copy
import random
from decimal import ROUND_HALF_UP, Decimal

from ..extensions import db
from . import autumn, data

SLUG = "chaoyang-2026"
DEMO_PASSWORD = "gongjiang2026"
ADMIN = ("admin", "系统管理员")
ORGANISER = ("organiser", "赛事组织者")


def _criterion(code, name, max, kind, method, judges, **extra):
    out = {"code": code, "name": name, "max": max, "kind": kind, "method": method, "judges": judges}
    out.update(extra)
    return out


def _judgement(code, name, max):
    return _criterion(code, name, max, "judgement", "judgement", 3, spread="1",
                      descriptors=list(data.DESCRIPTORS))


def _theory(max="100"):
    return {"code": "T", "name": "理论", "criteria": [
        _criterion("T1", "理论知识考试", max, "measurement", "single", 1, step="1")]}


EVENTS = [
    {"code": "ai", "name": "人工智能训练师", "team": False, "places": 2,
     "tie_break": ["-completion_time", "section:P", "section:T"],
     "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2},
                {"name": "三等奖", "count": 3}],
     "sections": [
         dict(_theory(), weight="30"),
         {"code": "P", "name": "实操", "weight": "70", "criteria": [
             _criterion("P1", "数据采集与标注质量", "15", "measurement", "trimmed", 5, trim=1, step="0.5"),
             _criterion("P2", "模型准确率", "20", "measurement", "mean", 2, step="0.5"),
             _criterion("P3", "智能应用部署任务完成", "25", "measurement", "trimmed", 5, trim=1, step="0.5"),
             _judgement("P4", "职业素养与数据安全规范", "10"),
         ]}]},
    {"code": "iiot", "name": "工业互联网运维员", "team": False, "places": 2,
     "tie_break": ["section:P", "section:T"],
     "awards": [{"name": "一等奖", "share": "10"}, {"name": "二等奖", "share": "20"},
                {"name": "三等奖", "share": "30"}],
     "sections": [
         dict(_theory(), weight="20"),
         {"code": "P", "name": "实操", "weight": "80", "criteria": [
             _criterion("P1", "工业网络配置", "20", "measurement", "mean", 2, step="0.5"),
             _criterion("P2", "设备接入与数据采集", "30", "measurement", "tolerance", 5, trim=1,
                        tolerance="3", step="0.5"),
             _criterion("P3", "故障诊断与排除", "30", "measurement", "trimmed", 5, trim=1, step="0.5"),
             _judgement("P4", "安全文明生产", "10"),
         ]}]},
    {"code": "sec", "name": "网络安全管理员", "team": True, "team_size": 3, "places": 2,
     "tie_break": ["section:P", "section:T"],
     "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1},
                {"name": "三等奖", "count": 2}],
     "sections": [
         _theory("30"),
         {"code": "P", "name": "实操", "criteria": [
             _criterion("P1", "漏洞扫描与系统加固", "30", "measurement", "mean", 2, step="0.5"),
             _judgement("P2", "应急响应处置", "15"),
             _criterion("P3", "攻防实战得分", "25", "measurement", "mean", 2, step="0.5"),
         ]}]},
]

# How many entries each event has, and how many of them are fully / partly marked.
PLAN = {"ai": (30, 18, 5), "iiot": (24, 14, 4), "sec": (8, 5, 1)}
BIB_PREFIX = {"ai": ("AI", 3), "iiot": ("IT", 3), "sec": ("SC", 2)}


def _fmt(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _on_step(value: float, step: Decimal, top: Decimal) -> Decimal:
    value = max(Decimal(0), min(top, Decimal(repr(value))))
    return ((value / step).to_integral_value(ROUND_HALF_UP) * step).normalize()


class _Generator:
    """Marks and entries from one seeded random stream, so the demo is the same every time."""

    def __init__(self):
        self.rng = random.Random(2026)
        self.used_names = set(data.SPECIAL_NAMES)

    def person(self) -> str:
        while True:
            name = self.rng.choice(data.SURNAMES) + self.rng.choice(data.GIVEN) + self.rng.choice(data.GIVEN)
            if name not in self.used_names and name[1] != name[2]:
                self.used_names.add(name)
                return name

    def values(self, criterion: dict, skill: float) -> list[Decimal]:
        """One value per judge the criterion needs, for an entrant of the given skill (0..1)."""
        rng, top = self.rng, Decimal(criterion["max"])
        step = Decimal(criterion.get("step", "0.5"))
        n = criterion["judges"]
        if criterion["method"] == "judgement":
            level = skill * 3 - 0.6 + rng.gauss(0, 0.3)
            base = max(0, min(3, round(level)))
            out = [Decimal(max(0, min(3, base + rng.choice((0, 0, 0, 1, -1))))) for _ in range(n)]
            # Keep the panel within the spread; the one deliberate disagreement is crafted later.
            low = min(out)
            return [min(v, low + 1) for v in out]
        centre = float(top) * min(0.99, skill + rng.gauss(0, 0.05))
        if n == 1:
            return [_on_step(centre, step, top)]
        return [_on_step(centre + rng.gauss(0, float(top) * 0.03), step, top) for _ in range(n)]


def _panel(event_code: str) -> list[tuple[str, str]]:
    return [(username, delegation) for username, _n, delegation, events, _c in data.JUDGES
            if event_code in events]


def _judges_for(event_code: str, delegation: str, criterion: dict, turn: int) -> list[str]:
    """The judges who mark one criterion of one entry: panel judges without a conflict of
    interest, taken in turn so the work is shared."""
    free = [u for u, d in _panel(event_code) if d != delegation]
    n = criterion["judges"]
    if n > len(free):
        raise RuntimeError(f"{event_code}/{criterion['code']}: {len(free)} free judges for {delegation}")
    start = turn % len(free)
    picked = (free + free)[start:start + n]
    return sorted(picked, key=free.index)


def _criteria(event: dict) -> list[dict]:
    return [c for s in event["sections"] for c in s["criteria"]]


def demo_contest_file() -> dict:
    """The demo contest as a contest file (DESIGN.md §4); the same dict on every call."""
    gen = _Generator()
    rng = gen.rng
    entries, marks = [], []
    special = list(data.SPECIAL_NAMES)
    # Secret draw codes (加密号), drawn for the whole contest at once.
    draw_codes = [f"K{n:03d}" for n in rng.sample(range(100, 1000), sum(p[0] for p in PLAN.values()))]
    for event in EVENTS:
        code = event["code"]
        count, complete, partial = PLAN[code]
        prefix, width = BIB_PREFIX[code]
        if event["team"]:
            teams = list(data.TEAMS)
            rng.shuffle(teams)
            delegations = [d for d, _ in teams]
        else:
            delegations = [data.DELEGATIONS[i % len(data.DELEGATIONS)] for i in range(count)]
            rng.shuffle(delegations)
        # Which entries have all their marks, which some, which none (judged this afternoon).
        states = ["complete"] * complete + ["partial"] * partial + ["none"] * (count - complete - partial)
        rng.shuffle(states)
        event_entries = []
        for i in range(count):
            bib = f"{prefix}{i + 1:0{width}d}"
            delegation = delegations[i]
            if event["team"]:
                name = dict(data.TEAMS)[delegation]
            elif special and i % 9 == 4:
                name = special.pop(0)
            else:
                name = gen.person()
            entry = {"event": code, "bib": bib, "name": name, "delegation": delegation,
                     "draw_code": draw_codes.pop()}
            if event["team"]:
                entry["members"] = [gen.person() for _ in range(event["team_size"])]
            skill = min(0.97, max(0.45, rng.gauss(0.78, 0.09)))
            values = {c["code"]: gen.values(c, skill) for c in _criteria(event)}
            if code == "ai" and states[i] != "none":
                entry["completion_time"] = str(rng.randrange(3900, 5400, 15))
            event_entries.append((entry, states[i], values))
        _craft(gen, event, event_entries)
        partials = 0
        for turn, (entry, state, values) in enumerate(event_entries):
            entries.append(entry)
            marks.extend(_marks(event, entry, state, values, turn, partials))
            partials += state == "partial"

    return {
        "contest": {
            "slug": SLUG,
            "name": "2026年朝阳区职工数智技能竞赛",
            "organisation": data.ORGANISATION,
            "venue": "朝阳区职工技能实训基地（北京市朝阳区望京东路8号）",
            "starts_on": "2026-11-28",
            "ends_on": "2026-11-29",
            "status": "judging",
            "blind": False,
        },
        "events": copy.deepcopy(EVENTS),
        "judges": [{"username": u, "name": n, "delegation": d, "events": list(e), "chief": c}
                   for u, n, d, e, c in data.JUDGES],
        "entries": entries,
        "marks": marks,
    }


def _craft(gen: _Generator, event: dict, event_entries: list) -> None:
    """Ties and disagreements for the demo to show: in `ai` two strong entries equal on the
    total that completion time separates, and judges two points apart on a judgement
    criterion; in `iiot` two entries that stay tied and share a rank, and a tolerance
    criterion whose counted marks spread too far. Both disagreements are flagged for the
    chief judge."""
    code = event["code"]
    done = [item for item in event_entries if item[1] == "complete"]
    if code == "ai":
        (a, _, va), (b, _, vb) = done[1], done[4]
        va.update({c["code"]: gen.values(c, 0.93) for c in _criteria(event)})
        for c in va:
            vb[c] = list(va[c])
        a["completion_time"], b["completion_time"] = "4215", "4380"
        # A shaky judgement panel on another entry.
        done[2][2]["P4"] = [Decimal(1), Decimal(3), Decimal(2)]
    elif code == "iiot":
        (_a, _, va), (_b, _, vb) = done[2], done[6]
        for c in va:
            vb[c] = list(va[c])
        # Judges far apart on a tolerance criterion: the mean of all five counts, flagged.
        done[4][2]["P2"] = [Decimal(v) for v in ("27", "20.5", "26", "22", "24.5")]


def _marks(event: dict, entry: dict, state: str, values: dict, turn: int, partials: int) -> list[dict]:
    if state == "none":
        return []
    out = []
    criteria = _criteria(event)
    for position, criterion in enumerate(criteria):
        judges = _judges_for(event["code"], entry["delegation"], criterion, turn + position)
        given = list(zip(judges, values[criterion["code"]]))
        if state == "partial":
            # Theory is in for everyone judged so far; the practical is still being marked.
            kind = partials % 3
            if criterion["code"] == "T1":
                pass
            elif kind == 0:
                given = []
            elif kind == 1:
                given = given[:len(given) - 2] if len(given) > 2 else given[:1]
            else:
                given = given if position < len(criteria) - 1 else given[:1]
        out.extend({"event": event["code"], "entry": entry["bib"], "criterion": criterion["code"],
                    "judge": judge, "value": _fmt(value)} for judge, value in given)
    return out


def demo_logins() -> dict:
    chiefs = [u for u, _n, _d, _e, chief in data.JUDGES if chief]
    judges = [u for u, _n, _d, _e, chief in data.JUDGES if not chief]
    return {"password": DEMO_PASSWORD,
            "users": {"admin": [ADMIN[0]], "organiser": [ORGANISER[0]],
                      "chief judge": chiefs + [u for u, _n, chief in autumn.PANEL if chief],
                      "judge": judges + [u for u, _n, chief in autumn.PANEL if not chief],
                      "supervisor": [autumn.SUPERVISOR[0]]},
            # Contestants look up their results and appeals with a reference and an ID's last 4.
            "contestant": f"{autumn.APPELLANT_REFERENCE} / {autumn.APPELLANT_ID[-4:]} (/c/{autumn.SLUG}/register/status)"}


def load_demo() -> tuple[bool, dict]:
    """Import the demo contests and create the admin and organiser; what is already there is
    left as it is, so running it again changes nothing. Returns (created anything, logins)."""
    from ..accounts.models import User
    from ..accounts.services import find_user
    from ..audit.models import record
    from ..contest_files.services import ContestFileInvalid, import_contest
    from ..contests.models import contest_by_slug
    from ..database import write_transaction
    from .autumn import load_autumn
    from .spring import load_spring

    logins = demo_logins()
    passwords = {u: DEMO_PASSWORD for u, *_ in data.JUDGES}
    created = False
    contest = contest_by_slug(SLUG)
    if contest is None:
        try:
            contest = import_contest(demo_contest_file(), passwords=passwords)
            created = True
        except ContestFileInvalid:
            contest = contest_by_slug(SLUG)  # another demo-load got there first
            if contest is None:
                raise
    with write_transaction():
        accounts = []
        for (username, name), extra in ((ADMIN, {"is_admin": True}),
                                        (ORGANISER, {"organisation_id": contest.organisation_id})):
            if find_user(username) is None:
                user = User(username=username, name=name, **extra)
                user.set_password(DEMO_PASSWORD)
                db.session.add(user)
                accounts.append(username)
        if created or accounts:
            record("demo.loaded", contest=contest, target=f"contest:{SLUG}", accounts=accounts)
    # The organiser's second contest, open for registration; the third at its end, in 公示.
    created |= load_spring(find_user(ORGANISER[0]), passwords) is not None
    created |= load_autumn(find_user(ORGANISER[0]), DEMO_PASSWORD) is not None
    return created, logins
