"""Certificates: /verify/<number> for anyone (valid, revoked with the date, or not found), and
for organisers /o/c/<slug>/certificates (every certificate, its PDF, revocation with a reason).
A contestant's own PDF is on the registration status pages (competition.entries)."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy
from ..errors import ActionRefused
from ..forms import ConfirmForm
from . import pdf, services

bp = Blueprint("certificates", __name__)


@bp.get("/verify/<number>")
def verify(number: str):
    certificate = services.lookup(number)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, number=number), 404
    return render_template("certificates/verify.html", certificate=certificate,
                           facts=services.as_json(certificate), number=certificate.number)


@bp.get("/o/c/<slug>/certificates/<number>.pdf")
@login_required
def certificate_file(slug: str, number: str):
    contest = policy.managed_contest(slug)
    certificate = services.lookup(number)
    if certificate is None or certificate.contest_id != contest.id:
        abort(404)
    return pdf.response(certificate)


@bp.get("/o/c/<slug>/certificates")
@login_required
def certificates(slug: str):
    contest = policy.managed_contest(slug)
    return render_template("certificates/list.html", contest=contest, certificates=services.of_contest(contest),
                           confirm=ConfirmForm(formdata=None))


@bp.post("/o/c/<slug>/certificates/<number>/revoke")
@login_required
def revoke(slug: str, number: str):
    contest = policy.managed_contest(slug)
    certificate = services.lookup(number)
    if certificate is None or certificate.contest_id != contest.id or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        services.revoke(current_user, certificate, request.form.get("reason", ""))
    except ActionRefused as refused:
        flash(refused.message, "error")
    else:
        flash(_("Certificate %(number)s is revoked.", number=certificate.number), "success")
    return redirect(url_for(".certificates", slug=slug))
