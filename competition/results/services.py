"""Results and boards: turn an event's marks into stored results and ranks with the pure
rules of competition.scoring, keep each board's `seq`, and describe every change as a patch
that is published only after the transaction commits."""
from dataclasses import dataclass, field
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import and_, func, not_, select
from sqlalchemy.orm import joinedload

from .. import scoring
from ..contests.models import Assignment, Contest, Criterion, Entry, Event
from ..database import utcnow
from ..extensions import db
from ..marking.models import Mark
from .models import Board, Result

_signals = Namespace()
#: Sent after commit with `patch=Patch`; the live feature pushes it to spectators.
board_changed = _signals.signal("board-changed")

ON_BOARD = ("approved",)  # entry statuses that appear on a board


def on_board():
    """The entries a board shows: approved, and numbered (an entry has no bib until the
    organiser assigns bibs, and a board row is keyed by its bib)."""
    return and_(Entry.status.in_(ON_BOARD), Entry.bib.is_not(None))


@dataclass
class Patch:
    contest: str
    event: str
    base: int
    seq: int
    upsert: list[dict] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"contest": self.contest, "event": self.event, "seq": self.seq, "base": self.base,
                "upsert": self.upsert, "remove": self.remove}


def publish(patches) -> None:
    """Hand committed changes to whoever listens (Socket.IO in the live feature)."""
    for patch in patches:
        if patch is not None:
            board_changed.send(patch=patch)


def event_rule(event: Event) -> scoring.EventRule:
    """The event's marking scheme as the pure rules take it."""
    sections = []
    for section in event.sections:
        criteria = tuple(
            scoring.CriterionRule(code=c.code, max=c.max, method=c.method, judges=c.judges, trim=c.trim,
                                  spread=c.spread, tolerance=c.tolerance, step=c.step)
            for c in section.criteria)
        sections.append(scoring.SectionRule(code=section.code, criteria=criteria, weight=section.weight,
                                            pass_mark=section.pass_mark))
    awards = tuple(scoring.AwardRule(name=a["name"], count=a.get("count"),
                                     share=Decimal(a["share"]) if a.get("share") is not None else None)
                   for a in event.awards or ())
    return scoring.EventRule(sections=tuple(sections), places=event.places,
                             tie_break=tuple(event.tie_break or ()), awards=awards)


def lock_board(event_id: int) -> Board:
    """Serialise writers of one event: its ranks are one read-modify-write over all rows."""
    board = db.session.execute(
        select(Board).where(Board.event_id == event_id).with_for_update()).scalar_one_or_none()
    if board is None:
        board = Board(event_id=event_id, seq=0)
        db.session.add(board)
        db.session.flush()
    return board


def _fmt(value: Decimal | None, places: int) -> str | None:
    return None if value is None else str(scoring.round_half_up(value, places))


def recompute_entry(entry: Entry, rule: scoring.EventRule, result: Result | None = None) -> Result:
    """Recompute one entry's stored result from its marks (rank is left to rerank_event)."""
    rows = db.session.execute(
        select(Criterion.code, Mark.value).join(Mark, Mark.criterion_id == Criterion.id)
        .where(Mark.entry_id == entry.id)).all()
    marks: dict[str, list[Decimal]] = {}
    for code, value in rows:
        marks.setdefault(code, []).append(value)
    penalty = sum((p.points for p in entry.penalties), Decimal(0))
    score = scoring.score_entry(rule, marks, penalty)
    expected = db.session.scalar(select(func.count()).select_from(Assignment)
                                 .where(Assignment.entry_id == entry.id)) or 0
    marked = len(rows)
    if result is None:
        result = db.session.get(Result, entry.id) or Result(entry_id=entry.id, event_id=entry.event_id)
        db.session.add(result)
    result.event_id = entry.event_id
    result.criteria = {code: (None if s is None else str(s.value)) for code, s in score.criteria.items()}
    result.sections = {code: str(v) for code, v in score.sections.items()} if score.has_marks else {}
    result.flags = {code: list(f) for code, f in score.flags.items()}
    result.total = score.total if score.has_marks else None
    result.penalty = penalty
    result.is_passed = score.passed
    result.marked = marked
    result.expected = expected
    result.status = "final" if entry.is_locked and expected and marked >= expected else "provisional"
    return result


