"""Public pages: the contests, and a contest's home with its events. The boards, the big screen
and the standings are the boards feature's."""
from flask import Blueprint, render_template
from sqlalchemy import func, select

from .. import policy
from ..contests.models import Contest
from ..entries.models import APPROVED, Entry
from ..extensions import db

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    contests = db.session.scalars(
        select(Contest).where(Contest.archived_at.is_(None), Contest.status != "draft",
                              Contest.rehearsal_of_id.is_(None))
        .order_by(Contest.starts_on.desc().nulls_last(), Contest.id.desc()))
    return render_template("public/home.html", contests=list(contests))


@bp.get("/c/<slug>")
def contest(slug: str):
    contest = policy.viewable_contest(slug)
    counts = dict(db.session.execute(
        select(Entry.event_id, func.count()).where(Entry.contest_id == contest.id, Entry.status == APPROVED)
        .group_by(Entry.event_id)).all())
    return render_template("public/contest.html", contest=contest, counts=counts)
