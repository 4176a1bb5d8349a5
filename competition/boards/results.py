"""The one recompute door: `recompute(event, entry_ids)` turns an event's marks into stored
results and ranks with the pure rules of competition.scoring, bumps the board's `seq` and
returns the change as a Patch, inside the caller's transaction. Every service that changes what
results depend on (marks, assignments, the scheme, entries' status, bibs, locks) calls it in its
own transaction and publishes the patch after commit with `publish`."""
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from blinker import Namespace
from sqlalchemy import and_, bindparam, case, func, not_, select
from sqlalchemy.orm import joinedload

from .. import scoring
from ..contests.models import LIVE, Criterion, Event
from ..database import utcnow
from ..entries.models import APPROVED, Delegation, Entry
from ..extensions import db
from ..judges.models import Assignment
from ..marking.models import Mark, Penalty
from ..scoring.projection import Pending, missing_marks, rank_ranges
from .models import Board, Result

_signals = Namespace()
#: Sent after commit with `patch=Patch`; the live feature pushes it to its audience.
board_changed = _signals.signal("board-changed")
#: Sent after commit with `contest=<slug>` when judging progress changed and no board did.
progress_changed = _signals.signal("progress-changed")

ON_BOARD = (APPROVED,)  # entry statuses that appear on a board
#: Who a patch is for: everybody watching the board (it is live), only the jury (organisers
#: and the event's chief judges, while the board is frozen for the public), or only the public
#: (a reveal step, the end of a freeze).
EVERYONE, JURY, PUBLIC = "everyone", "jury", "public"


def on_board():
    """The entries a board shows: approved, and numbered (an entry has no bib until the
    organiser assigns bibs, and a board row is keyed by its bib)."""
    return and_(Entry.status.in_(ON_BOARD), Entry.bib.is_not(None))


@dataclass
class Patch:
    """A change of one board (DESIGN.md §4), for its `audience`, written by the transaction
    that made it: who sees it is decided then, never after commit. `frozen`: whether the
    public board is frozen after it; `reveal`: for a reveal step, which entry was revealed
    ({"entry": bib, "revealed": rows revealed, "of": rows on the board})."""

    contest: str
    event: str
    base: int
    seq: int
    upsert: list[dict] = field(default_factory=list)
    remove: list[str] = field(default_factory=list)
    audience: str = EVERYONE
    frozen: bool = False
    reveal: dict | None = None
    columns: list[dict] | None = None  # the board's columns, when they changed
    result_status: str = "live"  # the event's, after the change (DESIGN.md §2)

    def as_dict(self, jury: bool = True) -> dict:
        """The patch as `/live` sends it; for the public (`jury` False) without the jury's
        provisional awards. The jury's projected rank ranges are not in patches: a mark never
        waits for them (see jury_ranges and the live feature's `ranges` feed)."""
        upsert = self.upsert if jury else [public_row(row) for row in self.upsert]
        out = {"contest": self.contest, "event": self.event, "seq": self.seq, "base": self.base,
               "upsert": upsert, "remove": self.remove, "frozen": self.frozen,
               "result_status": self.result_status}
        if self.reveal is not None:
            out["reveal"] = self.reveal
        if self.columns is not None:
            out["columns"] = self.columns
        return out


def publish(patches, contest: str | None = None) -> None:
    """Hand committed changes to whoever listens (Socket.IO in the live feature). `contest`:
    the slug of a contest whose judging progress changed even where no board did (an entry
    off the board locked, say)."""
    sent = False
    for patch in patches:
        if patch is not None:
            board_changed.send(patch=patch)
            sent = True
    if contest is not None and not sent:
        progress_changed.send(contest=contest)


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


