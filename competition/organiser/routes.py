"""The organiser's dashboard: the contests of their organisation."""
from flask import abort, render_template
from flask_login import current_user, login_required
from sqlalchemy import select

from ..contests.models import Contest
from ..extensions import db
from . import bp
from .scope import managed_contest


@bp.get("/")
@login_required
def dashboard():
    if not (current_user.is_admin or current_user.is_organiser):
        abort(403)
    query = select(Contest).order_by(Contest.archived_at.is_not(None), Contest.starts_on.desc().nulls_last(),
                                     Contest.id.desc())
    if not current_user.is_admin:
        query = query.where(Contest.organisation_id == current_user.organisation_id)
    return render_template("organiser/dashboard.html", contests=db.session.scalars(query).all())


@bp.get("/c/<slug>/")
@login_required
def contest_home(slug: str):
    contest = managed_contest(slug)
    return render_template("organiser/contest_home.html", contest=contest)
from . import entries  # noqa: E402,F401  (registration review, import and export: /o/c/<slug>/entries)
