"""Public pages: the contests, a contest's home and its events."""
from flask import Blueprint, abort, render_template
from flask_login import current_user
from sqlalchemy import func, select

from ..contests.models import Entry
from ..contests.queries import contest_by_slug, public_contests
from ..extensions import db
from ..policy import can_view_contest

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template("public/home.html", contests=public_contests())


@bp.get("/c/<slug>")
def contest(slug: str):
    contest = contest_by_slug(slug)
    if contest is None or not can_view_contest(current_user, contest):
        abort(404)
    counts = dict(db.session.execute(
        select(Entry.event_id, func.count()).where(Entry.contest_id == contest.id, Entry.status == "approved")
        .group_by(Entry.event_id)).all())
    return render_template("public/contest.html", contest=contest, counts=counts)


@bp.get("/c/<slug>/events/<code>/board")
def board(slug: str, code: str):
    from ..contests.queries import get_viewable_event
    from ..results.services import snapshot
    contest, event = get_viewable_event(current_user, slug, code)
    return render_template("public/board.html", contest=contest, event=event, board=snapshot(event))