def recompute_entry(entry: Entry, rule: scoring.EventRule | None, result: Result | None = None, *,
                    marks: dict[str, list[Decimal]] | None = None, expected: int | None = None) -> Result:
    """Recompute one entry's stored result from its marks (rank is left to rerank). With no
    rule (a scheme that cannot be scored yet) the entry has no marks and only its progress.
    `marks` (by criterion code) and `expected` (its assignments): when the caller read them."""
    if marks is None:
        marks = _marks_of([entry.id]).get(entry.id, {})
    marked = sum(len(values) for values in marks.values())
    penalty = sum((p.points for p in entry.penalties), Decimal(0))
    if rule is None and marked:
        raise scoring.RuleError(f"event {entry.event_id}: marks on a scheme that cannot be scored")
    score = scoring.score_entry(rule, marks, penalty) if rule is not None else None
    if expected is None:
        expected = db.session.scalar(select(func.count()).select_from(Assignment)
                                     .where(Assignment.entry_id == entry.id)) or 0
    if result is None:
        result = db.session.get(Result, entry.id) or Result(entry_id=entry.id, event_id=entry.event_id)
        db.session.add(result)
    result.event_id = entry.event_id
    scored = score is not None and score.has_marks
    result.criteria = {code: (None if s is None else str(s.value)) for code, s in score.criteria.items()} \
        if score is not None else {}
    result.sections = {code: str(v) for code, v in score.sections.items()} if scored else {}
    result.flags = {code: list(f) for code, f in score.flags.items()} if score is not None else {}
    result.total = score.total if scored else None
    result.penalty = penalty
    result.is_passed = score.passed if score is not None else True
    result.marked = marked
    result.expected = expected
    result.status = "final" if entry.is_locked and expected and marked >= expected else "provisional"
    return result


def _marks_of(entry_ids) -> dict[int, dict[str, list[Decimal]]]:
    """The entries' marks, by entry id and criterion code: one query for any number."""
    marks: dict[int, dict[str, list[Decimal]]] = {}
    for entry_id, code, value in db.session.execute(
            select(Mark.entry_id, Criterion.code, Mark.value).join(Criterion, Criterion.id == Mark.criterion_id)
            .where(Mark.entry_id.in_(entry_ids))):
        marks.setdefault(entry_id, {}).setdefault(code, []).append(value)
    return marks


def _entries_with_results(entry_ids) -> list[tuple[Entry, "Result | None", int, dict[str, list[Decimal]]]]:
    """The entries with their stored results (None: none yet), delegations, penalties, the
    number of marks they expect (their assignments) and their marks by criterion code: one
    query for any number of entries (a row per mark)."""
    expected = (select(func.count()).select_from(Assignment).where(Assignment.entry_id == Entry.id)
                .correlate(Entry).scalar_subquery())
    rows = db.session.execute(
        select(Entry, Result, expected, Mark.id, Criterion.code, Mark.value)
        .outerjoin(Result, Result.entry_id == Entry.id)
        .outerjoin(Mark, Mark.entry_id == Entry.id).outerjoin(Criterion, Criterion.id == Mark.criterion_id)
        .where(Entry.id.in_(entry_ids))
        .options(joinedload(Entry.penalties), joinedload(Entry.delegation))).unique().all()
    out: dict[int, tuple] = {}
    for entry, result, count, mark_id, code, value in rows:
        marks = out.setdefault(entry.id, (entry, result, count or 0, {}))[3]
        if mark_id is not None:
            marks.setdefault(code, []).append(value)
    return list(out.values())


_NO_SCORES: dict = {}


def tie_sections(rule: scoring.EventRule) -> tuple[str, ...]:
    """The section codes the event's tie-break compares."""
    return tuple(code for code in map(scoring.tie_break_section, rule.tie_break) if code is not None)


