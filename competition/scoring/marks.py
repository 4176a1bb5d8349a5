"""Marking-scheme rules for one criterion, and the single parser every judge's mark goes through.

Also defines the rule errors shared by the whole scoring package.
"""
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple
from decimal import (ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation,
                     Overflow, localcontext)

METHODS = ("single", "mean", "median", "trimmed", "judgement", "tolerance")
#: Every code parse_mark refuses a value with.
MARK_CODES = ("empty", "choose_mark", "not_a_number", "negative", "over_max", "too_many_decimals", "not_a_step",
              "not_a_whole_mark")

_JUDGEMENT_MAX = Decimal(3)
_DEFAULT_STEP = Decimal("0.01")
# Fixed rather than ambient, so a caller's context (fewer digits, trapped Inexact) cannot
# change a score.
_CONTEXT = Context(prec=28, rounding=ROUND_HALF_EVEN,
                   traps=[InvalidOperation, DivisionByZero, Overflow])
# Chinese IMEs produce full-width digits and points; the minus only matters for a clearer error.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．－", "0123456789.-")
_PLAIN_DECIMAL = re.compile(r"[0-9]+\.?[0-9]*|\.[0-9]+")


class ScoringError(ValueError):
    """Base of every scoring rule error."""


class Problem(NamedTuple):
    """One thing wrong with a marking scheme or a mark: where (a path of keys and indexes
    into the thing checked, as the contest file spells it), a machine `code` and its
    parameters. The web layer says it in the reader's language (competition.messages)."""

    path: tuple
    code: str
    params: dict = {}


