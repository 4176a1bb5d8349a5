"""Boards as their audiences see them. The live board (`Board.seq`) is what organisers and
chief judges see; the public sees the same board until it is frozen, then `Board.public_rows`
at `Board.public_seq` until the reveal ends. Every write here takes the board's lock in one
transaction, and its patches and state go out through the signals below after commit."""
import logging
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from .. import scoring
from ..audit.models import record
from ..contests.models import Assignment, Contest, Delegation, Entry, Event
from ..database import utcnow, write_transaction
from ..extensions import db
from ..marking.models import Mark
from ..policy import can_see_live_board
from ..results import services as results
from ..results.models import Board, Result
from ..scoring.standings import delegation_standings

PUBLIC, JURY = "public", "jury"
log = logging.getLogger(__name__)

_signals = Namespace()
#: Sent after commit with `patch=BoardPatch`: a change made here (a reveal step, the catch-up
#: when a freeze ends) for one audience only, `patch.audience`.
board_published = _signals.signal("board-published")
#: Sent after commit with `state=dict` (see `board_state`) when a board is frozen, revealed
#: or unfrozen.
board_state_changed = _signals.signal("board-state-changed")
#: Sent after commit with `contest=<slug>` or `contest_id=<id>` when judging progress changed
#: without a board changing: an entry locked or unlocked (noticed here by itself, whoever
#: locks). Other features may send it too.
judging_changed = _signals.signal("judging-changed")


class BoardActionRefused(Exception):
    """A freeze or reveal that cannot be done now, with the HTTP status and a machine code."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@dataclass
class BoardPatch(results.Patch):
    """A patch for one audience. Besides the §4 keys it says whether the board is frozen
    after it and, for a reveal step, which entry was revealed."""

    audience: str = PUBLIC
    frozen: bool = False
    reveal: dict | None = None  # {"entry": bib, "revealed": rows revealed, "of": rows on the board}

    def as_dict(self) -> dict:
        out = super().as_dict()
        out["frozen"] = self.frozen
        if self.reveal is not None:
            out["reveal"] = self.reveal
        return out


# --- who sees a committed patch of the live board ---------------------------------------

_AUDIENCE = "gongjiang.board_audience"


@sa_event.listens_for(Board.seq, "set")
def _note_audience(board, seq, _old, _initiator):
    # results.Patch does not say whom it is for, and by the time it is published (after
    # commit) another request may have frozen or unfrozen the board. So the transaction that
    # moves `seq` notes whether the public saw that change; reaches_public() reads the note.
    session = object_session(board)
    if session is not None:
        notes = session.info.setdefault(_AUDIENCE, {})
        if len(notes) > 1000:  # a long-lived session (a CLI run): keep the recent ones
            notes.clear()
        notes[(board.event_id, seq)] = board.frozen_at is None


def _event_id(contest_slug: str, event_code: str) -> int | None:
    return db.session.scalar(select(Event.id).join(Contest, Contest.id == Event.contest_id)
                             .where(Contest.slug == contest_slug, Event.code == event_code))


def reaches_public(patch: results.Patch) -> bool:
    """Whether a committed patch of the live board (results.board_changed) is for the public
    too: yes unless its board was frozen when the patch's transaction wrote it."""
    event_id = patch.event_id if patch.event_id is not None else _event_id(patch.contest, patch.event)
    noted = db.session.info.get(_AUDIENCE, {}).get((event_id, patch.seq))
    if noted is not None:
        return noted
    if patch.live is not None:
        return patch.live
    board = db.session.get(Board, event_id) if event_id is not None else None
    return board is None or board.frozen_at is None


_LOCKS = "gongjiang.locked_contests"


@sa_event.listens_for(Entry.locked_at, "set")
def _note_lock(entry, value, old, _initiator):
    session = object_session(entry)
    if session is not None and value != old:
        session.info.setdefault(_LOCKS, set()).add(entry.contest_id)


@sa_event.listens_for(Session, "after_commit")
def _locks_committed(session):
    # No SQL here (the transaction is over): the contest is known by id only. The lock is
    # committed whatever a listener does, so a failing listener must not look like a failed write.
    for contest_id in session.info.pop(_LOCKS, ()):
        try:
            judging_changed.send(contest_id=contest_id)
        except Exception:  # noqa: BLE001
            log.exception("judging_changed listener failed")


@sa_event.listens_for(Session, "after_rollback")
def _locks_rolled_back(session):
    session.info.pop(_LOCKS, None)


