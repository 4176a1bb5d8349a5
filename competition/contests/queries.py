"""Read helpers for contests and events, shared by the public pages, the API and the CLI."""
from flask import abort
from sqlalchemy import select

from ..extensions import db
from .models import Contest, Event


def contest_by_slug(slug: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.slug == slug))


def event_by_code(contest: Contest, code: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.contest_id == contest.id, Event.code == code))


def public_contests() -> list[Contest]:
    return list(db.session.scalars(
        select(Contest).where(Contest.archived_at.is_(None), Contest.status != "draft")
        .order_by(Contest.starts_on.desc().nulls_last(), Contest.id.desc())))


def get_viewable_event(user, slug: str, code: str) -> tuple[Contest, Event]:
    """The contest and event, or 404 — also for a draft the user may not see, so its
    existence does not leak."""
    from ..policy import can_view_contest
    contest = contest_by_slug(slug)
    if contest is None or not can_view_contest(user, contest):
        abort(404)
    event = event_by_code(contest, code)
    if event is None:
        abort(404)
    return contest, event
