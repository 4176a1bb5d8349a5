"""Writes of the bibs & draw codes page: number an event's approved entries by the contest's
bib pattern (their boards follow in the same transaction), and draw their secret codes. One
transaction and one audit entry each."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.models import record
from ..boards import results
from ..contests.models import Contest, Event
from ..database import write_transaction
from ..entries.models import APPROVED, Delegation, Entry, bib_order
from ..errors import ActionRefused
from ..extensions import db
from ..marking.models import Mark
from . import rules as numbering

def _pattern_refused(invalid: numbering.PatternInvalid) -> ActionRefused:
    return ActionRefused(422, invalid.code, field="pattern")


def marking_started(event: Event) -> bool:
    """Any mark in the event: bibs may no longer be renumbered, nor draw codes redrawn."""
    return db.session.scalar(select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
                             .where(Entry.event_id == event.id).limit(1)) is not None


def event_entries(event: Event) -> list[Entry]:
    """Every entry of the event, approved first, in bib order (entries without a bib last)."""
    return list(db.session.scalars(
        select(Entry).where(Entry.event_id == event.id)
        .order_by(Entry.status != APPROVED, *bib_order(), Entry.created_at, Entry.id)))


def _numbered(entry: Entry, delegations: dict[int, str]) -> numbering.Numbered:
    return numbering.Numbered(id=entry.id, name=entry.name, delegation=delegations.get(entry.delegation_id, ""),
                              created_at=entry.created_at, bib=entry.bib)


def assign_bibs(user, event: Event, *, order: str, seed: int | None = None,
                renumber: bool = False) -> numbering.BibPlan:
    """Give the event's approved entries their bibs. Entries with a bib keep it unless
    `renumber` (refused once marking started); nothing is written when any new bib is held
    by another entry of the contest."""
    contest: Contest = event.contest
    try:
        numbering.check_pattern(contest.bib_pattern)
    except numbering.PatternInvalid as invalid:
        raise _pattern_refused(invalid) from None
    try:
        return _assign_bibs(user, event, contest, order, seed, renumber)
    except IntegrityError:
        db.session.rollback()
        raise ActionRefused(409, "changed_meanwhile") from None


def _assign_bibs(user, event, contest, order, seed, renumber) -> numbering.BibPlan:
    with write_transaction():
        results.lock_board(event.id)  # the event's marks wait: "marking started" holds till commit
        if renumber and marking_started(event):
            raise ActionRefused(409, "bibs_fixed", {"event": event.name})
        delegations = dict(db.session.execute(select(Delegation.id, Delegation.name)
                                              .where(Delegation.contest_id == contest.id)).all())
        approved = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id,
                                                               Entry.status == APPROVED)))
        renumbered = {e.id for e in approved} if renumber else set()
        taken = {bib: entry_id for entry_id, bib in db.session.execute(
            select(Entry.id, Entry.bib).where(Entry.contest_id == contest.id, Entry.bib.is_not(None)))
            if entry_id not in renumbered}
        # Withdrawn or rejected entries of the event may hold a bib: their numbers are skipped.
        reserved = set(db.session.scalars(select(Entry.bib).where(
            Entry.event_id == event.id, Entry.status != APPROVED, Entry.bib.is_not(None))))
        try:
            plan = numbering.plan_bibs(contest.bib_pattern, event.code, [_numbered(e, delegations) for e in approved],
                                       order=order, seed=seed, renumber=renumber, taken=taken, reserved=reserved)
        except numbering.PatternInvalid as invalid:
            raise _pattern_refused(invalid) from None
        if not plan.is_clean:
            names = dict(db.session.execute(select(Entry.id, Entry.name).where(Entry.contest_id == contest.id)).all())
            raise ActionRefused(409, "bib_clashes", {
                "clashes": [(c.bib, names.get(c.entry_id, ""), names.get(c.holder_id, "")) for c in plan.clashes]})
        by_id = {e.id: e for e in approved}
        shown = {e.id: e.bib for e in approved if e.bib is not None}  # what open boards show now
        if renumber:
            # Clear first: swapping bibs between two entries must not trip the unique constraint.
            for entry in approved:
                entry.bib = None
            db.session.flush()
        for entry_id, bib in plan.bibs.items():
            by_id[entry_id].bib = bib
        db.session.flush()
        # A board lists the numbered approved entries from their results: without this, an
        # entry entered through the pages would only appear on the board with its first mark.
        # Renumbered entries leave open boards under their old bibs and come back under the new.
        patch = results.recompute(event, list(plan.bibs), shown_bibs=shown) if plan.bibs else None
        record("entry.bibs_assigned", user=user, contest=contest, target=f"event:{event.code}",
               order=order, seed=plan.seed, renumber=renumber, numbered=len(plan.bibs), kept=len(plan.kept),
               pattern=contest.bib_pattern)
    results.publish([patch])
    return plan


def draw_codes(user, event: Event, *, length: int = numbering.DRAW_LENGTH[0], redraw: bool = False) -> int:
    """Draw secret codes for the event's approved entries that have none, or for all of them
    when `redraw` (refused once marking started in the event). Codes are unique in the
    contest. Returns how many were drawn."""
    try:
        return _draw_codes(user, event, event.contest, length, redraw)
    except IntegrityError:
        db.session.rollback()
        raise ActionRefused(409, "changed_meanwhile") from None


def _draw_codes(user, event, contest, length, redraw) -> int:
    with write_transaction():
        results.lock_board(event.id)
        if redraw and marking_started(event):
            raise ActionRefused(409, "draw_codes_fixed", {"event": event.name})
        approved = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id,
                                                               Entry.status == APPROVED).order_by(Entry.id)))
        drawing = approved if redraw else [e for e in approved if not e.draw_code]
        ids = {e.id for e in drawing}
        taken = {code for entry_id, code in db.session.execute(
            select(Entry.id, Entry.draw_code).where(Entry.contest_id == contest.id, Entry.draw_code.is_not(None)))
            if entry_id not in ids}
        try:
            codes = numbering.draw_codes(len(drawing), taken=taken, length=length)
        except numbering.DrawImpossible:
            raise ActionRefused(409, "too_few_codes", {"length": length, "count": len(drawing)}) from None
        if redraw:
            for entry in drawing:
                entry.draw_code = None
            db.session.flush()
        for entry, code in zip(drawing, codes):
            entry.draw_code = code
        # The codes themselves stay out of the log: it is read by more people than the codes are for.
        record("entry.draw_codes_drawn", user=user, contest=contest, target=f"event:{event.code}",
               drawn=len(drawing), length=length, redraw=redraw)
    return len(drawing)


def set_bib_pattern(user, contest: Contest, pattern: str) -> None:
    """Change how the contest's bibs are numbered; bibs already given stay as they are."""
    pattern = pattern.strip()
    try:
        numbering.check_pattern(pattern)
    except numbering.PatternInvalid as invalid:
        raise _pattern_refused(invalid) from None
    with write_transaction():
        old, contest.bib_pattern = contest.bib_pattern, pattern
        record("contest.bib_pattern", user=user, contest=contest, target=f"contest:{contest.slug}",
               old=old, new=pattern)
