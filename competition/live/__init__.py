"""Live boards over Socket.IO, namespace /live (DESIGN.md §4).

A client emits `watch` {contest, event} and gets the board snapshot as its audience sees it;
committed changes follow as `patch` events. Organisers and chief judges (the jury) are in the
room `jury:<contest>:<event>` and see the live board, frozen or not; everybody else is in
`board:<contest>:<event>` and, while the board is frozen, gets nothing but reveal steps.
`watch_standings` {contest} and `watch_progress` {contest} do the same for the delegation
standings (`standings` events) and the organisers' judging progress (`progress` events).

The hall: a big screen emits `watch_screen` {contest, screen} and gets what the console set it
to show, then a `screen` event on every change (and when the event being marked changes, for
a screen that follows it). Whoever watches a contest (a board, the standings, a screen, or
`watch_announcements` {contest} on a judge's tablet) is in `contest:<contest>` and gets its
`announcement` events."""
import atexit
import os

from flask import current_app, has_app_context
from flask_login import current_user
from flask_socketio import join_room, leave_room

from ..boards import services as boards
from ..boards import results
from ..boards.results import EVERYONE, JURY, PUBLIC, board_changed, progress_changed
from ..contests.models import contest_by_slug, event_by_code
from ..extensions import LIVE_NAMESPACE, socketio
from ..hall import services as hall
from ..policy import can_hear_announcements, can_see_live_board, can_view_contest, live_events
from .coalesce import Coalescer

NAMESPACE = LIVE_NAMESPACE
DEFAULT_COALESCE_MS = 100


def room(contest: str, event: str) -> str:
    """The public's room of a board."""
    return f"board:{contest}:{event}"


def jury_room(contest: str, event: str) -> str:
    return f"jury:{contest}:{event}"


def standings_room(contest: str) -> str:
    return f"standings:{contest}"


def progress_room(contest: str) -> str:
    return f"progress:{contest}"


def contest_room(contest: str) -> str:
    """Everyone watching anything of the contest: announcements go here."""
    return f"contest:{contest}"


def _emit(event: str, payload: dict, to: str) -> None:
    socketio.emit(event, payload, to=to, namespace=NAMESPACE)


coalescer = Coalescer(_emit, lambda fn, *args: socketio.start_background_task(fn, *args),
                      lambda seconds: socketio.sleep(seconds))


def coalesce_window() -> float:
    """Seconds over which patches for one board are merged: LIVE_COALESCE_MS (0: never)."""
    ms = current_app.config.get("LIVE_COALESCE_MS")
    if ms is None:
        ms = os.environ.get("LIVE_COALESCE_MS", DEFAULT_COALESCE_MS)
    return max(0.0, float(ms) / 1000)


def _listened(to: str) -> bool:
    """Whether anybody may be in the room. With a message queue the other processes' rooms
    are unknown here, so yes; in one process, only when someone joined it."""
    if current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        return True
    server = getattr(socketio, "server", None)
    return server is not None and next(iter(server.manager.get_participants(NAMESPACE, to)), None) is not None


def _send_patch(to: str, patch, *, jury: bool) -> None:
    """A committed patch to a room, as that audience sees it: built only when someone listens."""
    if _listened(to):
        coalescer.patch(to, patch.as_dict(jury=jury), coalesce_window())


def _request_feed(kind: str, contest: str, to_room, produce_payload) -> None:
    """Have `kind` computed for the contest and sent to its room in the background, coalesced."""
    if not has_app_context() or not _listened(to_room(contest)):
        return
    app = current_app._get_current_object()

    def produce():
        with app.app_context():
            row = contest_by_slug(contest)
            if row is None or not _listened(to_room(row.slug)):
                return []
            return [(kind, produce_payload(row), to_room(row.slug))]

    coalescer.feed((kind, contest), coalesce_window(), produce)


#: The jury's projected rank ranges read the whole board: at most once a second per board,
#: whatever the coalescing window of patches.
RANGES_WINDOW = 1.0


