"""Boards as their audiences see them. The live board (`Board.seq`) is what organisers and
chief judges see; the public sees the same board until it is frozen, then `Board.public_rows`
at `Board.public_seq` until the reveal ends. Every write here takes the board's lock in one
transaction and publishes its patches (each naming its audience) and the board's state after
commit. Also the delegation standings and the organisers' judging progress."""
from bisect import bisect_left
from collections import Counter, defaultdict
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import func, select

from .. import scoring, times
from ..audit.models import record
from ..contests.models import ANNOUNCED_OR_LATER, LIVE, Contest, Event
from ..database import utcnow, write_transaction
from ..entries.models import Delegation, Entry
from ..errors import ActionRefused
from ..extensions import db
from ..judges.models import Assignment
from ..ledger.services import head_hash as ledger_head
from ..marking.models import Mark
from ..policy import can_see_live_board
from ..scoring import ceremony
from ..scoring.standings import delegation_standings
from . import results
from .models import Board, Result
from .results import JURY, PUBLIC, Patch

_signals = Namespace()
#: Sent after commit with `state=dict` (see `board_state`) when a board is frozen, revealed
#: or unfrozen.
board_state_changed = _signals.signal("board-state-changed")


# --- snapshots --------------------------------------------------------------------------

def board_snapshot(event: Event, user=None, *, jury: bool | None = None) -> dict:
    """The board snapshot of DESIGN.md §4 as `user` may see it: the live board for the jury,
    the frozen public board for everybody else while the board is frozen. Adds "view"
    ("public" or "jury") and "revealed" (rows revealed from the bottom while frozen)."""
    if jury is None:
        jury = can_see_live_board(user, event)
    board = db.session.get(Board, event.id)
    frozen = board is not None and board.frozen_at is not None
    if jury or not frozen:
        snap = results.snapshot(event, jury=jury)
    else:
        snap = {"contest": event.contest.slug, "event": event.code, "seq": board.public_seq, "frozen": True,
                "result_status": event.result_status, "columns": results.columns(event),
                "rows": list(board.public_rows or [])}
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
        raise ActionRefused(409, "not_frozen")
    return board


def _catch_up(board: Board, event: Event, live: list[dict], reveal: dict | None = None) -> list[Patch]:
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
            patches.append(Patch(contest=contest, event=code, base=board.seq, seq=target, audience=JURY,
                                 result_status=event.result_status))
        upsert, remove = _diff(public, live, always={reveal["entry"]} if reveal else ())
        patches.append(Patch(contest=contest, event=code, base=base, seq=target, upsert=upsert,
                             remove=remove, audience=PUBLIC, reveal=reveal, result_status=event.result_status))
        board.frozen_at = None
        board.seq = target  # a live board: public_seq follows (Board._public_follows_live)
    board.frozen_at = None
    board.public_seq = board.seq
    board.public_rows = None
    board.revealed = 0
    board.updated_at = utcnow()
    return patches


def send(patches: list[Patch], states: list[dict]) -> None:
    """After commit: the patches to their audiences, the boards' states to everyone watching."""
    results.publish(patches)
    for state in states:
        board_state_changed.send(state=state)


def freeze_board(event: Event, user) -> dict:
    """Freeze the board now: the public keeps the board as it is, organisers and chief judges
    keep the live one. Nothing is sent to the public but the new state."""
    with write_transaction():
        board = results.lock_board(event.id)
        if board.frozen_at is not None:
            raise ActionRefused(409, "frozen")
        _freeze(board, event)
        record("board.freeze", user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq)
        state = board_state(event, board)
    send([], [state])
    return state


def freeze_as_before_marking(event: Event, user) -> dict:
    """Freeze the board as the public saw it before the first mark: every numbered entry, none
    ranked or scored. For a rehearsal (a copy made with all its marks): its ceremony then has
    everything to reveal."""
    with write_transaction():
        board = results.lock_board(event.id)
        if board.frozen_at is not None:
            raise ActionRefused(409, "frozen")
        _freeze(board, event)
        board.public_rows = [dict(row, rank=None, total=None, sections={}, award=None, status="provisional",
                                  progress=[0, row["progress"][1]]) for row in board.public_rows]
        record("board.freeze", user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq,
               as_before_marking=True)
        state = board_state(event, board)
    send([], [state])
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
    send([], states)
    return len(states)


def _reveal_to(board: Board, event: Event, live: list[dict], step: int) -> list[Patch]:
    """Inside the caller's transaction: the public board with `step` rows revealed from the
    bottom of the live board, still frozen, as one patch to the public. Its `reveal` names the
    best entry the step revealed (the one the hall waits for) and every entry it revealed."""
    shown = revealed_rows(board.public_rows or [], live, step)
    entries = [row["entry"] for row in live[len(live) - step:len(live) - board.revealed]]
    entry = entries[0] if entries else None
    upsert, remove = _diff(board.public_rows or [], shown, always=set(entries))
    patch = Patch(contest=event.contest.slug, event=event.code, base=board.public_seq,
                  seq=board.public_seq + 1, upsert=upsert, remove=remove, audience=PUBLIC, frozen=True,
                  reveal={"entry": entry, "entries": entries, "revealed": step, "of": len(live)},
                  result_status=event.result_status)
    board.public_seq += 1
    board.public_rows = shown
    board.revealed = step
    board.updated_at = utcnow()
    return [patch]


