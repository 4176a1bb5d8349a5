"""Results and boards: turn an event's marks into stored results and ranks with the pure
rules of competition.scoring, keep each board's `seq`, and describe every change as a patch
that is published only after the transaction commits."""
import json
from dataclasses import dataclass, field
from decimal import Decimal

from blinker import Namespace
from sqlalchemy import Text, and_, case, func, not_, select, type_coerce
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
    # What listens after commit needs no query: the board, and whether it was live (not
    # frozen) when this transaction wrote the patch.
    event_id: int | None = None
    live: bool | None = None

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


def tie_sections(rule: scoring.EventRule) -> tuple[str, ...]:
    """The section codes the event's tie-break compares."""
    return tuple(code for code in map(scoring.tie_break_section, rule.tie_break) if code is not None)


def rerank(lines: dict[int, "Line"], rule: scoring.EventRule, *, above: int = 0,
           field: int | None = None) -> set[int]:
    """Rank the lines with the pure rule and hand out awards; returns the entry ids whose
    rank or award changed (their lines now hold the new ones). `above` and `field`: when the
    lines are a window of the board (see scoring.rank)."""
    standings = [
        scoring.Standing(key=entry_id, total=line.total,
                         sections={code: Decimal(v) for code, v in line.tie.items() if v is not None},
                         completion_time=line.completion_time, eligible=line.is_passed)
        for entry_id, line in lines.items()]
    changed = set()
    for placing in scoring.rank(standings, rule.tie_break, rule.awards, above=above, field=field):
        line = lines[placing.key]
        if (line.rank, line.award) != (placing.rank, placing.award):
            line.rank, line.award = placing.rank, placing.award
            changed.add(placing.key)
    return changed


# --- the board as the public sees it ---------------------------------------------------

def columns(event: Event) -> list[dict]:
    rule_weighted = any(s.weight is not None for s in event.sections)
    out = []
    for s in event.sections:
        top = s.weight if rule_weighted else sum((c.max for c in s.criteria), Decimal(0))
        out.append({"code": s.code, "name": s.name, "max": _fmt(top, event.places)})
    return out


class Line:
    """One entry's line on its board, as plain values read in one query: what the ranking
    compares and what a patch row shows. Section scores stay JSON text until asked for."""

    __slots__ = ("entry_id", "bib", "name", "delegation", "completion_time", "total", "_sections",
                 "is_passed", "rank", "award", "marked", "expected", "status", "tie")

    def __init__(self, entry_id, bib, name, delegation, completion_time, total, sections, is_passed,
                 rank, award, marked, expected, status, tie=None):
        self.entry_id, self.bib, self.name, self.delegation = entry_id, bib, name, delegation
        self.completion_time, self.total, self._sections = completion_time, total, sections
        self.is_passed, self.rank, self.award = is_passed, rank, award
        self.marked, self.expected, self.status = marked, expected, status
        self.tie = tie or {}  # the tie-break sections' scores as text, read without decoding all

    @classmethod
    def of(cls, result: Result, entry: Entry, delegation: str | None, tie_codes=()) -> "Line":
        sections = result.sections or {}
        return cls(entry.id, entry.bib, entry.name, delegation, entry.completion_time, result.total,
                   sections, result.is_passed, result.rank, result.award, result.marked,
                   result.expected, result.status, {code: sections.get(code) for code in tie_codes})

    @property
    def sections(self) -> dict:
        if isinstance(self._sections, (str, bytes)):
            self._sections = json.loads(self._sections)
        return self._sections or {}

    def row(self, hide_names: bool, places: int) -> dict:
        return {
            "entry": self.bib,
            "name": None if hide_names else self.name,
            "delegation": None if hide_names else self.delegation,
            "rank": self.rank,
            "total": _fmt(self.total, places),
            "sections": dict(self.sections),
            "progress": [self.marked, self.expected],
            "status": self.status,
            "award": self.award,
        }


def _hide_names(contest: Contest) -> bool:
    return contest.is_names_hidden and contest.status != "published"


def board_lines(event: Event, entry_ids=None, tie_codes=(), totals=None) -> dict[int, Line]:
    """The event's board lines (of `entry_ids` only, when given) in board order, keyed by
    entry id; one query of plain columns, no ORM objects. `tie_codes`: the sections whose
    scores the ranking needs, read out of the JSON by the database."""
    from ..contests.models import Delegation
    q = (select(Result.entry_id, Entry.bib, Entry.name, Delegation.name, Entry.completion_time, Result.total,
                # The JSON text as stored: decoded only for the rows a tie-break or a patch needs.
                type_coerce(Result.sections, Text), Result.is_passed, Result.rank, Result.award,
                Result.marked, Result.expected, Result.status,
                *(Result.sections[code].as_string() for code in tie_codes))
         .join(Entry, Entry.id == Result.entry_id)
         .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
         .where(Result.event_id == event.id, on_board()))
    if entry_ids is not None:
        q = q.where(Entry.id.in_(entry_ids))
    if totals is not None:
        q = q.where(Result.total.between(*totals))
    q = q.order_by(Result.rank.is_(None), Result.rank, Entry.bib)
    return {row[0]: Line(*row[:13], dict(zip(tie_codes, row[13:]))) for row in db.session.execute(q)}


