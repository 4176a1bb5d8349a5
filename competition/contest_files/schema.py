"""The contest file of DESIGN.md §4, checked without a database: every problem with where it
is (`events[1].sections[0].criteria[2].max`) as a code with its parameters, in document order,
and the clean contest that the import writes when there is none.

The events' marking schemes are checked by competition.contests.schemes (which ends in the
pure rules of competition.scoring), as the organiser's forms are; this module checks the rest
of the file (the contest, judges, entries and marks) with the same Checker."""
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import scoring
from ..contests.models import CONTEST_STATUSES
from ..contests.schemes import Checker, CriterionSpec, EventSpec, Path, check_event
from ..entries.models import APPROVED, ENTRY_STATUSES
from ..scoring import Problem, format_path
from ..text import REASON_MAX

_SLUG = re.compile(r"[a-z0-9-]{2,64}")
_USERNAME = re.compile(r"\S+")


@dataclass
class JudgeSpec:
    username: str
    name: str
    delegation: str | None
    events: list[str]
    chief: bool
    supervisor: bool = False  # 监督仲裁组: rules on objections and appeals, sits on no panel


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
    standings_best_n: int = 3
    events: list[EventSpec] = field(default_factory=list)
    judges: list[JudgeSpec] = field(default_factory=list)
    entries: list[EntrySpec] = field(default_factory=list)
    marks: list[MarkSpec] = field(default_factory=list)


def validate(data) -> list[str]:
    """Every problem in the contest file `data`, as "path: message" in the reader's language,
    in document order."""
    return describe(data, check(data)[1])


def describe(data, problems: list[Problem]) -> list[str]:
    """The problems as "path: message" lines, in the order their places appear in `data`."""
    from ..messages import message
    return [f"{format_path(p.path)}: {message(p.code, **p.params)}" for p in ordered(data, problems)]


def ordered(data, problems: list[Problem]) -> list[Problem]:
    """The problems in the order their places appear in `data` (the file's own order)."""
    return sorted(problems, key=lambda problem: _document_order(data, problem.path))


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
    c = Checker()
    root = c.obj(data, (), required=("contest", "events"), optional=("judges", "entries", "marks"))
    if root is None:
        return None, c.problems
    spec = ContestSpec()
    if "contest" in root:
        _contest(c, root["contest"], ("contest",), spec)
    events = c.items(root, "events", ())
    spec.events = [e for i, value in enumerate(events) if (e := check_event(c, value, ("events", i)))]
    _repeats(c, [(("events", i, "code"), e.get("code")) for i, e in enumerate(events) if isinstance(e, dict)],
             "duplicate_event_code")
    # Later sections refer to events, entries and judges by these; an invalid one is not known.
    known_events: dict[str, EventSpec] = {}
    for event in spec.events:
        if event.code:
            known_events.setdefault(event.code, event)
    judges = c.items(root, "judges", ())
    spec.judges = [j for i, value in enumerate(judges) if (j := _judge(c, value, ("judges", i), known_events))]
    # Accounts are found by username regardless of case, so "J1" and "j1" are one person.
    _repeats(c, [(("judges", i, "username"), j.get("username")) for i, j in enumerate(judges)
                 if isinstance(j, dict)], "duplicate_username", fold=True)
    entries = c.items(root, "entries", ())
    spec.entries = [e for i, value in enumerate(entries)
                    if (e := _entry(c, value, ("entries", i), known_events))]
    _repeats(c, [(("entries", i, "bib"), e.get("bib")) for i, e in enumerate(entries) if isinstance(e, dict)],
             "duplicate_bib")
    _repeats(c, [(("entries", i, "draw_code"), e.get("draw_code")) for i, e in enumerate(entries)
                 if isinstance(e, dict)], "duplicate_draw_code")
    marks = c.items(root, "marks", ())
    spec.marks = _marks(c, marks, spec, known_events)
    return spec, c.problems


