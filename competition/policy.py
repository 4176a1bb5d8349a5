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


def can_view_contest(user, contest: Contest) -> bool:
    return contest.is_public or can_manage_contest(user, contest)