def reveal_step(event: Event, user, mode: str = "one") -> dict:
    """Reveal the board's next step from the bottom (scoring.ceremony's plan: one ranked entry,
    or award by award), as one patch to the public. A reveal by award needs the awards decided.
    The last step shows the live board, final ranks and awards, and ends the freeze."""
    if mode not in ceremony.REVEAL_MODES:
        raise ActionRefused(422, "reveal_mode_unknown")
    with write_transaction():
        board = _frozen_board(event)
        if mode in ceremony.BY_AWARD and not event.awards_decided:
            raise ActionRefused(409, "reveal_awards_undecided", {"event": event.name})
        live = results.board_rows(event)
        plan = ceremony.reveal_plan([(row["rank"], row["award"]) for row in live], mode)
        step = next((done for done in plan if done > board.revealed), len(live))
        if step >= len(live):
            entries = [row["entry"] for row in live[:len(live) - board.revealed]]
            reveal = {"entry": live[0]["entry"], "entries": entries, "revealed": len(live), "of": len(live)} \
                if live else None
            patches = _catch_up(board, event, live, reveal)
        else:
            patches = _reveal_to(board, event, live, step)
        record("board.reveal", user=user, contest=event.contest, target=f"board:{event.code}", mode=mode,
               revealed=step, entry=patches[-1].reveal["entry"] if patches and patches[-1].reveal else None)
        state = board_state(event, board)
    send(patches, [state])
    return state


def _end_freeze(event: Event, user, action: str) -> dict:
    with write_transaction():
        board = _frozen_board(event)
        patches = _catch_up(board, event, results.board_rows(event))
        record(action, user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq)
        state = board_state(event, board)
    send(patches, [state])
    return state


def reveal_all(event: Event, user, *, end: bool = False) -> dict:
    """Reveal the whole board at once, in one patch to the public. The board stays frozen (the
    public sees every final row, and nothing the jury changes after) unless `end`: then the
    public catches up with the live board and the board is live again."""
    if end:
        return _end_freeze(event, user, "board.reveal_all")
    with write_transaction():
        board = _frozen_board(event)
        live = results.board_rows(event)
        patches = _reveal_to(board, event, live, len(live)) if board.revealed < len(live) else []
        record("board.reveal_all", user=user, contest=event.contest, target=f"board:{event.code}", seq=board.seq,
               end=False)
        state = board_state(event, board)
    send(patches, [state])
    return state


def unfreeze(event: Event, user) -> dict:
    """End the freeze (the same as revealing everything at once)."""
    return _end_freeze(event, user, "board.unfreeze")


def withhold_awards(event: Event) -> Patch | None:
    """Inside the caller's transaction, once the event is live again (an unlock took its
    sign-off back): a frozen board's public rows lose the awards they showed, which are not
    decided any more, and the public gets that as a patch. None when nothing changes."""
    board = results.lock_board(event.id)
    if board.frozen_at is None or event.awards_decided:
        return None
    rows = board.public_rows or []
    upsert = [dict(row, award=None) for row in rows if row.get("award") is not None]
    if not upsert:
        return None
    board.public_rows = [dict(row, award=None) for row in rows]
    board.public_seq += 1
    return Patch(contest=event.contest.slug, event=event.code, base=board.public_seq - 1, seq=board.public_seq,
                 upsert=upsert, audience=PUBLIC, frozen=True, result_status=event.result_status)


def release_frozen(contest: Contest) -> tuple[list[Patch], list[dict]]:
    """Inside the caller's transaction: every frozen board of the contest catches the public up
    with the live board and is live again (announced results are public). The patches and
    board states to send after commit (with `send`)."""
    patches, states = [], []
    for event in sorted(contest.events, key=lambda e: e.id):
        board = results.lock_board(event.id)
        if board.frozen_at is not None:
            patches += _catch_up(board, event, results.board_rows(event))
            states.append(board_state(event, board))
    return patches, states


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
    send(patches, states)
    return len(states)


# --- the results, once announced (DESIGN.md §4) ------------------------------------------------

def announced_results(contest: Contest) -> dict | None:
    """The contest's announced results: every announced event's board with its awards, the
    contest's status ("announced" during 公示, "official" once published) and the end of the
    objection window in the contest's time zone. None before any event is announced."""
    events = [e for e in contest.events if e.result_status in ANNOUNCED_OR_LATER]
    if not events:
        return None
    return {
        "contest": contest.slug,
        "status": "official" if contest.status == "published" else "announced",
        "objections_until": times.iso(contest, contest.objections_until),
        "ledger_head": ledger_head(contest),
        "events": [{"event": e.code, "name": e.name, "result_status": e.result_status,
                    "columns": results.columns(e), "rows": results.board_rows(e)} for e in events],
    }


def record_results_export(contest: Contest, user, fmt: str, ip: str | None) -> None:
    """Who took the results (with every judge's marks) away, and when."""
    with write_transaction():
        record("results.export", user=user, contest=contest, target=f"contest:{contest.slug}", fmt=fmt, ip=ip)


# --- delegation standings ----------------------------------------------------------------

def standings(contest: Contest, *, staff: bool = False) -> dict:
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
    hidden = contest.names_hidden and not staff  # organisers' exports name every delegation
    out = {"contest": contest.slug, "seq": sum(b.public_seq for b in boards.values()), "best_n": best_n,
           "hidden": hidden, "awards": award_names,
           # Awards count only from events signed off: which those are, in words on the page.
           "result_status": {e.code: e.result_status for e in events}, "rows": []}
    if hidden:
        return out
    public = {event_id: {r["entry"]: r for r in board.public_rows or []}
              for event_id, board in boards.items() if board.frozen_at is not None}
    scored, awards = [], defaultdict(Counter)
    # DESIGN.md §3: an award is decided only once its event is signed off; until then none counts.
    for event_id, code, places, result_status, bib, delegation, total, award in db.session.execute(
            select(Entry.event_id, Event.code, Event.places, Event.result_status, Entry.bib,
                   Delegation.name, Result.total, Result.award)
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
        if delegation is not None and award and result_status != LIVE:
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
