"""Who may do what: the one place permissions are decided. Handlers call these at the top;
services call them again inside their transactions; templates only ask them.

The finders at the end (managed_contest, viewable_event …) are the scope of every page: they
answer 404 for a contest the user may not see or manage, exactly as for one that does not
exist, so another organisation's drafts never leak their existence."""
from flask import abort
from flask_login import current_user
from sqlalchemy import select

from .contests.models import Contest, Event, contest_by_slug, event_by_code
from .extensions import db
from .judges.models import SUPERVISOR, Assignment, Judge, PanelSeat


def _known(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def is_admin(user) -> bool:
    return _known(user) and user.is_admin


def can_manage_contest(user, contest: Contest) -> bool:
    """Platform admins, and organisers of the contest's own organisation."""
    if not _known(user):
        return False
    return user.is_admin or (user.organisation_id is not None and user.organisation_id == contest.organisation_id)


def is_staff(user) -> bool:
    """A platform admin or an organiser: accounts that log in with their password only."""
    return _known(user) and (user.is_admin or user.organisation_id is not None)


def can_create_contest(user) -> bool:
    """Organisers (for their organisation) and platform admins."""
    return _known(user) and (user.is_admin or user.organisation_id is not None)


def can_view_contest(user, contest: Contest) -> bool:
    return contest.is_public or can_manage_contest(user, contest)


def judge_role(user, contest: Contest) -> Judge | None:
    if not _known(user):
        return None
    return db.session.scalar(select(Judge).where(Judge.contest_id == contest.id, Judge.user_id == user.id))


def is_chief_of(user, event: Event) -> bool:
    """A chief judge (裁判长) acts only in the events where they hold the chief's seat."""
    if not _known(user):
        return False
    return db.session.scalar(
        select(PanelSeat.id).join(Judge, Judge.id == PanelSeat.judge_id)
        .where(PanelSeat.event_id == event.id, PanelSeat.is_chief.is_(True), Judge.user_id == user.id)
    ) is not None


def is_supervisor(user, contest: Contest) -> bool:
    """A member of the contest's supervision and arbitration group (监督仲裁组): rules on
    objections and appeals, sees marks, never changes one."""
    if not _known(user):
        return False
    return db.session.scalar(select(Judge.id).where(Judge.contest_id == contest.id, Judge.user_id == user.id,
                                                    Judge.role == SUPERVISOR)) is not None


def can_see_cases(user, contest: Contest) -> bool:
    """Objections and appeals: the supervisors rule on them; the organisers follow them."""
    return is_supervisor(user, contest) or can_manage_contest(user, contest)


def can_see_live_board(user, event: Event) -> bool:
    """The jury view: organisers and the event's chief judges keep seeing a frozen board live."""
    return can_manage_contest(user, event.contest) or is_chief_of(user, event)


def live_events(user, contest: Contest) -> list:
    """The events whose judging progress the user may watch live: all of them for the
    contest's organisers, their own events for chief judges, none for anybody else."""
    if can_manage_contest(user, contest):
        return list(contest.events)
    return [event for event in contest.events if is_chief_of(user, event)]


def can_announce(user, contest: Contest) -> bool:
    """Announcements to everyone watching: the contest's organisers and its chief judges."""
    return can_manage_contest(user, contest) or any(is_chief_of(user, event) for event in contest.events)


def can_hear_announcements(user, contest: Contest) -> bool:
    """Whoever may watch the contest, and its judges on their tablets."""
    return can_view_contest(user, contest) or judge_role(user, contest) is not None


def has_judging(user) -> bool:
    """Whether the user judges in any contest still kept (for the "My judging" link)."""
    if not _known(user):
        return False
    return db.session.scalar(
        select(Judge.id).join(Contest, Contest.id == Judge.contest_id)
        .where(Judge.user_id == user.id, Contest.archived_at.is_(None)).limit(1)) is not None


# --- marking ---------------------------------------------------------------------------------

def has_conflict(judge: Judge | None, entry) -> bool:
    """A judge never marks an entry of their own delegation."""
    return judge is not None and judge.delegation_id is not None and judge.delegation_id == entry.delegation_id


def why_not_mark(judge: Judge | None, entry, criterion, *, assigned: bool | None = None) -> str | None:
    """Why this judge (the user's role in the entry's contest, or None) may not mark this
    criterion of this entry: "not_a_judge", "conflict_of_interest" or "not_assigned"; None
    when they may. Locks and the contest's status are not rights: the marking service answers
    those with 409. `assigned`: whether the judge is assigned it, when the caller read that."""
    if judge is None:
        return "not_a_judge"
    if judge.role == SUPERVISOR:
        return "supervisor_never_marks"
    if has_conflict(judge, entry):
        return "conflict_of_interest"
    if assigned is None:
        assigned = db.session.scalar(select(Assignment.id).where(
            Assignment.entry_id == entry.id, Assignment.criterion_id == criterion.id,
            Assignment.judge_id == judge.id)) is not None
    return None if assigned else "not_assigned"


def can_mark(user, entry, criterion) -> bool:
    return why_not_mark(judge_role(user, entry.event.contest), entry, criterion) is None


def can_enter_paper_sheets(user, event: Event) -> bool:
    """Who enters a judge's signed paper sheet when their tablet fails, and who enters it again
    to check it: the event's chief judge and the contest's organisers (never for their own
    sheet, nor twice for one sheet: competition.paper.services refuses those)."""
    return can_manage_contest(user, event.contest) or is_chief_of(user, event)


def markable_criteria(judge: Judge, entry) -> list:
    """The criteria of the entry the judge may mark, in the scheme's order; [] when none."""
    if has_conflict(judge, entry):
        return []
    from .contests.models import Criterion
    return list(db.session.scalars(
        select(Criterion).join(Assignment, Assignment.criterion_id == Criterion.id)
        .where(Assignment.entry_id == entry.id, Assignment.judge_id == judge.id)
        .order_by(Criterion.position, Criterion.id)))


# --- the scope of a page: 404 for what is not the user's ----------------------------------------

def _event_of(contest: Contest, code: str) -> Event:
    event = event_by_code(contest, code)
    if event is None:
        abort(404)
    return event


def require_admin() -> None:
    """The administrators' pages: 404 for anybody else, as for a page that does not exist."""
    if not is_admin(current_user):
        abort(404)


def own_organisation():
    """The organisation whose organisers the current user may invite (the organisers' team
    page): their own, else 404."""
    user = current_user
    if not _known(user) or user.organisation_id is None or user.organisation.deactivated_at is not None:
        abort(404)
    return user.organisation


def managed_contest(slug: str) -> Contest:
    """The contest the current user manages (organisers' pages), else 404."""
    contest = contest_by_slug(slug)
    if contest is None or not can_manage_contest(current_user, contest):
        abort(404)
    return contest


def managed_event(slug: str, code: str) -> tuple[Contest, Event]:
    contest = managed_contest(slug)
    return contest, _event_of(contest, code)


def viewable_contest(slug: str) -> Contest:
    """A contest the current user may see (public, or theirs to manage), else 404."""
    contest = contest_by_slug(slug)
    if contest is None or not can_view_contest(current_user, contest):
        abort(404)
    return contest


def viewable_event(slug: str, code: str) -> tuple[Contest, Event]:
    contest = viewable_contest(slug)
    return contest, _event_of(contest, code)


def live_view_contest(slug: str) -> tuple[Contest, list]:
    """The contest whose judging the user follows live, with the events they may watch; 404
    for anybody who may watch none."""
    contest = contest_by_slug(slug)
    events = live_events(current_user, contest) if contest is not None else []
    if not events:
        abort(404)
    return contest, events


def cases_contest(slug: str) -> Contest:
    """A contest whose objections and appeals the user may see (its supervisors and
    organisers), else 404."""
    contest = contest_by_slug(slug)
    if contest is None or not can_see_cases(current_user, contest):
        abort(404)
    return contest


def contest_for_announcements(slug: str) -> Contest:
    """A contest the current user may make announcements in (its organisers and chief
    judges), else 404."""
    contest = contest_by_slug(slug)
    if contest is None or not can_announce(current_user, contest):
        abort(404)
    return contest


def judged_contest(slug: str) -> tuple[Contest, Judge]:
    """A contest still kept in which the current user judges, with their role; else 404."""
    contest = contest_by_slug(slug)
    judge = contest is not None and contest.archived_at is None and judge_role(current_user, contest)
    if not judge:
        abort(404)
    return contest, judge


def chief_event(slug: str, code: str) -> tuple[Contest, Event]:
    """An event of a contest the user judges in, where they are the chief judge: 404 outside
    their contests, 403 in an event of theirs they are not chief of."""
    contest, _judge = judged_contest(slug)
    event = _event_of(contest, code)
    if not is_chief_of(current_user, event):
        abort(403)
    return contest, event