def _repeats(c: Checker, values: list[tuple[Path, object]], code: str, fold: bool = False) -> None:
    """Report each repeat of a value, pointing at its first place; the value as written there."""
    written, keyed = {}, []
    for path, value in values:
        if isinstance(value, str) and value.strip():
            key = value.strip().lower() if fold else value.strip()
            written[path] = value.strip()
            keyed.append((path, key))
    for problem in scoring.repeats(keyed, code):
        c.problems.append(problem._replace(params=dict(problem.params, value=written[problem.path])))


# --- the parts of the file -------------------------------------------------------------

def _contest(c: Checker, value, path: Path, spec: ContestSpec) -> None:
    o = c.obj(value, path, required=("slug", "name", "organisation"),
              optional=("blind", "status", "venue", "starts_on", "ends_on", "hide_names", "board_policy",
                        "standings_best_n"))
    if o is None:
        return
    spec.slug = c.text(o, "slug", path, max_len=64, pattern=_SLUG, shape="slug_shape")
    spec.name = c.text(o, "name", path)
    spec.organisation = c.text(o, "organisation", path)
    spec.blind = c.boolean(o, "blind", path, default=False)
    spec.status = c.choice(o, "status", path, CONTEST_STATUSES, default="judging")
    spec.venue = c.text(o, "venue", path, required=False, default="")
    spec.starts_on = c.date(o, "starts_on", path)
    spec.ends_on = c.date(o, "ends_on", path)
    if spec.starts_on and spec.ends_on and spec.ends_on < spec.starts_on:
        c.add(path + ("ends_on",), "ends_before_starts")
    spec.hide_names = c.boolean(o, "hide_names", path, default=False)
    # Files written while contests had a board policy say "submitted", which is what every board
    # does; "locked" was never carried out, and is refused rather than silently ignored.
    c.choice(o, "board_policy", path, ("submitted",), default="submitted")
    spec.standings_best_n = c.integer(o, "standings_best_n", path, default=3, minimum=1, maximum=1000)


def _judge(c: Checker, value, path: Path, events: dict[str, EventSpec]) -> JudgeSpec | None:
    o = c.obj(value, path, required=("username", "name"), optional=("delegation", "events", "chief", "supervisor"))
    if o is None:
        return None
    codes = []
    for i, code in enumerate(c.items(o, "events", path)):
        code = c.value_text(code, path + ("events", i))
        if code is None:
            continue
        if code not in events:
            c.add(path + ("events", i), "no_such_event", code=code)
        elif code in codes:
            c.add(path + ("events", i), "duplicate_of", first=path + ("events", codes.index(code)))
        codes.append(code)
    return JudgeSpec(
        username=c.text(o, "username", path, max_len=80, pattern=_USERNAME, shape="username_shape"),
        name=c.text(o, "name", path, max_len=120),
        delegation=c.text(o, "delegation", path, required=False),
        events=codes,
        chief=c.boolean(o, "chief", path, default=False),
        supervisor=_supervisor(c, o, path, codes),
    )


def _supervisor(c: Checker, o: dict, path: Path, events: list[str]) -> bool:
    supervisor = c.boolean(o, "supervisor", path, default=False)
    if supervisor and events:
        c.add(path + ("events",), "supervisor_never_marks")
    return supervisor


