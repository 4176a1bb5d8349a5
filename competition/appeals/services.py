"""Objections and appeals during 公示, and the supervisors' rulings (DESIGN.md §2).

Anyone files an objection while the objection window is open; an entry (its contestant, or a
team's leader, identified by registration reference and the last four characters of the ID
number) files an appeal before the appeal deadline, naming criteria, with evidence files. The
appeal's event is `protested` from then until every appeal on it is finished.

A supervisor rules once: the ruling is stored only if the appeal is still open, so of two
supervisors ruling at once one is told that the other did. An upheld appeal names the marks to
review: they reopen (status "review"), their entries are unlocked, and the event's placings
are kept as they were. The judges re-mark; when the chief judge has locked every entry again
(competition.judging calls `resolve_reviewed`), the appeal records each entry whose placing
changed, before and after, and the event is announced again. Supervisors never change a mark.

Every write is one transaction with its audit record; board patches are published after commit."""
import hashlib
from dataclasses import dataclass

from sqlalchemy import select, update

from .. import policy
from ..audit.models import record
from ..boards import results
from ..contests.models import ANNOUNCED, PROTESTED, Contest, Event
from ..database import utcnow, write_transaction
from ..entries.models import APPROVED, Contestant, Entry
from ..errors import ActionRefused
from ..extensions import db
from ..ledger import services as ledger
from ..judges.models import Assignment
from ..judges.services import panel
from ..marking.models import Mark
from .models import APPEAL_PENDING, RULINGS, Appeal, AppealFile, Objection, new_reference

#: Evidence: what an appeal may carry, recognised by the file's first bytes, not its name.
EVIDENCE_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg", b"%PDF-": "application/pdf"}
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
EVIDENCE_MAX_FILES = 3  # 3 × 5 MB stays under the request limit (MAX_CONTENT_LENGTH, 16 MB)


# --- windows ------------------------------------------------------------------------------------

# --- objections ---------------------------------------------------------------------------------

def file_objection(contest: Contest, *, name: str, phone: str, text: str, ip: str | None = None) -> Objection:
    with write_transaction():
        db.session.refresh(contest)
        if not contest.objections_open(utcnow()):
            raise ActionRefused(409, "objections_closed")
        objection = Objection(contest_id=contest.id, reference=new_reference("Y"), name=name.strip(),
                              phone=phone.strip(), text=text.strip())
        db.session.add(objection)
        db.session.flush()
        record("objection.file", contest=contest, target=f"objection:{objection.reference}", ip=ip)
        ledger.append(contest, "objection.file", reference=objection.reference)
    return objection


def objection_by_reference(contest: Contest, reference: str) -> Objection | None:
    return db.session.scalar(select(Objection).where(Objection.contest_id == contest.id,
                                                     Objection.reference == reference.strip().upper()))


def _ruling(decision: str, reasons: str) -> str:
    if decision not in RULINGS:
        raise ActionRefused(422, "ruling_unknown", field="decision")
    reasons = (reasons or "").strip()
    if not reasons:
        raise ActionRefused(422, "ruling_reasons_required", field="reasons")
    return reasons


def _supervisor_check(user, contest: Contest) -> None:
    if not policy.is_supervisor(user, contest):
        raise ActionRefused(403, "not_supervisor")


def rule_objection(user, objection: Objection, decision: str, reasons: str) -> None:
    reasons = _ruling(decision, reasons)
    with write_transaction():
        contest = db.session.get(Contest, objection.contest_id)
        _supervisor_check(user, contest)
        # Stored only if still open: of two supervisors ruling at once, the second is told.
        done = db.session.execute(
            update(Objection).where(Objection.id == objection.id, Objection.status == "open")
            .values(status=decision, ruling=reasons, ruled_by_id=user.id, ruled_at=utcnow()))
        if done.rowcount != 1:
            raise ActionRefused(409, "ruled_meanwhile")
        record("objection.rule", user=user, contest=contest, target=f"objection:{objection.reference}",
               decision=decision, reasons=reasons)
        ledger.append(contest, "objection.rule", reference=objection.reference, decision=decision)
    db.session.refresh(objection)


# --- appeals ------------------------------------------------------------------------------------

@dataclass
class Evidence:
    filename: str
    data: bytes


def evidence_type(data: bytes) -> str | None:
    return next((kind for magic, kind in EVIDENCE_TYPES.items() if data.startswith(magic)), None)


