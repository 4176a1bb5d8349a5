"""Judging reads and the chief judge's writes.

Reads: what a judge still has to mark, the chief judge's progress matrix, a mark's history and
the panel's consistency. Writes — send a mark back, lock (sign off, 签字确认) and unlock an
entry or a whole event — are each one write_transaction with an audit record that recomputes
the board, whose patch is published after commit. Marks themselves are written only by
competition.marking.services."""
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, func, or_, select

from .. import policy
from ..audit.models import AuditEntry, record
from ..boards import results
from ..boards import services as boards
from ..boards.models import Result
from ..contests.lifecycle import is_marking_open
from ..appeals import services as appeals
from ..contests.schemes import written_event
from ..contests.models import LIVE, PROTESTED, SIGNED_OFF, Contest, Criterion, Event
from ..database import utcnow, write_transaction
from ..entries.models import APPROVED, Entry
from ..errors import ActionRefused
from ..extensions import db
from ..ledger import services as ledger
from ..judges.models import Assignment, Judge, PanelSeat
from ..judges.services import PanelJudge, panel
from ..marking.models import REOPENED, Mark, MarkRevision
from ..messages import Msg
from ..scoring.consistency import deviations
from .models import Tablet
from .tablets import is_connected, twins

#: Contest statuses in which a chief judge may lock (marking itself needs "judging"; after it,
#: marks an upheld appeal reopened are re-marked and locked again). Unlocking needs "judging".
SIGN_OFF_STATUSES = ("judging", "finished")
#: A judge's mean deviation from the panel is flagged from this share of the criterion's scale.
LEAN_SHARE = Decimal("0.10")


# --- entries as judges see them -----------------------------------------------------------------

def entry_key(entry: Entry, contest: Contest) -> str | None:
    """What names the entry in judges' URLs and pages: the draw code when judging is blind."""
    return entry.draw_code if contest.is_blind else entry.bib


def entry_label(entry: Entry, contest: Contest) -> str:
    """What a judge reads: the draw code alone when blind, else bib and name."""
    return (entry.draw_code or "") if contest.is_blind else f"{entry.bib} {entry.name}"


def find_entry(contest: Contest, event: Event, key: str) -> Entry | None:
    """The approved entry a judge's URL names; in a blind contest only a draw code finds it."""
    column = Entry.draw_code if contest.is_blind else Entry.bib
    return db.session.scalar(select(Entry).where(Entry.event_id == event.id, column == key,
                                                 Entry.status == APPROVED))


def entry_order(contest: Contest):
    """As the judging runs: running order first, then the key the judge sees."""
    return (Entry.running_order.is_(None), Entry.running_order,
            Entry.draw_code if contest.is_blind else Entry.bib)


@dataclass
class Returned:
    criterion: Criterion
    mark: Mark


@dataclass
class TodoEntry:
    entry: Entry
    key: str
    label: str
    assigned: int
    marked: int
    returned: list[Returned] = field(default_factory=list)

    @property
    def is_locked(self) -> bool:
        return self.entry.is_locked

    @property
    def is_done(self) -> bool:
        return self.marked >= self.assigned and not self.returned

    @property
    def to_mark(self) -> int:
        return self.assigned - self.marked + len(self.returned)


