"""Ranking of an event's entries and the awards that follow from the ranks."""
from collections.abc import Hashable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from .marks import RuleError
from .totals import AwardRule, tie_break_section

# Tuples, not dataclasses: a board of thousands builds one of each per entry on every mark.


class Standing(NamedTuple):
    key: Hashable
    total: Decimal | None
    sections: Mapping[str, Decimal]  # needed only where totals are equal: may be {} elsewhere
    completion_time: Decimal | None = None
    eligible: bool = True


class Placing(NamedTuple):
    key: Hashable
    rank: int | None
    award: str | None


_by_key = attrgetter("key")
_by_total = attrgetter("total")


def rank(standings: Iterable[Standing], tie_break: Sequence[str] = (),
         awards: Sequence[AwardRule] = (), *, above: int = 0, field: int | None = None) -> list[Placing]:
    """Placings in board order: standard competition ranking (1, 2, 2, 4), then the unranked.

    Entries equal on the total and on every tie-break key share a rank and the award that
    goes with it; an ineligible entry keeps its rank but gets no award, and nobody moves up.
    Entries that share a rank are listed by key (keys must be orderable).

    A window of a larger board can be ranked alone: the standings with every total in some
    range [lo, hi] of the board, `above` the number of the board's entries with a total
    above hi, and `field` the number of ranked entries on the whole board (the shares of
    awards count it). The placings are then exactly the board's for those entries.
    """
    standings = list(standings)
    if len({s.key for s in standings}) != len(standings):
        raise RuleError("every standing needs its own key")
    sections = [tie_break_section(key) for key in tie_break]

    def merit(standing: Standing) -> tuple:
        # Smaller sorts first: higher sections, then shorter time, no time last.
        # copy_negate is exact whatever the caller's decimal context.
        try:
            return tuple(standing.sections[code].copy_negate() if code is not None
                         else (standing.completion_time is None, standing.completion_time or 0)
                         for code in sections)
        except KeyError as missing:
            raise RuleError(f"standing {standing.key!r} has no section {missing} to break a tie") from None

    # Highest total first, by key within a total: two stable sorts on plain attributes.
    ranked = sorted((s for s in standings if s.total is not None), key=_by_key)
    ranked.sort(key=_by_total, reverse=True)
    award_at = _awarder(awards, len(ranked) if field is None else field)

    placings, start, count = [], 0, len(ranked)
    while start < count:
        first = ranked[start]
        total, end = first.total, start + 1
        while end < count and ranked[end].total == total:
            end += 1
        place = above + start + 1
        if end - start == 1:  # most of a board: a total nobody else has
            placings.append(Placing(first.key, place, award_at(place) if first.eligible else None))
        elif not sections:
            award = award_at(place)
            placings.extend(Placing(s.key, place, award if s.eligible else None) for s in ranked[start:end])
        else:
            # Tie-break keys matter only between equal totals, so only here are they computed.
            # (merit, key, standing): keys are unique, so the standings are never compared.
            previous = None
            for offset, (order, _, standing) in enumerate(sorted((merit(s), s.key, s) for s in ranked[start:end])):
                if order != previous:
                    previous, place = order, above + start + offset + 1
                    award = award_at(place)
                placings.append(Placing(standing.key, place, award if standing.eligible else None))
        start = end
    unranked = sorted((s for s in standings if s.total is None), key=_by_key)
    return placings + [Placing(s.key, None, None) for s in unranked]


def _awarder(awards: Sequence[AwardRule], field: int):
    """award_at(place): the award of a place in a ranked field of `field` entries, the first
    whose running count reaches it. Places asked in board order cost one step each."""
    limits, running = [], 0
    for award in awards:
        running += award.count_for(field)
        limits.append((running, award.name))
    due = 0

    def award_at(place: int) -> str | None:
        nonlocal due
        if due and limits[due - 1][0] >= place:  # asked out of order: search from the start
            due = 0
        while due < len(limits) and limits[due][0] < place:
            due += 1
        return limits[due][1] if due < len(limits) else None
    return award_at


def shift(placings: Iterable[tuple[Hashable, int, bool]], by: int, awards: Sequence[AwardRule] = (), *,
          field: int) -> list[Placing]:
    """The new placings of the entries one entry passed: when one ranked entry's total moves
    from t0 to t1 and the field stays ranked, every entry whose total lies strictly between
    the two is beaten by the same entries as before but for the mover, so its rank moves by
    exactly one place (`by` +1 when the mover rose past it, -1 when it fell past it), whatever
    the tie-breaks, and its award is the one of its new place. `placings`: (key, rank before,
    eligible) of those entries; `field`: the ranked entries on the whole board."""
    if by not in (1, -1):
        raise RuleError(f"an entry that passes others moves them one place, not {by!r}")
    award_at = _awarder(awards, field)
    out = []
    for key, place, eligible in placings:
        place += by
        out.append(Placing(key, place, award_at(place) if eligible else None))
    return out


def promoted(placings: Iterable[tuple[Hashable, int | None, bool]], rule: AwardRule) -> list[Hashable]:
    """The keys promoted (晋升) by `rule`, its name the title: among the ranked entries that
    passed every section's pass mark, best rank first, the first `rule.count_for(n)` of them,
    n being how many there are; an entry that shares its rank with the last one promoted is
    promoted too, as a shared rank shares its award. `placings` are (key, rank, passed)."""
    passed = sorted(((key, place) for key, place, ok in placings if place is not None and ok), key=lambda p: p[1])
    limit = min(rule.count_for(len(passed)), len(passed))
    if limit <= 0:
        return []
    last = passed[limit - 1][1]
    return [key for key, place in passed if place <= last]