def _check_evidence(files: list[Evidence]) -> list[tuple[Evidence, str]]:
    files = [f for f in files if f.data]
    if len(files) > EVIDENCE_MAX_FILES:
        raise ActionRefused(422, "evidence_too_many", {"num": EVIDENCE_MAX_FILES}, field="files")
    out = []
    for f in files:
        if len(f.data) > EVIDENCE_MAX_BYTES:
            raise ActionRefused(422, "evidence_too_large", {"name": f.filename,
                                                            "size": EVIDENCE_MAX_BYTES // (1024 * 1024)},
                                field="files")
        kind = evidence_type(f.data)
        if kind is None:
            raise ActionRefused(422, "evidence_type", {"name": f.filename}, field="files")
        out.append((f, kind))
    return out


def appellant_entries(contest: Contest, contestant: Contestant) -> list[Entry]:
    """The entries a contestant may appeal for: their own, and the teams they lead."""
    return list(db.session.scalars(
        select(Entry).join(Event, Event.id == Entry.event_id)
        .where(Entry.contest_id == contest.id, Entry.contestant_id == contestant.id, Entry.status == APPROVED,
               Entry.bib.is_not(None))
        .order_by(Event.position, Event.id)))


def file_appeal(contest: Contest, contestant: Contestant, entry: Entry, *, criteria: list[str], reasons: str,
                files: list[Evidence], ip: str | None = None) -> Appeal:
    """An entry's appeal; its event is protested until the appeal is finished."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ActionRefused(422, "appeal_reasons_required", field="reasons")
    evidence = _check_evidence(files)
    with write_transaction():
        db.session.refresh(contest, with_for_update=True)  # before the board, as change_status locks
        entry = db.session.get(Entry, entry.id)
        if entry is None or entry.contest_id != contest.id or entry.contestant_id != contestant.id:
            raise ActionRefused(404, "not_found")
        event = entry.event
        results.lock_board(event.id)
        db.session.refresh(event)
        if not contest.appeals_open(utcnow()) or event.result_status not in (ANNOUNCED, PROTESTED):
            raise ActionRefused(409, "appeals_closed")
        known = [c.code for c in event.criteria]
        named = [code for code in known if code in set(criteria)]
        if not named or len(named) != len(set(criteria)):
            raise ActionRefused(422, "appeal_criteria_required", field="criteria")
        appeal = Appeal(contest_id=contest.id, event_id=event.id, entry_id=entry.id, contestant_id=contestant.id,
                        reference=new_reference("S"), criteria=named, reasons=reasons, reviewed=[], before={},
                        changes=[])
        for f, kind in evidence:
            appeal.files.append(AppealFile(filename=f.filename[:200] or "evidence", content_type=kind,
                                           size=len(f.data), sha256=hashlib.sha256(f.data).hexdigest(),
                                           data=f.data))
        db.session.add(appeal)
        patch = None
        if event.result_status == ANNOUNCED:
            event.result_status = PROTESTED
            patch = results.recompute_event(event, refresh=True)
        db.session.flush()
        record("appeal.file", contest=contest, target=f"appeal:{appeal.reference}", event=event.code,
               entry=entry.bib, criteria=named, files=[f.filename for f, _kind in evidence], ip=ip)
        ledger.append(contest, "appeal.file", reference=appeal.reference, event=event.code, entry=entry.bib,
                      criteria=named, evidence=[hashlib.sha256(f.data).hexdigest() for f, _kind in evidence])
    results.publish([patch])
    return appeal


def placings(event: Event) -> dict[str, dict]:
    """Every entry's rank, total and award on the event's board, by bib."""
    return {row["entry"]: {"rank": row["rank"], "total": row["total"], "award": row["award"]}
            for row in results.board_rows(event)}


@dataclass
class MarkLine:
    criterion: object
    judge: object  # PanelJudge
    mark: Mark | None
    named: bool  # the appeal names the criterion


def appeal_marks(appeal: Appeal) -> list[MarkLine]:
    """The entry's marks per criterion and judge, as a supervisor reads them."""
    judges = panel(appeal.event)
    marks = {(m.criterion_id, m.judge_id): m for m in db.session.scalars(
        select(Mark).where(Mark.entry_id == appeal.entry_id))}
    assigned = db.session.execute(select(Assignment.criterion_id, Assignment.judge_id)
                                  .where(Assignment.entry_id == appeal.entry_id)).all()
    by_criterion: dict[int, list[int]] = {}
    for criterion_id, judge_id in assigned:
        by_criterion.setdefault(criterion_id, []).append(judge_id)
    out = []
    for criterion in appeal.event.criteria:
        for judge_id in sorted(by_criterion.get(criterion.id, []),
                               key=lambda j: judges[j].number if j in judges else 10**6 + j):
            if judge_id in judges:
                out.append(MarkLine(criterion, judges[judge_id], marks.get((criterion.id, judge_id)),
                                    criterion.code in (appeal.criteria or [])))
    return out


def _finish_protest(event: Event) -> bool:
    """The event is announced again once no appeal on it is pending; True if it was."""
    pending = db.session.scalar(select(Appeal.id).where(Appeal.event_id == event.id,
                                                        Appeal.status.in_(APPEAL_PENDING)).limit(1))
    if pending is None and event.result_status == PROTESTED:
        event.result_status = ANNOUNCED
        return True
    return False


def rule_appeal(user, appeal: Appeal, decision: str, reasons: str, mark_ids: list[int] = ()) -> None:
    """Dismiss the appeal, or uphold it naming the marks (of the criteria it names) to review."""
    reasons = _ruling(decision, reasons)
    mark_ids = set(mark_ids or ())
    with write_transaction():
        appeal = db.session.get(Appeal, appeal.id)
        event = appeal.event
        results.lock_board(event.id)  # rulings and re-marks of one event queue up here
        db.session.refresh(appeal)
        db.session.refresh(event)
        _supervisor_check(user, appeal.contest)
        if appeal.status != "open":
            raise ActionRefused(409, "ruled_meanwhile")
        now = utcnow()
        appeal.status, appeal.ruling, appeal.ruled_by_id, appeal.ruled_at = decision, reasons, user.id, now
        patches = []
        if decision == "dismissed":
            if _finish_protest(event):
                patches.append(results.recompute_event(event, refresh=True))
        else:
            lines = {line.mark.id: line for line in appeal_marks(appeal) if line.mark is not None and line.named}
            if not mark_ids:
                raise ActionRefused(422, "review_marks_required", field="marks")
            if not mark_ids <= lines.keys():
                raise ActionRefused(422, "review_mark_unknown", field="marks")
            appeal.before = placings(event)
            appeal.reviewed = []
            for mark_id in sorted(mark_ids):
                line = lines[mark_id]
                mark = line.mark
                mark.status, mark.appeal_id = "review", appeal.id
                mark.return_note, mark.returned_at, mark.returned_by_id = reasons, now, user.id
                appeal.reviewed.append({"criterion": line.criterion.code, "judge": f"J{line.judge.number}",
                                        "mark": mark.id, "value": str(mark.value), "revision": mark.revision})
            entry = appeal.entry
            entry.locked_at, entry.locked_by_id = None, None
            patches.append(results.recompute(event, [entry.id]))
        record("appeal.rule", user=user, contest=appeal.contest, target=f"appeal:{appeal.reference}",
               decision=decision, reasons=reasons, marks=[r["mark"] for r in appeal.reviewed])
        ledger.append(appeal.contest, "appeal.rule", reference=appeal.reference, decision=decision)
        if decision == "upheld":
            reopened = [lines[i].mark for i in sorted(mark_ids)]
            ledger.append(appeal.contest, "review", event=event.code, reference=appeal.reference,
                          marks=[{"entry": appeal.entry.bib, "criterion": m.criterion.code,
                                  "judge": ledger.pseudonym(m.judge)} for m in reopened])
            ledger.append(appeal.contest, "unlock", event=event.code, entries=[appeal.entry.bib],
                          reason=f"appeal {appeal.reference}")
    results.publish(patches, contest=event.contest.slug)


def resolve_reviewed(actor, event: Event) -> bool:
    """Inside the chief judge's lock: when no reopened mark of the event is left and every
    entry is locked again, the upheld appeals record what changed and are resolved, and the
    event is announced again when nothing else is pending. True when appeals were resolved."""
    upheld = list(db.session.scalars(select(Appeal).where(Appeal.event_id == event.id, Appeal.status == "upheld")))
    if not upheld:
        return False
    waiting = db.session.scalar(
        select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
        .where(Entry.event_id == event.id, Mark.status == "review").limit(1))
    unlocked = db.session.scalar(select(Entry.id).where(Entry.event_id == event.id, Entry.status == APPROVED,
                                                        Entry.locked_at.is_(None)).limit(1))
    if waiting is not None or unlocked is not None:
        return False
    after = placings(event)
    now = utcnow()
    for appeal in upheld:
        before = appeal.before or {}
        appeal.changes = [{"entry": bib, "before": before.get(bib), "after": after.get(bib)}
                          for bib in sorted(before.keys() | after.keys()) if before.get(bib) != after.get(bib)]
        appeal.status, appeal.resolved_at = "resolved", now
        record("appeal.resolve", user=actor, contest=event.contest, target=f"appeal:{appeal.reference}",
               changes=appeal.changes)
        ledger.append(event.contest, "appeal.resolve", reference=appeal.reference, changes=appeal.changes)
    _finish_protest(event)
    return True


# --- the supervisors' lists ----------------------------------------------------------------------

def contest_cases(contest: Contest) -> tuple[list[Objection], list[Appeal]]:
    objections = list(db.session.scalars(select(Objection).where(Objection.contest_id == contest.id)
                                         .order_by(Objection.status != "open", Objection.created_at)))
    appeals = list(db.session.scalars(select(Appeal).where(Appeal.contest_id == contest.id)
                                      .order_by(Appeal.status.not_in(APPEAL_PENDING), Appeal.created_at)))
    return objections, appeals
