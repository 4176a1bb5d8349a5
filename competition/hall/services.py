"""The hall's screens, announcements and sessions: one transaction per action, audited; what
changed is handed to the live feature after commit (the `screen_changed` and
`announcement_changed` signals), which pushes it over /live (DESIGN.md §4: `screen`,
`announcement`).

A screen shows what the organiser set on the console: the event being marked (the board a
mark changed last), a fixed event's board, the delegation standings, the current
announcement, a countdown (a session's end, or the next one's start) or an event's winners
card. What it shows is resolved here, in one payload, so every screen of a hall agrees."""
import random
import secrets
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from blinker import Namespace
from flask import current_app
from sqlalchemy import delete, select

from .. import times
from ..audit.models import record
from ..boards import services as boards
from ..boards.models import Board
from ..contests import sessions as clocks
from ..contests.models import Contest, Event
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import LIVE_NAMESPACE, db, socketio
from ..marking.services import measurement_closed  # noqa: F401 (the one rule, for the hall's pages)
from ..scoring.marks import decimal_text
from ..entries.identity import clean_text
from .models import ANNOUNCEMENT_MAX, ROWS_RANGE, SCALE_RANGE, SCREEN_MODES, SCREEN_NAME_MAX, Announcement, \
    EventSession, Screen

_signals = Namespace()
#: Sent after commit with `contest` (slug) and `screens` (names) whose payload changed.
screen_changed = _signals.signal("screen-changed")
#: Sent after commit with `contest` (slug) when its current announcement changed.
announcement_changed = _signals.signal("announcement-changed")

#: Modes that need an event, and those for which one is optional (a countdown of the next
#: session of any event, when none is named).
NEEDS_EVENT = ("event", "winners")
TAKES_EVENT = ("event", "winners", "countdown")


# --- screens ----------------------------------------------------------------------------------

def screen_room(contest: str, name: str) -> str:
    """The /live room of one named screen (the live feature joins a screen to it)."""
    return f"screen:{contest}:{name}"


def connected_screens(contest: Contest, name: str) -> int | None:
    """How many pages showing this screen are connected to this process; None with a message
    queue, where the other processes' rooms are not known here."""
    if current_app.config.get("SOCKETIO_MESSAGE_QUEUE"):
        return None
    server = getattr(socketio, "server", None)
    if server is None:
        return 0
    return sum(1 for _ in server.manager.get_participants(LIVE_NAMESPACE, screen_room(contest.slug, name)))


def screens(contest: Contest) -> list[Screen]:
    return list(db.session.scalars(select(Screen).where(Screen.contest_id == contest.id)
                                   .order_by(Screen.id)))


def screen_named(contest: Contest, name: str) -> Screen | None:
    return db.session.scalar(select(Screen).where(Screen.contest_id == contest.id, Screen.name == name))


def _screen(contest: Contest, screen_id: int) -> Screen:
    screen = db.session.get(Screen, screen_id)
    if screen is None or screen.contest_id != contest.id:
        raise ActionRefused(404, "not_found")
    return screen


def add_screen(user, contest: Contest, name: str) -> Screen:
    """Name a new screen of the hall (大屏一): it follows the event being marked until set."""
    name = clean_text(name or "")
    if not name:
        raise ActionRefused(422, "screen_name_required", field="name")
    if len(name) > SCREEN_NAME_MAX:
        raise ActionRefused(422, "screen_name_too_long", {"max": SCREEN_NAME_MAX}, field="name")
    with write_transaction():
        if screen_named(contest, name) is not None:
            raise ActionRefused(409, "screen_name_taken", {"name": name}, field="name")
        screen = Screen(contest_id=contest.id, name=name, mode="follow", scale=100)
        db.session.add(screen)
        db.session.flush()
        record("screen.add", user=user, contest=contest, target=f"screen:{screen.id}", name=name)
    return screen


