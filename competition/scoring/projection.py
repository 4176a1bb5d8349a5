"""Projected rank range: while marks are missing, the best and the worst rank each entry can
still finish with (DESIGN.md §3), from the same scoring and ranking rules as the board."""
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import replace
from decimal import ROUND_FLOOR, Decimal, localcontext
from typing import NamedTuple

from .aggregate import aggregate
from .marks import _CONTEXT, CriterionRule, RuleError
from .ranking import Standing, rank
from .totals import EntryScore, EventRule, score_entry

_ZERO = Decimal(0)
_LO, _HI = 0, 1


class Pending(NamedTuple):
    """One entry as the projection takes it: the marks it has by criterion code, how many
    marks per criterion code are still to come, and what the board ranks it by besides."""

    key: Hashable
    marks: Mapping[str, Sequence[Decimal]]
    missing: Mapping[str, int]
    penalty: Decimal = _ZERO
    completion_time: Decimal | None = None


class RankRange(NamedTuple):
    best: int
    worst: int


def missing_marks(event: EventRule, marks: Mapping[str, Sequence[Decimal]], assigned: Mapping[str, int],
                  locked: bool = False) -> dict[str, int]:
    """How many marks each criterion of an entry still waits for: the judges assigned to it,
    or, before anyone is assigned, the criterion's number of judges, less the marks in. A
    locked entry waits for nothing: its marks are signed off as they are. A `single`
    criterion takes one mark at most."""
    if locked:
        return {}
    out = {}
    for section in event.sections:
        for rule in section.criteria:
            expected = assigned.get(rule.code) or rule.judges
            if rule.method == "single":
                expected = min(expected, 1)
            left = expected - len(marks.get(rule.code, ()))
            if left > 0:
                out[rule.code] = left
    return out


def top_mark(rule: CriterionRule) -> Decimal:
    """The highest mark a judge can give the criterion: its maximum, or the last step below."""
    step = Decimal(1) if rule.method == "judgement" else rule.step or Decimal("0.01")
    with localcontext(_CONTEXT):
        return (rule.mark_max / step).to_integral_value(rounding=ROUND_FLOOR) * step


def total_range(event: EventRule, entry: Pending) -> tuple[EntryScore, EntryScore]:
    """The entry's lowest and highest possible scores once its missing marks are in: every
    missing mark at 0, then at the criterion's top mark, scored by score_entry itself.

    Every aggregation method but `tolerance` only rises with each mark, and so do section
    scores, their rounding and the total, so these are the extremes. A `tolerance` score is
    the trimmed mean or, when the kept marks spread too far, the mean of all marks: not
    monotone (raising a mark can switch to the lower plain mean), but each of the two is. Its
    bounds are therefore the lower of both at 0 and the higher of both at the top mark, which
    the criterion is scored with by the method that gives them (a bound, perhaps not reached)."""
    if not any(entry.missing.values()):
        score = score_entry(event, entry.marks, entry.penalty)
        return score, score
    filled = []
    for bound in (_LO, _HI):
        marks = {code: list(values) for code, values in entry.marks.items()}
        for code, count in entry.missing.items():
            rule = event.criterion(code)
            value = _ZERO if bound == _LO else top_mark(rule)
            marks.setdefault(code, []).extend([value] * count)
        filled.append(marks)
    lo, hi = filled
    swaps: list[dict[str, str]] = [{}, {}]
    for code, count in entry.missing.items():
        rule = event.criterion(code)
        if rule.method != "tolerance" or count <= 0 or len(lo[code]) < 2 * rule.trim + 1:
            continue
        for bound, marks, pick in ((_LO, lo, min), (_HI, hi, max)):
            by_method = {method: aggregate(replace(rule, method=method), marks[code]).value
                         for method in ("trimmed", "mean")}
            swaps[bound][code] = pick(by_method, key=lambda method: by_method[method])
    return tuple(score_entry(_with_methods(event, swaps[bound]), marks, entry.penalty)
                 for bound, marks in ((_LO, lo), (_HI, hi)))


