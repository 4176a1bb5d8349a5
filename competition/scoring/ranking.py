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
         awards: Sequence[AwardRule] = ()) -> list[Placing]:
    """Placings in board order: standard competition ranking (1, 2, 2, 4), then the unranked.

    Entries equal on the total and on every tie-break key share a rank and the award that
    goes with it; an ineligible entry keeps its rank but gets no award, and nobody moves up.
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

    ranked = sorted(((merit(s), s) for s in standings if s.total is not None),
                    key=lambda pair: (pair[0], pair[1].key))
    limits, running = [], 0
    for award in awards:
        running += award.count_for(len(ranked))
        limits.append((running, award.name))
    placings, previous, place = [], None, 0
    for position, (order, standing) in enumerate(ranked, start=1):
        if order != previous:
            previous, place = order, position
        award = next((name for limit, name in limits if limit >= place), None)
        placings.append(Placing(standing.key, place, award if standing.eligible else None))
    unranked = sorted((s for s in standings if s.total is None), key=lambda s: s.key)
    return placings + [Placing(s.key, None, None) for s in unranked]