def set_screen(user, contest: Contest, screen_id: int, *, mode: str, event_code: str | None = None,
               scale: int = 100, rows: int | None = None) -> Screen:
    """Set what a screen shows, and its font scale and rows per page. A winners card needs an
    event whose awards are decided and whose board is not frozen (it would tell the ceremony)."""
    if mode not in SCREEN_MODES:
        raise ActionRefused(422, "screen_mode_unknown", field="mode")
    if not SCALE_RANGE[0] <= scale <= SCALE_RANGE[1]:
        raise ActionRefused(422, "screen_scale_range", {"min": SCALE_RANGE[0], "max": SCALE_RANGE[1]}, field="scale")
    if rows is not None and not ROWS_RANGE[0] <= rows <= ROWS_RANGE[1]:
        raise ActionRefused(422, "screen_rows_range", {"min": ROWS_RANGE[0], "max": ROWS_RANGE[1]}, field="rows")
    with write_transaction():
        screen = _screen(contest, screen_id)
        event = None
        if event_code and mode in TAKES_EVENT:
            event = db.session.scalar(select(Event).where(Event.contest_id == contest.id, Event.code == event_code))
            if event is None:
                raise ActionRefused(422, "screen_event_required", field="event")
        if mode in NEEDS_EVENT and event is None:
            raise ActionRefused(422, "screen_event_required", field="event")
        if mode == "winners":
            _check_winners(event)
        before = {"mode": screen.mode, "event": screen.event.code if screen.event else None, "scale": screen.scale,
                  "rows": screen.rows}
        screen.mode, screen.event, screen.scale, screen.rows = mode, event, scale, rows
        screen.seq += 1
        screen.updated_at = utcnow()
        record("screen.set", user=user, contest=contest, target=f"screen:{screen.id}", name=screen.name,
               before=before, after={"mode": mode, "event": event.code if event else None, "scale": scale,
                                     "rows": rows})
    screen_changed.send(contest=contest.slug, screens=[screen.name])
    return screen


def remove_screen(user, contest: Contest, screen_id: int) -> str:
    with write_transaction():
        screen = _screen(contest, screen_id)
        name = screen.name
        db.session.delete(screen)
        record("screen.remove", user=user, contest=contest, target=f"screen:{screen_id}", name=name)
    screen_changed.send(contest=contest.slug, screens=[name])
    return name


def _check_winners(event: Event) -> None:
    if not event.awards_decided:
        raise ActionRefused(409, "winners_undecided", {"event": event.name}, field="event")
    board = db.session.get(Board, event.id)
    if board is not None and board.frozen_at is not None:
        raise ActionRefused(409, "winners_frozen", {"event": event.name}, field="event")


def followed_event(contest: Contest) -> Event | None:
    """The event being marked: of the events still live, the one whose board changed last
    (a mark, a lock …); before any change, the first event."""
    live = db.session.scalar(
        select(Event).join(Board, Board.event_id == Event.id)
        .where(Event.contest_id == contest.id, Event.result_status == "live", Board.seq > 0)
        .order_by(Board.updated_at.desc(), Event.position, Event.id).limit(1))
    if live is not None:
        return live
    return db.session.scalar(select(Event).where(Event.contest_id == contest.id)
                             .order_by(Event.position, Event.id).limit(1))


def winners(event: Event) -> dict:
    """An event's winners card: each award's entries as the public board shows them, from the
    first award down (names hidden stay hidden, as on the board)."""
    snap = boards.board_snapshot(event, jury=False)
    order = [a["name"] for a in event.awards or ()]
    groups = {name: [] for name in order}
    for row in snap["rows"]:
        if row.get("award") in groups:
            groups[row["award"]].append({k: row.get(k) for k in ("entry", "name", "delegation", "rank", "total")})
    return {"event": event.code, "name": event.name, "result_status": event.result_status,
            "awards": [{"award": name, "rows": groups[name]} for name in order if groups[name]]}


