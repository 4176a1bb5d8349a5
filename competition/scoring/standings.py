"""Delegation standings: each delegation's score is the sum of its best N entry totals across
the contest's events, ranked by standard competition ranking (1, 2, 2, 4)."""
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from .marks import RuleError


@dataclass(frozen=True)
class DelegationStanding:
    delegation: str
    rank: int | None  # None: no entry of the delegation has a total yet
    total: Decimal | None
    counted: tuple[tuple[Hashable, Decimal], ...]  # (entry key, total) that count, best first
    entries: int  # the delegation's entries on the boards, with or without a total


def delegation_standings(results: Iterable[tuple[str | None, Hashable, Decimal | None]],
                         best_n: int) -> list[DelegationStanding]:
    """Rank delegations by the sum of their `best_n` highest entry totals.

    `results` holds (delegation, entry key, total or None) per entry; entries without a
    delegation count for nobody, entries without a total are not counted. A delegation with
    fewer scored entries than `best_n` counts what it has. Delegations with equal sums share
    a rank (listed by name); delegations with nothing scored come last, unranked."""
    if isinstance(best_n, bool) or not isinstance(best_n, int) or best_n < 1:
        raise RuleError(f"best_n must be a whole number of at least 1, not {best_n!r}")
    entries: dict[str, list[tuple[Hashable, Decimal | None]]] = {}
    for delegation, key, total in results:
        if delegation is None:
            continue
        entries.setdefault(delegation, []).append((key, total))

    standings = []
    for delegation, scored in entries.items():
        totals = sorted(((key, Decimal(total)) for key, total in scored if total is not None),
                        key=lambda pair: (pair[1].copy_negate(), pair[0]))
        counted = tuple(totals[:best_n])
        total = sum((t for _, t in counted), Decimal(0)) if counted else None
        standings.append(DelegationStanding(delegation, None, total, counted, len(scored)))

    ranked = sorted((s for s in standings if s.total is not None),
                    key=lambda s: (s.total.copy_negate(), s.delegation))
    out, previous, place = [], None, 0
    for position, standing in enumerate(ranked, start=1):
        if standing.total != previous:
            previous, place = standing.total, position
        out.append(DelegationStanding(standing.delegation, place, standing.total, standing.counted,
                                      standing.entries))
    out.extend(sorted((s for s in standings if s.total is None), key=lambda s: s.delegation))
    return out
