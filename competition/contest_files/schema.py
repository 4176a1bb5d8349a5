"""The contest file of DESIGN.md §4, checked without a database: every problem with where it
is (`events[1].sections[0].criteria[2].max: must be > 0`), in document order, and the clean
contest that the import writes when there is none.

The marking scheme is built with the pure rules of competition.scoring, so a file that passes
here is a scheme the scoring accepts: the field checks below give the paths, and the rule
classes have the last word."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import scoring
from ..contests.models import BOARD_POLICIES, CONTEST_STATUSES, CRITERION_KINDS

ENTRY_STATUSES = ("pending", "approved", "rejected", "withdrawn")
COMPLETION_TIME = "-completion_time"
SECTION_KEY = "section:"

Path = tuple[str | int, ...]
Problem = tuple[Path, str]

_SLUG = re.compile(r"[a-z0-9-]{2,64}")
_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_USERNAME = re.compile(r"\S+")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Fixed(3) columns hold three decimals; the bound keeps every sum well inside NUMERIC(14, 3).
_UNIT = Decimal("0.001")
_DECIMAL_LIMIT = Decimal(1_000_000)
_INT_LIMIT = 1_000_000
_FLOAT = 'must be a string such as "7.5"'
_CODE_HINT = 'must be 1 to 32 letters, digits, "-" or "_"'


@dataclass
class CriterionSpec:
    code: str
    name: str
    max: Decimal
    kind: str
    method: str
    judges: int
    trim: int
    spread: Decimal
    tolerance: Decimal | None
    step: Decimal | None
    descriptors: list[str]
    description: str
    rule: scoring.CriterionRule | None = None


@dataclass
class SectionSpec:
    code: str
    name: str
    weight: Decimal | None
    pass_mark: Decimal | None
    criteria: list[CriterionSpec]


@dataclass
class EventSpec:
    code: str
    name: str
    team: bool
    team_size: int | None
    capacity: int | None
    places: int
    tie_break: list[str]
    awards: list[dict]  # as Event.awards stores them: {"name", "count"} or {"name", "share": "12.5"}
    sections: list[SectionSpec]
    rule: scoring.EventRule | None = None

    def criteria(self) -> list[CriterionSpec]:
        return [c for s in self.sections for c in s.criteria]


@dataclass
class JudgeSpec:
    username: str
    name: str
    delegation: str | None
    events: list[str]
    chief: bool


@dataclass
class EntrySpec:
    event: str
    bib: str
    name: str
    delegation: str
    draw_code: str | None
    completion_time: Decimal | None
    members: list[str]
    penalties: list[tuple[Decimal, str]]
    status: str


@dataclass
class MarkSpec:
    event: str
    entry: str
    criterion: str
    judge: str  # the username as the judges list spells it
    value: Decimal


@dataclass
class ContestSpec:
    slug: str | None = None
    name: str | None = None
    organisation: str | None = None
    blind: bool = False
    status: str = "judging"
    venue: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    hide_names: bool = False
    board_policy: str = "submitted"
    standings_best_n: int = 3
    events: list[EventSpec] = field(default_factory=list)
    judges: list[JudgeSpec] = field(default_factory=list)
    entries: list[EntrySpec] = field(default_factory=list)
    marks: list[MarkSpec] = field(default_factory=list)


def validate(data) -> list[str]:
    """Every problem in the contest file `data`, as "path: message", in document order."""
    return describe(data, check(data)[1])


def describe(data, problems: list[Problem]) -> list[str]:
    """The problems as "path: message" lines, in the order their places appear in `data`."""
    ordered = sorted(problems, key=lambda problem: _document_order(data, problem[0]))
    return [f"{format_path(path)}: {message}" for path, message in ordered]


def format_path(path: Path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


def _document_order(data, path: Path) -> tuple:
    # A key's place in its object as the file wrote it; a missing key sorts after the present ones.
    order, node = [], data
    for part in path:
        if isinstance(part, int):
            order.append(part)
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        elif isinstance(node, dict) and part in node:
            order.append(list(node).index(part))
            node = node[part]
        else:
            order.append(len(node) if isinstance(node, dict) else 0)
            node = None
    return tuple(order)


def check(data) -> tuple[ContestSpec | None, list[Problem]]:
    """The clean contest the file describes and its problems (unordered). The contest is only
    complete when there are no problems; with problems, fields may be None."""
    c = _Checker()
    root = c.obj(data, (), required=("contest", "events"), optional=("judges", "entries", "marks"))
    if root is None:
        return None, c.problems
    spec = ContestSpec()
    if "contest" in root:
        _contest(c, root["contest"], ("contest",), spec)
    events = c.items(root, "events", ())
    spec.events = [e for i, value in enumerate(events) if (e := _event(c, value, ("events", i)))]
    _unique(c, [(("events", i, "code"), e.get("code")) for i, e in enumerate(events)
                if isinstance(e, dict)], "event code")
    # Later sections refer to events, entries and judges by these; an invalid one is not known.
    known_events: dict[str, EventSpec] = {}
    for event in spec.events:
        if event.code:
            known_events.setdefault(event.code, event)
    judges = c.items(root, "judges", ())
    spec.judges = [j for i, value in enumerate(judges) if (j := _judge(c, value, ("judges", i), known_events))]
    # Accounts are found by username regardless of case, so "J1" and "j1" are one person.
    _unique(c, [(("judges", i, "username"), j.get("username")) for i, j in enumerate(judges)
                if isinstance(j, dict)], "username", fold=True)
    entries = c.items(root, "entries", ())
    spec.entries = [e for i, value in enumerate(entries)
                    if (e := _entry(c, value, ("entries", i), known_events))]
    _unique(c, [(("entries", i, "bib"), e.get("bib")) for i, e in enumerate(entries) if isinstance(e, dict)],
            "bib")
    _unique(c, [(("entries", i, "draw_code"), e.get("draw_code")) for i, e in enumerate(entries)
                if isinstance(e, dict)], "draw code")
    marks = c.items(root, "marks", ())
    spec.marks = _marks(c, marks, spec, known_events)
    return spec, c.problems


# --- the parts of the file -------------------------------------------------------------

def _contest(c: "_Checker", value, path: Path, spec: ContestSpec) -> None:
    o = c.obj(value, path, required=("slug", "name", "organisation"),
              optional=("blind", "status", "venue", "starts_on", "ends_on", "hide_names", "board_policy",
                        "standings_best_n"))
    if o is None:
        return
    spec.slug = c.text(o, "slug", path, max_len=64, pattern=_SLUG,
                       hint='must be 2 to 64 lowercase letters, digits or "-"')
    spec.name = c.text(o, "name", path)
    spec.organisation = c.text(o, "organisation", path)
    spec.blind = c.boolean(o, "blind", path, default=False)
    spec.status = c.choice(o, "status", path, CONTEST_STATUSES, default="judging")
    spec.venue = c.text(o, "venue", path, required=False, default="")
    spec.starts_on = c.date(o, "starts_on", path)
    spec.ends_on = c.date(o, "ends_on", path)
    if spec.starts_on and spec.ends_on and spec.ends_on < spec.starts_on:
        c.add(path + ("ends_on",), "must not be before starts_on")
    spec.hide_names = c.boolean(o, "hide_names", path, default=False)
    spec.board_policy = c.choice(o, "board_policy", path, BOARD_POLICIES, default="submitted")
    spec.standings_best_n = c.integer(o, "standings_best_n", path, default=3, minimum=1, maximum=1000)


def _event(c: "_Checker", value, path: Path) -> EventSpec | None:
    before = len(c.problems)
    o = c.obj(value, path, required=("code", "name", "sections"),
              optional=("team", "team_size", "capacity", "places", "tie_break", "awards"))
    if o is None:
        return None
    code = c.text(o, "code", path, max_len=32, pattern=_CODE, hint=_CODE_HINT)
    name = c.text(o, "name", path)
    team = c.boolean(o, "team", path, default=False)
    team_size = c.integer(o, "team_size", path, minimum=1)
    if team_size is not None and team is False:
        c.add(path + ("team_size",), "only for team events")
    capacity = c.integer(o, "capacity", path, minimum=0)
    places = c.integer(o, "places", path, default=2, minimum=0, maximum=4)

    raw_sections = c.items(o, "sections", path)
    if "sections" in o and isinstance(o["sections"], list) and not raw_sections:
        c.add(path + ("sections",), "must have at least one section")
    sections = [s for i, v in enumerate(raw_sections) if (s := _section(c, v, path + ("sections", i)))]
    _unique(c, [(path + ("sections", i, "code"), s.get("code")) for i, s in enumerate(raw_sections)
                if isinstance(s, dict)], "section code")
    _unique(c, [(path + ("sections", i, "criteria", j, "code"), cr.get("code"))
                for i, s in enumerate(raw_sections) if isinstance(s, dict) and isinstance(s.get("criteria"), list)
                for j, cr in enumerate(s["criteria"]) if isinstance(cr, dict)], "criterion code")
    weighted = [isinstance(s, dict) and s.get("weight") is not None for s in raw_sections]
    if any(weighted) and not all(weighted):
        for i, has_weight in enumerate(weighted):
            if not has_weight and isinstance(raw_sections[i], dict):
                c.add(path + ("sections", i, "weight"),
                      "required: the other sections of this event have a weight (all or none)")

    section_codes = {s.code for s in sections if s.code}
    tie_break = []
    for i, key in enumerate(c.items(o, "tie_break", path)):
        where = path + ("tie_break", i)
        key = c.value_text(key, where)
        if key is None:
            continue
        if key != COMPLETION_TIME and not (key.startswith(SECTION_KEY) and key != SECTION_KEY):
            c.add(where, f'must be "{SECTION_KEY}<code>" or "{COMPLETION_TIME}"')
        elif key.startswith(SECTION_KEY) and key.removeprefix(SECTION_KEY) not in section_codes:
            c.add(where, f'"{key}" names no section of this event')
        elif key in tie_break:
            c.add(where, f'duplicate of tie_break[{tie_break.index(key)}]')
        tie_break.append(key)

    raw_awards = c.items(o, "awards", path)
    awards = [a for i, v in enumerate(raw_awards) if (a := _award(c, v, path + ("awards", i)))]
    _unique(c, [(path + ("awards", i, "name"), a.get("name")) for i, a in enumerate(raw_awards)
                if isinstance(a, dict)], "award name")

    event = EventSpec(code=code, name=name, team=bool(team), team_size=team_size, capacity=capacity,
                      places=places, tie_break=tie_break, awards=awards, sections=sections)
    if len(c.problems) == before:
        # The last word is the scoring's: a scheme it refused would be a scheme nobody can score.
        try:
            event.rule = scoring.EventRule(
                sections=tuple(scoring.SectionRule(code=s.code, criteria=tuple(cr.rule for cr in s.criteria),
                                                   weight=s.weight, pass_mark=s.pass_mark)
                               for s in sections),
                places=places, tie_break=tuple(tie_break),
                awards=tuple(scoring.AwardRule(name=a["name"], count=a.get("count"),
                                               share=Decimal(a["share"]) if "share" in a else None)
                             for a in awards))
        except scoring.RuleError as error:
            c.add(path, str(error))
    return event


def _section(c: "_Checker", value, path: Path) -> SectionSpec | None:
    o = c.obj(value, path, required=("code", "name", "criteria"), optional=("weight", "pass"))
    if o is None:
        return None
    code = c.text(o, "code", path, max_len=32, pattern=_CODE, hint=_CODE_HINT)
    name = c.text(o, "name", path)
    weight = c.decimal(o, "weight", path, positive=True)
    pass_mark = c.decimal(o, "pass", path, maximum=Decimal(100))
    raw = c.items(o, "criteria", path)
    if "criteria" in o and isinstance(o["criteria"], list) and not raw:
        c.add(path + ("criteria",), "must have at least one criterion")
    criteria = [cr for i, v in enumerate(raw) if (cr := _criterion(c, v, path + ("criteria", i)))]
    return SectionSpec(code=code, name=name, weight=weight, pass_mark=pass_mark, criteria=criteria)


def _criterion(c: "_Checker", value, path: Path) -> CriterionSpec | None:
    before = len(c.problems)
    o = c.obj(value, path, required=("code", "name", "max", "kind", "method", "judges"),
              optional=("trim", "spread", "tolerance", "step", "descriptors", "description"))
    if o is None:
        return None
    spec = CriterionSpec(
        code=c.text(o, "code", path, max_len=32, pattern=_CODE, hint=_CODE_HINT),
        name=c.text(o, "name", path),
        max=c.decimal(o, "max", path, positive=True),
        kind=c.choice(o, "kind", path, CRITERION_KINDS),
        method=c.choice(o, "method", path, scoring.METHODS),
        judges=c.integer(o, "judges", path, minimum=1),
        trim=c.integer(o, "trim", path, default=1, minimum=0),
        spread=c.decimal(o, "spread", path, default=Decimal(1)),
        tolerance=c.decimal(o, "tolerance", path),
        step=c.decimal(o, "step", path, positive=True),
        descriptors=[],
        description=c.text(o, "description", path, required=False, default="", max_len=None),
    )
    method, judges, trim = spec.method, spec.judges, spec.trim
    if method == "single" and judges is not None and judges != 1:
        c.add(path + ("judges",), 'must be 1 for method "single"')
    if method in ("trimmed", "tolerance") and judges is not None and trim is not None and judges < 2 * trim + 1:
        c.add(path + ("judges",), f"must be at least {2 * trim + 1} to drop the {trim} highest "
                                  f"and {trim} lowest marks")
    if method == "tolerance" and o.get("tolerance") is None:
        c.add(path + ("tolerance",), 'required for method "tolerance"')
    if method == "judgement" and o.get("step") is not None:
        c.add(path + ("step",), 'does not apply to method "judgement" (marks are whole numbers 0 to 3)')
    if isinstance(o.get("descriptors"), list):
        where = path + ("descriptors",)
        if method is not None and method != "judgement":
            c.add(where, 'only for method "judgement"')
        elif len(o["descriptors"]) != 4:
            c.add(where, "must list 4 descriptors: what 0, 1, 2 and 3 mean")
        spec.descriptors = [c.value_text(d, where + (i,)) for i, d in enumerate(o["descriptors"])]
    else:
        c.items(o, "descriptors", path)  # reports anything but a list or null
    if len(c.problems) == before:
        try:
            spec.rule = scoring.CriterionRule(code=spec.code, max=spec.max, method=spec.method,
                                              judges=spec.judges, trim=spec.trim, spread=spec.spread,
                                              tolerance=spec.tolerance, step=spec.step)
        except scoring.RuleError as error:
            c.add(path, str(error))
    return spec


def _award(c: "_Checker", value, path: Path) -> dict | None:
    before = len(c.problems)
    o = c.obj(value, path, required=("name",), optional=("count", "share"))
    if o is None:
        return None
    name = c.text(o, "name", path, max_len=64)
    count = c.integer(o, "count", path, minimum=1)
    share = c.decimal(o, "share", path, positive=True, maximum=Decimal(100))
    if (o.get("count") is None) == (o.get("share") is None):
        c.add(path, 'give either "count" or "share" (a percentage of the ranked entries)')
    if len(c.problems) > before:
        return None
    return {"name": name, "count": count} if count is not None else {"name": name, "share": scoring.decimal_text(share)}


def _judge(c: "_Checker", value, path: Path, events: dict[str, EventSpec]) -> JudgeSpec | None:
    o = c.obj(value, path, required=("username", "name"), optional=("delegation", "events", "chief"))
    if o is None:
        return None
    codes = []
    for i, code in enumerate(c.items(o, "events", path)):
        code = c.value_text(code, path + ("events", i))
        if code is None:
            continue
        if code not in events:
            c.add(path + ("events", i), f'no event "{code}" in events')
        elif code in codes:
            c.add(path + ("events", i), f"duplicate of events[{codes.index(code)}]")
        codes.append(code)
    return JudgeSpec(
        username=c.text(o, "username", path, max_len=80, pattern=_USERNAME, hint="must not contain spaces"),
        name=c.text(o, "name", path, max_len=120),
        delegation=c.text(o, "delegation", path, required=False),
        events=codes,
        chief=c.boolean(o, "chief", path, default=False),
    )


def _entry(c: "_Checker", value, path: Path, events: dict[str, EventSpec]) -> EntrySpec | None:
    o = c.obj(value, path, required=("event", "bib", "name", "delegation"),
              optional=("draw_code", "completion_time", "members", "penalties", "status"))
    if o is None:
        return None
    code = c.text(o, "event", path)
    event = events.get(code)
    if code is not None and event is None:
        c.add(path + ("event",), f'no event "{code}" in events')
    # An individual's name is also the contestant's, which has room for 120 characters.
    name = c.text(o, "name", path, max_len=200 if event and event.team else 120)
    members = []
    if o.get("members") is not None:
        raw = c.items(o, "members", path)
        if event is not None and not event.team:
            c.add(path + ("members",), "only for team events")
        elif event is not None and event.team_size is not None and len(raw) > event.team_size:
            c.add(path + ("members",), f"a team of this event has at most {event.team_size} members")
        for i, member in enumerate(raw):
            member = c.value_text(member, path + ("members", i), max_len=120)
            if member is not None and member in members:
                c.add(path + ("members", i), f"duplicate of members[{members.index(member)}]")
            members.append(member)
    penalties = []
    for i, penalty in enumerate(c.items(o, "penalties", path)):
        where = path + ("penalties", i)
        p = c.obj(penalty, where, required=("points", "reason"))
        if p is not None:
            penalties.append((c.decimal(p, "points", where, positive=True),
                              c.text(p, "reason", where, max_len=None)))
    return EntrySpec(
        event=code,
        bib=c.text(o, "bib", path, max_len=32),
        name=name,
        delegation=c.text(o, "delegation", path),
        draw_code=c.text(o, "draw_code", path, required=False, max_len=32),
        completion_time=c.decimal(o, "completion_time", path),
        members=members,
        penalties=penalties,
        status=c.choice(o, "status", path, ENTRY_STATUSES, default="approved"),
    )


def _marks(c: "_Checker", marks: list, spec: ContestSpec, events: dict[str, EventSpec]) -> list[MarkSpec]:
    judges: dict[str, JudgeSpec] = {}
    for judge in spec.judges:
        if judge.username:
            judges.setdefault(judge.username.lower(), judge)
    entries: dict[str, EntrySpec] = {}
    for entry in spec.entries:
        if entry.bib:
            entries.setdefault(entry.bib, entry)
    seen: dict[tuple, int] = {}  # (judge, event, entry, criterion) -> index of its first mark
    panels: dict[tuple, list[str]] = {}  # (event, entry, criterion) -> judges who marked it
    out = []
    for i, value in enumerate(marks):
        path = ("marks", i)
        before = len(c.problems)
        o = c.obj(value, path, required=("event", "entry", "criterion", "judge", "value"))
        if o is None:
            continue
        code, bib, criterion_code, username = (c.text(o, key, path, max_len=None)
                                               for key in ("event", "entry", "criterion", "judge"))
        event = events.get(code)
        entry = criterion = judge = None
        if code is not None and event is None:
            c.add(path + ("event",), f'no event "{code}" in events')
        if event is not None and bib is not None:
            entry = entries.get(bib)
            if entry is None or entry.event != code:
                where = f', it is in event "{entry.event}"' if entry and entry.event else ""
                c.add(path + ("entry",), f'no entry "{bib}" in event "{code}"{where}')
                entry = None
        if event is not None and criterion_code is not None:
            criterion = next((cr for cr in event.criteria() if cr.code == criterion_code), None)
            if criterion is None:
                c.add(path + ("criterion",), f'no criterion "{criterion_code}" in event "{code}"')
        if username is not None:
            judge = judges.get(username.lower())
            if judge is None:
                c.add(path + ("judge",), f'no judge "{username}" in judges')
            elif event is not None and code not in judge.events:
                c.add(path + ("judge",), f'judge "{username}" is not on the panel of event "{code}"')
                judge = None
            elif entry is not None and judge.delegation is not None and judge.delegation == entry.delegation:
                c.add(path + ("judge",), f'conflict of interest: judge "{username}" and entry "{bib}" '
                                         f'are both from "{entry.delegation}"')
                judge = None  # a refused mark takes no judge's place on the criterion
        mark = _mark_value(c, o, path, criterion)
        if entry is not None and criterion is not None and judge is not None:
            key = (judge.username.lower(), code, bib, criterion_code)
            panel = panels.setdefault(key[1:], [])
            if key in seen:
                c.add(path, f"duplicate of marks[{seen[key]}]: one mark per judge, entry and criterion")
            elif criterion.judges is not None and len(panel) >= criterion.judges:
                c.add(path + ("judge",), f'criterion "{criterion_code}" of entry "{bib}" takes '
                                         f'{criterion.judges} judge{"s" * (criterion.judges != 1)}, '
                                         f'and {len(panel)} already marked it')
            else:
                seen[key] = i
                panel.append(key[0])
        if len(c.problems) == before:
            out.append(MarkSpec(event=code, entry=bib, criterion=criterion_code, judge=judge.username,
                                value=mark))
    return out


def _mark_value(c: "_Checker", o: dict, path: Path, criterion: CriterionSpec | None) -> Decimal | None:
    value = o.get("value")
    if value is None:
        if "value" in o:
            c.add(path + ("value",), _FLOAT)
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        c.add(path + ("value",), _FLOAT)
        return None
    if criterion is None or criterion.rule is None:
        return None  # no rule to measure it by; the criterion's own problem is reported
    try:
        return scoring.parse_mark(criterion.rule, value)
    except scoring.InvalidMark as invalid:
        c.add(path + ("value",), str(invalid))
        return None


def _unique(c: "_Checker", values: list[tuple[Path, object]], what: str, fold: bool = False) -> None:
    """Report each repeat of a value, pointing at its first place."""
    first: dict = {}
    for path, value in values:
        if not isinstance(value, str) or not value.strip():
            continue
        key = value.strip().lower() if fold else value.strip()
        if key in first:
            c.add(path, f'duplicate {what} "{value.strip()}" (first at {format_path(first[key])})')
        else:
            first[key] = path[:-1]


# --- typed reads that report instead of raising ----------------------------------------

_MISSING = object()


class _Checker:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        self.problems.append((tuple(path), message))

    def obj(self, value, path: Path, *, required=(), optional=()) -> dict | None:
        if not isinstance(value, dict):
            self.add(path, "must be an object")
            return None
        for key in getattr(value, "duplicate_keys", ()):
            self.add(path + (key,), "duplicate key (JSON keeps only the last)")
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.add(path + (key,), "unknown key")
        for key in required:
            if key not in value:
                self.add(path + (key,), "required")
        return value

    def items(self, o: dict, key: str, path: Path) -> list:
        """A list member; missing or null is the empty list."""
        value = o.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path + (key,), "must be a list")
            return []
        return value

    def value_text(self, value, path: Path, *, max_len: int | None = 200, pattern=None, hint=None,
                   allow_empty=False) -> str | None:
        if not isinstance(value, str):
            self.add(path, "must be a string")
            return None
        value = value.strip()
        if not value and not allow_empty:
            self.add(path, "must not be empty")
            return None
        if max_len is not None and len(value) > max_len:
            self.add(path, f"must be at most {max_len} characters")
            return None
        if value and pattern is not None and not pattern.fullmatch(value):
            self.add(path, hint)
            return None
        return value

    def text(self, o: dict, key: str, path: Path, *, required=True, default=None, max_len: int | None = 200,
             pattern=None, hint=None) -> str | None:
        """A string, stripped. Required: missing is reported by obj(), empty here. Optional:
        missing, null and empty are the default."""
        value = o.get(key)
        if value is None and (not required or key not in o):
            return default
        text = self.value_text(value, path + (key,), max_len=max_len, pattern=pattern, hint=hint,
                               allow_empty=not required)
        return text or default

    def boolean(self, o: dict, key: str, path: Path, *, default: bool) -> bool | None:
        value = o.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path + (key,), "must be true or false")
            return None
        return value

    def choice(self, o: dict, key: str, path: Path, choices, *, default=None) -> str | None:
        value = o.get(key, _MISSING)
        if value is _MISSING or (value is None and default is not None):
            return default
        text = self.value_text(value, path + (key,), max_len=None)
        if text is not None and text not in choices:
            self.add(path + (key,), f"must be one of {', '.join(choices)}")
            return None
        return text

    def integer(self, o: dict, key: str, path: Path, *, default=None, minimum=None,
                maximum=_INT_LIMIT) -> int | None:
        value = o.get(key)
        if value is None:
            return default
        where = path + (key,)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, "must be a whole number")
        elif minimum is not None and value < minimum:
            self.add(where, f"must be at least {minimum}")
        elif value > maximum:
            self.add(where, f"must be at most {maximum}")
        else:
            return value
        return None

    def decimal(self, o: dict, key: str, path: Path, *, default=None, positive=False,
                maximum=None) -> Decimal | None:
        """A decimal given as a string ("7.5") or a whole JSON number; never a float."""
        value = o.get(key)
        if value is None:
            return default
        where = path + (key,)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.add(where, _FLOAT)
            return None
        if isinstance(value, int):
            number = Decimal(value)
        elif _DECIMAL.fullmatch(value.strip()):
            number = Decimal(value.strip())
        else:
            self.add(where, 'must be a decimal number such as "7.5"')
            return None
        if positive and number <= 0:
            self.add(where, "must be > 0")
        elif number < 0:
            self.add(where, "must not be negative")
        elif maximum is not None and number > maximum:
            self.add(where, f"must be at most {maximum}")
        elif number >= _DECIMAL_LIMIT:
            self.add(where, f"must be less than {_DECIMAL_LIMIT}")
        elif number != number.quantize(_UNIT):
            self.add(where, "must have at most 3 decimals")
        else:
            return number + 0  # -0 is 0
        return None

    def date(self, o: dict, key: str, path: Path) -> date | None:
        value = o.get(key)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else None
        if text is not None and _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        self.add(path + (key,), 'must be a date such as "2026-05-01"')
        return None