def judge_entries(judge: Judge, event: Event) -> list[TodoEntry]:
    """The entries of the event the judge is assigned to, with what is still to mark; nothing of
    any other entry, and never one of the judge's own delegation."""
    contest = event.contest
    assigned: dict[int, int] = defaultdict(int)
    entries: dict[int, Entry] = {}
    for entry, _criterion_id in db.session.execute(
            select(Entry, Assignment.criterion_id).join(Assignment, Assignment.entry_id == Entry.id)
            .where(Assignment.judge_id == judge.id, Entry.event_id == event.id, Entry.status == APPROVED)
            .order_by(*entry_order(contest))):
        if policy.has_conflict(judge, entry) or entry_key(entry, contest) is None:
            continue
        entries.setdefault(entry.id, entry)
        assigned[entry.id] += 1
    marked: dict[int, int] = defaultdict(int)
    returned: dict[int, list[Returned]] = defaultdict(list)
    if entries:
        for mark, criterion in db.session.execute(
                select(Mark, Criterion).join(Criterion, Criterion.id == Mark.criterion_id)
                .join(Assignment, and_(Assignment.entry_id == Mark.entry_id,
                                       Assignment.criterion_id == Mark.criterion_id,
                                       Assignment.judge_id == Mark.judge_id))
                .where(Mark.judge_id == judge.id, Mark.entry_id.in_(entries))
                .order_by(Criterion.position, Criterion.id)):
            marked[mark.entry_id] += 1
            if mark.status in REOPENED:
                returned[mark.entry_id].append(Returned(criterion, mark))
    return [TodoEntry(entry, entry_key(entry, contest), entry_label(entry, contest), assigned[entry.id],
                      marked[entry.id], returned[entry.id]) for entry in entries.values()]


@dataclass
class EventTodo:
    event: Event
    judge: Judge
    is_chief: bool
    entries: list[TodoEntry]

    @property
    def assigned(self) -> int:
        return sum(e.assigned for e in self.entries)

    @property
    def marked(self) -> int:
        return sum(e.marked for e in self.entries)

    @property
    def entries_done(self) -> int:
        return sum(1 for e in self.entries if e.is_done)

    @property
    def returned(self) -> list[tuple[TodoEntry, Returned]]:
        return [(e, r) for e in self.entries for r in e.returned]

    @property
    def left(self) -> list[TodoEntry]:
        """The entries still to mark (not done, not locked), in running order."""
        return [e for e in self.entries if not e.is_done and not e.is_locked]

    @property
    def finished(self) -> list[TodoEntry]:
        """The entries done or locked, in running order."""
        return [e for e in self.entries if e.is_done or e.is_locked]

    def next_after(self, entry_id: int) -> TodoEntry | None:
        """The next entry still to mark after this one in running order, from the start again
        when the end is reached; None when nothing else is left."""
        at = next((i for i, e in enumerate(self.entries) if e.entry.id == entry_id), -1)
        ahead = self.entries[at + 1:] + self.entries[:max(at, 0)]
        return next((e for e in ahead if not e.is_done and not e.is_locked and e.entry.id != entry_id), None)

    def find(self, typed: str) -> list[TodoEntry]:
        """The entries whose bib or draw code (or name, when names are shown) holds what the
        judge typed, upper- or lower-case, full-width or not."""
        needle = unicodedata.normalize("NFKC", typed or "").strip().upper()
        if not needle:
            return self.entries
        return [e for e in self.entries if needle in (e.key or "").upper()
                or (not self.event.contest.is_blind and needle in (e.entry.name or "").upper())]


def judge_events(judge: Judge) -> list[Event]:
    """The events a judge sits on or has entries assigned in, in the contest's order."""
    seated = select(PanelSeat.event_id).where(PanelSeat.judge_id == judge.id)
    assigned = (select(Entry.event_id).join(Assignment, Assignment.entry_id == Entry.id)
                .where(Assignment.judge_id == judge.id))
    return list(db.session.scalars(
        select(Event).where(Event.contest_id == judge.contest_id,
                            or_(Event.id.in_(seated), Event.id.in_(assigned)))
        .order_by(Event.position, Event.id)))


def event_todo(judge: Judge, event: Event) -> EventTodo:
    is_chief = db.session.scalar(select(PanelSeat.is_chief).where(
        PanelSeat.event_id == event.id, PanelSeat.judge_id == judge.id)) or False
    return EventTodo(event, judge, is_chief, judge_entries(judge, event))


