"""Marking schemes as people write them (the contest file's events, the organiser's forms):
read field by field, every problem reported with where it is, as a code with parameters.

The one place a scheme is checked. This module reads what was written (is it a decimal given
as text, a whole number, one of the methods …); what makes a scheme scorable (a single-judge
criterion has one judge, weights are given to all sections or none …) is decided by the pure
rules of competition.scoring, whose problems are reported here under the same paths. The
contest-file checker (competition.contest_files.schema) and the organiser's scheme forms both
call this, so a scheme accepted by one is accepted by the other and by the scoring."""
import re
from dataclasses import dataclass
from decimal import Decimal

from .. import scoring
from ..scoring import Problem, decimal_text
from ..text import TEXT_MAX, strip_bidi
from .models import CRITERION_KINDS, award_rule

Path = tuple[str | int, ...]

CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
_DECIMAL = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Fixed(3) columns hold three decimals; the bound keeps every sum well inside NUMERIC(14, 3).
_UNIT = Decimal("0.001")
_DECIMAL_LIMIT = Decimal(1_000_000)
_INT_LIMIT = 1_000_000
_MISSING = object()


class Checker:
    """Typed reads of parsed JSON (or of a form, written as the file would be) that report a
    Problem instead of raising, and return None for a value they refused."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path: Path, code: str, /, **params) -> None:
        self.problems.append(Problem(tuple(path), code, params))

    def merge(self, prefix: Path, problems) -> None:
        """Problems found relative to `prefix` (by the scoring rules), at their place here."""
        for problem in problems:
            params = dict(problem.params)
            if isinstance(params.get("first"), tuple):
                params["first"] = tuple(prefix) + params["first"]
            self.problems.append(Problem(tuple(prefix) + tuple(problem.path), problem.code, params))

    def count(self) -> int:
        return len(self.problems)

    def obj(self, value, path: Path, *, required=(), optional=()) -> dict | None:
        if not isinstance(value, dict):
            self.add(path, "not_object")
            return None
        for key in getattr(value, "duplicate_keys", ()):
            self.add(path + (key,), "duplicate_key")
        known = set(required) | set(optional)
        for key in value:
            if key not in known:
                self.add(path + (key,), "unknown_key")
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
            self.add(path + (key,), "not_list")
            return []
        return value

    def value_text(self, value, path: Path, *, max_len: int | None = 200, pattern=None, shape=None,
                   allow_empty=False) -> str | None:
        """A string, stripped; `shape` is the code to report when it does not match `pattern`."""
        if not isinstance(value, str):
            self.add(path, "not_string")
            return None
        value = strip_bidi(value).strip()
        if not value and not allow_empty:
            self.add(path, "blank")
            return None
        if max_len is not None and len(value) > max_len:
            self.add(path, "too_long", max=max_len)
            return None
        if value and pattern is not None and not pattern.fullmatch(value):
            self.add(path, shape)
            return None
        return value

    def text(self, o: dict, key: str, path: Path, *, required=True, default=None, max_len: int | None = 200,
             pattern=None, shape=None) -> str | None:
        """A string, stripped. Required: missing is reported by obj(), empty here. Optional:
        missing, null and empty are the default."""
        value = o.get(key)
        if value is None and (not required or key not in o):
            return default
        text = self.value_text(value, path + (key,), max_len=max_len, pattern=pattern, shape=shape,
                               allow_empty=not required)
        return text or default

    def boolean(self, o: dict, key: str, path: Path, *, default: bool) -> bool | None:
        value = o.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.add(path + (key,), "not_bool")
            return None
        return value

    def choice(self, o: dict, key: str, path: Path, choices, *, default=None) -> str | None:
        value = o.get(key, _MISSING)
        if value is _MISSING or (value is None and default is not None):
            return default
        text = self.value_text(value, path + (key,), max_len=None)
        if text is not None and text not in choices:
            self.add(path + (key,), "not_a_choice", choices=", ".join(choices))
            return None
        return text

    def integer(self, o: dict, key: str, path: Path, *, default=None, minimum=None,
                maximum=_INT_LIMIT) -> int | None:
        value = o.get(key)
        if value is None:
            return default
        where = path + (key,)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(where, "not_integer")
        elif minimum is not None and value < minimum:
            self.add(where, "too_small", min=minimum)
        elif maximum is not None and value > maximum:
            self.add(where, "too_big", max=maximum)
        else:
            return value
        return None

    def decimal(self, o: dict, key: str, path: Path, *, default=None, positive=False,
                maximum=None, any_sign=False) -> Decimal | None:
        """A decimal given as a string ("7.5") or a whole JSON number; never a float; with at
        most 3 decimals and below a million, as the database stores it. `any_sign`: its sign is
        for the scoring rules to judge (the scheme's numbers)."""
        value = o.get(key)
        if value is None:
            return default
        where = path + (key,)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.add(where, "not_decimal_text")
            return None
        if isinstance(value, int):
            number = Decimal(value)
        elif _DECIMAL.fullmatch(value.strip()):
            number = Decimal(value.strip())
        else:
            self.add(where, "not_decimal")
            return None
        if any_sign:
            if abs(number) >= _DECIMAL_LIMIT:
                self.add(where, "out_of_range", limit=scoring.decimal_text(_DECIMAL_LIMIT))
            elif number != number.quantize(_UNIT):
                self.add(where, "too_many_places")
            else:
                return number + 0
            return None
        if positive and number <= 0:
            self.add(where, "not_positive")
        elif number < 0:
            self.add(where, "negative_number")
        elif maximum is not None and number > maximum:
            self.add(where, "too_big", max=scoring.decimal_text(maximum))
        elif number >= _DECIMAL_LIMIT:
            self.add(where, "out_of_range", limit=scoring.decimal_text(_DECIMAL_LIMIT))
        elif number != number.quantize(_UNIT):
            self.add(where, "too_many_places")
        else:
            return number + 0  # -0 is 0
        return None

    def date(self, o: dict, key: str, path: Path):
        from datetime import date
        value = o.get(key)
        if value is None:
            return None
        text = value.strip() if isinstance(value, str) else None
        if text is not None and _DATE.fullmatch(text):
            try:
                return date.fromisoformat(text)
            except ValueError:
                pass
        self.add(path + (key,), "not_date")
        return None


# --- the parts of a scheme -------------------------------------------------------------------

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
    promotion: dict | None = None  # as Event.promotion stores it: {"title", "count"} or {"title", "share"}
    rule: scoring.EventRule | None = None

    def criteria(self) -> list[CriterionSpec]:
        return [c for s in self.sections for c in s.criteria]


def check_event(c: Checker, value, path: Path) -> EventSpec | None:
    before = c.count()
    o = c.obj(value, path, required=("code", "name", "sections"),
              optional=("team", "team_size", "capacity", "places", "tie_break", "awards", "promotion"))
    if o is None:
        return None
    code = c.text(o, "code", path, max_len=32, pattern=CODE, shape="code_shape")
    name = c.text(o, "name", path)
    team = c.boolean(o, "team", path, default=False)
    team_size = c.integer(o, "team_size", path, minimum=1)
    if team_size is not None and team is False:
        c.add(path + ("team_size",), "only_for_teams")
    capacity = c.integer(o, "capacity", path, minimum=0)
    places = c.integer(o, "places", path, default=2, maximum=None)
    raw_sections = c.items(o, "sections", path)
    sections = [s for i, v in enumerate(raw_sections) if (s := check_section(c, v, path + ("sections", i)))]
    tie_break = [text for i, raw in enumerate(c.items(o, "tie_break", path))
                 if (text := c.value_text(raw, path + ("tie_break", i))) is not None]
    raw_awards = c.items(o, "awards", path)
    awards = [a for i, v in enumerate(raw_awards) if (a := check_award(c, v, path + ("awards", i)))]
    promotion = check_promotion(c, o["promotion"], path + ("promotion",)) if o.get("promotion") is not None else None
    # The event's own rules (weights, codes, tie-break, award names) are the scoring's, judged on
    # what was written even where a section or an award has a problem of its own.
    # (code, weight, criterion codes) of each section as written: only whether a weight is
    # given matters here (a weight of its own is checked with its section).
    shapes = [(s.get("code") if isinstance(s, dict) else None,
               Decimal(1) if isinstance(s, dict) and s.get("weight") is not None else None,
               [cr.get("code") for cr in s.get("criteria") or [] if isinstance(cr, dict)]
               if isinstance(s, dict) and isinstance(s.get("criteria"), list) else [])
              for s in raw_sections]
    problems = scoring.event_problems(places, shapes, tie_break,
                                      [a.get("name") if isinstance(a, dict) else None for a in raw_awards])
    if not isinstance(o.get("sections"), list):  # missing or not a list: reported as such
        problems = [p for p in problems if p.code != "event_without_sections"]
    c.merge(path, problems)
    event = EventSpec(code=code, name=name, team=bool(team), team_size=team_size, capacity=capacity,
                      places=places, tie_break=tie_break, awards=awards, sections=sections, promotion=promotion)
    if c.count() == before:
        try:
            event.rule = scoring.EventRule(
                sections=tuple(scoring.SectionRule(code=s.code, criteria=tuple(cr.rule for cr in s.criteria),
                                                   weight=s.weight, pass_mark=s.pass_mark) for s in sections),
                places=places, tie_break=tuple(tie_break), awards=tuple(award_rule(a) for a in awards))
        except scoring.RuleError as error:  # what the checks above let through is still reported
            c.merge(path, error.problems or [Problem((), "scheme_refused", {"error": str(error)})])
    return event


def check_section(c: Checker, value, path: Path) -> SectionSpec | None:
    o = c.obj(value, path, required=("code", "name", "criteria"), optional=("weight", "pass"))
    if o is None:
        return None
    code = c.text(o, "code", path, max_len=32, pattern=CODE, shape="code_shape")
    name = c.text(o, "name", path)
    weight, pass_mark = section_numbers(c, o, path)
    raw = c.items(o, "criteria", path)
    if "criteria" in o and isinstance(o["criteria"], list) and not raw:
        c.add(path + ("criteria",), "section_without_criteria")
    criteria = [cr for i, v in enumerate(raw) if (cr := check_criterion(c, v, path + ("criteria", i)))]
    return SectionSpec(code=code, name=name, weight=weight, pass_mark=pass_mark, criteria=criteria)


def section_numbers(c: Checker, o: dict, path: Path) -> tuple[Decimal | None, Decimal | None]:
    """A section's weight and pass mark ("pass", a percentage), by the scoring's rules."""
    before = c.count()
    weight = c.decimal(o, "weight", path, any_sign=True)
    pass_mark = c.decimal(o, "pass", path, any_sign=True)
    if c.count() == before:
        c.merge(path, [p for p in scoring.section_problems(weight, pass_mark, 1)])
    return weight, pass_mark


def check_criterion(c: Checker, value, path: Path) -> CriterionSpec | None:
    before = c.count()
    o = c.obj(value, path, required=("code", "name", "max", "kind", "method", "judges"),
              optional=("trim", "spread", "tolerance", "step", "descriptors", "description"))
    if o is None:
        return None
    spec = CriterionSpec(
        code=c.text(o, "code", path, max_len=32, pattern=CODE, shape="code_shape"),
        name=c.text(o, "name", path),
        max=c.decimal(o, "max", path, any_sign=True),
        kind=c.choice(o, "kind", path, CRITERION_KINDS),
        method=c.choice(o, "method", path, scoring.METHODS),
        judges=c.integer(o, "judges", path),
        trim=c.integer(o, "trim", path, default=1),
        spread=c.decimal(o, "spread", path, default=Decimal(1), any_sign=True),
        tolerance=c.decimal(o, "tolerance", path, any_sign=True),
        step=c.decimal(o, "step", path, any_sign=True),
        descriptors=[],
        description=c.text(o, "description", path, required=False, default="", max_len=TEXT_MAX),
    )
    if spec.method == "judgement" and spec.kind not in (None, "judgement"):
        c.add(path + ("kind",), "judgement_kind")
    if isinstance(o.get("descriptors"), list):
        where = path + ("descriptors",)
        if spec.method is not None and spec.method != "judgement":
            c.add(where, "descriptors_judgement_only")
        elif len(o["descriptors"]) != 4 or not all(isinstance(d, str) and d.strip() for d in o["descriptors"]):
            c.add(where, "descriptors_four")
        else:
            spec.descriptors = [c.value_text(d, where + (i,)) for i, d in enumerate(o["descriptors"])]
    else:
        c.items(o, "descriptors", path)  # reports anything but a list or null
    # The scoring's rules, on what could be read (what could not is reported already).
    c.merge(path, scoring.criterion_problems(
        max=spec.max, method=spec.method, judges=spec.judges, trim=spec.trim, spread=spec.spread,
        tolerance=spec.tolerance, step=spec.step, tolerance_given=o.get("tolerance") is not None))
    if c.count() == before:
        try:
            spec.rule = scoring.CriterionRule(code=spec.code, max=spec.max, method=spec.method, judges=spec.judges,
                                              trim=spec.trim, spread=spec.spread, tolerance=spec.tolerance,
                                              step=spec.step)
        except scoring.RuleError as error:  # what the checks above let through is still reported
            c.merge(path, error.problems or [Problem((), "scheme_refused", {"error": str(error)})])
    return spec


def check_award(c: Checker, value, path: Path) -> dict | None:
    before = c.count()
    o = c.obj(value, path, required=("name",), optional=("count", "share"))
    if o is None:
        return None
    name = c.text(o, "name", path, max_len=64)
    count = c.integer(o, "count", path)
    share = c.decimal(o, "share", path, any_sign=True)
    if c.count() == before:
        c.merge(path, scoring.award_problems(name or "", count, share))
    if c.count() > before:
        return None
    return {"name": name, "count": count} if count is not None else {"name": name, "share": scoring.decimal_text(share)}


def check_promotion(c: Checker, value, path: Path) -> dict | None:
    """The promotion list's rule (晋升名单): a title and the top count or share of the entries
    that passed every pass mark; checked as an award is, the title standing for its name."""
    before = c.count()
    o = c.obj(value, path, required=("title",), optional=("count", "share"))
    if o is None:
        return None
    title = c.text(o, "title", path, max_len=64)
    count = c.integer(o, "count", path)
    share = c.decimal(o, "share", path, any_sign=True)
    if c.count() == before:
        c.merge(path, [Problem(("title",) if p.path == ("name",) else p.path, p.code, p.params)
                       for p in scoring.award_problems(title or "", count, share)])
    if c.count() > before:
        return None
    return {"title": title, "count": count} if count is not None else {"title": title, "share": scoring.decimal_text(share)}


def check_promotion_value(value: dict) -> tuple[dict | None, list[Problem]]:
    """A promotion rule as a form gives it: the checked rule (None if refused) and its problems."""
    c = Checker()
    promotion = check_promotion(c, value, ())
    return promotion, c.problems


def check_awards(rows: list[dict]) -> tuple[list[dict | None], list[Problem]]:
    """A list of awards as a form gives them (each {"name", "count"} or {"name", "share"}):
    the checked awards (None where refused) and every problem, with paths (i, key)."""
    c = Checker()
    awards = [check_award(c, row, (i,)) for i, row in enumerate(rows)]
    c.merge((), scoring.repeats([((i, "name"), (row.get("name") or "").strip()) for i, row in enumerate(rows)],
                                "duplicate_award_name"))
    return awards, c.problems


def event_scheme_problems(event) -> list[Problem]:
    """What the scheme of a stored event breaks; paths are within the event (as the contest
    file writes it). [] when it can be scored."""
    c = Checker()
    check_event(c, written_event(event), ())
    return c.problems


# --- a stored scheme, written out ------------------------------------------------------------

def written_event(event) -> dict:
    """A stored event and its scheme as the contest file writes it (what the checks above read)."""
    out = {"code": event.code, "name": event.name, "team": event.is_team}
    if event.team_size is not None:
        out["team_size"] = event.team_size
    if event.capacity is not None:
        out["capacity"] = event.capacity
    out["places"] = event.places
    out["tie_break"] = list(event.tie_break or [])
    out["awards"] = [{"name": a["name"], "count": a["count"]} if a.get("count") is not None
                     else {"name": a["name"], "share": decimal_text(Decimal(a["share"]))}
                     for a in event.awards or []]
    if event.promotion:
        p = event.promotion
        out["promotion"] = ({"title": p["title"], "count": p["count"]} if p.get("count") is not None
                            else {"title": p["title"], "share": decimal_text(Decimal(p["share"]))})
    out["sections"] = []
    for section in event.sections:
        s = {"code": section.code, "name": section.name}
        if section.weight is not None:
            s["weight"] = decimal_text(section.weight)
        if section.pass_mark is not None:
            s["pass"] = decimal_text(section.pass_mark)
        s["criteria"] = [_written_criterion(c) for c in section.criteria]
        out["sections"].append(s)
    return out


def _written_criterion(c) -> dict:
    out = {"code": c.code, "name": c.name, "max": decimal_text(c.max), "kind": c.kind, "method": c.method,
           "judges": c.judges}
    if c.method in ("trimmed", "tolerance") or c.trim != 1:
        out["trim"] = c.trim
    if c.method == "judgement" or c.spread != 1:
        out["spread"] = decimal_text(c.spread)
    if c.tolerance is not None:
        out["tolerance"] = decimal_text(c.tolerance)
    if c.step is not None:
        out["step"] = decimal_text(c.step)
    if c.descriptors:
        out["descriptors"] = list(c.descriptors)
    if c.description:
        out["description"] = c.description
    return out