def board_rows(event: Event, entry_ids=None) -> list[dict]:
    hide, places = _hide_names(event.contest), event.places
    return [line.row(hide, places) for line in board_lines(event, entry_ids).values()]


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


def update_event(event: Event, entry_ids, rule: scoring.EventRule | None = None,
                 board: Board | None = None) -> Patch | None:
    """Recompute the given entries and the event's ranks inside the caller's transaction,
    bump the board's seq when anything the public sees changed, and return the patch.

    Ranks are computed in memory by the pure rule, and only rows whose rank or award moved
    are written back (one executemany) and sent. When one ranked entry's total moves from t0
    to t1, only the entries with totals between t0 and t1 can change places, so only that
    window of the board is read (see scoring.rank's `above` and `field`): a correction on a
    board of thousands costs about what it costs on a board of twenty."""
    board = board or lock_board(event.id)
    rule = rule or event_rule(event)
    entry_ids = set(entry_ids)
    hide, places = _hide_names(event.contest), event.places
    tie_codes = tie_sections(rule)
    named = board_lines(event, entry_ids, tie_codes) if entry_ids else {}
    before = {i: line.row(hide, places) for i, line in named.items()}
    entries = db.session.scalars(select(Entry).where(Entry.id.in_(entry_ids))
                                 .options(joinedload(Entry.penalties), joinedload(Entry.delegation))
                                 ).unique().all() if entry_ids else []
    stored = {result.entry_id: result for result in db.session.scalars(
        select(Result).where(Result.entry_id.in_(entry_ids)))} if entry_ids else {}
    recomputed, gone, after = {}, set(), {}
    for entry in entries:
        result = recompute_entry(entry, rule, stored.get(entry.id))
        recomputed[entry.id] = result
        if entry.status in ON_BOARD and entry.bib is not None:
            after[entry.id] = Line.of(result, entry, entry.delegation.name if entry.delegation else None, tie_codes)
        else:
            result.rank, result.award = None, None  # an entry off the board keeps no rank
            if entry.id in stored and entry.bib is not None and entry.id not in before:
                gone.add(entry.bib)  # it may have been on the board: clients drop it
    db.session.flush()

    window = _window(named, after)
    if window is None:
        lines, above, field = board_lines(event, tie_codes=tie_codes), 0, None
        # Entries that left the board (rejected, withdrawn) without being named keep no rank.
        for result in db.session.scalars(
                select(Result).join(Entry, Entry.id == Result.entry_id)
                .where(Result.event_id == event.id, not_(on_board()), Result.rank.is_not(None))):
            result.rank, result.award = None, None
    else:
        lo, hi = window
        lines = board_lines(event, tie_codes=tie_codes, totals=(lo, hi))
        # Ranked means on the board with a total (update_event keeps it so): count from results alone.
        field, above = db.session.execute(
            select(func.count(), func.count(case((Result.total > hi, 1))))
            .where(Result.event_id == event.id, Result.rank.is_not(None))).one()
    for entry_id in entry_ids:
        lines.pop(entry_id, None)
    lines.update(after)
    moved = rerank(lines, rule, above=above, field=field)
    for entry_id, line in after.items():
        recomputed[entry_id].rank, recomputed[entry_id].award = line.rank, line.award
    others = [(lines[i].rank, lines[i].award, i) for i in moved - recomputed.keys()]
    if others:
        # The one statement whose rows grow with the board (an entry that jumps up moves
        # everyone it passes): plain ints and strings straight to the driver's executemany,
        # which costs a third of building SQLAlchemy parameters for each row.
        connection = db.session.connection()
        slot = "?" if connection.dialect.paramstyle == "qmark" else "%s"
        connection.exec_driver_sql(
            f"UPDATE result SET rank = {slot}, award = {slot} WHERE entry_id = {slot}", others)
    db.session.flush()
    # A row goes out when any field changed; a rank or award change is such a change.
    upsert = [line.row(hide, places) for entry_id, line in lines.items()
              if entry_id in moved or (entry_id in entry_ids and before.get(entry_id) != line.row(hide, places))]
    upsert.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["entry"]))
    remove = sorted(gone | {row["entry"] for i, row in before.items() if i not in after})
    if not upsert and not remove:
        return None
    board.seq += 1
    board.updated_at = utcnow()
    return Patch(contest=event.contest.slug, event=event.code, base=board.seq - 1, seq=board.seq,
                 upsert=upsert, remove=remove, event_id=event.id, live=board.frozen_at is None)


def _window(named: dict[int, Line], after: dict[int, Line]) -> tuple[Decimal, Decimal] | None:
    """The range of totals a change can reorder, when one entry ranked before and after
    changed its total (the field of ranked entries keeps its size, so shares of awards hold);
    None when the whole board must be ranked."""
    if len(named) != 1 or named.keys() != after.keys():
        return None
    (entry_id, old), = named.items()
    new = after[entry_id]
    if old.rank is None or old.total is None or new.total is None:
        return None
    return min(old.total, new.total), max(old.total, new.total)


def rebuild_event(event: Event) -> Patch | None:
    """Recompute every result of the event from its marks (the `results-rebuild` command)."""
    return update_event(event, [e.id for e in event.entries])
