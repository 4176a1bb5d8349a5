"""The administrators' pages (/admin). Thin handlers: the policy's scope, a form, a service."""
from flask import Blueprint, render_template
from flask_login import login_required
from sqlalchemy import func, select

from .. import policy
from ..accounts.models import Organisation, User
from ..extensions import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/")
@login_required
def home():
    policy.require_admin()
    organisations = db.session.execute(
        select(Organisation, func.count(User.id)).outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id).order_by(Organisation.deactivated_at.is_not(None), Organisation.name)).all()
    return render_template("admin/home.html", organisations=organisations)