# --- snapshots --------------------------------------------------------------------------

def sees_live_board(user, event: Event) -> bool:
    """The jury view (organisers, the event's chief judges) or the public one."""
    return can_see_live_board(user, event)


def board_snapshot(event: Event, user=None, *, jury: bool | None = None) -> dict:
    """The board snapshot of DESIGN.md §4 as `user` may see it: the live board for the jury,
    the frozen public board for everybody else while the board is frozen. Adds "view"
    ("public" or "jury") and "revealed" (rows revealed from the bottom while frozen)."""
    if jury is None:
        jury = sees_live_board(user, event)
    board = db.session.get(Board, event.id)
    frozen = board is not None and board.frozen_at is not None
    if jury or not frozen:
        snap = results.snapshot(event)
    else:
        snap = {"contest": event.contest.slug, "event": event.code, "seq": board.public_seq, "frozen": True,
                "columns": results.columns(event), "rows": list(board.public_rows or [])}
    snap["view"] = JURY if jury else PUBLIC
    snap["revealed"] = board.revealed if frozen else 0
    return snap


def board_state(event: Event, board: Board | None = None) -> dict:
    """Whether the board is frozen, and each audience's seq: `seq` (jury), `public_seq`."""
    board = board or db.session.get(Board, event.id)
    frozen = board is not None and board.frozen_at is not None
    return {"contest": event.contest.slug, "event": event.code, "frozen": frozen,
            "seq": board.seq if board else 0, "public_seq": board.public_seq if board else 0,
            "revealed": board.revealed if frozen else 0,
            "frozen_at": board.frozen_at.isoformat() + "Z" if frozen else None}


# --- freeze, reveal, unfreeze -----------------------------------------------------------

def _order(row: dict) -> tuple:
    return (row["rank"] is None, row["rank"] or 0, row["entry"])


def _diff(old_rows: list[dict], new_rows: list[dict], always=()) -> tuple[list[dict], list[str]]:
    old = {r["entry"]: r for r in old_rows}
    new = {r["entry"] for r in new_rows}
    upsert = [r for r in new_rows if r["entry"] in always or old.get(r["entry"]) != r]
    return upsert, sorted(old.keys() - new)


def revealed_rows(shown: list[dict], live: list[dict], revealed: int) -> list[dict]:
    """The public board with `revealed` rows revealed from the bottom of the live board.

    The bottom `revealed` rows of the live board show their live values (their final ranks
    and awards); every other entry keeps the row the public was shown, ranked among the
    unrevealed by that row's rank, its award held back until it is revealed. Entries that
    were not on the public board appear when revealed; entries no longer on the live board
    leave. With every row revealed this is the live board itself."""
    cut = max(0, len(live) - revealed)
    bottom = live[cut:]
    shown_by_bib = {r["entry"]: r for r in shown}
    upper = [shown_by_bib[r["entry"]] for r in live[:cut] if r["entry"] in shown_by_bib]
    ranks = sorted(r["rank"] for r in upper if r["rank"] is not None)
    rows = [dict(r, rank=None if r["rank"] is None else 1 + bisect_left(ranks, r["rank"]), award=None)
            for r in upper]
    return sorted(rows + bottom, key=_order)


def _freeze(board: Board, event: Event) -> None:
    board.public_rows = results.board_rows(event)
    board.public_seq = board.seq
    board.revealed = 0
    board.frozen_at = utcnow()


def _frozen_board(event: Event) -> Board:
    board = results.lock_board(event.id)
    if board.frozen_at is None:
        raise BoardActionRefused(409, "not_frozen", "The board is not frozen.")
    return board


def _catch_up(board: Board, event: Event, live: list[dict], reveal: dict | None = None) -> list[BoardPatch]:
    """End the freeze: the public jumps from what it was shown to the live board in one patch
    (from `public_seq` to the live seq), and the board is live again.

    Reveal steps advance `public_seq` on their own, so it may have caught up with the live
    `seq`; then the live seq moves past it, with an empty patch for the jury, so that both
    audiences stand at one seq on one board afterwards."""
    public = board.public_rows or []
    base = board.public_seq
    patches = []
    contest, code = event.contest.slug, event.code
    if reveal is not None or base != board.seq or {r["entry"]: r for r in public} != {r["entry"]: r for r in live}:
        target = max(board.seq, base + 1)
        if target > board.seq:
            patches.append(BoardPatch(contest=contest, event=code, base=board.seq, seq=target, audience=JURY))
        upsert, remove = _diff(public, live, always={reveal["entry"]} if reveal else ())
        patches.append(BoardPatch(contest=contest, event=code, base=base, seq=target, upsert=upsert,
                                  remove=remove, audience=PUBLIC, reveal=reveal))
        board.frozen_at = None
        board.seq = target  # a live board: public_seq follows (Board._public_follows_live)
    board.frozen_at = None
    board.public_seq = board.seq
    board.public_rows = None
    board.revealed = 0
    board.updated_at = utcnow()
    return patches


