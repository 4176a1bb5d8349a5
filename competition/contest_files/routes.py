"""The contest file on the organiser's pages: download a contest as its file, and start a new
contest from one (all of it or only its scheme). Nothing is imported unless the whole file is
valid; every problem is listed."""
from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from . import services
from .forms import ImportForm

bp = Blueprint("contest_files", __name__)


@bp.get("/o/c/<slug>/contest.json")
@login_required
def download(slug: str):
    contest = policy.managed_contest(slug)
    return Response(services.export_json(contest), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{contest.slug}.json"'})


@bp.route("/o/contests/import", methods=["GET", "POST"])
@login_required
def upload():
    if not policy.can_create_contest(current_user):
        abort(403)
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        organisation = current_user.organisation.name if current_user.organisation_id else None
        try:
            contest = services.import_upload(current_user, form.file.data.read(), organisation_name=organisation,
                                             slug=(form.slug.data or "").strip() or None,
                                             name=(form.name.data or "").strip() or None,
                                             scheme_only=form.scheme_only.data)
        except services.ContestFileInvalid as invalid:
            problems = invalid.lines()
        else:
            flash(_("Contest “%(name)s” imported.", name=contest.name), "success")
            return redirect(url_for("contests.contest_settings", slug=contest.slug))
    return render_template("contest_files/upload.html", form=form, problems=problems)
