"""The one write path for marks. A judge's marking form (submit_marks) and a tablet's or a
script's single mark (submit_mark, the API) both come here: in one transaction every value is
checked (the judge's right to mark it, the lock, the contest's status, the value itself, a
reason for a correction), then all of them are stored with their revisions, the entry's result
and the event's ranks are recomputed, the board's seq bumped and the audit written; the
board's patch is published after commit. A form is stored whole or not at all."""
import hashlib
from dataclasses import dataclass, field
from functools import cache

from flask import has_request_context, request
from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import aliased, contains_eager, joinedload

from .. import policy, scoring
from ..accounts.models import User
from ..audit.models import record
from ..boards import results
from ..boards.models import Board, Result
from ..contests import sessions
from ..contests.lifecycle import is_marking_open, under_review
from ..contests.models import Contest, Criterion, Event, Section
from ..database import utcnow, write_transaction
from ..entries.models import Entry
from ..errors import ActionRefused
from ..extensions import db
from ..hall.models import EventSession
from ..judges.models import Assignment, Judge
from ..ledger import services as ledger
from ..text import REASON_MAX, strip_bidi
from .models import REOPENED, Mark, MarkRevision

CLIENT_ID_MAX = 64


def criterion_client_id(client_id: str, code: str) -> str:
    """The client id of one criterion's mark on a form, derived from the form's own id: the same
    form sent again gives the same ids, so it is answered, never stored twice."""
    derived = f"{client_id}:{code}"
    if len(derived) <= CLIENT_ID_MAX:
        return derived
    return f"{client_id}:{hashlib.sha256(code.encode()).hexdigest()[:16]}"


def _check_client_id(client_id: str, field: str) -> str:
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > CLIENT_ID_MAX:
        raise ActionRefused(422, "invalid_client_id", field=field)
    return client_id


@dataclass
class MarkOutcome:
    created: bool  # False: a replay of a client_id already stored
    body: dict
    patch: results.Patch | None = None


@dataclass
class FormOutcome:
    """What a marking form did: `refusals` by field (a criterion's code, or "reason"), and
    then nothing was stored; else how many marks were `stored` (0 when nothing changed)."""

    stored: int = 0
    refusals: dict[str, ActionRefused] = field(default_factory=dict)
    patch: results.Patch | None = None

    @property
    def is_stored(self) -> bool:
        return not self.refusals


def _body(contest: Contest, event: Event, entry: Entry, criterion: Criterion, judge_username: str,
          revision: MarkRevision) -> dict:
    return {
        "mark": {
            "contest": contest.slug, "event": event.code, "entry": entry.bib,
            "criterion": criterion.code, "judge": judge_username,
            "value": scoring.decimal_text(revision.value), "revision": revision.revision,
            "client_id": revision.client_id,
        },
        "seq": revision.board_seq,
    }


def _replayed(client_id: str, user, entry: Entry, criterion: Criterion, value) -> MarkRevision | None:
    """The revision a client_id already stored, when it is this very mark again (a retry);
    refused when the id was used for another mark."""
    return _replay_of(db.session.scalar(select(MarkRevision).where(MarkRevision.client_id == client_id)),
                      user, entry, criterion, value)


def _replay_of(revision: MarkRevision | None, user, entry: Entry, criterion: Criterion, value) -> MarkRevision | None:
    """The revision stored under the mark's client_id (None: none) as _replayed answers it."""
    if revision is None:
        return None
    mark = revision.mark
    same = mark.judge.user_id == user.id and mark.entry_id == entry.id and mark.criterion_id == criterion.id
    if same:
        try:
            same = scoring.parse_mark(criterion.rule, value) == revision.value
        except scoring.ScoringError:
            same = False
    if not same:
        raise ActionRefused(409, "client_id_reused", field="client_id")
    return revision


@dataclass
class _Item:
    criterion: Criterion
    raw: object
    client_id: str
    value: object = None
    mark: Mark | None = None
    replay: MarkRevision | None = None