def _send(patches: list[BoardPatch], states: list[dict]) -> None:
    for patch in patches:
        board_published.send(patch=patch)
    for state in states:
        board_state_changed.send(state=state)


def freeze_board(event: Event, user) -> dict:
    """Freeze the board now: the public keeps the board as it is, organisers and chief judges
    keep the live one. Nothing is sent to the public but the new state."""
    with write_transaction():
        board = results.lock_board(event.id)
        if board.frozen_at is not None:
            raise BoardActionRefused(409, "frozen", "The board is already frozen.")
        _freeze(board, event)
        record("board.freeze", user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq)
        state = board_state(event, board)
    _send([], [state])
    return state


def freeze_contest(contest: Contest, user) -> int:
    """Freeze every board of the contest that is not frozen yet; returns how many."""
    with write_transaction():
        states = []
        for event in db.session.scalars(select(Event).where(Event.contest_id == contest.id).order_by(Event.id)):
            board = results.lock_board(event.id)  # in event order: two freezes never deadlock
            if board.frozen_at is None:
                _freeze(board, event)
                states.append(board_state(event, board))
        record("contest.freeze", user=user, contest=contest, target=f"contest:{contest.slug}",
               events=[s["event"] for s in states])
    _send([], states)
    return len(states)


def reveal_step(event: Event, user) -> dict:
    """Reveal the next row from the bottom of the board, as one patch to the public. The last
    step shows the live board, final ranks and awards, and ends the freeze."""
    with write_transaction():
        board = _frozen_board(event)
        live = results.board_rows(event)
        step = board.revealed + 1
        if step >= len(live):
            reveal = {"entry": live[0]["entry"], "revealed": len(live), "of": len(live)} if live else None
            patches = _catch_up(board, event, live, reveal)
        else:
            entry = live[len(live) - step]["entry"]
            shown = revealed_rows(board.public_rows or [], live, step)
            upsert, remove = _diff(board.public_rows or [], shown, always={entry})
            patches = [BoardPatch(contest=event.contest.slug, event=event.code, base=board.public_seq,
                                  seq=board.public_seq + 1, upsert=upsert, remove=remove, audience=PUBLIC,
                                  frozen=True, reveal={"entry": entry, "revealed": step, "of": len(live)})]
            board.public_seq += 1
            board.public_rows = shown
            board.revealed = step
            board.updated_at = utcnow()
        record("board.reveal", user=user, contest=event.contest, target=f"board:{event.code}",
               revealed=step, entry=patches[-1].reveal["entry"] if patches and patches[-1].reveal else None)
        state = board_state(event, board)
    _send(patches, [state])
    return state


def _end_freeze(event: Event, user, action: str) -> dict:
    with write_transaction():
        board = _frozen_board(event)
        patches = _catch_up(board, event, results.board_rows(event))
        record(action, user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq)
        state = board_state(event, board)
    _send(patches, [state])
    return state


def reveal_all(event: Event, user) -> dict:
    """Reveal the whole board at once: the public catches up with the live board in one patch."""
    return _end_freeze(event, user, "board.reveal_all")


def unfreeze(event: Event, user) -> dict:
    """End the freeze (the same as revealing everything at once)."""
    return _end_freeze(event, user, "board.unfreeze")


def unfreeze_contest(contest: Contest, user) -> int:
    """Unfreeze every frozen board of the contest; returns how many."""
    with write_transaction():
        patches, states = [], []
        for event in db.session.scalars(select(Event).where(Event.contest_id == contest.id).order_by(Event.id)):
            board = results.lock_board(event.id)
            if board.frozen_at is not None:
                patches += _catch_up(board, event, results.board_rows(event))
                states.append(board_state(event, board))
        record("contest.unfreeze", user=user, contest=contest, target=f"contest:{contest.slug}",
               events=[s["event"] for s in states])
    _send(patches, states)
    return len(states)


# --- delegation standings ----------------------------------------------------------------

