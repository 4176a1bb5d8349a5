"""An event's marking scheme, and how an entry's criterion scores add up to sections and a total.

Rounding is half-up (away from zero on a tie) to the event's places, applied to each section; the
total is the sum of the shown section scores minus the penalty, so what is shown always adds up.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from functools import cached_property

from .aggregate import CriterionScore, aggregate
from .marks import _CONTEXT, CriterionRule, NotEnoughMarks, Problem, RuleError, ScoringError, _decimal, _refuse

_COMPLETION_TIME = "-completion_time"
_SECTION_PREFIX = "section:"
_NOISE = Decimal("1E-18")


_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(10))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """`value` with exactly `places` decimals, a tie rounded away from zero (四舍五入)."""
    if type(places) is not int or places < 0:
        raise RuleError(f"places must be a whole number from 0, not {places!r}")
    quantum = _QUANTA[places] if places < len(_QUANTA) else Decimal(1).scaleb(-places)
    # The context goes to quantize itself: every board row is formatted through here.
    return value.quantize(quantum, rounding=ROUND_HALF_UP, context=_CONTEXT)


def tie_break_section(key: str) -> str | None:
    """The section code a tie-break key compares (None for completion time); RuleError if bad."""
    if key == _COMPLETION_TIME:
        return None
    if isinstance(key, str) and key.startswith(_SECTION_PREFIX) and key != _SECTION_PREFIX:
        return key.removeprefix(_SECTION_PREFIX)
    raise RuleError(f"unknown tie-break key {key!r}; "
                    f"use '{_SECTION_PREFIX}<code>' or '{_COMPLETION_TIME}'")


@dataclass(frozen=True)
class SectionRule:
    code: str
    criteria: tuple[CriterionRule, ...]
    weight: Decimal | None = None
    pass_mark: Decimal | None = None

    def __post_init__(self):
        where = f"section {self.code!r}"
        if not isinstance(self.code, str) or not self.code:
            raise RuleError(f"section code must be a non-empty string, not {self.code!r}")
        object.__setattr__(self, "criteria", tuple(self.criteria))
        if not all(isinstance(c, CriterionRule) for c in self.criteria):
            raise RuleError(f"{where}: each criterion must be a CriterionRule")
        if self.weight is not None:
            object.__setattr__(self, "weight", _decimal(self.weight, f"{where}: weight"))
        if self.pass_mark is not None:
            object.__setattr__(self, "pass_mark", _decimal(self.pass_mark, f"{where}: pass mark"))
        _refuse(where, section_problems(self.weight, self.pass_mark, len(self.criteria)))

    @property
    def max(self) -> Decimal:
        with localcontext(_CONTEXT):
            return sum((c.max for c in self.criteria), Decimal(0))


def section_problems(weight: Decimal | None, pass_mark: Decimal | None, criteria: int) -> list[Problem]:
    """Every rule a section breaks, with paths as the contest file names its keys."""
    found = []
    if criteria == 0:
        found.append(Problem(("criteria",), "section_without_criteria"))
    if weight is not None and weight <= 0:
        found.append(Problem(("weight",), "not_positive"))
    if pass_mark is not None and pass_mark < 0:
        found.append(Problem(("pass",), "negative_number"))
    elif pass_mark is not None and pass_mark > 100:
        found.append(Problem(("pass",), "too_big", {"max": 100}))
    return found


@dataclass(frozen=True)
class AwardRule:
    name: str
    count: int | None = None
    share: Decimal | None = None

    def __post_init__(self):
        where = f"award {self.name!r}"
        if not isinstance(self.name, str):
            raise RuleError(f"award name must be a string, not {self.name!r}")
        if self.share is not None:
            object.__setattr__(self, "share", _decimal(self.share, f"{where}: share"))
        _refuse(where, award_problems(self.name, self.count, self.share))

    def count_for(self, field: int) -> int:
        """How many places this award covers in a ranked field of `field` entries."""
        if self.count is not None:
            return self.count
        with localcontext(_CONTEXT):
            return int(round_half_up(self.share * field / 100, 0))


def award_problems(name: str, count: int | None, share: Decimal | None) -> list[Problem]:
    """Every rule an award breaks: a name, and exactly one of a count (a whole number from 1)
    or a share (a percentage of the ranked field, above 0 and at most 100)."""
    found = []
    if not name:
        found.append(Problem(("name",), "blank"))
    if (count is None) == (share is None):
        found.append(Problem((), "count_or_share"))
    if count is not None and (type(count) is not int or count < 1):
        found.append(Problem(("count",), "too_small", {"min": 1}))
    if share is not None and share <= 0:
        found.append(Problem(("share",), "not_positive"))
    elif share is not None and share > 100:
        found.append(Problem(("share",), "too_big", {"max": 100}))
    return found


@dataclass(frozen=True)
class EventRule:
    sections: tuple[SectionRule, ...]
    places: int = 2
    tie_break: tuple[str, ...] = ()
    awards: tuple[AwardRule, ...] = ()

    def __post_init__(self):
        for name in ("sections", "tie_break", "awards"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not all(isinstance(s, SectionRule) for s in self.sections):
            raise RuleError("each section must be a SectionRule")
        if not all(isinstance(a, AwardRule) for a in self.awards):
            raise RuleError("awards must be AwardRules")
        if type(self.places) is not int:
            raise RuleError(f"places must be a whole number, not {self.places!r}")
        _refuse("event", event_problems(
            self.places, [(s.code, s.weight, [c.code for c in s.criteria]) for s in self.sections],
            self.tie_break, [a.name for a in self.awards]))

    def criterion(self, code: str) -> CriterionRule:
        return self._criteria[code]

    @cached_property
    def _criteria(self) -> dict[str, CriterionRule]:
        return {c.code: c for s in self.sections for c in s.criteria}

    @property
    def weighted(self) -> bool:
        return self.sections[0].weight is not None

    @property
    def max_total(self) -> Decimal:
        with localcontext(_CONTEXT):
            parts = (s.weight if self.weighted else s.max for s in self.sections)
            return round_half_up(sum(parts, Decimal(0)), self.places)


@dataclass(frozen=True)
class EntryScore:
    criteria: dict[str, CriterionScore | None]
    sections: dict[str, Decimal]
    total: Decimal
    flags: dict[str, tuple[str, ...]]
    has_marks: bool
    passed: bool


def score_entry(event: EventRule, marks: Mapping[str, Sequence[Decimal]],
                penalty: Decimal = Decimal(0)) -> EntryScore:
    """One entry's scores from its marks by criterion code.

    A criterion with too few marks for its method is not scored yet and counts 0, so a
    provisional board shows a partial total. The total is not clamped at 0: a penalty larger
    than the score shows as a negative total, which is what the penalty sheet says.
    """
    penalty = _decimal(penalty, "penalty")
    if penalty < 0:
        raise ScoringError("penalty must not be negative")
    unknown = sorted(map(str, set(marks) - set(event._criteria)))
    if unknown:
        raise RuleError(f"marks for criteria this event does not have: {', '.join(unknown)}")
    criteria = {}
    for code, rule in event._criteria.items():
        try:
            criteria[code] = aggregate(rule, marks.get(code, ()))
        except NotEnoughMarks:
            criteria[code] = None
    sections, passed = {}, True
    with localcontext(_CONTEXT):
        for section in event.sections:
            scored = (criteria[c.code] for c in section.criteria)
            earned = sum((score.value for score in scored if score is not None), Decimal(0))
            raw = earned * section.weight / section.max if event.weighted else earned
            sections[section.code] = round_half_up(_settle(raw), event.places)
            if section.pass_mark is not None:
                passed &= _settle(earned * 100 / section.max) >= section.pass_mark
        total = round_half_up(sum(sections.values(), Decimal(0)) - penalty, event.places)
    return EntryScore(
        criteria=criteria,
        sections=sections,
        total=total,
        flags={code: score.flags for code, score in criteria.items() if score and score.flags},
        has_marks=any(marks.get(code) for code in event._criteria),
        passed=passed,
    )


def _settle(value: Decimal) -> Decimal:
    # Scores like 10/3 carry a rounding in their 28th digit, so a section worth exactly 2.5
    # can arrive as 2.4999…9 and round down. Real scores are fractions with small denominators
    # and never lie within 1e-18 of a rounding boundary unless they sit on it.
    return value.quantize(_NOISE, rounding=ROUND_HALF_EVEN)


def event_problems(places: int | None, sections: Sequence[tuple[str, Decimal | None, Sequence[str]]],
                   tie_break: Sequence[str], awards: Sequence[str]) -> list[Problem]:
    """Every rule an event's scheme breaks as a whole: `sections` are (code, weight, criterion
    codes) in order, `awards` the award names. Paths as the contest file names its keys."""
    found = []
    if not sections:
        found.append(Problem(("sections",), "event_without_sections"))
    if places is not None and not 0 <= places <= 4:
        found.append(Problem(("places",), "too_small" if places < 0 else "too_big",
                             {"min": 0} if places < 0 else {"max": 4}))
    weighted = [weight is not None for _code, weight, _criteria in sections]
    if any(weighted) and not all(weighted):
        found += [Problem(("sections", i, "weight"), "weight_all_or_none")
                  for i, has in enumerate(weighted) if not has]
    found += repeats([(("sections", i, "code"), code) for i, (code, _w, _c) in enumerate(sections)],
                      "duplicate_section_code")
    found += repeats([(("sections", i, "criteria", j, "code"), code)
                       for i, (_s, _w, criteria) in enumerate(sections) for j, code in enumerate(criteria)],
                      "duplicate_criterion_code")
    codes = {code for code, _w, _c in sections}
    seen: dict[str, int] = {}
    for i, key in enumerate(tie_break):
        where = ("tie_break", i)
        if key != _COMPLETION_TIME and not (isinstance(key, str) and key.startswith(_SECTION_PREFIX)
                                            and key != _SECTION_PREFIX):
            found.append(Problem(where, "tie_break_key"))
        elif key.startswith(_SECTION_PREFIX) and key.removeprefix(_SECTION_PREFIX) not in codes:
            found.append(Problem(where, "tie_break_section", {"code": key.removeprefix(_SECTION_PREFIX)}))
        elif key in seen:
            found.append(Problem(where, "duplicate_tie_break", {"first": ("tie_break", seen[key])}))
        seen.setdefault(key, i)
    found += repeats([(("awards", i, "name"), name) for i, name in enumerate(awards)], "duplicate_award_name")
    return found


def repeats(values: Sequence[tuple[tuple, str]], code: str) -> list[Problem]:
    """A problem at each repeat of a value, naming the value and the place (the object whose
    key it is) where it first appears."""
    first: dict[str, tuple] = {}
    found = []
    for path, value in values:
        if not isinstance(value, str) or not value:
            continue
        if value in first:
            found.append(Problem(path, code, {"value": value, "first": first[value]}))
        else:
            first[value] = path[:-1]
    return found
