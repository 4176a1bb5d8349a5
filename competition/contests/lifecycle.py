"""A contest's life (draft → registration → judging → finished → published) and the rules that
hang on it, as plain functions: which status changes are allowed and why not, and whether
registration or marking is open. No Flask, no queries: the caller gathers the facts
(ContestFacts), and a refusal is a code with its parameters (competition.messages says it).
(Whether a bib pattern numbers entries is competition.numbering's.)"""
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from ..entries.models import TAKES_A_PLACE
from .models import CONTEST_STATUSES, PROTESTED

# Each status may step forward to the next and back to the one before.
FORWARD = dict(zip(CONTEST_STATUSES, CONTEST_STATUSES[1:]))
BACKWARD = {after: before for before, after in FORWARD.items()}


@dataclass(frozen=True)
class ContestFacts:
    """What the status rules need to know about a contest."""

    events: tuple[str, ...] = ()  # event codes
    events_without_criteria: tuple[str, ...] = ()  # events whose scheme has no criterion yet
    events_with_invalid_scheme: tuple[str, ...] = ()  # schemes the scoring rules refuse
    # (event name, entries not locked) of each event with entries its chief judge has not signed off
    events_not_signed_off: tuple[tuple[str, int], ...] = ()
    has_marks: bool = False
    is_archived: bool = False
    is_announced: bool = False  # 公示 has begun
    window_open_until: str | None = None  # the objection or appeal window, as people read it, while open
    objections_pending: int = 0  # not yet ruled
    appeals_pending: int = 0  # not yet ruled, or upheld and under review


class Refusal(NamedTuple):
    """Why a status change is refused: a code, and the parameters of its message."""

    code: str
    params: dict = {}


def _events(code: str, events) -> Refusal:
    return Refusal(code, {"events": list(events)})


def needs_reason(current: str, target: str) -> bool:
    """Withdrawing a publication is said why, and recorded."""
    return current == "published" and target == "finished"


def transition_refusals(current: str, target: str, facts: ContestFacts) -> list[Refusal]:
    """Every reason the contest cannot go from `current` to `target`; [] when it may."""
    if current not in CONTEST_STATUSES or target not in CONTEST_STATUSES:
        return [Refusal("unknown_status")]
    if target not in (FORWARD.get(current), BACKWARD.get(current)):
        # Publishing is only from finished, judging only from registration (or back from finished) …
        return [Refusal("not_adjacent")]
    if facts.is_archived:
        return [Refusal("archived")]
    refusals = []
    if target == "registration" and not facts.events:
        refusals.append(Refusal("no_events"))
    if current == "judging" and target == "registration" and facts.has_marks:
        refusals.append(Refusal("marks_exist"))
    if target == "judging" and current == "registration":
        if not facts.events:
            refusals.append(Refusal("no_events"))
        if facts.events_without_criteria:
            refusals.append(_events("no_criteria", facts.events_without_criteria))
        if facts.events_with_invalid_scheme:
            refusals.append(_events("invalid_scheme", facts.events_with_invalid_scheme))
    # DESIGN.md §2: results are decided before they are shown. Judging ends only once the
    # chief judge of every event has signed it off; announced results change only by appeal;
    # publication waits for the end of the windows and a ruling on every objection and appeal.
    if current == "judging" and target == "finished":
        refusals += [Refusal("event_not_signed_off", {"event": name, "num": unlocked})
                     for name, unlocked in facts.events_not_signed_off]
    if current == "finished" and target == "judging" and facts.is_announced:
        refusals.append(Refusal("results_announced"))
    if target == "published":
        if not facts.is_announced:
            refusals.append(Refusal("not_announced"))
        if facts.window_open_until:
            refusals.append(Refusal("window_open", {"until": facts.window_open_until}))
        if facts.objections_pending:
            refusals.append(Refusal("objections_pending", {"num": facts.objections_pending}))
        if facts.appeals_pending:
            refusals.append(Refusal("appeals_pending", {"num": facts.appeals_pending}))
    return refusals


def announce_refusals(status: str, facts: ContestFacts) -> list[Refusal]:
    """Why the results cannot be announced (公示) now; [] when they may."""
    if facts.is_archived:
        return [Refusal("archived")]
    if facts.is_announced:
        return [Refusal("already_announced")]
    if status != "finished":
        return [Refusal("announce_needs_finished")]
    return []


def next_statuses(current: str) -> list[str]:
    """The statuses one step away, forward first: what the page offers as buttons."""
    return [s for s in (FORWARD.get(current), BACKWARD.get(current)) if s]


def takes_registrations(contest) -> bool:
    """The contest's status is registration and it is not archived."""
    return contest.status == "registration" and contest.archived_at is None


def places_left(capacity: int | None, taken: int) -> int | None:
    """How many more entries an event of this capacity takes with `taken` places held (a
    pending or approved entry holds one); None when it has no limit."""
    return None if capacity is None else max(0, capacity - taken)


def registration_closed_reason(contest, event, now: datetime, taken: int | None = None) -> str | None:
    """None when a new entry may register for `event` at `now` (naive UTC, as stored); else
    "closed" (the contest takes no registrations), "deadline" (the event's has passed) or
    "full" (no room). `taken` is the number of entries holding a place; counted from
    event.entries when None."""
    if not takes_registrations(contest):
        return "closed"
    if event.registration_deadline is not None and now >= event.registration_deadline:
        return "deadline"
    if event.capacity is not None:
        if taken is None:
            taken = sum(1 for entry in event.entries if entry.status in TAKES_A_PLACE)
        if places_left(event.capacity, taken) == 0:
            return "full"
    return None


def is_marking_open(contest) -> bool:
    """Judges may submit and correct marks only while the contest is judging."""
    return contest.status == "judging" and contest.archived_at is None




def under_review(event, marks) -> bool:
    """Whether some of `marks` were reopened by an upheld appeal on the event, which is then
    protested: those marks may be re-marked after judging has ended, and only those."""
    return event.result_status == PROTESTED and any(mark.status == "review" for mark in marks)

