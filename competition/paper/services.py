"""Paper fallback: when a judge's tablet fails, the chief judge or an organiser enters the
marks from the judge's signed paper sheet, and a second person (another chief judge or
organiser) enters them again without seeing the first entry. Nothing counts until both agree;
then the marks are stored through the one write path (marking.services.submit_marks) as the
judge's, with the judge's rights, the locks and the values checked there as for a tablet, and
each revision says source "paper" and who entered and who checked it. Every step is audited.

Refusals are ActionRefused codes (competition.messages), as in the other services."""
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from flask import has_request_context, request
from sqlalchemy import select

from .. import policy, scoring
from ..audit.models import record
from ..boards import results
from ..contests.lifecycle import is_marking_open, under_review
from ..contests.models import Criterion, Event
from ..database import write_transaction
from ..entries.models import Entry
from ..errors import ActionRefused
from ..extensions import db
from ..judges.models import Judge
from ..marking.models import REOPENED, Mark
from ..marking.services import submit_marks
from ..text import REASON_MAX, strip_bidi
from .models import PaperSheet

#: The judge's own refusals (policy.why_not_mark), said of the judge rather than of the reader.
_JUDGE_REFUSALS = {"not_a_judge": "paper_not_a_judge", "supervisor_never_marks": "paper_supervisor",
                   "conflict_of_interest": "paper_conflict_of_interest", "not_assigned": "paper_not_assigned"}


@dataclass
class SheetOutcome:
    """What an entry of a sheet did: `refusals` by field (a criterion's code, or "reason") and
    `differ` (criterion code -> (first value, second value)) when the two entries disagree; then
    nothing was stored. Else `sheet` (a first entry kept) or `stored` (the marks that changed)."""

    refusals: dict[str, ActionRefused] = field(default_factory=dict)
    differ: dict[str, tuple[str, str]] = field(default_factory=dict)
    sheet: PaperSheet | None = None
    stored: int = 0

    @property
    def is_done(self) -> bool:
        return not self.refusals and not self.differ


def _ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def _target(event: Event, entry: Entry) -> str:
    return f"{event.code}/{entry.bib}"


def sheet_criteria(judge: Judge, entry: Entry) -> list[Criterion]:
    """The criteria of the entry the judge's sheet holds: those the judge is assigned to mark."""
    return policy.markable_criteria(judge, entry)


def check_transcriber(user, event: Event, judge: Judge) -> None:
    """May `user` enter this judge's sheets in this event? 403 else."""
    if not policy.can_enter_paper_sheets(user, event):
        raise ActionRefused(403, "paper_not_allowed")
    if judge.user_id == user.id:
        raise ActionRefused(403, "paper_own_sheet")


def check_judge(judge: Judge, entry: Entry, criteria: list[Criterion]) -> None:
    """The judge's right to mark every criterion of the sheet (403), then the entry's state (409):
    what the marking service checks again when the marks are stored."""
    if not criteria:
        why = ("supervisor_never_marks" if judge.is_supervisor else
               "conflict_of_interest" if policy.has_conflict(judge, entry) else "not_assigned")
        raise ActionRefused(403, _JUDGE_REFUSALS[why])
    for criterion in criteria:
        why = policy.why_not_mark(judge, entry, criterion)
        if why is not None:
            raise ActionRefused(403, _JUDGE_REFUSALS.get(why, "paper_not_assigned"))
    if entry.is_locked:
        raise ActionRefused(409, "locked")
    marks = list(db.session.scalars(select(Mark).where(Mark.entry_id == entry.id, Mark.judge_id == judge.id)))
    if not is_marking_open(entry.event.contest) and not under_review(entry.event, marks):
        raise ActionRefused(409, "not_judging")


def _parse(criteria: list[Criterion], values: dict[str, object]) -> tuple[dict[str, Decimal],
                                                                          dict[str, ActionRefused]]:
    """The typed values by criterion code, read as the tablet's are (full-width digits too)."""
    parsed, refusals = {}, {}
    for criterion in criteria:
        try:
            parsed[criterion.code] = scoring.parse_mark(criterion.rule, values.get(criterion.code, ""))
        except scoring.InvalidMark as invalid:
            refusals[criterion.code] = ActionRefused(422, invalid.code, invalid.params, field=criterion.code)
    return parsed, refusals


def _load(entry: Entry, judge: Judge) -> tuple[Entry, Judge, Event]:
    entry = db.session.get(Entry, entry.id)
    event = entry.event
    results.lock_board(event.id)  # first: paper sheets queue up with the judges' writes
    db.session.refresh(entry)
    return entry, db.session.get(Judge, judge.id), event


def pending(event: Event) -> list[PaperSheet]:
    """The event's sheets entered once, waiting for their second entry, oldest first."""
    return list(db.session.scalars(select(PaperSheet).where(PaperSheet.event_id == event.id)
                                   .order_by(PaperSheet.created_at, PaperSheet.id)))


def pending_sheet(entry: Entry, judge: Judge) -> PaperSheet | None:
    return db.session.scalar(select(PaperSheet).where(PaperSheet.entry_id == entry.id,
                                                      PaperSheet.judge_id == judge.id))


