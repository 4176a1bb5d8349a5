"""A per-process send buffer for /live: what a request hands over leaves from a background
sender per room, so the request answers first. Patches for one room that arrive within a short
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
    """One room's messages waiting to leave, in the order they were handed over, and its
    sender's state."""

    def __init__(self):
        self.pending: list[tuple[str, dict]] = []  # (event, payload)
        self.scheduled = False  # a sender task is on its way or running for the room
        self.sent_at = float("-inf")  # when the last patch left
        self.window = 0.0
        self.last_seq: int | None = None  # the seq of the last patch sent to the room


class _Feed:
    def __init__(self):
        self.produce: Callable | None = None
        self.dirty = False
        self.running = False
        self.sent_at = float("-inf")


class Coalescer:
    """Sends what this process has for each room, never in the caller's greenlet or thread: a
    judge's request hands its committed patch over and answers, whatever the audience (issue
    19). One sender task per room sends the room's messages in order: patches by `seq`, each
    other event after the patches handed over before it. The first patch after a quiet spell
    leaves at once; the ones that follow within `window` seconds wait for the end of the window
    and leave merged (a window of 0 merges nothing). A patch whose seq is not above the last
    one sent to the room is dropped: it was committed before that one but handed over after it,
    and a client that saw the gap has asked for a snapshot that holds it.

    `emit(event, payload, room)` sends; `spawn(fn, *args)` runs fn in the background;
    `sleep(seconds)` waits (Socket.IO's, so the async mode decides what a task is). The lock
    guards the buffers only: no emit ever happens under it, so handing over never waits for a
    fan-out."""

    def __init__(self, emit: Callable, spawn: Callable, sleep: Callable, clock: Callable = time.monotonic):
        self._emit, self._spawn, self._sleep, self._clock = emit, spawn, sleep, clock
        self._lock = threading.Lock()
        self._buffers: dict[str, _Buffer] = {}
        self._feeds: dict[object, _Feed] = {}

    # -- patches and other events -------------------------------------------------------

    def patch(self, room: str, patch: dict, window: float) -> None:
        """Hand a committed patch over; it leaves in the background."""
        self._hand_over(room, "patch", patch, window)

    def send(self, room: str, event: str, payload: dict) -> None:
        """Hand another event over, to leave after the room's patches handed over before it."""
        self._hand_over(room, event, payload, None)

    def _hand_over(self, room: str, event: str, payload: dict, window: float | None) -> None:
        with self._lock:
            buffer = self._buffers.setdefault(room, _Buffer())
            buffer.pending.append((event, payload))
            if window is not None:
                buffer.window = window
            if buffer.scheduled:
                return  # the room's sender takes it, in order
            buffer.scheduled = True
            quiet = self._clock() - buffer.sent_at
            delay = 0.0 if event != "patch" or quiet >= buffer.window else buffer.window - quiet
        self._spawn(self._send_room, room, delay)

    def _send_room(self, room: str, delay: float) -> None:
        """The room's sender: what is pending, then, after a patch, a window's pause in which
        what comes waits to be merged; until nothing is left."""
        if delay > 0:
            self._sleep(delay)
        while True:
            with self._lock:
                buffer = self._buffers[room]
                items, buffer.pending = buffer.pending, []
                if not items:
                    buffer.scheduled = False
                    return
                window = buffer.window
                patched = any(event == "patch" for event, _payload in items)
                if patched:
                    buffer.sent_at = self._clock()
            try:
                self._emit_all(room, buffer, items, merging=window > 0)
            except Exception:  # noqa: BLE001 — the room's sender must outlive one bad batch
                log.exception("live send failed")
            if window > 0 and patched:
                self._sleep(window)

    def _emit_all(self, room: str, buffer: _Buffer, items: list[tuple[str, dict]], *, merging: bool) -> None:
        """Emit the items in order: consecutive patches by seq, merged where they chain
        (`merging`), none at or below the last seq sent."""
        run: list[dict] = []

        def flush_run():
            fresh, stale = [], []
            for patch in run:
                (fresh if buffer.last_seq is None or patch["seq"] > buffer.last_seq else stale).append(patch)
            for patch in stale:
                log.warning("patch %s->%s for %s dropped: %s was sent already",
                            patch["base"], patch["seq"], room, buffer.last_seq)
            for chain in chains(fresh):
                for patch in [merge(chain)] if merging else chain:
                    buffer.last_seq = patch["seq"]
                    self._safe_emit("patch", patch, room)
            run.clear()
        for event, payload in items:
            if event == "patch":
                run.append(payload)
                continue
            flush_run()
            self._safe_emit(event, payload, room)
        flush_run()

    def _safe_emit(self, event: str, payload: dict, room: str) -> None:
        try:
            self._emit(event, payload, room)
        except Exception:  # noqa: BLE001 — one failed send must not stop the room's sender
            log.exception("live send failed")

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
            self.send(room, event, payload)  # through the room's sender, in order

    def flush_all(self) -> None:
        """Send everything pending now, in this thread (at exit: a CLI command's patches must
        not be lost)."""
        with self._lock:
            dirty = [feed for feed in self._feeds.values() if feed.dirty]
            for feed in dirty:
                feed.dirty = False
        for feed in dirty:
            self._produce_and_send(feed, feed.produce)
        with self._lock:
            waiting = [(room, buffer, buffer.pending) for room, buffer in self._buffers.items() if buffer.pending]
            for _room, buffer, _items in waiting:
                buffer.pending = []
        for room, buffer, items in waiting:
            self._emit_all(room, buffer, items, merging=buffer.window > 0)
