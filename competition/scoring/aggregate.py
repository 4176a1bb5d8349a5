"""Aggregation of the judges' marks for one criterion into one unrounded criterion score."""
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .marks import _CONTEXT, CriterionRule, NotEnoughMarks, ScoringError, parse_mark


@dataclass(frozen=True)
class CriterionScore:
    value: Decimal
    flags: tuple[str, ...] = ()


def aggregate(rule: CriterionRule, marks: Sequence[Decimal]) -> CriterionScore:
    """The criterion's score from its marks, by the rule's method; not rounded."""
    # Stored marks are re-checked: a mark that no longer fits its rule is a data error to surface.
    marks = sorted(parse_mark(rule, mark) for mark in marks)
    trimmed = rule.method in ("trimmed", "tolerance")
    needed = 2 * rule.trim + 1 if trimmed else 1
    if len(marks) < needed:
        why = f" to drop the {rule.trim} highest and {rule.trim} lowest" if trimmed else ""
        raise NotEnoughMarks(f"criterion {rule.code!r} ({rule.method}) needs at least {needed} "
                             f"mark{'s' * (needed != 1)}{why}, has {len(marks)}")
    if rule.method == "single" and len(marks) > 1:
        raise ScoringError(
            f"criterion {rule.code!r}: single takes exactly one mark, has {len(marks)}")
    flags = ()
    with localcontext(_CONTEXT):
        match rule.method:
            case "single":
                value = marks[0]
            case "mean":
                value = _mean(marks)
            case "median":
                middle = len(marks) // 2
                value = marks[middle] if len(marks) % 2 else _mean(marks[middle - 1:middle + 1])
            case "trimmed":
                value = _mean(_trim(marks, rule.trim))
            case "judgement":
                # mean ÷ 3 × max in one division, so 70/9 carries a single rounding, not two.
                value = sum(marks) * rule.max / (rule.mark_max * len(marks))
                if marks[-1] - marks[0] > rule.spread:
                    flags = ("spread",)
            case "tolerance":
                kept = _trim(marks, rule.trim)
                if kept[-1] - kept[0] > rule.tolerance:
                    value, flags = _mean(marks), ("tolerance",)
                else:
                    value = _mean(kept)
    return CriterionScore(value, flags)


def _trim(ordered: list[Decimal], trim: int) -> list[Decimal]:
    return ordered[trim:len(ordered) - trim]


def _mean(marks: Sequence[Decimal]) -> Decimal:
    return sum(marks) / len(marks)
