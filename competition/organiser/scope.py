"""The one way an organiser page finds its contest: by slug, and only when the user may
manage it. Another organisation's contest answers 404, as a missing one does, so its
existence does not leak."""
from flask import abort
from flask_login import current_user

from ..contests.models import Contest, Event
from ..contests.queries import contest_by_slug, event_by_code
from ..policy import can_manage_contest


def managed_contest(slug: str) -> Contest:
    contest = contest_by_slug(slug)
    if contest is None or not can_manage_contest(current_user, contest):
        abort(404)
    return contest


def managed_event(slug: str, code: str) -> tuple[Contest, Event]:
    contest = managed_contest(slug)
    event = event_by_code(contest, code)
    if event is None:
        abort(404)
    return contest, event
