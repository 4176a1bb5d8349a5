"""The clock of an event's sessions (场次), as a pure rule: which session runs now, which comes
next, and whether marking that closes with the sessions is closed. Times are naive UTC, as
stored; no Flask, no database."""
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Slot:
    name: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class Clock:
    """What a countdown shows: `state` "running" (counting down to the session's end),
    "next" (to the next session's start), "over" (every session has ended) or "none" (no
    session); `slot` the session it is about; `until` the moment it counts down to."""

    state: str
    slot: Slot | None = None
    until: datetime | None = None


def clock(slots: list[Slot], now: datetime) -> Clock:
    """The session running at `now` (the one that ends first, if two overlap), else the next
    to start, else the last one, over."""
    if not slots:
        return Clock("none")
    running = [s for s in slots if s.starts_at <= now < s.ends_at]
    if running:
        slot = min(running, key=lambda s: (s.ends_at, s.starts_at, s.name))
        return Clock("running", slot, slot.ends_at)
    upcoming = [s for s in slots if s.starts_at > now]
    if upcoming:
        slot = min(upcoming, key=lambda s: (s.starts_at, s.ends_at, s.name))
        return Clock("next", slot, slot.starts_at)
    return Clock("over", max(slots, key=lambda s: (s.ends_at, s.starts_at, s.name)))


def marking_closed(slots: list[Slot], now: datetime) -> bool:
    """Marking that closes with the sessions is closed once the last of them has ended (an
    event without sessions never closes by the clock)."""
    return bool(slots) and now >= max(s.ends_at for s in slots)


def overlaps(slots: list[Slot], new: Slot) -> Slot | None:
    """A session of the same event that `new` overlaps, if any: an event's sessions follow
    one another."""
    for slot in slots:
        if new.starts_at < slot.ends_at and slot.starts_at < new.ends_at:
            return slot
    return None