def _entry(c: Checker, value, path: Path, events: dict[str, EventSpec]) -> EntrySpec | None:
    o = c.obj(value, path, required=("event", "bib", "name", "delegation"),
              optional=("draw_code", "completion_time", "members", "penalties", "status"))
    if o is None:
        return None
    code = c.text(o, "event", path)
    event = events.get(code)
    if code is not None and event is None:
        c.add(path + ("event",), "no_such_event", code=code)
    # An individual's name is also the contestant's, which has room for 120 characters.
    name = c.text(o, "name", path, max_len=200 if event and event.team else 120)
    members = []
    if o.get("members") is not None:
        raw = c.items(o, "members", path)
        if event is not None and not event.team:
            c.add(path + ("members",), "only_for_teams")
        elif event is not None and event.team_size is not None and len(raw) > event.team_size:
            c.add(path + ("members",), "team_too_large", max=event.team_size)
        for i, member in enumerate(raw):
            member = c.value_text(member, path + ("members", i), max_len=120)
            if member is not None and member in members:
                c.add(path + ("members", i), "duplicate_of", first=path + ("members", members.index(member)))
            members.append(member)
    penalties = []
    for i, penalty in enumerate(c.items(o, "penalties", path)):
        where = path + ("penalties", i)
        p = c.obj(penalty, where, required=("points", "reason"))
        if p is not None:
            penalties.append((c.decimal(p, "points", where, positive=True),
                              c.text(p, "reason", where, max_len=REASON_MAX)))
    return EntrySpec(
        event=code,
        bib=c.text(o, "bib", path, max_len=32),
        name=name,
        delegation=c.text(o, "delegation", path),
        draw_code=c.text(o, "draw_code", path, required=False, max_len=32),
        completion_time=c.decimal(o, "completion_time", path),
        members=members,
        penalties=penalties,
        status=c.choice(o, "status", path, ENTRY_STATUSES, default=APPROVED),
    )


def _marks(c: Checker, marks: list, spec: ContestSpec, events: dict[str, EventSpec]) -> list[MarkSpec]:
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
        before = c.count()
        o = c.obj(value, path, required=("event", "entry", "criterion", "judge", "value"))
        if o is None:
            continue
        code, bib, criterion_code, username = (c.text(o, key, path, max_len=None)
                                               for key in ("event", "entry", "criterion", "judge"))
        event = events.get(code)
        entry = criterion = judge = None
        if code is not None and event is None:
            c.add(path + ("event",), "no_such_event", code=code)
        if event is not None and bib is not None:
            entry = entries.get(bib)
            if entry is None or entry.event != code:
                if entry is not None and entry.event:
                    c.add(path + ("entry",), "entry_in_other_event", bib=bib, event=code, other=entry.event)
                else:
                    c.add(path + ("entry",), "no_such_entry", bib=bib, event=code)
                entry = None
        if event is not None and criterion_code is not None:
            criterion = next((cr for cr in event.criteria() if cr.code == criterion_code), None)
            if criterion is None:
                c.add(path + ("criterion",), "no_such_criterion", criterion=criterion_code, event=code)
        if username is not None:
            judge = judges.get(username.lower())
            if judge is None:
                c.add(path + ("judge",), "no_such_judge", judge=username)
            elif event is not None and code not in judge.events:
                c.add(path + ("judge",), "judge_not_on_panel", judge=username, event=code)
                judge = None
            elif entry is not None and judge.delegation is not None and judge.delegation == entry.delegation:
                c.add(path + ("judge",), "file_conflict_of_interest", judge=username, bib=bib,
                      delegation=entry.delegation)
                judge = None  # a refused mark takes no judge's place on the criterion
        mark = _mark_value(c, o, path, criterion)
        if entry is not None and criterion is not None and judge is not None:
            key = (judge.username.lower(), code, bib, criterion_code)
            panel = panels.setdefault(key[1:], [])
            if key in seen:
                c.add(path, "duplicate_mark", first=("marks", seen[key]))
            elif criterion.judges is not None and len(panel) >= criterion.judges:
                c.add(path + ("judge",), "criterion_full", criterion=criterion_code, bib=bib,
                      num=criterion.judges, marked=len(panel))
            else:
                seen[key] = i
                panel.append(key[0])
        if c.count() == before:
            out.append(MarkSpec(event=code, entry=bib, criterion=criterion_code, judge=judge.username,
                                value=mark))
    return out


def _mark_value(c: Checker, o: dict, path: Path, criterion: CriterionSpec | None) -> Decimal | None:
    value = o.get("value")
    if value is None:
        if "value" in o:
            c.add(path + ("value",), "not_decimal_text")
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        c.add(path + ("value",), "not_decimal_text")
        return None
    if criterion is None or criterion.rule is None:
        return None  # no rule to measure it by; the criterion's own problem is reported
    try:
        return scoring.parse_mark(criterion.rule, value)
    except scoring.InvalidMark as invalid:
        c.add(path + ("value",), invalid.code, **invalid.params)
        return None