def judge_contests(user) -> list[tuple[Contest, Judge]]:
    """The contests the user judges in that are still kept, newest first."""
    return [tuple(row) for row in db.session.execute(
        select(Contest, Judge).join(Judge, Judge.contest_id == Contest.id)
        .where(Judge.user_id == user.id, Contest.archived_at.is_(None))
        .order_by(Contest.starts_on.desc().nulls_last(), Contest.id.desc()))]


def overview(user, contest: Contest | None = None) -> list[tuple[Contest, list[EventTodo]]]:
    """The judge's home: per contest, per event, what is still to mark."""
    out = []
    for c, judge in judge_contests(user):
        if contest is None or c.id == contest.id:
            out.append((c, [event_todo(judge, event) for event in judge_events(judge)]))
    return out


def own_history(judge: Judge, entry: Entry) -> dict[int, list[MarkRevision]]:
    """The judge's revisions on this entry, per criterion id, oldest first."""
    out: dict[int, list[MarkRevision]] = defaultdict(list)
    for revision, criterion_id in db.session.execute(
            select(MarkRevision, Mark.criterion_id).join(Mark, Mark.id == MarkRevision.mark_id)
            .where(Mark.entry_id == entry.id, Mark.judge_id == judge.id).order_by(MarkRevision.revision)):
        out[criterion_id].append(revision)
    return out


# --- the chief judge's view ----------------------------------------------------------------------

@dataclass
class Cell:
    judge: PanelJudge
    mark: Mark | None
    status: str  # missing | submitted | returned | locked


@dataclass
class MatrixRow:
    entry: Entry
    key: str
    label: str
    cells: dict[int, list[Cell]]  # criterion id -> one cell per assigned judge
    flags: dict[str, list[str]]  # criterion code -> ["spread"] / ["tolerance"]
    result: Result | None

    @property
    def missing(self) -> int:
        return sum(1 for cells in self.cells.values() for c in cells if c.status == "missing")

    @property
    def returned(self) -> int:
        return sum(1 for cells in self.cells.values() for c in cells if c.status == "returned")

    @property
    def assigned(self) -> int:
        return sum(len(cells) for cells in self.cells.values())

    @property
    def is_complete(self) -> bool:
        return self.assigned > 0 and not self.missing and not self.returned


def matrix(event: Event, entries: list[Entry] | None = None) -> tuple[list[Criterion], dict[int, PanelJudge],
                                                                      list[MatrixRow]]:
    """Entries × criteria × judges: which marks are missing, submitted, returned or locked."""
    contest = event.contest
    criteria = list(event.criteria)
    judges = panel(event)
    if entries is None:
        entries = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id,
                                                              Entry.status == APPROVED)
                                          .order_by(*entry_order(contest))))
    entries = [e for e in entries if entry_key(e, contest) is not None]
    ids = [e.id for e in entries]
    assigned: dict[tuple[int, int], list[int]] = defaultdict(list)
    marks: dict[tuple[int, int, int], Mark] = {}
    result_rows: dict[int, Result] = {}
    if ids:
        for entry_id, criterion_id, judge_id in db.session.execute(
                select(Assignment.entry_id, Assignment.criterion_id, Assignment.judge_id)
                .where(Assignment.entry_id.in_(ids))):
            assigned[entry_id, criterion_id].append(judge_id)
        for mark in db.session.scalars(select(Mark).where(Mark.entry_id.in_(ids))):
            marks[mark.entry_id, mark.criterion_id, mark.judge_id] = mark
        result_rows = {r.entry_id: r for r in db.session.scalars(select(Result).where(Result.entry_id.in_(ids)))}
    rows = []
    for entry in entries:
        cells = {}
        for criterion in criteria:
            judge_ids = sorted(assigned.get((entry.id, criterion.id), []),
                               key=lambda j: judges[j].number if j in judges else 1_000_000 + j)
            row_cells = []
            for judge_id in judge_ids:
                mark = marks.get((entry.id, criterion.id, judge_id))
                status = ("missing" if mark is None else "returned" if mark.status in REOPENED
                          else "locked" if entry.is_locked else "submitted")
                row_cells.append(Cell(judges[judge_id], mark, status))
            cells[criterion.id] = row_cells
        result = result_rows.get(entry.id)
        rows.append(MatrixRow(entry, entry_key(entry, contest), entry_label(entry, contest), cells,
                              dict(result.flags or {}) if result else {}, result))
    return criteria, judges, rows