def rerank_event(event: Event, rule: scoring.EventRule) -> set[int]:
    """Rank the event's results and hand out awards; returns the entry ids whose rank or
    award changed."""
    rows = db.session.execute(
        select(Result, Entry.bib, Entry.completion_time).join(Entry, Entry.id == Result.entry_id)
        .where(Result.event_id == event.id, on_board())).all()
    by_bib = {bib: result for result, bib, _ in rows}
    standings = [
        scoring.Standing(key=bib, total=result.total,
                         sections={k: Decimal(v) for k, v in (result.sections or {}).items()},
                         completion_time=completion_time, eligible=result.is_passed)
        for result, bib, completion_time in rows]
    changed = set()
    for placing in scoring.rank(standings, rule.tie_break, rule.awards):
        result = by_bib[placing.key]
        if (result.rank, result.award) != (placing.rank, placing.award):
            result.rank, result.award = placing.rank, placing.award
            changed.add(result.entry_id)
    # Entries that left the board (rejected, withdrawn) keep no rank.
    for result in db.session.scalars(
            select(Result).join(Entry, Entry.id == Result.entry_id)
            .where(Result.event_id == event.id, not_(on_board()), Result.rank.is_not(None))):
        result.rank, result.award = None, None
        changed.add(result.entry_id)
    return changed


# --- the board as the public sees it ---------------------------------------------------

def columns(event: Event) -> list[dict]:
    rule_weighted = any(s.weight is not None for s in event.sections)
    out = []
    for s in event.sections:
        top = s.weight if rule_weighted else sum((c.max for c in s.criteria), Decimal(0))
        out.append({"code": s.code, "name": s.name, "max": _fmt(top, event.places)})
    return out


def _row(result: Result, entry: Entry, delegation: str | None, contest: Contest, places: int) -> dict:
    hide = contest.is_names_hidden and contest.status != "published"
    return {
        "entry": entry.bib,
        "name": None if hide else entry.name,
        "delegation": None if hide else delegation,
        "rank": result.rank,
        "total": _fmt(result.total, places),
        "sections": dict(result.sections or {}),
        "progress": [result.marked, result.expected],
        "status": result.status,
        "award": result.award,
    }


def _board_query(event: Event, entry_ids=None):
    from ..contests.models import Delegation
    q = (select(Result, Entry, Delegation.name)
         .join(Entry, Entry.id == Result.entry_id)
         .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
         .where(Result.event_id == event.id, on_board()))
    if entry_ids is not None:
        q = q.where(Entry.id.in_(entry_ids))
    return q.order_by(Result.rank.is_(None), Result.rank, Entry.bib)


def board_rows(event: Event, entry_ids=None) -> list[dict]:
    return list(_rows_by_id(event, entry_ids).values())


def _rows_by_id(event: Event, entry_ids=None) -> dict[int, dict]:
    contest = event.contest
    return {entry.id: _row(result, entry, delegation, contest, event.places)
            for result, entry, delegation in db.session.execute(_board_query(event, entry_ids))}


def snapshot(event: Event) -> dict:
    """The board snapshot of DESIGN.md §4, as the API and `watch` return it."""
    board = db.session.get(Board, event.id)
    return {
        "contest": event.contest.slug,
        "event": event.code,
        "seq": board.seq if board else 0,
        "frozen": bool(board and board.frozen_at),
        "columns": columns(event),
        "rows": board_rows(event),
    }


def update_event(event: Event, entry_ids, rule: scoring.EventRule | None = None) -> Patch | None:
    """Recompute the given entries and the event's ranks inside the caller's transaction,
    bump the board's seq when anything the public sees changed, and return the patch."""
    board = lock_board(event.id)
    rule = rule or event_rule(event)
    entry_ids = set(entry_ids)
    before = _rows_by_id(event, entry_ids) if entry_ids else {}
    entries = db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids))
                                 .options(joinedload(Entry.penalties))).unique().all()
    for entry in entries:
        recompute_entry(entry, rule)
    db.session.flush()
    moved = rerank_event(event, rule)
    db.session.flush()
    after = _rows_by_id(event, entry_ids | moved)
    # A row goes out when any field changed; a rank or award change is such a change.
    upsert = [row for entry_id, row in after.items() if entry_id in moved or before.get(entry_id) != row]
    remove = sorted(before[i]["entry"] for i in before.keys() - after.keys())
    if not upsert and not remove:
        return None
    board.seq += 1
    board.updated_at = utcnow()
    return Patch(contest=event.contest.slug, event=event.code, base=board.seq - 1, seq=board.seq,
                 upsert=upsert, remove=remove)


def rebuild_event(event: Event) -> Patch | None:
    """Recompute every result of the event from its marks (the `results-rebuild` command)."""
    return update_event(event, [e.id for e in event.entries])
