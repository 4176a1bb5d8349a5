"""The one rule for who marks what (Assignments), used by the contest-file import and by the
organiser's "generate assignments": first whoever already marked the (entry, criterion), then
the event's panel in order, never a judge of the entry's own delegation, until the criterion
has its number of judges or the panel runs out. Pure: judges are whatever objects the caller
passes; `conflict(judge)` and `marks(judge)` answer for one entry and criterion."""
from dataclasses import dataclass, field
from typing import Callable, Generic, Iterable, TypeVar

J = TypeVar("J")


@dataclass
class Pick(Generic[J]):
    """The judges chosen for one (entry, criterion), the panel judges skipped for a conflict
    of interest, and how many judges are still missing."""

    chosen: list[J] = field(default_factory=list)
    conflicts: list[J] = field(default_factory=list)
    missing: int = 0


def pick_judges(panel: Iterable[J], needed: int, *, conflict: Callable[[J], bool],
                marked: Iterable[J] = (), marks: Callable[[J], bool] = lambda judge: True) -> Pick[J]:
    """Choose the judges of one criterion of one entry. `marked`: judges who already marked it
    (kept, so no mark loses its assignment); `marks(judge)`: whether a panel judge marks this
    criterion at all. A conflicted judge is skipped and reported even when enough judges are
    found before them, so the organiser sees every conflict the panel holds."""
    pick: Pick[J] = Pick(chosen=list(marked))
    for judge in panel:
        if judge in pick.chosen or not marks(judge):
            continue
        if conflict(judge):
            pick.conflicts.append(judge)
        elif len(pick.chosen) < needed:
            pick.chosen.append(judge)
    pick.missing = max(0, needed - len(pick.chosen))
    return pick