@dataclass
class HistoryItem:
    at: object
    kind: str  # revision | return
    revision: MarkRevision | None = None
    audit: AuditEntry | None = None


def mark_history(entry: Entry) -> dict[int, list[HistoryItem]]:
    """Every mark's history on the entry, by mark id: its revisions and the chief judge's
    send-backs, oldest first."""
    items: dict[int, list[HistoryItem]] = defaultdict(list)
    for revision in db.session.scalars(
            select(MarkRevision).join(Mark, Mark.id == MarkRevision.mark_id)
            .where(Mark.entry_id == entry.id).order_by(MarkRevision.revision, MarkRevision.id)):
        items[revision.mark_id].append(HistoryItem(revision.created_at, "revision", revision=revision))
    mark_ids = set(items)
    for audit in db.session.scalars(
            select(AuditEntry).where(AuditEntry.contest_id == entry.contest_id, AuditEntry.action == "mark.return",
                                     AuditEntry.target.like(f"{entry.event.code}/{entry.bib}/%"))
            .order_by(AuditEntry.at, AuditEntry.id)):
        mark_id = (audit.data or {}).get("mark_id")
        if mark_id in mark_ids:
            items[mark_id].append(HistoryItem(audit.at, "return", audit=audit))
    for history in items.values():
        history.sort(key=lambda item: (item.at, item.kind == "revision"))
    return items


@dataclass
class LeanRow:
    judge: PanelJudge
    cells: dict[int, object]  # criterion id -> Deviation (or absent)


def consistency(event: Event) -> tuple[list[Criterion], list[LeanRow], dict[int, Decimal]]:
    """Each judge's mean deviation from the rest of the panel per criterion, on the event's
    approved entries; with the deviation from which a lean is flagged, per criterion."""
    criteria = list(event.criteria)
    judges = panel(event)
    rows = db.session.execute(
        select(Mark.entry_id, Mark.criterion_id, Mark.judge_id, Mark.value)
        .join(Entry, Entry.id == Mark.entry_id)
        .where(Entry.event_id == event.id, Entry.status == APPROVED)).all()
    found = deviations((e, c, j, v) for e, c, j, v in rows)
    by_judge: dict[int, dict[int, object]] = defaultdict(dict)
    for (judge_id, criterion_id), deviation in found.items():
        by_judge[judge_id][criterion_id] = deviation
    # A criterion one judge marks alone has no panel to compare with: no column for it.
    criteria = [c for c in criteria if any(c.id in cells for cells in by_judge.values())]
    lean = {c.id: c.rule.mark_max * LEAN_SHARE for c in criteria}
    table = [LeanRow(judge, by_judge.get(judge_id, {})) for judge_id, judge in judges.items()
             if by_judge.get(judge_id)]
    return criteria, table, lean


# --- the chief judge's writes --------------------------------------------------------------------

def _chief_check(user, event: Event) -> None:
    if not policy.is_chief_of(user, event):
        raise ActionRefused(403, "not_chief")


def _sign_off_check(contest: Contest) -> None:
    if contest.status not in SIGN_OFF_STATUSES:
        raise ActionRefused(409, "sign_off_closed")


def _unlock_check(event: Event) -> None:
    """Marks reopen only while judging, before the results are announced; after that only an
    upheld appeal reopens the marks it names."""
    if event.result_status not in (LIVE, SIGNED_OFF):
        raise ActionRefused(409, "results_announced")
    if event.contest.status != "judging":
        raise ActionRefused(409, "unlock_after_judging")