def countdown(contest: Contest, event: Event | None, now: datetime | None = None) -> dict | None:
    """The countdown of an event's sessions (of every event's, when none is named): to the
    end of the session running, else to the start of the next; None when there is none left."""
    now = now or utcnow()
    rows = session_rows(contest, event)
    clock = clocks.clock([slot for _s, slot in rows], now)
    if clock.state not in ("running", "next"):
        return None
    owner = next(s.event for s, slot in rows if slot is clock.slot)
    return {"state": clock.state, "session": clock.slot.name, "event": owner.code, "event_name": owner.name,
            "until": times.iso(contest, clock.until), "now": times.iso(contest, now),
            "starts_at": times.iso(contest, clock.slot.starts_at), "ends_at": times.iso(contest, clock.slot.ends_at)}


def screen_payload(contest: Contest, screen: Screen | None, name: str, now: datetime | None = None) -> dict:
    """What a screen is to show now (the `screen` event of DESIGN.md §4): `show` is "board"
    (with `event`), "standings", "announcement", "countdown" or "winners"; an unknown name
    follows the event being marked, at the default scale."""
    mode = screen.mode if screen is not None else "follow"
    out = {"contest": contest.slug, "screen": name, "known": screen is not None, "mode": mode,
           "seq": screen.seq if screen is not None else 0,
           "scale": (screen.scale if screen is not None else 100) / 100, "rows": screen.rows if screen else None,
           "event": None, "announcement": announcement_payload(contest)["announcement"]}
    event = screen.event if screen is not None else None
    if mode == "follow":
        event = followed_event(contest)
        out["show"] = "board" if event is not None else "announcement"
    elif mode == "event":
        out["show"] = "board"
    elif mode == "winners":
        out["show"] = "winners"
        if event is not None and event.awards_decided:
            out["winners"] = winners(event)
    elif mode == "countdown":
        out["show"] = "countdown"
        out["countdown"] = countdown(contest, event, now)
    else:
        out["show"] = mode
    out["event"] = event.code if event is not None else None
    return out


# --- announcements ------------------------------------------------------------------------------

def current_announcement(contest: Contest) -> Announcement | None:
    return db.session.scalar(select(Announcement).where(Announcement.contest_id == contest.id,
                                                        Announcement.cleared_at.is_(None))
                             .order_by(Announcement.id.desc()).limit(1))


def announcements(contest: Contest, limit: int = 50) -> list[Announcement]:
    return list(db.session.scalars(select(Announcement).where(Announcement.contest_id == contest.id)
                                   .order_by(Announcement.id.desc()).limit(limit)))


def announcement_payload(contest: Contest) -> dict:
    """The `announcement` event: the current notice, or null once cleared."""
    current = current_announcement(contest)
    return {"contest": contest.slug, "announcement": None if current is None else {
        "id": current.id, "text": current.text, "at": times.iso(contest, current.created_at)}}


def announce(user, contest: Contest, text: str, ip: str | None = None) -> Announcement:
    """A short notice to everyone watching the contest; it replaces the one shown before (which
    stays on file)."""
    text = clean_text(text or "")
    if not text:
        raise ActionRefused(422, "announcement_empty", field="text")
    if len(text) > ANNOUNCEMENT_MAX:
        raise ActionRefused(422, "announcement_too_long", {"max": ANNOUNCEMENT_MAX}, field="text")
    with write_transaction():
        now = utcnow()
        for old in db.session.scalars(select(Announcement).where(Announcement.contest_id == contest.id,
                                                                 Announcement.cleared_at.is_(None))):
            old.cleared_at, old.cleared_by_id = now, user.id
        made = Announcement(contest_id=contest.id, text=text, author_id=user.id, created_at=now)
        db.session.add(made)
        db.session.flush()
        record("announcement.make", user=user, contest=contest, target=f"announcement:{made.id}", ip=ip, text=text)
    announcement_changed.send(contest=contest.slug)
    return made


def clear_announcement(user, contest: Contest, ip: str | None = None) -> bool:
    """Take the current notice off every screen; False when none was shown."""
    with write_transaction():
        current = current_announcement(contest)
        if current is None:
            return False
        current.cleared_at, current.cleared_by_id = utcnow(), user.id
        record("announcement.clear", user=user, contest=contest, target=f"announcement:{current.id}", ip=ip)
    announcement_changed.send(contest=contest.slug)
    return True


# --- sessions (场次) -----------------------------------------------------------------------------

