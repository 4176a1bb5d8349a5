"""The ceremony's reveal as a pure rule: which rows of a frozen board each step reveals.

A board is revealed from the bottom up. Entries with no rank (no mark yet) have nothing to
reveal: they go with the first step. The classic reveal ("one") then shows one ranked entry
per step. A reveal by award ("award", "award_group") first shows every ranked entry without an
award at once, then the awards from the lowest up: each award's entries one by one ("award")
or all together ("award_group"), ending with the winner. Entries sharing a rank share their
award, so they are in one group."""
from collections.abc import Sequence

REVEAL_MODES = ("one", "award", "award_group")
#: Modes that need the awards decided (the event signed off): before that no row has one.
BY_AWARD = ("award", "award_group")


def reveal_plan(rows: Sequence[tuple[int | None, str | None]], mode: str = "one") -> list[int]:
    """For a board's rows in board order (best first) as (rank, award), how many rows from the
    bottom are revealed after each step: strictly increasing, the last one all of them. Empty
    for an empty board."""
    if mode not in REVEAL_MODES:
        raise ValueError(f"unknown reveal mode {mode!r}")
    n = len(rows)
    unranked = sum(1 for rank, _award in rows if rank is None)
    ranked = [award for rank, award in rows if rank is not None]  # best first
    if not ranked:
        return [n] if n else []
    # Runs of one award, from the bottom of the ranked rows up.
    runs: list[tuple[str | None, int]] = []
    for award in reversed(ranked):
        if runs and runs[-1][0] == award:
            runs[-1] = (award, runs[-1][1] + 1)
        else:
            runs.append((award, 1))
    steps, done = [], unranked
    for i, (award, size) in enumerate(runs):
        if mode == "one" or (mode == "award" and award is not None):
            for _ in range(size):
                done += 1
                steps.append(done)
        else:  # a group: the entries without an award, or an award's entries together
            done += size
            steps.append(done)
    return steps
