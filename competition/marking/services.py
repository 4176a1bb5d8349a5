"""The one write path for a mark: validate, store the mark and its revision, recompute the
entry's result and the event's ranks, bump the board's seq and audit — in one transaction —
then publish the board's patch after commit."""
from dataclasses import dataclass

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import select

from .. import scoring
from ..audit.models import record
from ..contests.lifecycle import is_marking_open
from ..contests.models import Assignment, Contest, Criterion, Entry, Event, Judge
from ..database import utcnow, write_transaction
from ..extensions import db
from ..results import services as results
from .messages import mark_messages
from .models import Mark, MarkRevision


class MarkRefused(Exception):
    """A mark that cannot be taken, with the HTTP status, a machine code for the API and a
    message in the judge's language."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field


@dataclass
class MarkOutcome:
    created: bool  # False: a replay of a client_id already stored
    body: dict
    patch: results.Patch | None = None


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


def _replay(client_id: str, user, contest_slug, event_code, bib, criterion_code, value) -> MarkOutcome | None:
    revision = db.session.scalar(select(MarkRevision).where(MarkRevision.client_id == client_id))
    if revision is None:
        return None
    mark = revision.mark
    entry, criterion, judge = mark.entry, mark.criterion, mark.judge
    event = entry.event
    same = (judge.user_id == user.id and event.contest.slug == contest_slug and event.code == event_code
            and entry.bib == bib and criterion.code == criterion_code)
    if same:
        try:
            same = scoring.parse_mark(criterion_rule(criterion), value) == revision.value
        except scoring.ScoringError:
            same = False
    if not same:
        raise MarkRefused(409, "client_id_reused", _("This client_id was already used for another mark."))
    return MarkOutcome(False, _body(event.contest, event, entry, criterion, judge.user.username, revision))


def criterion_rule(criterion: Criterion) -> scoring.CriterionRule:
    return scoring.CriterionRule(code=criterion.code, max=criterion.max, method=criterion.method,
                                 judges=criterion.judges, trim=criterion.trim, spread=criterion.spread,
                                 tolerance=criterion.tolerance, step=criterion.step)


def submit_mark(user, *, contest: str, event: str, entry: str, criterion: str, value, client_id: str,
                reason: str = "", source: str = "api") -> MarkOutcome:
    """Store one judge's mark. Raises MarkRefused (404, 403, 409, 422) and stores nothing then."""
    client_id = (client_id or "").strip()
    if not client_id or len(client_id) > 64:
        raise MarkRefused(422, "invalid_client_id", _("client_id must be a string of 1 to 64 characters."),
                          "client_id")
    with write_transaction():
        contest_row = db.session.scalar(select(Contest).where(Contest.slug == contest))
        event_row = contest_row and db.session.scalar(
            select(Event).where(Event.contest_id == contest_row.id, Event.code == event))
        if event_row is None:
            raise MarkRefused(404, "not_found", _("No such contest or event."))
        board = results.lock_board(event_row.id)  # first: writers of one event queue up here
        replay = _replay(client_id, user, contest, event, entry, criterion, value)
        if replay is not None:
            return replay
        entry_row = db.session.scalar(select(Entry).where(Entry.event_id == event_row.id, Entry.bib == entry))
        criterion_row = db.session.scalar(
            select(Criterion).where(Criterion.event_id == event_row.id, Criterion.code == criterion))
        if entry_row is None or criterion_row is None or entry_row.status != "approved":
            raise MarkRefused(404, "not_found", _("No such entry or criterion in this event."))
        judge = db.session.scalar(select(Judge).where(Judge.contest_id == contest_row.id,
                                                      Judge.user_id == user.id))
        if judge is None:
            raise MarkRefused(403, "not_a_judge", _("You are not a judge in this contest."))
        if judge.delegation_id is not None and judge.delegation_id == entry_row.delegation_id:
            raise MarkRefused(403, "conflict_of_interest",
                              _("You cannot mark an entry of your own delegation."))
        assigned = db.session.scalar(select(Assignment.id).where(
            Assignment.entry_id == entry_row.id, Assignment.criterion_id == criterion_row.id,
            Assignment.judge_id == judge.id))
        if assigned is None:
            raise MarkRefused(403, "not_assigned", _("You are not assigned to mark this criterion of this entry."))
        if not is_marking_open(contest_row):
            raise MarkRefused(409, "not_judging", _("Marking is closed: the contest is not in judging."))
        if entry_row.is_locked:
            raise MarkRefused(409, "locked", _("The marks of this entry are locked."))
        try:
            rule = criterion_rule(criterion_row)
            parsed = scoring.parse_mark(rule, value)
        except scoring.InvalidMark as exc:
            raise MarkRefused(422, exc.code, mark_messages(rule).get(exc.code, str(exc)), "value") from None

        mark = db.session.scalar(select(Mark).where(
            Mark.entry_id == entry_row.id, Mark.criterion_id == criterion_row.id, Mark.judge_id == judge.id))
        reason = (reason or "").strip()
        if mark is None:
            mark = Mark(entry_id=entry_row.id, criterion_id=criterion_row.id, judge_id=judge.id,
                        value=parsed, revision=1)
            db.session.add(mark)
        else:
            if not reason and mark.status != "returned":
                raise MarkRefused(422, "reason_required", _("A correction needs a reason."), "reason")
            mark.revision += 1
            mark.value = parsed
            mark.status = "submitted"
            mark.updated_at = utcnow()
        patch = results.update_event(event_row, [entry_row.id], board=board)
        db.session.flush()  # the mark's id for a new one (a no-op after update_event's queries)
        revision = MarkRevision(mark_id=mark.id, revision=mark.revision, value=parsed, client_id=client_id,
                                reason=reason, source=source, author_id=user.id, board_seq=board.seq)
        db.session.add(revision)
        record("mark.submit", user=user, contest=contest_row,
               target=f"{event_row.code}/{entry_row.bib}/{criterion_row.code}",
               value=str(parsed), revision=mark.revision, client_id=client_id, reason=reason,
               ip=request.remote_addr if has_request_context() else None)
        body = _body(contest_row, event_row, entry_row, criterion_row, user.username, revision)
    results.publish([patch])
    return MarkOutcome(True, body, patch)