def _slot(session: EventSession) -> clocks.Slot:
    return clocks.Slot(session.name, session.starts_at, session.ends_at)


def session_rows(contest: Contest, event: Event | None = None) -> list[tuple[EventSession, clocks.Slot]]:
    q = select(EventSession).join(Event, Event.id == EventSession.event_id).where(Event.contest_id == contest.id)
    if event is not None:
        q = q.where(EventSession.event_id == event.id)
    return [(s, _slot(s)) for s in db.session.scalars(q.order_by(EventSession.starts_at, EventSession.id))]


def event_sessions(event: Event) -> list[EventSession]:
    return list(db.session.scalars(select(EventSession).where(EventSession.event_id == event.id)
                                   .order_by(EventSession.starts_at, EventSession.id)))


def add_session(user, contest: Contest, event: Event, name: str, starts: datetime, ends: datetime) -> EventSession:
    """A session of the event, from times typed in the contest's time zone; refused when it
    ends before it starts or overlaps another session of the event."""
    name = clean_text(name or "")
    if not name:
        raise ActionRefused(422, "session_name_required", field="name")
    starts_at, ends_at = times.from_local(contest, starts), times.from_local(contest, ends)
    if ends_at <= starts_at:
        raise ActionRefused(422, "session_ends_before_start", field="ends")
    with write_transaction():
        clash = clocks.overlaps([_slot(s) for s in event_sessions(event)], clocks.Slot(name, starts_at, ends_at))
        if clash is not None:
            raise ActionRefused(409, "session_overlaps", {"session": clash.name}, field="starts")
        session = EventSession(event_id=event.id, name=name[:60], starts_at=starts_at, ends_at=ends_at)
        db.session.add(session)
        db.session.flush()
        record("session.add", user=user, contest=contest, target=f"event:{event.code}", name=session.name,
               starts=times.iso(contest, starts_at), ends=times.iso(contest, ends_at))
    screen_changed.send(contest=contest.slug, screens=None)
    return session


def remove_session(user, contest: Contest, session_id: int) -> None:
    with write_transaction():
        session = db.session.get(EventSession, session_id)
        if session is None or session.event.contest_id != contest.id:
            raise ActionRefused(404, "not_found")
        record("session.remove", user=user, contest=contest, target=f"event:{session.event.code}", name=session.name)
        db.session.execute(delete(EventSession).where(EventSession.id == session_id))
    screen_changed.send(contest=contest.slug, screens=None)


def set_closes_with_session(user, contest: Contest, event: Event, closes: bool) -> None:
    with write_transaction():
        event.closes_with_session = bool(closes)
        record("event.closes_with_session", user=user, contest=contest, target=f"event:{event.code}",
               closes=bool(closes))


# --- rehearsals (演练) ------------------------------------------------------------------------

REHEARSAL_SUFFIX = "-rehearsal"


def _made_up_value(rng, criterion: dict) -> str:
    """A valid mark of the criterion, in its upper half (a ceremony of good results)."""
    if criterion.get("method") == "judgement":
        return str(rng.randint(1, 3))
    top = Decimal(str(criterion["max"]))
    quantum = Decimal(str(criterion["step"])) if criterion.get("step") else Decimal("0.1")
    value = (top * Decimal(rng.randint(50, 100)) / 100 / quantum).to_integral_value(ROUND_FLOOR) * quantum
    return decimal_text(min(value, top))


