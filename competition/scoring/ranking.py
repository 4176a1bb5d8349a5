"""Ranking of an event's entries and the awards that follow from the ranks."""
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .marks import RuleError
from .totals import AwardRule, tie_break_section


@dataclass(frozen=True)
class Standing:
    key: Hashable
    total: Decimal | None
    sections: Mapping[str, Decimal]
    completion_time: Decimal | None = None
    eligible: bool = True


@dataclass(frozen=True)
class Placing:
    key: Hashable
    rank: int | None
    award: str | None


def rank(standings: Iterable[Standing], tie_break: Sequence[str] = (),
         awards: Sequence[AwardRule] = (), *, above: int = 0, field: int | None = None) -> list[Placing]:
    """Placings in board order: standard competition ranking (1, 2, 2, 4), then the unranked.

    Entries equal on the total and on every tie-break key share a rank and the award that
    goes with it; an ineligible entry keeps its rank but gets no award, and nobody moves up.

    A window of a larger board can be ranked alone: the standings with every total in some
    range [lo, hi] of the board, `above` the number of the board's entries with a total
    above hi, and `field` the number of ranked entries on the whole board (the shares of
    awards count it). The placings are then exactly the board's for those entries.
    """
    standings = list(standings)
    keys = [s.key for s in standings]
    if len(set(keys)) != len(keys):
        raise RuleError("every standing needs its own key")
    sections = [tie_break_section(key) for key in tie_break]

    def merit(standing: Standing) -> tuple:
        # Smaller sorts first: higher total and sections, then shorter time, no time last.
        # copy_negate is exact whatever the caller's decimal context.
        order = [standing.total.copy_negate()]
        for code in sections:
            if code is None:
                time = standing.completion_time
                order.append((time is None, time if time is not None else 0))
            elif code in standing.sections:
                order.append(standing.sections[code].copy_negate())
            else:
                raise RuleError(f"standing {standing.key!r} has no section {code!r} to break a tie")
        return tuple(order)

    # Tie-break keys matter only between equal totals, so they are computed only there: a
    # board of thousands is mostly distinct totals.
    by_total = sorted((s for s in standings if s.total is not None), key=lambda s: (s.total.copy_negate(), s.key))
    ranked = []
    start = 0
    while start < len(by_total):
        end = start + 1
        while end < len(by_total) and by_total[end].total == by_total[start].total:
            end += 1
        if end - start == 1 or not sections:
            ranked.extend(((s.total.copy_negate(),), s) for s in by_total[start:end])
        else:
            ranked.extend(sorted(((merit(s), s) for s in by_total[start:end]),
                                 key=lambda pair: (pair[0], pair[1].key)))
        start = end
    limits, running = [], 0
    for award in awards:
        running += award.count_for(len(ranked) if field is None else field)
        limits.append((running, award.name))
    placings, previous, place, due = [], None, 0, 0
    for position, (order, standing) in enumerate(ranked, start=1):
        if order != previous:
            previous, place = order, above + position
        # The first award whose running count reaches the rank; places only grow, so the
        # search goes on from the award the place before had.
        while due < len(limits) and limits[due][0] < place:
            due += 1
        award = limits[due][1] if due < len(limits) and standing.eligible else None
        placings.append(Placing(standing.key, place, award))
    unranked = sorted((s for s in standings if s.total is None), key=lambda s: s.key)
    return placings + [Placing(s.key, None, None) for s in unranked]
