"""Live boards over Socket.IO, namespace /live (DESIGN.md §4): `watch` answers with the
board snapshot; committed changes go out as `patch` events to the board's room."""
from flask_login import current_user
from flask_socketio import join_room, leave_room

from ..contests.queries import contest_by_slug, event_by_code
from ..extensions import socketio
from ..policy import can_view_contest
from ..results.services import board_changed, snapshot

NAMESPACE = "/live"


def room(contest: str, event: str) -> str:
    return f"board:{contest}:{event}"


def _push(sender=None, *, patch, **_):
    socketio.emit("patch", patch.as_dict(), to=room(patch.contest, patch.event), namespace=NAMESPACE)


def _on_watch(data):
    if not isinstance(data, dict):
        return {"error": {"code": "bad_request", "message": "watch takes {contest, event}"}}
    contest = contest_by_slug(str(data.get("contest", "")))
    event = contest and can_view_contest(current_user, contest) and event_by_code(contest, str(data.get("event", "")))
    if not event:
        return {"error": {"code": "not_found", "message": "No such contest or event."}}
    # Join before reading: a patch committed in between is then received and, being based
    # on a seq the snapshot already includes, ignored by the client.
    join_room(room(contest.slug, event.code))
    return snapshot(event)


def _on_unwatch(data):
    if isinstance(data, dict):
        leave_room(room(str(data.get("contest", "")), str(data.get("event", ""))))


_connected = False


def init_live(app) -> None:
    global _connected
    socketio.on_event("watch", _on_watch, namespace=NAMESPACE)
    socketio.on_event("unwatch", _on_unwatch, namespace=NAMESPACE)
    if not _connected:
        board_changed.connect(_push, weak=False)
        _connected = True