def request_ranges(contest: str, event: str) -> None:
    """Have the jury's rank ranges of one board computed and sent in the background, after the
    mark that changed them has been answered; coalesced, so a burst of marks costs one. A
    contest that shows them on its public board gets them there too, while it is not frozen."""
    jury, public = jury_room(contest, event), room(contest, event)
    if not has_app_context() or not (_listened(jury) or _listened(public)):
        return
    app = current_app._get_current_object()

    def produce():
        with app.app_context():
            row = contest_by_slug(contest)
            found = row is not None and event_by_code(row, event)
            if not found:
                return []
            message = results.ranges_message(found)
            to = [jury] if _listened(jury) else []
            if row.shows_public_ranges and not message["frozen"] and _listened(public):
                to.append(public)
            return [("ranges", message, room_) for room_ in to]

    coalescer.feed(("ranges", contest, event), max(coalesce_window(), RANGES_WINDOW), produce)


def request_standings(contest: str) -> None:
    _request_feed("standings", contest, standings_room, boards.standings)


def request_progress(contest: str) -> None:
    _request_feed("progress", contest, progress_room, boards.progress)


# --- what the services announce (after commit) -------------------------------------------

def _on_board_changed(sender=None, *, patch, **_):
    """A committed patch, to the audience it names: the jury's board, the public's, or both.
    A change of the live board moves judging progress; one the public sees, the standings."""
    if patch.audience in (EVERYONE, JURY):
        _send_patch(jury_room(patch.contest, patch.event), patch, jury=True)
        request_progress(patch.contest)
        request_ranges(patch.contest, patch.event)
    if patch.audience in (EVERYONE, PUBLIC):
        _send_patch(room(patch.contest, patch.event), patch, jury=False)
        request_standings(patch.contest)
    if patch.audience in (EVERYONE, JURY) and _followed.get(patch.contest, patch.event) != patch.event:
        _followed[patch.contest] = patch.event
        _send_screens(patch.contest, None, only_following=True)


# --- the hall: screens and announcements --------------------------------------------------

#: The screen names watched in this process, by contest, and the event that screens which
#: follow the marking were last told of.
_screen_names: dict[str, set[str]] = {}
_followed: dict[str, str] = {}


def _send_screens(contest: str, names, *, only_following: bool = False) -> None:
    """Tell the screens (all of the contest's watched here, when `names` is None) what to show."""
    if not has_app_context():
        return
    row = contest_by_slug(contest)
    if row is None:
        return
    for name in sorted(set(names) if names is not None else _screen_names.get(contest, set())):
        to = hall.screen_room(contest, name)
        if not _listened(to):
            continue
        screen = hall.screen_named(row, name)
        if only_following and screen is not None and screen.mode != "follow":
            continue
        payload = hall.screen_payload(row, screen, name)
        if payload["mode"] == "follow" and payload["event"]:
            _followed[contest] = payload["event"]
        coalescer.send(to, "screen", payload)


def _on_screen_changed(sender=None, *, contest: str, screens=None, **_):
    _send_screens(contest, screens)


def _on_announcement_changed(sender=None, *, contest: str, **_):
    if not has_app_context() or not _listened(contest_room(contest)):
        return
    row = contest_by_slug(contest)
    if row is not None:
        coalescer.send(contest_room(contest), "announcement", hall.announcement_payload(row))


def _on_board_state(sender=None, *, state, **_):
    """Frozen, revealed, unfrozen: each audience gets the state with its own seq."""
    common = {k: state[k] for k in ("contest", "event", "frozen", "revealed", "frozen_at")}
    for to, seq in ((room(state["contest"], state["event"]), state["public_seq"]),
                    (jury_room(state["contest"], state["event"]), state["seq"])):
        if _listened(to):
            coalescer.send(to, "board_state", dict(common, seq=seq))


def _on_progress_changed(sender=None, *, contest: str, **_):
    request_progress(contest)


# --- what clients ask for ---------------------------------------------------------------

def _error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}


def _fields(data, *names: str) -> dict[str, str] | None:
    """The payload's named fields, each a non-empty string of at most 100 characters; None when
    the payload is not an object that has them all (no data, a list, a number …)."""
    if not isinstance(data, dict):
        return None
    fields = {name: data.get(name) for name in names}
    if not all(isinstance(v, str) and 0 < len(v) <= 100 for v in fields.values()):
        return None
    return fields


def _bad(*names: str) -> dict:
    shape = ", ".join(f'"{n}": <{n}>' for n in names)
    return _error("bad_request", f"Send an object {{{shape}}}.")


