"""Gongjiang's scoring rules as pure functions over Decimals: marks, aggregation, totals, ranking.

No Flask and no database here; boards, exports and certificates all call these.
"""
from .aggregate import CriterionScore, aggregate
from .marks import (MARK_CODES, METHODS, CriterionRule, InvalidMark, NotEnoughMarks, Problem, RuleError, ScoringError,
                    criterion_problems, decimal_text, format_path, parse_mark)
from .ranking import Placing, Standing, promoted, rank, shift
from .totals import (AwardRule, EntryScore, EventRule, SectionRule, award_problems, event_problems,
                     repeats, round_half_up, score_entry, section_problems, tie_break_section)

__all__ = [
    "MARK_CODES", "METHODS", "AwardRule", "CriterionRule", "CriterionScore", "EntryScore", "EventRule",
    "InvalidMark", "NotEnoughMarks", "Placing", "Problem", "RuleError", "ScoringError", "SectionRule",
    "Standing", "aggregate", "award_problems", "criterion_problems", "decimal_text", "event_problems", "format_path",
    "parse_mark", "promoted", "rank", "repeats", "round_half_up", "score_entry", "section_problems", "shift",
    "tie_break_section",
]