def _with_methods(event: EventRule, methods: Mapping[str, str]) -> EventRule:
    if not methods:
        return event
    return replace(event, sections=tuple(
        replace(section, criteria=tuple(replace(c, method=methods[c.code]) if c.code in methods else c
                                        for c in section.criteria))
        for section in event.sections))


def rank_ranges(event: EventRule, entries: Iterable[Pending]) -> dict[Hashable, RankRange | None]:
    """For each entry, the best and the worst rank it can finish with once the missing marks
    are in (None for an entry that will have no marks, and so no rank).

    The final rank is 1 + the number of entries ahead on the total and then the tie-break
    keys (scoring.rank). Every entry's final scores lie between its lowest and highest
    (total_range), and each section does too, so:

    - worst: entry X at its lowest and every other entry at its highest is one way the marks
      can come, and in no other way is anyone else ahead who is not ahead in this one. So the
      worst rank is 1 + the entries whose highest is ahead of X's lowest, and it can happen.
    - best: X at its highest and the others at their lowest: 1 + the entries whose lowest is
      still ahead of X's highest, they are ahead whatever comes. An entry with no marks yet
      is never counted here: it may never be marked (an absent contestant), and then it is
      not ranked at all. Entries X may only tie with do not count against it.

    An entry without marks gets a range as if it is going to be marked: that is the only way
    it gets a rank. A complete entry can have best < worst: others can still pass it.
    Assumed: the missing marks are the ones `Pending.missing` says (an entry that has marks
    gets the rest, or is locked without them); marks already in, penalties and completion
    times stay as they are. Where a tolerance bound is not reached the range is wider than
    what can happen, never narrower.

    Four rankings by scoring.rank over at most twice the entries, whatever the board's size:
    in a ranking of everyone's lowest and highest scores together, the number of others'
    highest ahead of X's lowest is X's place there less its place among the lowest alone."""
    entries = list(entries)
    if len({e.key for e in entries}) != len(entries):
        raise RuleError("every entry needs its own key")
    ties, awards = event.tie_break, ()
    standings = {}  # (key, bound) -> Standing, only for entries that will have marks
    marked = set()
    for entry in entries:
        lo, hi = total_range(event, entry)
        if any(entry.marks.get(code) for code in entry.marks):
            marked.add(entry.key)
        for bound, score in ((_LO, lo), (_HI, hi)):
            if score.has_marks:
                standings[(entry.key, bound)] = Standing((entry.key, bound), score.total, score.sections,
                                                         entry.completion_time)
    place = {}  # (ranking, item key) -> rank

    def ranked(name: str, keys) -> None:
        for placing in rank((standings[k] for k in keys), ties, awards):
            place[(name, placing.key)] = placing.rank

    lows = [k for k in standings if k[1] == _LO]
    highs = [k for k in standings if k[1] == _HI]
    ranked("lo", lows)
    ranked("hi", highs)
    ranked("all", lows + highs)
    ranked("sure", highs + [k for k in lows if k[0] in marked])

    out: dict[Hashable, RankRange | None] = {}
    for entry in entries:
        key = entry.key
        lo, hi = (key, _LO), (key, _HI)
        if hi not in standings:
            out[key] = None
            continue
        # Others' highest ahead of X's lowest; others' lowest (if marked) ahead of X's highest.
        # A rank is 1 + those strictly ahead, so of two standings in one ranking the one with
        # the smaller rank is ahead of the other: that is how X's own other bound is left out.
        passing = place[("all", lo)] - place[("lo", lo)] - (place[("all", hi)] < place[("all", lo)])
        sure = place[("sure", hi)] - place[("hi", hi)] - (key in marked and place[("sure", lo)] < place[("sure", hi)])
        out[key] = RankRange(1 + sure, 1 + passing)
    return out
