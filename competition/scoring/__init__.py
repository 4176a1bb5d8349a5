"""Gongjiang's scoring rules as pure functions over Decimals: marks, aggregation, totals, ranking.

No Flask and no database here; boards, exports and certificates all call these.
"""
from .aggregate import CriterionScore, aggregate
from .marks import (METHODS, CriterionRule, InvalidMark, NotEnoughMarks, RuleError, ScoringError,
                    decimal_text, parse_mark)
from .ranking import Placing, Standing, rank
from .totals import (AwardRule, EntryScore, EventRule, SectionRule, round_half_up, score_entry,
                     tie_break_section)

__all__ = [
    "METHODS", "AwardRule", "CriterionRule", "CriterionScore", "EntryScore", "EventRule",
    "InvalidMark", "NotEnoughMarks", "Placing", "RuleError", "ScoringError", "SectionRule",
    "Standing", "aggregate", "decimal_text", "parse_mark", "rank", "round_half_up", "score_entry",
    "tie_break_section",
]
