"""A per-process send buffer for /live. Patches for one room that arrive within a short
window go out merged into one, keeping the base/seq chain exact; whole-state feeds
(standings, progress) are computed at most once per window. Nothing here is needed by
another process: a patch this process never sent shows up as a gap, and the client asks
for a fresh snapshot."""
import logging
import threading
import time
from collections.abc import Callable, Sequence

log = logging.getLogger(__name__)


def _order(row: dict) -> tuple:
    return (row.get("rank") is None, row.get("rank") or 0, row["entry"])


def merge(patches: Sequence[dict]) -> dict:
    """One patch that does what applying `patches` in order does: base of the first, seq of
    the last, the last version of every row upserted, and the bibs removed and not upserted
    again. Each patch must start where the one before ended. Other keys (e.g. "frozen",
    "reveal") are the last patch's."""
    if not patches:
        raise ValueError("nothing to merge")
    rows: dict[str, dict] = {}
    removed: set[str] = set()
    previous = None
    for patch in patches:
        if previous is not None and patch["base"] != previous["seq"]:
            raise ValueError(f"patch {patch['base']}->{patch['seq']} does not follow seq {previous['seq']}")
        # Within one patch removals come first, then upserts (DESIGN.md §4).
        for bib in patch.get("remove", ()):
            rows.pop(bib, None)
            removed.add(bib)
        for row in patch.get("upsert", ()):
            rows[row["entry"]] = row
            removed.discard(row["entry"])
        previous = patch
    merged = dict(patches[-1])
    merged.update(base=patches[0]["base"], seq=patches[-1]["seq"],
                  upsert=sorted(rows.values(), key=_order), remove=sorted(removed))
    return merged


def chains(patches: Sequence[dict]) -> list[list[dict]]:
    """Patches in seq order, cut wherever one does not start where the previous ended (another
    process sent the patch in between): each run can be merged, the runs cannot."""
    runs: list[list[dict]] = []
    for patch in sorted(patches, key=lambda p: (p["seq"], p["base"])):
        if runs and runs[-1][-1]["seq"] == patch["seq"] and runs[-1][-1]["base"] == patch["base"]:
            continue  # the same patch twice
        if runs and runs[-1][-1]["seq"] == patch["base"]:
            runs[-1].append(patch)
        else:
            runs.append([patch])
    return runs


class _Buffer:
    def __init__(self):
        self.pending: list[dict] = []
        self.scheduled = False
        self.sent_at = float("-inf")


class _Feed:
    def __init__(self):
        self.produce: Callable | None = None
        self.dirty = False
        self.running = False
        self.sent_at = float("-inf")


class Coalescer:
    """Throttles what this process sends per room: the first patch after a quiet spell goes
    out at once; the ones that follow within `window` seconds wait for the end of the window
    and go out merged. A window of 0 sends every patch as it comes.

    `emit(event, payload, room)` sends; `spawn(fn, *args)` runs fn in the background;
    `sleep(seconds)` waits (Socket.IO's, so the async mode decides what a task is)."""

    def __init__(self, emit: Callable, spawn: Callable, sleep: Callable, clock: Callable = time.monotonic):
        self._emit, self._spawn, self._sleep, self._clock = emit, spawn, sleep, clock
        # One lock: a room's messages leave this process in the order they were decided.
        self._lock = threading.Lock()
        self._buffers: dict[str, _Buffer] = {}
        self._feeds: dict[object, _Feed] = {}

    # -- patches ------------------------------------------------------------------------

    def patch(self, room: str, patch: dict, window: float) -> None:
        with self._lock:
            buffer = self._buffers.setdefault(room, _Buffer())
            now = self._clock()
            if window <= 0 or (not buffer.scheduled and now - buffer.sent_at >= window):
                self._flush(room)  # anything left from a larger window goes first
                buffer.sent_at = now
                self._emit("patch", patch, room)
                return
            buffer.pending.append(patch)
            if not buffer.scheduled:
                buffer.scheduled = True
                self._spawn(self._flush_later, room, max(0.0, buffer.sent_at + window - now))

    def _flush_later(self, room: str, delay: float) -> None:
        self._sleep(delay)
        with self._lock:
            self._flush(room)

    def _flush(self, room: str) -> None:
        """Send what the room has pending (the caller holds the lock)."""
        buffer = self._buffers.get(room)
        if buffer is None:
            return
        pending, buffer.pending, buffer.scheduled = buffer.pending, [], False
        if pending:
            buffer.sent_at = self._clock()
            for run in chains(pending):
                self._emit("patch", merge(run), room)

    def send(self, room: str, event: str, payload: dict) -> None:
        """Send another event to the room, after the patches it has pending."""
        with self._lock:
            self._flush(room)
            self._emit(event, payload, room)

    # -- whole-state feeds --------------------------------------------------------------

    def feed(self, key, window: float, produce: Callable[[], list[tuple[str, dict, str]]]) -> None:
        """Ask for `produce()` (a list of (event, payload, room)) to be computed and sent soon,
        in the background, at most once per window however often it is asked for."""
        with self._lock:
            feed = self._feeds.setdefault(key, _Feed())
            feed.produce, feed.dirty = produce, True
            if feed.running:
                return
            feed.running = True
            delay = max(0.0, feed.sent_at + window - self._clock())
        self._spawn(self._run_feed, feed, window, delay)

    def _run_feed(self, feed: _Feed, window: float, delay: float) -> None:
        try:
            if delay:
                self._sleep(delay)
            while True:
                with self._lock:
                    if not feed.dirty:
                        return
                    feed.dirty, produce = False, feed.produce
                self._produce_and_send(feed, produce)
                if window > 0:
                    self._sleep(window)
        finally:
            with self._lock:
                feed.running = False
                if feed.dirty:  # asked for again after the last look
                    feed.running = True
                    self._spawn(self._run_feed, feed, window, 0.0)

    def _produce_and_send(self, feed: _Feed, produce: Callable) -> None:
        try:
            messages = produce() or []
        except Exception:  # noqa: BLE001 — a feed that fails must not stop the next one
            log.exception("live feed failed")
            return
        with self._lock:
            feed.sent_at = self._clock()
            for event, payload, room in messages:
                self._emit(event, payload, room)

    def flush_all(self) -> None:
        """Send everything pending now (at exit: a CLI command's patches must not be lost)."""
        with self._lock:
            for room in list(self._buffers):
                self._flush(room)
            dirty = [feed for feed in self._feeds.values() if feed.dirty]
            for feed in dirty:
                feed.dirty = False
        for feed in dirty:
            self._produce_and_send(feed, feed.produce)