@dataclass
class _Known:
    """What submit_mark read with its one query, so that _take does not read it again: the
    locked board, the user's judge role in the contest (None: none), whether it is assigned
    the item's criterion of the entry, and its mark of it (None: none yet). The item's
    client_id was looked up too (and is not a replay). For the recompute: the entry's stored
    result (None: none yet), how many marks it expects, and its marks, every judge's."""

    board: Board
    judge: Judge | None
    assigned: bool
    mark: Mark | None
    result: Result | None
    expected: int
    marks: list[Mark]


def measurement_closed(event: Event, now=None) -> bool:
    """Whether the event's sessions have closed marking of its measurement criteria (the event
    chose so, and its last session has ended); no query for an event that did not choose it."""
    if not event.closes_with_session:
        return False
    slots = [sessions.Slot(s.name, s.starts_at, s.ends_at)
             for s in db.session.scalars(select(EventSession).where(EventSession.event_id == event.id))]
    return sessions.marking_closed(slots, now or utcnow())


def _closed_by_the_clock(event: Event, items: list[_Item]) -> set[str]:
    """The measurement criteria among the items that the event's sessions have closed."""
    codes = {i.criterion.code for i in items if i.criterion.kind == "measurement"}
    return codes if codes and measurement_closed(event) else set()