def _relocked(chief, event: Event, patch):
    """After a lock during an appeal's review: when every reopened mark is re-marked and
    locked, the appeals are resolved and the event is announced again, its board sent whole
    with the new status. Returns the patch to publish."""
    if event.result_status == PROTESTED and appeals.resolve_reviewed(chief, event):
        return results.recompute_event(event, refresh=True) or patch
    return patch


def _completeness(entry_ids) -> tuple[dict[int, int], dict[int, int], dict[int, int]]:
    """Per entry id: assigned marks, assigned marks still missing, marks sent back."""
    if not entry_ids:
        return {}, {}, {}
    assigned = dict(db.session.execute(
        select(Assignment.entry_id, func.count()).where(Assignment.entry_id.in_(entry_ids))
        .group_by(Assignment.entry_id)).all())
    missing = dict(db.session.execute(
        select(Assignment.entry_id, func.count())
        .outerjoin(Mark, and_(Mark.entry_id == Assignment.entry_id, Mark.criterion_id == Assignment.criterion_id,
                              Mark.judge_id == Assignment.judge_id))
        .where(Assignment.entry_id.in_(entry_ids), Mark.id.is_(None)).group_by(Assignment.entry_id)).all())
    returned = dict(db.session.execute(
        select(Mark.entry_id, func.count()).where(Mark.entry_id.in_(entry_ids), Mark.status.in_(REOPENED))
        .group_by(Mark.entry_id)).all())
    return assigned, missing, returned


def _incomplete_reason(entry: Entry, contest: Contest, assigned, missing, returned) -> Msg | None:
    # Blind judging names an entry by its draw code only: without one it is never shown by bib or name.
    key = entry_key(entry, contest) or Msg("entry_without_draw_code" if contest.is_blind else "entry_without_bib")
    if not assigned.get(entry.id):
        return Msg("entry_without_marks", {"entry": key})
    if missing.get(entry.id):
        return Msg("entry_missing_marks", {"entry": key, "num": missing[entry.id]})
    if returned.get(entry.id):
        return Msg("entry_returned_marks", {"entry": key, "num": returned[entry.id]})
    return None


def _target(event: Event, entry: Entry, criterion: Criterion | None = None) -> str:
    return f"{event.code}/{entry.bib}" + (f"/{criterion.code}" if criterion is not None else "")


def return_mark(chief, mark: Mark, note: str) -> None:
    """Send one mark back to its judge for re-marking, with a note. The mark still counts until
    the judge replaces it, and the judge re-marks without giving a reason."""
    note = (note or "").strip()
    if not note:
        raise ActionRefused(422, "note_required", field="note")
    mark_id = mark.id
    with write_transaction():
        mark = db.session.get(Mark, mark_id)
        entry = mark.entry
        event = entry.event
        results.lock_board(event.id)  # queue up with the judges' writes of this event
        db.session.refresh(mark)
        db.session.refresh(entry)
        _chief_check(chief, event)
        if not is_marking_open(event.contest):
            raise ActionRefused(409, "not_judging")
        if entry.is_locked:
            raise ActionRefused(409, "locked")
        mark.status = "returned"
        mark.return_note = note
        mark.returned_at = utcnow()
        mark.returned_by_id = chief.id
        record("mark.return", user=chief, contest=event.contest, target=_target(event, entry, mark.criterion),
               mark_id=mark.id, judge=mark.judge.user.username, revision=mark.revision, note=note)
        ledger.append(event.contest, "return", event=event.code, note=note,
                      marks=[{"entry": entry.bib, "criterion": mark.criterion.code,
                              "judge": ledger.pseudonym(mark.judge)}])
        patch = results.recompute(event, [entry.id])
    results.publish([patch])