def rerank(lines: dict[int, "Line"], rule: scoring.EventRule | None, *, above: int = 0,
           field: int | None = None) -> set[int]:
    """Rank the lines with the pure rule and hand out awards; returns the entry ids whose
    rank or award changed (their lines now hold the new ones). `above` and `field`: when the
    lines are a window of the board (see scoring.rank). No rule: nobody is ranked."""
    if rule is None:
        changed = {i for i, line in lines.items() if (line.rank, line.award) != (None, None)}
        for line in lines.values():
            line.rank = line.award = None
        return changed
    # Tie-break scores are compared only between equal totals: only those lines decode them.
    codes = tie_sections(rule)
    shared = {total for total, n in Counter(line.total for line in lines.values()).items()
              if n > 1} if rule.tie_break else ()
    standings = [
        scoring.Standing(entry_id, line.total,
                         {code: Decimal(line.sections[code]) for code in codes if code in line.sections}
                         if line.total in shared else _NO_SCORES,
                         line.completion_time, line.is_passed)
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
    compares and what a patch row shows."""

    __slots__ = ("entry_id", "bib", "name", "delegation", "completion_time", "total", "is_passed",
                 "rank", "award", "marked", "expected", "status", "sections")

    def __init__(self, entry_id, bib, name, delegation, completion_time, total, is_passed, rank, award,
                 marked, expected, status, sections):
        self.entry_id, self.bib, self.name, self.delegation = entry_id, bib, name, delegation
        self.completion_time, self.total, self.is_passed = completion_time, total, is_passed
        self.rank, self.award = rank, award
        self.marked, self.expected, self.status = marked, expected, status
        self.sections = sections  # section code -> score as text; {} before the first mark

    @classmethod
    def of(cls, result: Result, entry: Entry, delegation: str | None) -> "Line":
        return cls(entry.id, entry.bib, entry.name, delegation, entry.completion_time, result.total,
                   result.is_passed, result.rank, result.award, result.marked, result.expected,
                   result.status, dict(result.sections or {}))

    def row(self, hide_names: bool, places: int, decided: bool) -> dict:
        """The row of DESIGN.md §4. An award not yet decided (the event is not signed off) is
        null; the jury's row carries it as "provisional_award", which public_row drops."""
        row = {
            "entry": self.bib,
            "name": None if hide_names else self.name,
            "delegation": None if hide_names else self.delegation,
            "rank": self.rank,
            "total": _fmt(self.total, places),
            "sections": dict(self.sections),
            "progress": [self.marked, self.expected],
            "status": self.status,
            "award": self.award if decided else None,
        }
        if not decided and self.award is not None:
            row[PROVISIONAL] = self.award
        return row


#: The key of a jury row's award while it is not decided (organisers and chief judges see it,
#: labelled 暂定); never on a public surface.
PROVISIONAL = "provisional_award"


#: The key of a jury row's projected rank range (可能名次): [best, worst], or null once its rank
#: is settled; never on a public surface.
RANGE = "range"
_JURY_ONLY = (PROVISIONAL, RANGE)


def public_row(row: dict) -> dict:
    """A row as the public may see it: no provisional award, no projected rank range."""
    if PROVISIONAL not in row and RANGE not in row:  # (every row of a patch comes through here)
        return row
    return {key: value for key, value in row.items() if key not in _JURY_ONLY}


def board_lines(event: Event, entry_ids=None, totals=None, codes=None, *, flush: bool = True) -> dict[int, Line]:
    """The event's board lines (of `entry_ids` only, when given; with totals in the range
    `totals`, when given) in board order, keyed by entry id: one query of plain columns, no
    ORM objects. Section scores are read out of the JSON by the database, one column per
    section of the event (`codes`, when the caller has them)."""
    codes = tuple(s.code for s in event.sections) if codes is None else tuple(codes)
    params = {"event_id": event.id}
    if entry_ids is not None:
        params["ids"] = list(entry_ids)
    if totals is not None:
        params["lo"], params["hi"] = totals
    lines = {}
    for row in _plain_rows(_board_query(codes, entry_ids is not None, totals is not None), params, flush=flush):
        # A result holds every section's score or, before its first mark, none.
        sections = {code: value for code, value in zip(codes, row[12:]) if value is not None}
        lines[row[0]] = Line(*row[:12], sections)
    return lines


@lru_cache(maxsize=256)
def _board_query(codes: tuple[str, ...], by_ids: bool, by_totals: bool):
    """board_lines' select, built once for each shape (every mark runs one; building it anew
    cost about what running it does): the event, the entries and the range of totals bound."""
    q = (select(Result.entry_id, Entry.bib, Entry.name, Delegation.name, Entry.completion_time, Result.total,
                Result.is_passed, Result.rank, Result.award, Result.marked, Result.expected, Result.status,
                *(Result.sections[code].as_string() for code in codes))
         .join(Entry, Entry.id == Result.entry_id)
         .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
         .where(Result.event_id == bindparam("event_id"), on_board()))
    if by_ids:
        q = q.where(Entry.id.in_(bindparam("ids", expanding=True)))
    if by_totals:
        q = q.where(Result.total.between(bindparam("lo"), bindparam("hi")))
    return q.order_by(Result.rank.is_(None), Result.rank, Entry.bib)


def promotion_lines(event: Event, lines: dict[int, Line] | None = None) -> list[Line]:
    """The event's promotion list (晋升名单) in board order: its rule applied by the pure
    scoring to the board's own ranks and passes. [] when the event has no rule."""
    rule = event.promotion_rule()
    if rule is None:
        return []
    lines = board_lines(event) if lines is None else lines
    keys = scoring.promoted(((entry_id, line.rank, line.is_passed) for entry_id, line in lines.items()), rule)
    return [lines[key] for key in keys]


def _plain_rows(q, params: dict | None = None, flush: bool = True) -> list:
    """Run a select and return its rows as the driver's tuples, with only the columns whose
    type converts values (decimals, booleans) converted, by their own types. A mark that
    moves an entry across the board reads hundreds of rows, and building a SQLAlchemy Row
    for each costs more than the query. Through the connection rather than the ORM session:
    no identity map; what autoflush would do is done first (unless `flush` is False: the
    caller knows the rows read do not depend on what is pending)."""
    if flush:
        db.session.flush()
    connection = db.session.connection()
    dialect = connection.dialect
    result = connection.execute(q, params or {})
    cursor = result.cursor
    convert = [(i, processor) for i, (column, described) in enumerate(zip(q.selected_columns, cursor.description))
               if (processor := column.type.dialect_impl(dialect).result_processor(dialect, described[1]))]
    rows = cursor.fetchall()
    result.close()
    if not convert:
        return rows
    out = []
    for row in rows:
        row = list(row)
        for i, processor in convert:
            row[i] = processor(row[i])
        out.append(row)
    return out


def board_rows(event: Event, entry_ids=None, *, jury: bool = False) -> list[dict]:
    """The live board's rows, as the public sees them unless `jury`."""
    hide, places, decided = event.contest.names_hidden, event.places, event.awards_decided
    rows = [line.row(hide, places, decided) for line in board_lines(event, entry_ids).values()]
    return rows if jury else [public_row(row) for row in rows]


def snapshot(event: Event, *, jury: bool = False) -> dict:
    """The live board's snapshot of DESIGN.md §4, as the API and `watch` return it (with the
    provisional awards and the projected rank ranges when for the `jury`)."""
    board = db.session.get(Board, event.id)
    rows = board_rows(event, jury=jury)
    if jury or (event.contest.shows_public_ranges and not (board and board.frozen_at)):
        ranges = jury_ranges(event)
        rows = [dict(row, **{RANGE: ranges.get(row["entry"])}) for row in rows]
    return {
        "contest": event.contest.slug,
        "event": event.code,
        "seq": board.seq if board else 0,
        "frozen": bool(board and board.frozen_at),
        "result_status": event.result_status,
        "columns": columns(event),
        "rows": rows,
    }


def jury_ranges(event: Event, rule: scoring.EventRule | None = None) -> dict[str, list[int]]:
    """The jury's projected rank ranges: {bib: [best, worst]} for every entry on the board
    whose final rank is still open (it waits for marks, or others who do can still pass it or
    fall behind it), by the pure rule scoring.projection from the marks in and the marks to
    come (the assignments). Entries not named have a settled rank, or none. Nothing while the
    scheme cannot be scored or the event is not live (every entry is locked then, and its
    rank is its final one). A handful of queries, whatever the board's size."""
    if event.result_status != LIVE:
        return {}
    if rule is None:
        try:
            rule = event.rule()
        except scoring.RuleError:
            return {}
    where = (Entry.event_id == event.id, on_board())
    entries = db.session.execute(
        select(Entry.id, Entry.bib, Entry.completion_time, Entry.locked_at.is_not(None)).where(*where)).all()
    if not entries:
        return {}
    marks: dict[int, dict[str, list[Decimal]]] = {}
    for entry_id, code, value in db.session.execute(
            select(Mark.entry_id, Criterion.code, Mark.value).join(Criterion, Criterion.id == Mark.criterion_id)
            .join(Entry, Entry.id == Mark.entry_id).where(*where)):
        marks.setdefault(entry_id, {}).setdefault(code, []).append(value)
    assigned: dict[int, dict[str, int]] = {}
    for entry_id, code, count in db.session.execute(
            select(Assignment.entry_id, Criterion.code, func.count())
            .join(Criterion, Criterion.id == Assignment.criterion_id)
            .join(Entry, Entry.id == Assignment.entry_id).where(*where)
            .group_by(Assignment.entry_id, Criterion.code)):
        assigned.setdefault(entry_id, {})[code] = count
    penalties = dict(db.session.execute(
        select(Penalty.entry_id, func.sum(Penalty.points)).join(Entry, Entry.id == Penalty.entry_id)
        .where(*where).group_by(Penalty.entry_id)).all())
    pending, bibs = [], {}
    for entry_id, bib, completion_time, locked in entries:
        have = marks.get(entry_id, {})
        pending.append(Pending(entry_id, have, missing_marks(rule, have, assigned.get(entry_id, {}), locked),
                               Decimal(penalties.get(entry_id) or 0), completion_time))
        bibs[entry_id] = bib
    ranges, out = rank_ranges(rule, pending), {}
    for item in pending:
        span = ranges[item.key]
        # A complete entry whose rank nobody can change any more shows none.
        if span is not None and (item.missing or span.best != span.worst):
            out[bibs[item.key]] = [span.best, span.worst]
    return out


def ranges_message(event: Event) -> dict:
    """The jury's `ranges` event (/live): the board's projected rank ranges as a whole, at the
    board's seq. Computed after commit, in the background, never inside a mark."""
    board = db.session.get(Board, event.id)
    return {"contest": event.contest.slug, "event": event.code, "seq": board.seq if board else 0,
            "frozen": bool(board and board.frozen_at), "ranges": jury_ranges(event)}


def recompute(event: Event, entry_ids, rule: scoring.EventRule | None = None,
              board: Board | None = None, shown_bibs: dict[int, str] | None = None,
              full: bool = False, refresh: bool = False, loaded: list | None = None) -> Patch | None:
    """Recompute the given entries and the event's ranks inside the caller's transaction,
    bump the board's seq when anything the public sees changed, and return the patch.

    Ranks are computed in memory by the pure rule, and only rows whose rank or award moved
    are written back (one executemany) and sent. When one ranked entry's total moves from t0
    to t1, only the entries with totals between t0 and t1 can change places, so only that
    window of the board is read (see scoring.rank's `above` and `field`): a correction on a
    board of thousands costs about what it costs on a board of twenty.

    `shown_bibs`: entries whose bib this transaction changed (renumbering), with the bib the
    board showed them under; a row is keyed by its bib, so the patch drops the old one.
    `full`: rank the whole board, trusting no stored rank (a rebuild, an import). `refresh`:
    how rows are shown changed (the scheme's columns, names hidden or not): every row goes
    out, with the columns. `loaded`: what the caller read of the entries, as
    _entries_with_results reads it (their marks as they are now, changes not yet written
    included), so that it is not read again."""
    board = board or lock_board(event.id)
    if rule is None:
        try:
            rule = event.rule()
        except scoring.RuleError:
            # A scheme being written (a section without criteria yet) scores nothing: its
            # entries have no marks (marking needs a scorable scheme), only their progress.
            rule = None
    entry_ids = set(entry_ids)
    hide, places, decided = event.contest.names_hidden, event.places, event.awards_decided
    codes = [section.code for section in rule.sections] if rule is not None else []
    # One query for the named entries, whatever their number, unless the caller read them:
    # each with its stored result, delegation, penalties, assignments and marks (autoflush
    # first stores what the caller changed, a new mark say).
    if loaded is None:
        loaded = _entries_with_results(entry_ids) if entry_ids else []
    stored = {entry.id: result for entry, result, _expected, _marks in loaded if result is not None}
    # The rows the board showed for them, as board_lines reads them, before anything changes.
    named = {entry.id: Line(entry.id, entry.bib, entry.name, entry.delegation.name if entry.delegation else None,
                            entry.completion_time, result.total, result.is_passed, result.rank, result.award,
                            result.marked, result.expected, result.status,
                            {code: value for code in codes
                             if (value := (result.sections or {}).get(code)) is not None})
             for entry, result, _expected, _marks in loaded
             if result is not None and result.event_id == event.id and entry.status in ON_BOARD
             and entry.bib is not None}
    before = {i: line.row(hide, places, decided) for i, line in named.items()}
    for entry_id, bib in (shown_bibs or {}).items():
        if entry_id in before:
            before[entry_id]["entry"] = bib
    recomputed, gone, after = {}, set(), {}
    for entry, _result, expected, marks in loaded:
        if entry.event_id != event.id:
            # Moved to another event: it leaves this board (its row goes as one that left it),
            # and the recompute of its new event scores and ranks it.
            continue
        result = recompute_entry(entry, rule, stored.get(entry.id), marks=marks, expected=expected)
        recomputed[entry.id] = result
        if entry.status in ON_BOARD and entry.bib is not None:
            after[entry.id] = Line.of(result, entry, entry.delegation.name if entry.delegation else None)
        else:
            result.rank, result.award = None, None  # an entry off the board keeps no rank
            # Named because this transaction took it off the board (a review): clients drop its
            # row. A rebuild names every entry, and one off the board already is nothing new.
            if not full and entry.id in stored and entry.bib is not None and entry.id not in before:
                gone.add(entry.bib)

    window = None if full or refresh else _window(named, after)
    if window is None:
        db.session.flush()
        lines, above, field = board_lines(event, codes=codes), 0, None
        # Entries that left the board (rejected, withdrawn) without being named keep no rank.
        for result in db.session.scalars(
                select(Result).join(Entry, Entry.id == Result.entry_id)
                .where(Result.event_id == event.id, not_(on_board()), Result.rank.is_not(None))):
            result.rank, result.award = None, None
    else:
        lo, hi, _by = window
        # The one result changed so far is the named entry's, whose line is `after`: its row
        # is written once, with its rank, below (a flush now would write it twice).
        with db.session.no_autoflush:
            lines = board_lines(event, totals=(lo, hi), codes=codes, flush=False)
            above, field = _window_place(event.id, board, lines, hi)
    for entry_id in entry_ids:
        lines.pop(entry_id, None)
    lines.update(after)
    shift = None
    if window is None:
        moved = rerank(lines, rule, above=above, field=field)
        board.ranked = sum(1 for line in lines.values() if line.rank is not None)
    else:
        moved, shift = _rerank_window(event.id, lines, rule, window, above=above, field=field)
    for entry_id, line in after.items():
        recomputed[entry_id].rank, recomputed[entry_id].award = line.rank, line.award
    alone = moved - recomputed.keys() - (shift.by_range if shift else set())
    _write_ranks([(i, lines[i].rank, lines[i].award) for i in alone], shift)
    db.session.flush()
    # A row goes out when any field changed; a rank or award change is such a change.
    upsert = [line.row(hide, places, decided) for entry_id, line in lines.items()
              if refresh or entry_id in moved
              or (entry_id in entry_ids and before.get(entry_id) != line.row(hide, places, decided))]
    upsert.sort(key=lambda row: (row["rank"] is None, row["rank"] or 0, row["entry"]))
    # Rows that left the board, and rows shown under a bib their entry no longer has (unless
    # another entry's row now takes that bib).
    remove = sorted((gone | {row["entry"] for i, row in before.items()
                             if i not in after or row["entry"] != after[i].bib})
                    - {row["entry"] for row in upsert})
    if not upsert and not remove and not refresh:
        return None
    board.seq += 1
    board.updated_at = utcnow()
    frozen = board.frozen_at is not None
    return Patch(contest=event.contest.slug, event=event.code, base=board.seq - 1, seq=board.seq,
                 upsert=upsert, remove=remove, audience=JURY if frozen else EVERYONE, frozen=frozen,
                 columns=columns(event) if refresh else None, result_status=event.result_status)


def _window(named: dict[int, Line], after: dict[int, Line]) -> tuple[Decimal, Decimal, int] | None:
    """The range of totals a change can reorder, when one entry ranked before and after
    changed its total (the field of ranked entries keeps its size, so shares of awards hold),
    and which way the entries inside it move: +1 (down a place: the entry rose past them), -1
    (up: it fell past them) or 0 (its total did not change); None when the whole board must be
    ranked."""
    if len(named) != 1 or named.keys() != after.keys():
        return None
    (entry_id, old), = named.items()
    new = after[entry_id]
    if old.rank is None or old.total is None or new.total is None:
        return None
    by = (new.total > old.total) - (new.total < old.total)
    return min(old.total, new.total), max(old.total, new.total), by


@dataclass
class Shift:
    """The entries one mover passed: every ranked entry of the event with a total strictly
    between lo and hi, each moved `by` one place. `rows`: their (entry id, rank, award) now;
    `by_range`: those whose award stayed, which one range update can move."""

    event_id: int
    lo: Decimal
    hi: Decimal
    by: int
    rows: list[tuple[int, int, str | None]]
    by_range: set[int]


def _rerank_window(event_id: int, lines: dict[int, Line], rule: scoring.EventRule | None,
                   window: tuple[Decimal, Decimal, int], *, above: int, field: int) -> tuple[set[int], Shift | None]:
    """Rerank a window of the board after one entry's total moved across it (lines: every
    entry with a total in [lo, hi], the mover's new line among them; `above` and `field` as
    _window_place gives them). Only the two ends, the totals equal to lo and to hi, are
    ranked by the pure rule; every entry strictly between was passed by the mover and moves
    one place (scoring.shift), so a jump across a board of thousands costs little per entry
    passed. Returns the ids whose rank or award changed, and the shift to write."""
    lo, hi, by = window
    between = [(i, line) for i, line in lines.items() if lo < line.total < hi]  # in board order
    if rule is None or by == 0 or any(line.rank is None for _i, line in between):
        # No move, or a stored rank missing (what was stored is not trusted): rank it all.
        return rerank(lines, rule, above=above, field=field), None
    top = {i: line for i, line in lines.items() if line.total == hi}
    bottom = {i: line for i, line in lines.items() if line.total == lo}
    moved = rerank(top, rule, above=above, field=field)
    moved |= rerank(bottom, rule, above=above + len(top) + len(between), field=field)
    placings = scoring.shift(((i, line.rank, line.is_passed) for i, line in between), by, rule.awards, field=field)
    rows, by_range = [], set()
    for (i, line), placing in zip(between, placings):
        if placing.award == line.award:
            by_range.add(i)
        line.rank, line.award = placing.rank, placing.award
        rows.append((i, placing.rank, placing.award))
        moved.add(i)
    return moved, Shift(event_id, lo, hi, by, rows, by_range)


def _write_ranks(changes: list[tuple[int, int | None, str | None]], shift: Shift | None = None) -> None:
    """Store new ranks and awards, (entry id, rank, award) per result, and the ranks of the
    entries a mover passed (`shift`; those of them whose award changed are among `changes`):
    the one write whose rows grow with the board, in one statement. Plain ints and strings go
    straight to the driver, without SQLAlchemy parameters per row. A shift is one range
    update, checked against the number of entries it must move (their ranks were read in
    this transaction, under the board's lock)."""
    if shift is not None and not shift.by_range:
        shift = None
    if not changes and shift is None:
        return
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        ids, ranks, awards = (list(column) for column in zip(*changes)) if changes else ([], [], [])
        if shift is None:
            # One statement for all rows: one round trip, not one per row.
            connection.exec_driver_sql(
                "UPDATE result SET rank = v.rank, award = v.award"
                " FROM unnest(%s::integer[], %s::integer[], %s::varchar[]) AS v(entry_id, rank, award)"
                " WHERE result.entry_id = v.entry_id", (ids, ranks, awards))
            return
        # The range and the rows one by one in one round trip: the two sets are disjoint.
        shifted, written = connection.exec_driver_sql(
            "WITH shifted AS (UPDATE result SET rank = rank + %(by)s WHERE event_id = %(event)s"
            " AND total > %(lo)s AND total < %(hi)s AND rank IS NOT NULL AND entry_id <> ALL(%(ids)s::integer[])"
            " RETURNING 1), written AS (UPDATE result SET rank = v.rank, award = v.award"
            " FROM unnest(%(ids)s::integer[], %(ranks)s::integer[], %(awards)s::varchar[]) AS v(entry_id, rank, award)"
            " WHERE result.entry_id = v.entry_id RETURNING 1)"
            " SELECT (SELECT count(*) FROM shifted), (SELECT count(*) FROM written)",
            {"by": shift.by, "event": shift.event_id, "lo": shift.lo, "hi": shift.hi,
             "ids": ids, "ranks": ranks, "awards": awards}).one()
    elif changes or shift is None:
        # SQLite runs in process: executemany costs no round trips, only a step per row, so
        # with rows to write one by one the passed entries go with them.
        if shift is not None:
            changes = changes + [row for row in shift.rows if row[0] in shift.by_range]
        connection.exec_driver_sql("UPDATE result SET rank = ?, award = ? WHERE entry_id = ?",
                                   [(rank, award, entry_id) for entry_id, rank, award in changes])
        return
    else:
        shifted = connection.execute(_shift_statement(), {
            "of_event": shift.event_id, "lo": shift.lo, "hi": shift.hi, "by": shift.by}).rowcount
        written = 0
    if (shifted, written) != (len(shift.by_range), len(changes)):
        raise RuntimeError(f"ranks out of step on event {shift.event_id}: {shifted} of {len(shift.by_range)} "
                           f"passed entries moved, {written} of {len(changes)} rows written")


@lru_cache(maxsize=1)
def _shift_statement():
    """Every ranked entry of an event with a total strictly between lo and hi moves `by`."""
    table = Result.__table__
    return (table.update()
            .where(table.c.event_id == bindparam("of_event"), table.c.total > bindparam("lo"),
                   table.c.total < bindparam("hi"), table.c.rank.is_not(None))
            .values(rank=table.c.rank + bindparam("by")))


def _window_place(event_id: int, board: Board, lines: dict[int, Line], hi: Decimal) -> tuple[int, int]:
    """For a window of the board read before its ranks change (every entry with a total in
    [lo, hi], the one that moved included, with the ranks stored before the move): how many
    ranked entries are above it, and how many are ranked in all (recompute keeps ranked
    meaning on the board with a total).

    Whoever is best in the window was beaten, before the move, by exactly the entries with
    a total above hi, so the best stored rank in the window says how many those are. The
    count of ranked entries is kept on the board by every full ranking. Neither needs the
    rest of the board; the count query is the fallback when either is not known."""
    ranks = [line.rank for line in lines.values()]
    above = min(ranks) - 1 if ranks and None not in ranks else None
    field = board.ranked
    if above is None or field is None:
        field, above = db.session.execute(
            select(func.count(), func.count(case((Result.total > hi, 1))))
            .where(Result.event_id == event_id, Result.rank.is_not(None))).one()
        board.ranked = field
    return above, field


def recompute_event(event: Event, refresh: bool = False) -> Patch | None:
    """Recompute every result of the event from its marks, trusting nothing stored (the
    `results-rebuild` command, a change of the scheme); `refresh` as for recompute."""
    entry_ids = db.session.scalars(select(Entry.id).where(Entry.event_id == event.id)).all()
    return recompute(event, entry_ids, full=True, refresh=refresh)