def _take(user, contest: Contest, event: Event, entry: Entry, items: list[_Item], reason: str,
          source: str, *, each_is_new: bool = False, seen: dict[str, int] | None = None,
          transcribers: tuple | None = None, known: _Known | None = None
          ) -> tuple[dict[str, ActionRefused], list[_Item], results.Patch | None]:
    """Inside the caller's write transaction, with the board locked: check every item, then,
    when none is refused, store those that change a mark (`each_is_new`: every item, each
    submission being a revision of its own, as the API has it). `seen`: the revision of each
    criterion's mark the judge had in front of them (0: none); a mark that moved on meanwhile
    (the judge's other tablet) is not overwritten. Returns the refusals by field, the items
    stored, and the board's patch. `known`: for a single item, what the caller read of it."""
    judge = known.judge if known is not None else policy.judge_role(user, contest)
    for item in items:  # rights first (403), then the state of the entry (409), then the values
        why = policy.why_not_mark(judge, entry, item.criterion, assigned=known.assigned if known else None)
        if why is not None:
            raise ActionRefused(403, why)
    # After judging, only marks an upheld appeal reopened may change (see under_review).
    reviewing = not is_marking_open(contest)
    if reviewing and not under_review(event, db.session.scalars(
            select(Mark).where(Mark.entry_id == entry.id, Mark.judge_id == judge.id))):
        raise ActionRefused(409, "not_judging")
    if entry.is_locked:
        raise ActionRefused(409, "locked")
    try:
        rule = event.rule()
    except scoring.RuleError:  # a scheme being rewritten (a section left without criteria)
        raise ActionRefused(409, "scheme_not_scorable", {"event": event.name}) from None
    refusals: dict[str, ActionRefused] = {}
    # A paper sheet (transcribers) records what the judge marked in time, whatever the clock says.
    closed = _closed_by_the_clock(event, items) if transcribers is None else set()
    for item in items:
        criterion = item.criterion
        if known is None:
            item.replay = _replayed(item.client_id, user, entry, criterion, item.raw)
        if item.replay is not None:
            continue
        if criterion.code in closed:
            refusals[criterion.code] = ActionRefused(409, "session_closed", field=criterion.code)
            continue
        try:
            item.value = scoring.parse_mark(criterion.rule, item.raw)
        except scoring.InvalidMark as invalid:
            refusals[criterion.code] = ActionRefused(422, invalid.code, invalid.params, field=criterion.code)
            continue
        item.mark = known.mark if known is not None else db.session.scalar(select(Mark).where(
            Mark.entry_id == entry.id, Mark.criterion_id == criterion.id, Mark.judge_id == judge.id))
        revision = item.mark.revision if item.mark is not None else 0
        if seen is not None and criterion.code in seen and seen[criterion.code] != revision:
            if criterion_changes(item):
                refusals[criterion.code] = ActionRefused(409, "marked_meanwhile",
                                                         {"value": scoring.decimal_text(item.mark.value)},
                                                         field=criterion.code)
            else:
                item.replay = item.mark.revisions[-1]  # the same value is there already: done
    reason = strip_bidi(reason or "").strip()
    if len(reason) > REASON_MAX:
        refusals["reason"] = ActionRefused(422, "too_long", {"max": REASON_MAX}, field="reason")
    changing = [i for i in items if i.replay is None and (each_is_new or criterion_changes(i))]
    if reviewing:
        for item in changing:
            if item.mark is None or item.mark.status != "review":
                refusals[item.criterion.code] = ActionRefused(409, "not_reopened", field=item.criterion.code)
    corrects = [i for i in changing if i.mark is not None and i.mark.status not in REOPENED]
    if corrects and not reason and not refusals:
        refusals["reason"] = ActionRefused(422, "reason_required", field="reason")
    if refusals or not changing:
        return refusals, [], None
    now = utcnow()
    for item in changing:
        mark = item.mark
        if mark is None:
            mark = item.mark = Mark(entry_id=entry.id, criterion_id=item.criterion.id, judge_id=judge.id,
                                    value=item.value, revision=1)
            db.session.add(mark)
        else:
            mark.revision += 1
            mark.value = item.value
            mark.status = "submitted"
            mark.updated_at = now
    loaded = None
    if known is not None:  # the entry's marks as they are now, the changed ones (in memory) included
        codes = {c.id: c.code for s in event.sections for c in s.criteria} | {i.criterion.id: i.criterion.code
                                                                             for i in changing}
        stored = Mark.__table__.c.value.type  # a value as the database gives it back (3 places)
        dialect = db.session.get_bind().dialect
        marks: dict[str, list] = {}
        for each in known.marks + [i.mark for i in changing if all(i.mark is not m for m in known.marks)]:
            marks.setdefault(codes[each.criterion_id], []).append(
                stored.process_result_value(stored.process_bind_param(each.value, dialect), dialect))
        loaded = [(entry, known.result, known.expected, marks)]
    patch = results.recompute(event, [entry.id], rule, board=known.board if known is not None else None,
                              loaded=loaded)
    board_seq = db.session.get(Board, event.id).seq
    if any(item.mark.id is None for item in changing):
        db.session.flush()  # the ids of new marks (recompute has flushed them, unless nothing moved)
    ip = request.remote_addr if has_request_context() else None
    # A paper sheet's marks (competition.paper): the judge's, entered by two other people.
    entered_by = {} if transcribers is None else {"transcribed_by_id": transcribers[0].id,
                                                 "verified_by_id": transcribers[1].id}
    for item in changing:
        mark = item.mark
        # A re-mark for an appeal says so, in the mark's history, when the judge gives no reason.
        why = reason or (f"#{mark.appeal_reference}" if mark.appeal_reference and reviewing else "")
        item.replay = MarkRevision(mark_id=mark.id, revision=mark.revision, value=item.value,
                                   client_id=item.client_id, reason=why if mark.revision > 1 else "",
                                   source=source, author_id=user.id, board_seq=board_seq, **entered_by)
        db.session.add(item.replay)
        ledger.append(contest, "mark", **ledger.mark_data(event.code, entry.bib, item.criterion.code, judge,
                                                          item.replay))
        record("mark.submit", user=user, contest=contest, target=f"{event.code}/{entry.bib}/{item.criterion.code}",
               value=str(item.value), revision=mark.revision, client_id=item.client_id,
               reason=item.replay.reason, ip=ip,
               **({"transcribed_by": transcribers[0].username, "verified_by": transcribers[1].username}
                  if transcribers else {}))
    return refusals, changing, patch