def _on_watch(data=None):
    fields = _fields(data, "contest", "event")
    if fields is None:
        return _bad("contest", "event")
    contest = contest_by_slug(fields["contest"])
    event = contest and can_view_contest(current_user, contest) and event_by_code(contest, fields["event"])
    if not event:
        return _error("not_found", "No such contest or event.")
    # A hall screen asks for the public view even when an organiser is logged in on that PC,
    # so a frozen board never leaks to the hall.
    jury = data.get("view") != "public" and can_see_live_board(current_user, event)
    mine, other = (jury_room, room) if jury else (room, jury_room)
    leave_room(other(contest.slug, event.code))
    # Join before reading: a patch committed in between is then received and, being based
    # on a seq the snapshot already includes, ignored by the client.
    join_room(mine(contest.slug, event.code))
    join_room(contest_room(contest.slug))
    return boards.board_snapshot(event, jury=jury)


def _on_unwatch(data=None):
    fields = _fields(data, "contest", "event")
    if fields is None:
        return _bad("contest", "event")
    leave_room(room(fields["contest"], fields["event"]))
    leave_room(jury_room(fields["contest"], fields["event"]))
    return None


_NO_CONTEST = _error("not_found", "No such contest.")


def _watched(slug: str, may):
    """The contest a client asks to watch, when `may(user, contest)` lets them; else None."""
    contest = contest_by_slug(slug)
    return contest if contest is not None and may(current_user, contest) else None


def _on_watch_standings(data=None):
    fields = _fields(data, "contest")
    if fields is None:
        return _bad("contest")
    contest = _watched(fields["contest"], can_view_contest)
    if contest is None:
        return _NO_CONTEST
    join_room(standings_room(contest.slug))
    join_room(contest_room(contest.slug))
    return boards.standings(contest)


def _on_watch_progress(data=None):
    fields = _fields(data, "contest")
    if fields is None:
        return _bad("contest")
    # Someone who may not see the progress learns nothing, not even that the contest exists.
    contest = _watched(fields["contest"], live_events)
    if contest is None:
        return _NO_CONTEST
    join_room(progress_room(contest.slug))
    return boards.progress(contest)


def _on_watch_screen(data=None):
    fields = _fields(data, "contest", "screen")
    if fields is None:
        return _bad("contest", "screen")
    contest = _watched(fields["contest"], can_view_contest)
    if contest is None:
        return _NO_CONTEST
    name = fields["screen"].strip()
    join_room(hall.screen_room(contest.slug, name))
    join_room(contest_room(contest.slug))
    _screen_names.setdefault(contest.slug, set()).add(name)
    payload = hall.screen_payload(contest, hall.screen_named(contest, name), name)
    if payload["mode"] == "follow" and payload["event"]:
        _followed.setdefault(contest.slug, payload["event"])
    return payload


def _on_watch_announcements(data=None):
    fields = _fields(data, "contest")
    if fields is None:
        return _bad("contest")
    contest = _watched(fields["contest"], can_hear_announcements)
    if contest is None:
        return _NO_CONTEST
    join_room(contest_room(contest.slug))
    return hall.announcement_payload(contest)


def _leave(to_room):
    def handler(data=None):
        fields = _fields(data, "contest")
        if fields is None:
            return _bad("contest")
        leave_room(to_room(fields["contest"]))
        return None
    return handler


_connected = False


def init_live(app) -> None:
    global _connected
    socketio.on_event("watch", _on_watch, namespace=NAMESPACE)
    socketio.on_event("unwatch", _on_unwatch, namespace=NAMESPACE)
    socketio.on_event("watch_standings", _on_watch_standings, namespace=NAMESPACE)
    socketio.on_event("unwatch_standings", _leave(standings_room), namespace=NAMESPACE)
    socketio.on_event("watch_progress", _on_watch_progress, namespace=NAMESPACE)
    socketio.on_event("unwatch_progress", _leave(progress_room), namespace=NAMESPACE)
    socketio.on_event("watch_screen", _on_watch_screen, namespace=NAMESPACE)
    socketio.on_event("watch_announcements", _on_watch_announcements, namespace=NAMESPACE)
    if not _connected:
        board_changed.connect(_on_board_changed, weak=False)
        progress_changed.connect(_on_progress_changed, weak=False)
        boards.board_state_changed.connect(_on_board_state, weak=False)
        hall.screen_changed.connect(_on_screen_changed, weak=False)
        hall.announcement_changed.connect(_on_announcement_changed, weak=False)
        atexit.register(coalescer.flush_all)
        _connected = True
