"""Writes of the judges page: judges' accounts, panels (order, chief judge, criteria) and the
assignments generated from them by the one rule in contests.assigning. One transaction and one
audit entry per action."""
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import LoginLink, User
from ..accounts.services import find_user
from ..audit.models import record
from ..contests.assigning import pick_judges
from ..contests.models import Assignment, Contest, Criterion, Delegation, Entry, Event, Judge, PanelSeat
from ..database import utcnow, write_transaction
from ..extensions import db
from ..marking.models import Mark
from ..policy import has_conflict
from ..results import services as results


class JudgesRefused(Exception):
    def __init__(self, message, field: str | None = None):
        super().__init__(str(message))
        self.message, self.field = message, field


def contest_judges(contest: Contest) -> list[Judge]:
    return list(db.session.scalars(select(Judge).join(User, User.id == Judge.user_id)
                                   .where(Judge.contest_id == contest.id).order_by(User.name, User.username)))


def judge_of(contest: Contest, judge_id: int) -> Judge | None:
    judge = db.session.get(Judge, judge_id)
    return judge if judge is not None and judge.contest_id == contest.id else None


def marks_by_judge(contest: Contest) -> dict[int, int]:
    return dict(db.session.execute(
        select(Mark.judge_id, func.count()).join(Judge, Judge.id == Mark.judge_id)
        .where(Judge.contest_id == contest.id).group_by(Mark.judge_id)).all())


def add_judge(actor, contest: Contest, *, username: str, name: str = "", delegation_id: int | None = None,
              password: str | None = None) -> tuple[Judge, bool]:
    """Make a judge of the contest: the existing account with that username, or a new one.
    Returns the judge and whether the account is new."""
    username, name = username.strip(), (name or "").strip()
    delegation = None
    if delegation_id:
        delegation = db.session.get(Delegation, delegation_id)
        if delegation is None or delegation.contest_id != contest.id:
            raise JudgesRefused(_l("Choose a delegation of this contest."), "delegation")
    try:
        with write_transaction():
            user = find_user(username)
            created = user is None
            if created:
                if not name:
                    raise JudgesRefused(_l("A new account needs the judge's name."), "name")
                user = User(username=username, name=name)
                if password:
                    user.set_password(password)
                db.session.add(user)
            else:
                if not user.is_active:
                    raise JudgesRefused(_l("The account %(username)s is disabled.", username=user.username), "username")
                if db.session.scalar(select(Judge.id).where(Judge.contest_id == contest.id,
                                                            Judge.user_id == user.id)) is not None:
                    raise JudgesRefused(_l("%(username)s is already a judge of this contest.",
                                           username=user.username), "username")
            judge = Judge(contest_id=contest.id, user=user, delegation=delegation)
            db.session.add(judge)
            db.session.flush()
            record("judge.add", user=actor, contest=contest, target=f"judge:{user.username}",
                   created_account=created, delegation=delegation.name if delegation else None)
    except IntegrityError:
        db.session.rollback()
        raise JudgesRefused(_l("%(username)s was added meanwhile; reload the page.", username=username),
                            "username") from None
    return judge, created


def remove_judge(actor, judge: Judge) -> None:
    """Take a judge off the contest (panels and assignments with them); refused once they have
    marks, which must keep their author. Their unused login links for the contest are revoked."""
    contest = judge.contest
    with write_transaction():
        if db.session.scalar(select(Mark.id).where(Mark.judge_id == judge.id).limit(1)) is not None:
            raise JudgesRefused(_l("%(name)s has already given marks and cannot be removed.", name=judge.user.name))
        now = utcnow()
        for link in db.session.scalars(select(LoginLink).where(
                LoginLink.user_id == judge.user_id, LoginLink.contest_id == contest.id,
                LoginLink.used_at.is_(None), LoginLink.revoked_at.is_(None))):
            link.revoked_at = now
        db.session.execute(delete(Assignment).where(Assignment.judge_id == judge.id))
        username = judge.user.username
        db.session.delete(judge)
        record("judge.remove", user=actor, contest=contest, target=f"judge:{username}")


# --- panels -----------------------------------------------------------------------------------

@dataclass
class SeatChoice:
    """One row of the panel form: a judge on the panel, their place, chief or not, and the
    criteria they mark (empty: all)."""

    judge_id: int
    position: int
    is_chief: bool = False
    criterion_ids: list[int] = field(default_factory=list)


