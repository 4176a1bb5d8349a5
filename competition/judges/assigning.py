"""The one rule for who marks what (Assignments), used by the contest-file import and by the
organiser's "generate assignments": balance_judges, for a whole event at once. Whoever already
marked an (entry, criterion) keeps it; the other places go to the judges of the panel who mark
the criterion, never to a judge of the entry's own delegation, spread so that the judges'
counts are as even as conflicts of interest allow (exactly what is guaranteed: its docstring).
pick_judges is the same rule for one (entry, criterion) alone: the panel in order. Pure:
judges, entries and criteria are whatever hashable objects the caller passes."""
from collections import deque
from dataclasses import dataclass, field
from typing import Callable, Generic, Hashable, Iterable, Mapping, Sequence, TypeVar

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
    """Choose the judges of one criterion of one entry alone (what balance_judges does for a
    single entry: with no loads yet, the panel in order). `marked`: judges who already marked it
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


# --- the balanced rule for a whole event -----------------------------------------------------

E = TypeVar("E", bound=Hashable)
C = TypeVar("C", bound=Hashable)


@dataclass
class Balanced(Generic[J, E, C]):
    """Who marks what in a whole event: for every (entry, criterion) the judges chosen (those
    who already marked it first, then the others in panel order) and the panel judges skipped
    for a conflict of interest (panel order); every (entry, criterion) short of judges as
    (entry, criterion, got, needed), in entry then criterion order; and `counts[criterion][judge]`,
    the number of entries whose criterion the judge marks (kept marks included; every panel
    judge who marks the criterion is listed, with 0 when they got nothing)."""

    chosen: dict[tuple[E, C], list[J]] = field(default_factory=dict)
    conflicts: dict[tuple[E, C], list[J]] = field(default_factory=dict)
    short: list[tuple[E, C, int, int]] = field(default_factory=list)
    counts: dict[C, dict[J, int]] = field(default_factory=dict)


def _unique(items: Iterable) -> list:
    return list(dict.fromkeys(items))


def balance_judges(entries: Sequence[E], panel: Sequence[J], criteria: Mapping[C, int], *,
                   conflict: Callable[[J, E], bool], marks: Callable[[J, C], bool] = lambda judge, criterion: True,
                   marked: Mapping[tuple[E, C], Iterable[J]] | None = None) -> Balanced[J, E, C]:
    """Choose the judges of every criterion of every entry of an event, spreading the marks of
    each criterion evenly over the judges who mark it.

    Inputs (plain, hashable values): `entries` in a fixed order; `panel`, the judges in panel
    order; `criteria`, each criterion with its number of judges needed; `conflict(judge, entry)`;
    `marks(judge, criterion)`: whether a panel judge marks that criterion at all (False for a
    criterion they do not mark, and for every criterion of a seat that only supervises);
    `marked[entry, criterion]`: who already marked it.

    A judge is *eligible* for (e, c) when they are on the panel, marks(judge, c), not
    conflict(judge, e) and they have not marked (e, c) already. For each criterion c,
    count(j) is the number of entries e with j chosen for (e, c), kept marks included.

    Hard rules, always:
      * every judge who marked (e, c) is chosen for it, and counts toward their load;
      * no other judge is chosen unless eligible (never a conflicted one, never one who does not
        mark c);
      * (e, c) gets exactly max(len(marked), min(needed, len(marked) + number eligible))
        judges; when that is below `needed` it is reported in `short` as (e, c, got, needed);
      * the same input gives the same output (ties go by panel order, then entry order).

    Balance, per criterion c, guaranteed exactly:
      (L) if j is chosen for (e, c) without having marked it and k is eligible for (e, c) but
          not chosen, then count(j) <= count(k) + 1;
      (C) more generally, there is no chain j = j0, e1, j1, e2, ..., en, jn = k in which each
          j(i-1) is chosen for (ei, c) without having marked it and ji is eligible for (ei, c)
          and not chosen, with count(j) >= count(k) + 2;
    (C) means no reassignment can lower the sum of squares of the counts: among all choices
    keeping the hard rules, this one has the least sum of count(j)**2 over the judges (and so
    the least largest count). In particular, when nobody is conflicted for c and nobody marked
    c yet, the counts of the judges who mark c differ by at most one.

    How: judges go greedily, entry by entry, to the least loaded eligible judges (ties by panel
    order); then, while some chain as in (C) exists, the marks move one step along the shortest
    one (found breadth-first, entries and judges visited in their order), which takes one mark
    from j and gives one to k and lowers the sum of squares, so it ends."""
    marked = marked or {}
    entries = _unique(entries)
    panel = _unique(panel)
    place = {judge: i for i, judge in enumerate(panel)}
    out: Balanced[J, E, C] = Balanced()
    for criterion, needed in criteria.items():
        judges = [judge for judge in panel if marks(judge, criterion)]
        count: dict[J, int] = {judge: 0 for judge in judges}
        kept: dict[E, list[J]] = {}
        free: dict[E, list[J]] = {}  # eligible, in panel order
        for entry in entries:
            kept[entry] = _unique(marked.get((entry, criterion), ()))
            for judge in kept[entry]:
                count[judge] = count.get(judge, 0) + 1
            others = [judge for judge in judges if judge not in kept[entry]]
            out.conflicts[entry, criterion] = [judge for judge in others if conflict(judge, entry)]
            free[entry] = [judge for judge in others if not conflict(judge, entry)]
        # Greedy: each entry's free places to the least loaded eligible judges.
        given: dict[E, set[J]] = {}
        holds: dict[J, list[E]] = {judge: [] for judge in judges}  # free marks, in entry order
        for entry in entries:
            places = max(0, min(needed - len(kept[entry]), len(free[entry])))
            picked = sorted(free[entry], key=lambda judge: (count[judge], place[judge]))[:places]
            given[entry] = set(picked)
            for judge in picked:
                count[judge] += 1
                holds[judge].append(entry)
        # Improve along chains until none is left.
        order = {entry: i for i, entry in enumerate(entries)}
        while _shift_once(judges, place, order, count, free, given, holds):
            pass
        for entry in entries:
            chosen = kept[entry] + [judge for judge in free[entry] if judge in given[entry]]
            out.chosen[entry, criterion] = chosen
            if len(chosen) < needed:
                out.short.append((entry, criterion, len(chosen), needed))
        out.counts[criterion] = count
    entry_at = {entry: i for i, entry in enumerate(entries)}
    criterion_at = {criterion: i for i, criterion in enumerate(criteria)}
    out.short.sort(key=lambda s: (entry_at[s[0]], criterion_at[s[1]]))
    return out


def _shift_once(judges, place, order, count, free, given, holds) -> bool:
    """Find a chain as in balance_judges (C), from the most loaded judge that has one, and move
    the marks along it. False when there is none."""
    for start in sorted(judges, key=lambda judge: (-count[judge], place[judge])):
        parent = {start: None}
        queue = deque([start])
        while queue:
            holder = queue.popleft()
            for entry in holds[holder]:
                for judge in free[entry]:
                    if judge not in parent and judge not in given[entry]:
                        parent[judge] = (holder, entry)
                        queue.append(judge)
        ends = [judge for judge in parent if count[judge] <= count[start] - 2]
        if not ends:
            continue
        end = min(ends, key=lambda judge: (count[judge], place[judge]))
        judge = end
        while parent[judge] is not None:
            holder, entry = parent[judge]
            given[entry].discard(holder)
            given[entry].add(judge)
            holds[holder].remove(entry)
            holds[judge].append(entry)
            holds[judge].sort(key=order.__getitem__)
            judge = holder
        count[start] -= 1
        count[end] += 1
        return True
    return False
