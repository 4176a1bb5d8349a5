"""Judge consistency: how far each judge sits from the rest of the panel, criterion by
criterion, so that a harsh or a lenient judge stands out while marking is still on.

For every entry and criterion that at least two judges marked, a judge's deviation is their
mark minus the mean of the OTHER judges' marks on it; a judge's consistency on a criterion is
the mean of those deviations over the entries they marked, with the count. Negative: harsher
than the panel; positive: more lenient. Pure: plain values in, plain values out."""
from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .marks import _CONTEXT, ScoringError


@dataclass(frozen=True)
class Deviation:
    judge: Hashable
    criterion: Hashable
    mean: Decimal  # unrounded mean of (mark − mean of the other judges' marks)
    count: int  # how many entries went into the mean
    spread: Decimal  # largest |deviation| among them: one wild mark versus a steady lean


def deviations(marks: Iterable[tuple[Hashable, Hashable, Hashable, Decimal]]
               ) -> dict[tuple[Hashable, Hashable], Deviation]:
    """Per (judge, criterion), how far the judge's marks sit from the other judges' marks.

    `marks` holds (entry, criterion, judge, value) with value a Decimal (or int); a judge has at
    most one mark per entry and criterion. An (entry, criterion) that only one judge marked
    tells nothing about anyone and is left out; a judge with no comparable mark on a criterion
    has no key for it."""
    panels: dict[tuple[Hashable, Hashable], dict[Hashable, Decimal]] = defaultdict(dict)
    for entry, criterion, judge, value in marks:
        if type(value) is int:
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            raise ScoringError(f"mark of {judge!r} on {entry!r}/{criterion!r} must be a finite "
                               f"Decimal, not {value!r}")
        panel = panels[entry, criterion]
        if judge in panel:
            raise ScoringError(f"{judge!r} has two marks on {entry!r}/{criterion!r}")
        panel[judge] = value

    sums: dict[tuple[Hashable, Hashable], list] = {}
    with localcontext(_CONTEXT):
        for (_entry, criterion), panel in panels.items():
            n = len(panel)
            if n < 2:
                continue
            total = sum(panel.values())
            for judge, value in panel.items():
                # value − (total − value)/(n − 1), as one division: one rounding, not two.
                deviation = (value * n - total) / (n - 1)
                acc = sums.setdefault((judge, criterion), [Decimal(0), 0, Decimal(0)])
                acc[0] += deviation
                acc[1] += 1
                acc[2] = max(acc[2], abs(deviation))
        return {key: Deviation(judge=key[0], criterion=key[1], mean=summed / count, count=count, spread=spread)
                for key, (summed, count, spread) in sums.items()}
