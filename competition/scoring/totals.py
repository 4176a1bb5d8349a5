"""An event's marking scheme, and how an entry's criterion scores add up to sections and a total.

Rounding is half-up (away from zero on a tie) to the event's places, applied to each section; the
total is the sum of the shown section scores minus the penalty, so what is shown always adds up.
"""
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, localcontext
from functools import cached_property

from .aggregate import CriterionScore, aggregate
from .marks import _CONTEXT, CriterionRule, NotEnoughMarks, RuleError, ScoringError, _decimal

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
        if not self.criteria or not all(isinstance(c, CriterionRule) for c in self.criteria):
            raise RuleError(f"{where} needs at least one criterion, each a CriterionRule")
        if self.weight is not None:
            object.__setattr__(self, "weight", _decimal(self.weight, f"{where}: weight"))
            if self.weight <= 0:
                raise RuleError(f"{where}: weight must be greater than 0")
        if self.pass_mark is not None:
            object.__setattr__(self, "pass_mark", _decimal(self.pass_mark, f"{where}: pass mark"))
            if not 0 <= self.pass_mark <= 100:
                raise RuleError(f"{where}: pass mark is a percentage from 0 to 100")

    @property
    def max(self) -> Decimal:
        with localcontext(_CONTEXT):
            return sum((c.max for c in self.criteria), Decimal(0))


@dataclass(frozen=True)
class AwardRule:
    name: str
    count: int | None = None
    share: Decimal | None = None

    def __post_init__(self):
        where = f"award {self.name!r}"
        if not isinstance(self.name, str) or not self.name:
            raise RuleError(f"award name must be a non-empty string, not {self.name!r}")
        if (self.count is None) == (self.share is None):
            raise RuleError(f"{where}: give exactly one of count and share")
        if self.count is not None and (type(self.count) is not int or self.count < 1):
            raise RuleError(f"{where}: count must be a whole number of at least 1")
        if self.share is not None:
            object.__setattr__(self, "share", _decimal(self.share, f"{where}: share"))
            if not 0 < self.share <= 100:
                raise RuleError(f"{where}: share is a percentage above 0 and at most 100")

    def count_for(self, field: int) -> int:
        """How many places this award covers in a ranked field of `field` entries."""
        if self.count is not None:
            return self.count
        with localcontext(_CONTEXT):
            return int(round_half_up(self.share * field / 100, 0))


@dataclass(frozen=True)
class EventRule:
    sections: tuple[SectionRule, ...]
    places: int = 2
    tie_break: tuple[str, ...] = ()
    awards: tuple[AwardRule, ...] = ()

    def __post_init__(self):
        for name in ("sections", "tie_break", "awards"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        if not self.sections or not all(isinstance(s, SectionRule) for s in self.sections):
            raise RuleError("an event needs at least one section, each a SectionRule")
        if type(self.places) is not int or not 0 <= self.places <= 4:
            raise RuleError(f"places must be a whole number from 0 to 4, not {self.places!r}")
        if len({s.weight is None for s in self.sections}) > 1:
            raise RuleError("either every section has a weight or none does")
        _unique("section code", [s.code for s in self.sections])
        _unique("criterion code", [c.code for s in self.sections for c in s.criteria])
        _unique("tie-break key", self.tie_break)
        codes = {s.code for s in self.sections}
        for key in self.tie_break:
            code = tie_break_section(key)
            if code is not None and code not in codes:
                raise RuleError(f"tie-break key {key!r} names no section of this event")
        if not all(isinstance(a, AwardRule) for a in self.awards):
            raise RuleError("awards must be AwardRules")
        _unique("award name", [a.name for a in self.awards])

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


def _unique(what: str, values: Sequence[str]) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise RuleError(f"{what} {value!r} appears more than once")
        seen.add(value)