def criterion_changes(item: _Item) -> bool:
    """Whether the value changes the judge's mark: a new mark, a mark sent back or reopened for
    re-marking (stored again even with the same value), or another value."""
    return item.mark is None or item.mark.status in REOPENED or item.mark.value != item.value


def submit_marks(user, entry: Entry, values: dict[str, object], *, reason: str = "", client_id: str,
                 seen: dict[str, int] | None = None, source: str = "form", transcribers: tuple | None = None,
                 then=None) -> FormOutcome:
    """A judge's marking form for one entry: `values` by criterion code, as typed; `seen` the
    revision of each mark the form showed (0: none). Every value is checked first; when any is
    refused (or a correction has no reason) nothing is stored and the outcome lists the
    refusals by field. Values that do not change a mark are left alone.
    Refusals of the whole form raise ActionRefused: 403 (not the user's to mark), 409 (locked,
    marking closed, a form id used for other marks), 404 (an unknown criterion).
    A paper sheet (competition.paper) gives `transcribers` (who entered it, who entered it again),
    kept on each revision, and `then`, called in the same transaction once nothing is refused."""
    client_id = _check_client_id(client_id, "client_id")
    with write_transaction():
        entry = db.session.get(Entry, entry.id)
        event = entry.event
        contest = event.contest
        results.lock_board(event.id)  # first: writers of one event queue up here
        db.session.refresh(entry)
        criteria = {c.code: c for c in event.criteria}
        items = []
        for code, raw in values.items():
            if code not in criteria:
                raise ActionRefused(404, "not_found")
            items.append(_Item(criteria[code], raw, criterion_client_id(client_id, code)))
        refusals, stored, patch = _take(user, contest, event, entry, items, reason, source, seen=seen,
                                        transcribers=transcribers)
        if refusals:
            return FormOutcome(refusals=refusals)
        if then is not None:
            then()
    results.publish([patch])
    return FormOutcome(stored=len(stored), patch=patch)