def standings(contest: Contest) -> dict:
    """The contest's delegations ranked by the sum of their best N entry totals (N is
    `contest.standings_best_n`), as the public sees the boards: a frozen board counts with
    its public rows. `seq` is the sum of the boards' public seqs, so a later state has a
    greater seq. While names are hidden the standings are too (a delegation's total would
    tell which bibs are its)."""
    boards = {b.event_id: b for b in db.session.scalars(
        select(Board).join(Event, Event.id == Board.event_id).where(Event.contest_id == contest.id))}
    events = list(db.session.scalars(select(Event).where(Event.contest_id == contest.id)
                                     .order_by(Event.position, Event.id)))
    award_names = list(dict.fromkeys(a["name"] for e in events for a in (e.awards or ())))
    best_n = max(1, contest.standings_best_n or 1)
    hidden = contest.is_names_hidden and contest.status != "published"
    out = {"contest": contest.slug, "seq": sum(b.public_seq for b in boards.values()), "best_n": best_n,
           "hidden": hidden, "awards": award_names, "rows": []}
    if hidden:
        return out
    public = {event_id: {r["entry"]: r for r in board.public_rows or []}
              for event_id, board in boards.items() if board.frozen_at is not None}
    scored, awards = [], defaultdict(Counter)
    for event_id, code, places, bib, delegation, total, award in db.session.execute(
            select(Entry.event_id, Event.code, Event.places, Entry.bib, Delegation.name, Result.total, Result.award)
            .join(Event, Event.id == Entry.event_id)
            .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
            .outerjoin(Result, Result.entry_id == Entry.id)
            .where(Entry.contest_id == contest.id, results.on_board())):
        if event_id in public:  # frozen: only what the public board shows
            row = public[event_id].get(bib)
            total = Decimal(row["total"]) if row and row["total"] is not None else None
            award = row["award"] if row else None
        elif total is not None:
            total = scoring.round_half_up(total, places)  # as the board shows it
        scored.append((delegation, (code, bib), total))
        if delegation is not None and award:
            awards[delegation][award] += 1
    for s in delegation_standings(scored, best_n):
        out["rows"].append({
            "rank": s.rank, "delegation": s.delegation, "total": None if s.total is None else str(s.total),
            "counted": len(s.counted), "entries": s.entries, "awards": dict(awards[s.delegation]),
            "best": [{"event": key[0], "entry": key[1], "total": str(total)} for key, total in s.counted],
        })
    return out


# --- judging progress --------------------------------------------------------------------

def progress(contest: Contest) -> dict:
    """Judging progress of every event of the contest, for organisers and chief judges:
    marks in and expected, entries locked (signed off), flags raised for the chief judge.
    `seq` is the sum of the live boards' seqs (a hint: a later state never has a smaller one)."""
    on_board = (Entry.contest_id == contest.id, results.on_board())
    entries = {event_id: (count, locked) for event_id, count, locked in db.session.execute(
        select(Entry.event_id, func.count(Entry.id), func.count(Entry.locked_at)).where(*on_board)
        .group_by(Entry.event_id))}
    expected = dict(db.session.execute(
        select(Entry.event_id, func.count(Assignment.id)).join(Assignment, Assignment.entry_id == Entry.id)
        .where(*on_board).group_by(Entry.event_id)).all())
    marked = dict(db.session.execute(
        select(Entry.event_id, func.count(Mark.id)).join(Mark, Mark.entry_id == Entry.id)
        .where(*on_board).group_by(Entry.event_id)).all())
    flags = Counter()
    for event_id, raised in db.session.execute(
            select(Entry.event_id, Result.flags).join(Result, Result.entry_id == Entry.id).where(*on_board)):
        flags[event_id] += sum(1 for codes in (raised or {}).values() if codes)
    seq = db.session.scalar(select(func.coalesce(func.sum(Board.seq), 0)).join(Event, Event.id == Board.event_id)
                            .where(Event.contest_id == contest.id))
    events = []
    for event in db.session.scalars(select(Event).where(Event.contest_id == contest.id)
                                    .order_by(Event.position, Event.id)):
        count, locked = entries.get(event.id, (0, 0))
        events.append({"event": event.code, "name": event.name, "entries": count,
                       "marked": marked.get(event.id, 0), "expected": expected.get(event.id, 0),
                       "locked": locked, "flags": flags[event.id]})
    return {"contest": contest.slug, "seq": int(seq or 0), "events": events}