def lock_entry(chief, entry: Entry) -> bool:
    """Sign off one entry's marks once every assigned mark is in; its result becomes final.
    False when it was locked already (nothing changes)."""
    entry_id = entry.id
    with write_transaction():
        entry = db.session.get(Entry, entry_id)
        event = entry.event
        results.lock_board(event.id)
        db.session.refresh(entry)
        _chief_check(chief, event)
        _sign_off_check(event.contest)
        if entry.is_locked:
            return False
        why = _incomplete_reason(entry, event.contest, *_completeness([entry.id]))
        if why:
            raise ActionRefused(409, why.code, why.params)
        entry.locked_at = utcnow()
        entry.locked_by_id = chief.id
        record("entry.lock", user=chief, contest=event.contest, target=_target(event, entry))
        ledger.append(event.contest, "lock", event=event.code, entries=[entry.bib])
        patch = _relocked(chief, event, results.recompute(event, [entry.id]))
    results.publish([patch], contest=event.contest.slug)
    return True


def lock_event(chief, event: Event) -> int:
    """Sign off the whole event: every approved entry must be complete; locks those not yet
    locked. Returns how many entries it locked."""
    event_id = event.id
    with write_transaction():
        event = db.session.get(Event, event_id)
        results.lock_board(event.id)
        db.session.refresh(event)
        _chief_check(chief, event)
        _sign_off_check(event.contest)
        entries = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.status == APPROVED)
                                          .order_by(*entry_order(event.contest))))
        if not entries:
            raise ActionRefused(409, "no_entries_to_sign_off")
        counts = _completeness([e.id for e in entries])
        problems = [why for e in entries if (why := _incomplete_reason(e, event.contest, *counts))]
        if problems:
            raise ActionRefused(409, "event_incomplete", {"num": len(problems), "problems": problems[:5],
                                                          "more": Msg("and_more") if len(problems) > 5 else ""})
        now = utcnow()
        locked = [e for e in entries if not e.is_locked]
        for e in locked:
            e.locked_at, e.locked_by_id = now, chief.id
        if event.locked_at is None:
            event.locked_at, event.locked_by_id = now, chief.id
        signs_off = event.result_status == LIVE
        if signs_off:
            # The awards are decided now: every row goes out with its award and the status.
            event.result_status = SIGNED_OFF
        record("event.lock", user=chief, contest=event.contest, target=event.code,
               entries=[e.bib for e in locked], result_status=event.result_status)
        if locked:
            ledger.append(event.contest, "lock", event=event.code, entries=[e.bib for e in locked])
        if signs_off:
            ledger.append(event.contest, "sign_off", event=event.code, scheme=written_event(event),
                          entries=ledger.field_entries(event))
        if signs_off:
            patch = results.recompute(event, [e.id for e in locked], refresh=True)
        else:
            patch = _relocked(chief, event, results.recompute(event, [e.id for e in locked]))
    results.publish([patch], contest=event.contest.slug)
    return len(locked)


def _reopen(event: Event) -> bool:
    """The event's sign-off goes with an unlock; True when its awards are no longer decided."""
    event.locked_at, event.locked_by_id = None, None
    if event.result_status == SIGNED_OFF:
        event.result_status = LIVE
        return True
    return False