def save_panel(actor, event: Event, choices: list[SeatChoice]) -> None:
    """The event's panel becomes exactly `choices`: judges in order of their position (ties by
    the form's order), chief judges flagged, criteria chosen. Assignments are not touched:
    generating them is a separate step the organiser sees the report of."""
    contest = event.contest
    judges = {j.id: j for j in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id))}
    criteria = {c.id: c for c in db.session.scalars(select(Criterion).where(Criterion.event_id == event.id))}
    for choice in choices:
        if choice.judge_id not in judges:
            raise JudgesRefused(_l("A judge on the form is not a judge of this contest; reload the page."))
        if any(c not in criteria for c in choice.criterion_ids):
            raise JudgesRefused(_l("A criterion on the form is not in this event; reload the page."))
    ordered = sorted(enumerate(choices), key=lambda pair: (pair[1].position, pair[0]))
    with write_transaction():
        seats = {s.judge_id: s for s in db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id))}
        chosen = {c.judge_id for c in choices}
        for judge_id, seat in seats.items():
            if judge_id not in chosen:
                db.session.delete(seat)
        for position, (_i, choice) in enumerate(ordered):
            seat = seats.get(choice.judge_id)
            if seat is None:
                seat = PanelSeat(event_id=event.id, judge_id=choice.judge_id)
                db.session.add(seat)
            seat.position, seat.is_chief = position, choice.is_chief
            seat.criteria = [criteria[c] for c in sorted(set(choice.criterion_ids))]
        record("panel.save", user=actor, contest=contest, target=f"event:{event.code}",
               seats=[{"judge": judges[c.judge_id].user.username, "chief": c.is_chief,
                       "criteria": [criteria[i].code for i in sorted(set(c.criterion_ids))]}
                      for _i, c in ordered])


# --- assignments ------------------------------------------------------------------------------

@dataclass
class AssignmentReport:
    """What generating assignments did: how many rows, every conflict of interest skipped (judge,
    entry, criteria) and every criterion of an entry that could not get enough judges."""

    assigned: int = 0
    entries: int = 0
    conflicts: list[tuple[Judge, Entry, list[Criterion]]] = field(default_factory=list)
    short: list[tuple[Entry, Criterion, int, int]] = field(default_factory=list)  # entry, criterion, got, needed


def generate_assignments(actor, event: Event) -> AssignmentReport:
    """Who marks what for every approved entry of the event, from the panel as saved: judges
    who already marked a criterion keep it, then the panel in order, each judge only for their
    criteria, never for an entry of their own delegation. Replaces the event's assignments of
    approved entries."""
    contest = event.contest
    report = AssignmentReport()
    with write_transaction():
        seats = list(db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id)
                                        .order_by(PanelSeat.position, PanelSeat.id)))
        panel = [seat.judge for seat in seats]
        allowed = {seat.judge_id: {c.id for c in seat.criteria} for seat in seats}
        criteria = list(db.session.scalars(select(Criterion).where(Criterion.event_id == event.id)
                                           .order_by(Criterion.position, Criterion.id)))
        entries = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.status == "approved")
                                          .order_by(Entry.bib.is_(None), Entry.bib, Entry.id)))
        judges = {j.id: j for j in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id))}
        marked: dict[tuple[int, int], list[Judge]] = defaultdict(list)
        if entries:
            for entry_id, criterion_id, judge_id in db.session.execute(
                    select(Mark.entry_id, Mark.criterion_id, Mark.judge_id)
                    .where(Mark.entry_id.in_([e.id for e in entries])).order_by(Mark.id)):
                marked[entry_id, criterion_id].append(judges[judge_id])
            db.session.execute(delete(Assignment).where(Assignment.entry_id.in_([e.id for e in entries])))
        for entry in entries:
            skipped: dict[int, list[Criterion]] = defaultdict(list)
            for criterion in criteria:
                pick = pick_judges(panel, criterion.judges, marked=marked[entry.id, criterion.id],
                                   conflict=lambda judge: has_conflict(judge, entry),
                                   marks=lambda judge: not allowed[judge.id] or criterion.id in allowed[judge.id])
                for judge in pick.conflicts:
                    skipped[judge.id].append(criterion)
                if pick.missing:
                    report.short.append((entry, criterion, len(pick.chosen), criterion.judges))
                db.session.add_all(Assignment(entry_id=entry.id, criterion_id=criterion.id, judge_id=judge.id)
                                   for judge in pick.chosen)
                report.assigned += len(pick.chosen)
            report.conflicts.extend((judges[judge_id], entry, crits) for judge_id, crits in skipped.items())
        report.entries = len(entries)
        db.session.flush()
        # Each result counts the marks it expects (its progress): they follow the assignments.
        patch = results.update_event(event, [e.id for e in entries]) if entries else None
        record("assignment.generate", user=actor, contest=contest, target=f"event:{event.code}",
               entries=len(entries), assigned=report.assigned, conflicts=len(report.conflicts),
               short=len(report.short))
    results.publish([patch])
    return report