def format_path(path: tuple) -> str:
    """A problem's place as the contest file writes it: events[0].sections[1].weight."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "file"


class InvalidMark(ScoringError):
    """A raw value that is not a valid mark for its criterion; `code` is a short machine word
    and `params` what the message needs (the criterion's max or step)."""

    def __init__(self, code: str, message: str, **params):
        super().__init__(message)
        self.code, self.params = code, params


class NotEnoughMarks(ScoringError):
    """The aggregation method needs more marks than it was given."""


class RuleError(ScoringError):
    """A rule of the marking scheme is itself invalid. `problems` lists every rule it breaks,
    each a Problem with a path relative to the rule (("judges",), ("sections", 1, "weight"));
    an argument of the wrong type is a programming error and has none."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()):
        super().__init__(message)
        self.problems = list(problems)


def _refuse(where: str, problems: list[Problem]) -> None:
    """Raise RuleError with every problem found, when there is one."""
    if problems:
        detail = "; ".join(f"{'.'.join(map(str, p.path)) or 'rule'}: {p.code} {p.params or ''}".rstrip()
                           for p in problems)
        raise RuleError(f"{where}: {detail}", problems)


def _decimal(value, name: str) -> Decimal:
    """`value` as a finite Decimal (ints are exact, so they are welcome); RuleError otherwise."""
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        return value
    raise RuleError(f"{name} must be a decimal number, not {value!r}")


@dataclass(frozen=True)
class CriterionRule:
    code: str
    max: Decimal
    method: str = "single"
    judges: int = 1
    trim: int = 1
    spread: Decimal = Decimal(1)
    tolerance: Decimal | None = None
    step: Decimal | None = None

    def __post_init__(self):
        def fix(name, value):
            object.__setattr__(self, name, value)

        where = f"criterion {self.code!r}"
        if not isinstance(self.code, str) or not self.code:
            raise RuleError(f"criterion code must be a non-empty string, not {self.code!r}")
        fix("max", _decimal(self.max, f"{where}: max"))
        fix("spread", _decimal(self.spread, f"{where}: spread"))
        if self.tolerance is not None:
            fix("tolerance", _decimal(self.tolerance, f"{where}: tolerance"))
        if self.step is not None:
            fix("step", _decimal(self.step, f"{where}: step"))
        _refuse(where, criterion_problems(max=self.max, method=self.method, judges=self.judges, trim=self.trim,
                                          spread=self.spread, tolerance=self.tolerance, step=self.step))

    @property
    def mark_max(self) -> Decimal:
        return _JUDGEMENT_MAX if self.method == "judgement" else self.max


def criterion_problems(*, max=None, method=None, judges=None, trim=None, spread=None, tolerance=None,
                       step=None, tolerance_given: bool | None = None) -> list[Problem]:
    """Every rule a criterion breaks, by the field that breaks it: the one place these rules
    live (CriterionRule checks itself with it; the contest file's checker and the organiser's
    forms report what it finds). A value given as None is not known (it was not given, or not
    readable): the rules that need it are skipped. `tolerance_given`: whether a tolerance was
    given at all (default: whether `tolerance` is not None)."""
    found = []

    def add(field, code, **params):
        found.append(Problem((field,), code, params))

    if tolerance_given is None:
        tolerance_given = tolerance is not None
    if max is not None and max <= 0:
        add("max", "not_positive")
    if method is not None and method not in METHODS:
        add("method", "not_a_choice", choices=", ".join(METHODS))
        method = None
    for name, value in (("judges", judges), ("trim", trim)):
        if value is not None and type(value) is not int:
            add(name, "not_integer")
    judges = judges if type(judges) is int else None
    trim = trim if type(trim) is int else None
    if judges is not None and judges < 1:
        add("judges", "too_small", min=1)
    if trim is not None and trim < 0:
        add("trim", "negative_number")
    if method == "single" and judges is not None and judges != 1:
        add("judges", "single_judges")
    # A panel too small to survive its own trimming could never produce a score.
    if method in ("trimmed", "tolerance") and judges is not None and trim is not None and trim >= 0 \
            and judges < 2 * trim + 1:
        add("judges", "trim_judges", judges=2 * trim + 1, trim=trim)
    if spread is not None and spread < 0:
        add("spread", "negative_number")
    if method == "tolerance" and not tolerance_given:
        add("tolerance", "tolerance_required")
    if tolerance is not None and tolerance < 0:
        add("tolerance", "negative_number")
    if step is not None and step <= 0:
        add("step", "not_positive")
    if step is not None and method == "judgement":
        add("step", "judgement_step")
    return found


def parse_mark(rule: CriterionRule, raw: str | int | Decimal) -> Decimal:
    """The mark `raw` as a Decimal, or InvalidMark saying why it is not one. Codes: "empty"
    (for a judgement: "choose_mark"), "not_a_number", "negative", "over_max" (with `max`),
    "too_many_decimals", "not_a_step" (with `step`), "not_a_whole_mark" (a judgement)."""
    judgement = rule.method == "judgement"
    if raw is None or isinstance(raw, str):
        value = _parse_text(raw or "", judgement)
    elif type(raw) is int:
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise InvalidMark("not_a_number", "must be a number like 7.5")
        value = raw
    else:
        # A float has already lost the decimal the judge typed; the caller must keep the text.
        raise InvalidMark("not_a_number", 'must be given as text or a whole number, like "7.5"')
    if value < 0:
        raise InvalidMark("negative", "must not be negative")
    value = value.copy_abs()  # -0 is just 0
    if value > rule.mark_max:
        raise InvalidMark("over_max", f"must be at most {rule.mark_max}", max=decimal_text(rule.mark_max))
    if judgement:
        step, code, message, params = Decimal(1), "not_a_whole_mark", "must be a whole number from 0 to 3", {}
    elif rule.step is None:
        step, code, message, params = _DEFAULT_STEP, "too_many_decimals", "must have at most 2 decimals", {}
    else:
        step, code, message = rule.step, "not_a_step", f"must be a multiple of {rule.step}"
        params = {"step": decimal_text(rule.step)}
    # Remainder is exact, and value <= mark_max keeps the quotient well inside the precision.
    with localcontext(_CONTEXT):
        if value % step != 0:
            raise InvalidMark(code, message, **params)
    return value


def _parse_text(raw: str, judgement: bool = False) -> Decimal:
    text = raw.strip().translate(_FULL_WIDTH)
    if not text:
        raise InvalidMark("choose_mark" if judgement else "empty", "must not be empty")
    negative = text.startswith("-")
    if not _PLAIN_DECIMAL.fullmatch(text[1:] if negative else text):
        raise InvalidMark("not_a_number", "must be a number like 7.5")
    if negative:
        raise InvalidMark("negative", "must not be negative")
    return Decimal(text)


def decimal_text(value: Decimal) -> str:
    """A decimal as people write it: plain digits, no exponent, no trailing zeros."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