def unlock_entry(chief, entry: Entry, reason: str) -> None:
    """Reopen one entry's marks for correction; only with a reason. The event's sign-off goes too."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(422, "unlock_reason_required", field="reason")
    entry_id = entry.id
    with write_transaction():
        entry = db.session.get(Entry, entry_id)
        event = entry.event
        results.lock_board(event.id)
        db.session.refresh(entry)
        db.session.refresh(event)
        _chief_check(chief, event)
        _unlock_check(event)
        if not entry.is_locked:
            raise ActionRefused(409, "not_locked")
        entry.locked_at, entry.locked_by_id = None, None
        undecided = _reopen(event)
        record("entry.unlock", user=chief, contest=event.contest, target=_target(event, entry), reason=reason)
        ledger.append(event.contest, "unlock", event=event.code, entries=[entry.bib], reason=reason)
        patches = [results.recompute(event, [entry.id], refresh=undecided), boards.withhold_awards(event)]
    results.publish(patches, contest=event.contest.slug)


def unlock_event(chief, event: Event, reason: str) -> int:
    """Reopen every locked entry of the event; only with a reason. Returns how many."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(422, "unlock_reason_required", field="reason")
    event_id = event.id
    with write_transaction():
        event = db.session.get(Event, event_id)
        results.lock_board(event.id)
        db.session.refresh(event)
        _chief_check(chief, event)
        _unlock_check(event)
        locked = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id,
                                                             Entry.locked_at.is_not(None))))
        if not locked and event.locked_at is None:
            raise ActionRefused(409, "nothing_locked")
        for e in locked:
            e.locked_at, e.locked_by_id = None, None
        undecided = _reopen(event)
        record("event.unlock", user=chief, contest=event.contest, target=event.code, reason=reason,
               entries=[e.bib for e in locked])
        ledger.append(event.contest, "unlock", event=event.code, entries=[e.bib for e in locked], reason=reason)
        patches = [results.recompute(event, [e.id for e in locked], refresh=undecided), boards.withhold_awards(event)]
    results.publish(patches, contest=event.contest.slug)
    return len(locked)


# --- the judges' tablets ----------------------------------------------------------------------

@dataclass
class TabletReport:
    """What a tablet says of itself (routes.tablet_report reads it from the request)."""
    device: str
    version: str
    waiting: int
    refused: int
    battery: int | None
    charging: bool | None
    offline_pages: bool
    agent: str
    event: Event | None
    entry: Entry | None


def report_tablet(judge: Judge, report: TabletReport) -> bool:
    """Keep a tablet's latest report; True when the same judge has this entry open on another
    tablet too. A concurrent first report of the same tablet is kept once (its unique key)."""
    now = utcnow()
    with write_transaction():
        tablet = db.session.scalar(select(Tablet).where(Tablet.device == report.device,
                                                        Tablet.judge_id == judge.id))
        if tablet is None:
            tablet = Tablet(device=report.device, judge_id=judge.id, first_seen=now)
            db.session.add(tablet)
        tablet.version, tablet.waiting, tablet.refused = report.version, report.waiting, report.refused
        tablet.battery, tablet.charging, tablet.agent = report.battery, report.charging, report.agent
        tablet.offline_pages = report.offline_pages
        tablet.event_id = report.event.id if report.event is not None else None
        tablet.entry_id = report.entry.id if report.entry is not None else None
        tablet.last_seen = now
        if tablet.entry_id is None:
            return False
        others = db.session.scalars(select(Tablet).where(Tablet.judge_id == judge.id,
                                                         Tablet.entry_id == tablet.entry_id))
        return (judge.id, tablet.entry_id) in twins(others, now)


@dataclass
class TabletRow:
    judge: PanelJudge
    tablet: Tablet | None  # None: this judge's tablet never reported
    connected: bool = False
    twin: bool = False


def event_tablets(event: Event, report_seconds: int) -> list[TabletRow]:
    """Every tablet of the event's judges, in panel order, a judge who never reported as one
    row without a tablet; whether each is connected now and open on the same entry as another."""
    judges = panel(event)
    tablets = list(db.session.scalars(select(Tablet).where(Tablet.judge_id.in_(list(judges)))
                                      .order_by(Tablet.last_seen.desc()))) if judges else []
    now = utcnow()
    doubled = twins(tablets, now)
    by_judge: dict[int, list[Tablet]] = defaultdict(list)
    for tablet in tablets:
        by_judge[tablet.judge_id].append(tablet)
    rows = []
    for judge_id, judge in sorted(judges.items(), key=lambda item: item[1].number):
        if not by_judge[judge_id]:
            rows.append(TabletRow(judge, None))
        for tablet in by_judge[judge_id]:
            rows.append(TabletRow(judge, tablet, is_connected(tablet.last_seen, now, report_seconds),
                                  (judge_id, tablet.entry_id) in doubled))
    return rows