def enter_first(user, entry: Entry, judge: Judge, values: dict[str, object], reason: str = "") -> SheetOutcome:
    """The first entry of the judge's sheet for the entry: every value checked as a tablet's
    would be (and a reason asked for when a value changes a mark the judge already gave); kept,
    waiting for the second entry. Raises ActionRefused: 403 (not the user's to enter, or not
    the judge's to mark), 409 (locked, marking closed, a first entry already waiting)."""
    with write_transaction():
        entry, judge, event = _load(entry, judge)
        check_transcriber(user, event, judge)
        criteria = sheet_criteria(judge, entry)
        check_judge(judge, entry, criteria)
        if pending_sheet(entry, judge) is not None:
            raise ActionRefused(409, "paper_sheet_pending")
        parsed, refusals = _parse(criteria, values)
        reason = strip_bidi(reason or "").strip()
        if len(reason) > REASON_MAX:
            refusals["reason"] = ActionRefused(422, "too_long", {"max": REASON_MAX}, field="reason")
        marks = {m.criterion_id: m for m in db.session.scalars(
            select(Mark).where(Mark.entry_id == entry.id, Mark.judge_id == judge.id))}
        corrects = [c for c in criteria if c.code in parsed and c.id in marks
                    and marks[c.id].status not in REOPENED and marks[c.id].value != parsed[c.code]]
        if corrects and not reason and not refusals:
            refusals["reason"] = ActionRefused(422, "reason_required", field="reason")
        if refusals:
            return SheetOutcome(refusals=refusals)
        entered = {code: scoring.decimal_text(value) for code, value in parsed.items()}
        sheet = PaperSheet(event_id=event.id, entry_id=entry.id, judge_id=judge.id, entered=entered, reason=reason,
                           transcribed_by_id=user.id)
        db.session.add(sheet)
        db.session.flush()
        record("paper.enter", user=user, contest=event.contest, target=_target(event, entry), sheet_id=sheet.id,
               judge=judge.user.username, values=entered, reason=reason, ip=_ip())
    return SheetOutcome(sheet=sheet)


def enter_second(user, sheet: PaperSheet, values: dict[str, object]) -> SheetOutcome:
    """The second entry, typed without seeing the first. When every value agrees, the marks are
    stored as the judge's (marking.services.submit_marks: the judge's assignment and conflict
    of interest, the locks and the values are checked there) and the sheet is done; when some
    differ, nothing is stored, the outcome names them, and the sheet waits for another try.
    Raises ActionRefused: 403 (not the user's, or the user entered it first), 409 (the sheet is
    gone meanwhile, the entry locked …)."""
    sheet_id = sheet.id
    sheet = db.session.get(PaperSheet, sheet_id)
    if sheet is None:
        raise ActionRefused(409, "paper_sheet_gone")
    entry, judge = sheet.entry, sheet.judge
    event = entry.event
    check_transcriber(user, event, judge)
    if sheet.transcribed_by_id == user.id:
        raise ActionRefused(403, "paper_same_person")
    first = sheet.transcribed_by
    criteria = [c for c in event.criteria if c.code in sheet.entered]
    parsed, refusals = _parse(criteria, values)
    if refusals:
        return SheetOutcome(refusals=refusals)
    entered = dict(sheet.entered)
    differ = {code: (text, scoring.decimal_text(parsed[code])) for code, text in entered.items()
              if Decimal(text) != parsed[code]}
    if differ:
        with write_transaction():
            record("paper.mismatch", user=user, contest=event.contest, target=_target(event, entry),
                   sheet_id=sheet_id, judge=judge.user.username, criteria=sorted(differ),
                   first={code: entered[code] for code in differ},
                   second={code: second for code, (_first, second) in differ.items()}, ip=_ip())
        return SheetOutcome(differ=differ)

    def done():
        # In the marks' transaction, the board locked: the sheet must still be the one compared.
        row = db.session.execute(select(PaperSheet).where(PaperSheet.id == sheet_id)
                                 .execution_options(populate_existing=True)).scalar_one_or_none()
        if row is None or row.entered != entered:
            raise ActionRefused(409, "paper_sheet_gone")
        record("paper.verify", user=user, contest=event.contest, target=_target(event, entry), sheet_id=sheet_id,
               judge=judge.user.username, transcribed_by=first.username, values=entered, ip=_ip())
        db.session.delete(row)

    outcome = submit_marks(judge.user, entry, entered, reason=sheet.reason, client_id=f"paper-{uuid.uuid4()}",
                           source="paper", transcribers=(first, user), then=done)
    if not outcome.is_stored:
        return SheetOutcome(refusals=outcome.refusals)
    return SheetOutcome(stored=outcome.stored)


def discard(user, sheet: PaperSheet) -> None:
    """Throw a first entry away (it was wrong, or the sheet is entered anew): audited with its
    values. 403 for anybody who may not enter the judge's sheets."""
    sheet_id = sheet.id
    with write_transaction():
        sheet = db.session.get(PaperSheet, sheet_id)
        if sheet is None:
            raise ActionRefused(409, "paper_sheet_gone")
        entry, judge = sheet.entry, sheet.judge
        event = entry.event
        check_transcriber(user, event, judge)
        record("paper.discard", user=user, contest=event.contest, target=_target(event, entry), sheet_id=sheet_id,
               judge=judge.user.username, transcribed_by=sheet.transcribed_by.username, values=dict(sheet.entered),
               ip=_ip())
        db.session.delete(sheet)
