"""Marking-scheme rules for one criterion, and the single parser every judge's mark goes through.

Also defines the rule errors shared by the whole scoring package.
"""
import re
from dataclasses import dataclass
from decimal import (ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation,
                     Overflow, localcontext)

METHODS = ("single", "mean", "median", "trimmed", "judgement", "tolerance")

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


class InvalidMark(ScoringError):
    """A raw value that is not a valid mark for its criterion; `code` is a short machine word."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class NotEnoughMarks(ScoringError):
    """The aggregation method needs more marks than it was given."""


class RuleError(ScoringError):
    """A rule of the marking scheme is itself invalid."""


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
        if self.max <= 0:
            raise RuleError(f"{where}: max must be greater than 0")
        if self.method not in METHODS:
            raise RuleError(f"{where}: unknown method {self.method!r}; "
                            f"use one of {', '.join(METHODS)}")
        for name in ("judges", "trim"):
            value = getattr(self, name)
            if type(value) is not int:
                raise RuleError(f"{where}: {name} must be a whole number, not {value!r}")
        if self.judges < 1:
            raise RuleError(f"{where}: judges must be at least 1")
        if self.trim < 0:
            raise RuleError(f"{where}: trim must not be negative")
        if self.method == "single" and self.judges != 1:
            raise RuleError(f"{where}: method 'single' takes exactly one judge")
        # A panel too small to survive its own trimming could never produce a score.
        if self.method in ("trimmed", "tolerance") and self.judges < 2 * self.trim + 1:
            raise RuleError(f"{where}: trimming {self.trim} highest and lowest needs "
                            f"at least {2 * self.trim + 1} judges, has {self.judges}")
        if self.spread < 0:
            raise RuleError(f"{where}: spread must not be negative")
        if self.method == "tolerance" and self.tolerance is None:
            raise RuleError(f"{where}: method 'tolerance' needs a tolerance")
        if self.tolerance is not None and self.tolerance < 0:
            raise RuleError(f"{where}: tolerance must not be negative")
        if self.step is not None and self.step <= 0:
            raise RuleError(f"{where}: step must be greater than 0")
        if self.step is not None and self.method == "judgement":
            raise RuleError(f"{where}: judgement marks are whole numbers 0 to 3; "
                            "a step does not apply")

    @property
    def mark_max(self) -> Decimal:
        return _JUDGEMENT_MAX if self.method == "judgement" else self.max


def parse_mark(rule: CriterionRule, raw: str | int | Decimal) -> Decimal:
    """The mark `raw` as a Decimal, or InvalidMark saying why it is not one."""
    if raw is None or isinstance(raw, str):
        value = _parse_text(raw or "")
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
        raise InvalidMark("over_max", f"must be at most {rule.mark_max}")
    if rule.method == "judgement":
        step, code, message = Decimal(1), "not_a_step", "must be a whole number from 0 to 3"
    elif rule.step is None:
        step, code, message = _DEFAULT_STEP, "too_many_decimals", "must have at most 2 decimals"
    else:
        step, code, message = rule.step, "not_a_step", f"must be a multiple of {rule.step}"
    # Remainder is exact, and value <= mark_max keeps the quotient well inside the precision.
    with localcontext(_CONTEXT):
        if value % step != 0:
            raise InvalidMark(code, message)
    return value


def _parse_text(raw: str) -> Decimal:
    text = raw.strip().translate(_FULL_WIDTH)
    if not text:
        raise InvalidMark("empty", "must not be empty")
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
