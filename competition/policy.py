"""Who may do what — the one place roles are checked. Views call these at the top of a
handler; templates only ask them."""
from sqlalchemy import select

from .contests.models import Contest, Event, Judge, PanelSeat
from .extensions import db


def is_admin(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_admin)


def can_manage_contest(user, contest: Contest) -> bool:
    """Platform admins, and organisers of the contest's own organisation."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_admin or (user.organisation_id is not None and user.organisation_id == contest.organisation_id)


def can_create_contest(user) -> bool:
    """Organisers (for their organisation) and platform admins."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_admin or user.organisation_id is not None))


def judge_role(user, contest: Contest) -> Judge | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(Judge).where(Judge.contest_id == contest.id, Judge.user_id == user.id))


def is_chief_of(user, event: Event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(PanelSeat.id).join(Judge, Judge.id == PanelSeat.judge_id)
        .where(PanelSeat.event_id == event.id, PanelSeat.is_chief.is_(True), Judge.user_id == user.id)
    ) is not None


def can_see_live_board(user, event: Event) -> bool:
    """The jury view: organisers and the event's chief judges keep seeing a frozen board live."""
    return can_manage_contest(user, event.contest) or is_chief_of(user, event)


def live_events(user, contest: Contest) -> list:
    """The events whose judging progress the user may watch live: all of them for the
    contest's organisers, their own events for chief judges, none for anybody else."""
    if can_manage_contest(user, contest):
        return list(contest.events)
    return [event for event in contest.events if is_chief_of(user, event)]


def can_view_contest(user, contest: Contest) -> bool:
    return contest.is_public or can_manage_contest(user, contest)


# --- judging ---------------------------------------------------------------------------------

def has_conflict(judge: Judge | None, entry) -> bool:
    """A judge never marks an entry of their own delegation."""
    return judge is not None and judge.delegation_id is not None and judge.delegation_id == entry.delegation_id


def can_mark(user, entry, criterion) -> bool:
    """Whether the user may mark this (entry, criterion): a judge of the contest, assigned to
    exactly this pair, and not of the entry's delegation. Locks and the contest's status are
    not rights: marking.services.submit_mark answers those with 409."""
    judge = judge_role(user, entry.event.contest)
    if judge is None or has_conflict(judge, entry):
        return False
    from .contests.models import Assignment
    return db.session.scalar(select(Assignment.id).where(
        Assignment.entry_id == entry.id, Assignment.criterion_id == criterion.id,
        Assignment.judge_id == judge.id)) is not None


def markable_criteria(user, entry) -> list:
    """The criteria of the entry the user may mark, in the scheme's order; [] when none."""
    judge = judge_role(user, entry.event.contest)
    if judge is None or has_conflict(judge, entry):
        return []
    from .contests.models import Assignment, Criterion
    return list(db.session.scalars(
        select(Criterion).join(Assignment, Assignment.criterion_id == Criterion.id)
        .where(Assignment.entry_id == entry.id, Assignment.judge_id == judge.id)
        .order_by(Criterion.position, Criterion.id)))


def can_judge(user, contest: Contest) -> bool:
    """A judge (chief judges included) of this contest: may open its judging pages."""
    return judge_role(user, contest) is not None


def has_judging(user) -> bool:
    """Whether the user judges in any contest still kept (for the "My judging" link)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(
        select(Judge.id).join(Contest, Contest.id == Judge.contest_id)
        .where(Judge.user_id == user.id, Contest.archived_at.is_(None)).limit(1)) is not None


def can_chief(user, event: Event) -> bool:
    """A chief judge (裁判长) acts only in the events where they hold the chief's seat."""
    return is_chief_of(user, event)