def rehearsal_file(contest: Contest, slug: str, name: str, seed: int) -> dict:
    """The contest as a file for its rehearsal: the same events, schemes, delegations and bibs;
    made-up names (no person of the real contest appears); judges of its own, the first of
    each event its chief; every mark made up, complete; no personal data."""
    from ..contest_files.services import export_contest
    rng = random.Random(seed)
    data = export_contest(contest)
    data["contest"] = dict(data["contest"], slug=slug, name=name, status="judging", hide_names=False)
    judges, marks = [], []
    for event in data["events"]:
        criteria = [c for section in event["sections"] for c in section["criteria"]]
        needed = max([c.get("judges", 1) for c in criteria] + [1])
        names = [f"{slug[:50]}-{event['code'][:12]}-{i + 1}" for i in range(needed)]
        judges += [{"username": username, "name": f"演练裁判{i + 1}", "events": [event["code"]], "chief": i == 0}
                   for i, username in enumerate(names)]
        entries = [e for e in data["entries"] if e["event"] == event["code"] and e.get("bib")
                   and e.get("status", "approved") == "approved"]
        for n, entry in enumerate(entries, start=1):
            for criterion in criteria:
                count = 1 if criterion.get("method") == "single" else criterion.get("judges", 1)
                marks += [{"event": event["code"], "entry": entry["bib"], "criterion": criterion["code"],
                           "judge": names[i], "value": _made_up_value(rng, criterion)} for i in range(count)]
            if entry.get("completion_time") is not None or "-completion_time" in (event.get("tie_break") or ()):
                entry["completion_time"] = str(rng.randint(1800, 5400))
    team_events = {e["code"] for e in data["events"] if e.get("team")}
    for n, entry in enumerate(data["entries"], start=1):
        if entry["event"] in team_events:
            entry["name"] = f"演练队{n}"
            entry["members"] = [f"演练队{n}队员{m + 1}" for m in range(len(entry.get("members") or []))]
        else:
            entry["name"] = f"演练选手{n}"
        entry.pop("penalties", None)
    data["entries"] = [e for e in data["entries"] if e.get("bib")]
    data["judges"], data["marks"] = judges, marks
    return data


def rehearsal_of(contest: Contest) -> Contest | None:
    """The contest's current rehearsal, if any."""
    return db.session.scalar(select(Contest).where(Contest.rehearsal_of_id == contest.id,
                                                   Contest.archived_at.is_(None)).order_by(Contest.id.desc()).limit(1))


def create_rehearsal(user, contest: Contest, seed: int | None = None) -> Contest:
    """A copy of the contest to practise the ceremony on the hall's screens without touching
    the real one: made-up names and marks, every event signed off by its rehearsal chief judge
    (so the awards are decided), every board frozen as before the first mark. Never listed
    publicly; its address is the real one's with "-rehearsal" (then "-rehearsal-2" …). A new
    rehearsal puts the last one away (archived)."""
    from ..contest_files.services import ContestFileInvalid, import_contest
    from ..judging import services as judging
    base = f"{contest.slug[:64 - len(REHEARSAL_SUFFIX) - 3]}{REHEARSAL_SUFFIX}"
    taken = set(db.session.scalars(select(Contest.slug).where(Contest.slug.like(f"{base}%"))))
    slug = next((s for s in [base, *(f"{base}-{n}" for n in range(2, 100))] if s not in taken), None)
    if slug is None:
        raise ActionRefused(409, "rehearsal_slug_taken", {"slug": base})
    seed = secrets.randbelow(10**9) if seed is None else seed
    data = rehearsal_file(contest, slug, f"【演练】{contest.name}"[:200], seed)
    try:
        copy = import_contest(data)
    except ContestFileInvalid as invalid:
        raise ActionRefused(409, "rehearsal_impossible", {"problems": "; ".join(
            f"{p.code} at {p.path}" for p in invalid.problems[:3])}) from None
    with write_transaction():
        copy = db.session.get(Contest, copy.id)
        copy.rehearsal_of_id = contest.id
        # The last rehearsal is put away (kept, as everything a contest did is kept).
        for earlier in db.session.scalars(select(Contest).where(Contest.rehearsal_of_id == contest.id,
                                                                Contest.id != copy.id,
                                                                Contest.archived_at.is_(None))):
            earlier.archived_at = utcnow()
        record("contest.rehearsal", user=user, contest=contest, target=f"contest:{slug}", seed=seed)
    from ..accounts.services import find_user
    for event in list(copy.events):
        chief = find_user(f"{slug[:50]}-{event.code[:12]}-1")
        if any(e.bib for e in event.entries if e.status == "approved"):
            judging.lock_event(chief, event)
            boards.freeze_as_before_marking(event, user)
    return db.session.get(Contest, copy.id)