def _lock_board_of(slug: str, code: str) -> None:
    """lock_board for the board of the contest's event, before anything of it is read (first:
    writers of one event queue up here). Only on PostgreSQL, where it is a row lock: SQLite's
    FOR UPDATE is nothing, and the write transaction's BEGIN IMMEDIATE already keeps every
    other writer out. A board not made yet is made and locked by the caller (lock_board)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    db.session.execute(_lock_statement(), {"slug": slug, "code": code})


# The two statements every mark runs are built once, with bound parameters: building them
# anew (the aliases' adaptation, the comparisons, the cache key) cost more than running them.

@cache
def _lock_statement():
    return (select(Board.event_id).join(Event, Event.id == Board.event_id)
            .join(Contest, Contest.id == Event.contest_id)
            .where(Contest.slug == bindparam("slug"), Event.code == bindparam("code"))
            .with_for_update(of=Board))  # the board's row only: not the contest's


@cache
def _context_statement():
    section, scheme, marks = aliased(Section), aliased(Criterion), aliased(Mark)
    expected = (select(func.count()).select_from(Assignment).where(Assignment.entry_id == Entry.id)
                .correlate(Entry).scalar_subquery())
    return (
        select(Contest, Event, Board, Entry, Result, expected, marks, Criterion, Judge, Assignment.id,
               MarkRevision, User)
        .join(Event, and_(Event.contest_id == Contest.id, Event.code == bindparam("code")))
        .outerjoin(section, section.event_id == Event.id)
        .outerjoin(scheme, scheme.section_id == section.id)
        .outerjoin(Board, Board.event_id == Event.id)
        .outerjoin(Entry, and_(Entry.event_id == Event.id, Entry.bib == bindparam("bib")))
        .outerjoin(Result, Result.entry_id == Entry.id)
        .outerjoin(marks, and_(marks.entry_id == Entry.id, marks.criterion_id == scheme.id))
        .outerjoin(Criterion, and_(Criterion.event_id == Event.id, Criterion.code == bindparam("criterion")))
        .outerjoin(Judge, and_(Judge.contest_id == Contest.id, Judge.user_id == bindparam("user_id")))
        .outerjoin(Assignment, and_(Assignment.entry_id == Entry.id, Assignment.criterion_id == Criterion.id,
                                    Assignment.judge_id == Judge.id))
        .outerjoin(MarkRevision, MarkRevision.client_id == bindparam("client_id"))
        .outerjoin(User, User.id == bindparam("user_id"))
        .where(Contest.slug == bindparam("slug"))
        .order_by(section.position, scheme.position)
        .options(contains_eager(Event.sections.of_type(section)).contains_eager(section.criteria.of_type(scheme)),
                 joinedload(Entry.penalties), joinedload(Entry.delegation)))


def _mark_context(slug: str, code: str, bib: str, criterion_code: str, user_id: int, client_id: str) -> tuple | None:
    """What a mark is checked against and its recompute starts from, read in one query once
    the board is locked: the contest and its event by slug and code, the event's board, the
    entry by bib (with its stored result, delegation, penalties, how many marks it expects and
    its marks), the criterion by code, the user's judge role in the contest, whether it is
    assigned that criterion of that entry, the revision stored under client_id (None for each
    one missing), and the event's scheme (its sections and their criteria) for its rule. A row
    per mark of the entry, each on its criterion's row of the scheme. The user's own row is
    read again too (the write transaction's start expired it). None when there is no such event."""
    rows = db.session.execute(_context_statement(), {
        "slug": slug, "code": code, "bib": bib, "criterion": criterion_code, "user_id": user_id,
        "client_id": client_id}).unique().all()
    if not rows:
        return None
    contest, event, board, entry, result, count, _mark, criterion, judge, assignment_id, revision, _user = rows[0]
    every = list({id(row[6]): row[6] for row in rows if row[6] is not None}.values())
    mine = next((m for m in every if judge is not None and criterion is not None
                 and m.judge_id == judge.id and m.criterion_id == criterion.id), None)
    known = _Known(board, judge, assignment_id is not None, mine, result, count or 0, every)
    return contest, event, entry, criterion, known, revision


def submit_mark(user, *, contest: str, event: str, entry: str, criterion: str, value, client_id: str,
                reason: str = "", source: str = "api") -> MarkOutcome:
    """One judge's mark by contest slug, event code, bib and criterion code (the tablet API).
    Raises ActionRefused (404, 403, 409, 422) and stores nothing then. The same client_id sent
    again answers with the first answer's body, storing nothing."""
    client_id = _check_client_id(client_id, "client_id")
    user_id = user.id  # now: the transaction's start expires the user (its row is read again below)
    with write_transaction():
        _lock_board_of(contest, event)
        found = _mark_context(contest, event, entry, criterion, user_id, client_id)
        if found is None:
            raise ActionRefused(404, "not_found", say="no_such_board")
        if found[4].board is None:  # the event's first write: its board is made (and locked), then read again
            results.lock_board(found[1].id)
            found = _mark_context(contest, event, entry, criterion, user_id, client_id)
        contest_row, event_row, entry_row, criterion_row, known, stored_revision = found
        if entry_row is None or criterion_row is None or not entry_row.is_approved:
            raise ActionRefused(404, "not_found", say="no_such_mark")
        item = _Item(criterion_row, value, client_id)
        # A retry is answered as the first time was, even if the entry was locked meanwhile.
        replay = _replay_of(stored_revision, user, entry_row, criterion_row, value)
        if replay is not None:
            return MarkOutcome(False, _body(contest_row, event_row, entry_row, criterion_row, user.username, replay))
        refusals, _stored, patch = _take(user, contest_row, event_row, entry_row, [item], reason, source,
                                         each_is_new=True, known=known)
        if refusals:
            refused = next(iter(refusals.values()))
            if refused.field == criterion_row.code:
                refused.field = "value"  # the API's body names the value, not the criterion
            raise refused
        body = _body(contest_row, event_row, entry_row, criterion_row, user.username, item.replay)
    results.publish([patch])
    return MarkOutcome(True, body, patch)
