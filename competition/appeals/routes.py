"""Objections and appeals. Public: /c/<slug>/objections/new (anyone, during the objection
window) and /c/<slug>/objections/<reference> (its ruling); /c/<slug>/appeals/new (an entry,
identified by registration reference and the last four characters of the ID number, before
the appeal deadline) and /c/<slug>/appeals/<reference> (the filer's view of its ruling). For
supervisors (and, read-only, organisers): /o/c/<slug>/cases, each objection and appeal with
the marks it concerns, and the ruling forms."""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import policy
from ..database import utcnow
from ..entries import services as entries
from ..entries.forms import StatusForm
from ..errors import ActionRefused
from ..extensions import db, limiter
from ..forms import attach
from . import services
from .forms import AppealForm, LookupForm, ObjectionForm, RulingForm
from .models import Appeal, AppealFile, Objection

bp = Blueprint("appeals", __name__)


def _limit() -> str:
    return current_app.config["REGISTRATION_STATUS_RATE_LIMIT"]


def _ip() -> str | None:
    return request.remote_addr


# --- objections (anyone) ---------------------------------------------------------------------

@bp.route("/c/<slug>/objections/new", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def objection_new(slug: str):
    contest = policy.viewable_contest(slug)
    form = ObjectionForm()
    status = 200
    if form.validate_on_submit():
        try:
            objection = services.file_objection(contest, name=form.name.data, phone=form.phone.data,
                                                text=form.text.data, ip=_ip())
        except ActionRefused as refused:
            form.form_errors.append(refused.message)
            status = refused.status
        else:
            flash(_("Your objection is received. Its reference is %(reference)s: keep it to read the ruling.",
                    reference=objection.reference), "success")
            return redirect(url_for(".objection", slug=slug, reference=objection.reference))
    elif request.method == "POST":
        status = 422
    return render_template("appeals/objection_new.html", contest=contest, form=form), status


@bp.route("/c/<slug>/objections/status", methods=["GET", "POST"])
def objection_lookup(slug: str):
    contest = policy.viewable_contest(slug)
    form = LookupForm()
    if form.validate_on_submit():
        return redirect(url_for(".objection", slug=slug, reference=form.reference.data.strip().upper()))
    return render_template("appeals/lookup.html", contest=contest, form=form), 422 if request.method == "POST" else 200


@bp.get("/c/<slug>/objections/<reference>")
def objection(slug: str, reference: str):
    contest = policy.viewable_contest(slug)
    found = services.objection_by_reference(contest, reference)
    if found is None:
        abort(404)
    return render_template("appeals/objection.html", contest=contest, objection=found)


# --- appeals (an entry) ----------------------------------------------------------------------

def _identify(contest):
    """The registrant this browser proved to be, or the form to prove it (reference and the
    last four characters of the ID number). Returns (contestant, form, status)."""
    contestant = entries.identified_registrant(session, contest)
    form = StatusForm(prefix="who")
    if contestant is not None:
        return contestant, form, 200
    if request.method == "POST" and "who-reference" in request.form:
        if form.validate():
            contestant = entries.find_registrant(contest, form.reference.data, form.id_last4.data)
            if contestant is not None:
                entries.remember_registrant(session, contest, contestant)
                return contestant, form, 200
            form.id_last4.errors = [ActionRefused(404, "identity_unknown").message]
            return None, form, 404
        return None, form, 422
    return None, form, 200


@bp.route("/c/<slug>/appeals/new", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def appeal_new(slug: str):
    contest = policy.viewable_contest(slug)
    contestant, who, status = _identify(contest)
    if contestant is None:
        return render_template("appeals/appeal_new.html", contest=contest, who=who, form=None), status
    mine = services.appellant_entries(contest, contestant)
    bib = request.args.get("entry") or (mine[0].bib if len(mine) == 1 else None)
    entry = next((e for e in mine if e.bib == bib), None)
    if entry is None:
        return render_template("appeals/appeal_new.html", contest=contest, who=None, form=None, entries=mine,
                               contestant=contestant), 404 if bib else 200
    form = AppealForm().set_criteria(entry.event)
    status = 200
    if request.method == "POST" and "who-reference" not in request.form:
        if form.validate_on_submit():
            files = []
            for upload in request.files.getlist(form.files.name):
                try:  # read whole (the service checks the size) and closed at once
                    if upload.filename:
                        files.append(services.Evidence(upload.filename, upload.read(services.EVIDENCE_MAX_BYTES + 1)))
                finally:
                    upload.close()
            try:
                appeal = services.file_appeal(contest, contestant, entry, criteria=form.criteria.data or [],
                                              reasons=form.reasons.data, files=files, ip=_ip())
            except ActionRefused as refused:
                attach(form, refused)
                status = refused.status
            else:
                flash(_("Your appeal is filed. Its reference is %(reference)s.", reference=appeal.reference),
                      "success")
                return redirect(url_for(".appeal", slug=slug, reference=appeal.reference))
        else:
            status = 422
    return render_template("appeals/appeal_new.html", contest=contest, who=None, form=form, entry=entry,
                           contestant=contestant, open=contest.appeals_open(utcnow())), status


@bp.get("/c/<slug>/appeals/<reference>")
def appeal(slug: str, reference: str):
    """The filer's view of an appeal: only in the browser that proved who filed it."""
    contest = policy.viewable_contest(slug)
    contestant = entries.identified_registrant(session, contest)
    found = db.session.scalar(select(Appeal).where(Appeal.contest_id == contest.id,
                                                   Appeal.reference == reference.strip().upper()))
    if found is None or contestant is None or found.contestant_id != contestant.id:
        abort(404)
    return render_template("appeals/appeal.html", contest=contest, appeal=found)


# --- supervisors -----------------------------------------------------------------------------

@bp.get("/o/c/<slug>/cases")
@login_required
def cases(slug: str):
    contest = policy.cases_contest(slug)
    objections, appeals = services.contest_cases(contest)
    return render_template("appeals/cases.html", contest=contest, objections=objections, appeals=appeals,
                           supervisor=policy.is_supervisor(current_user, contest))


def _ruling_form(formdata=True) -> RulingForm:
    form = RulingForm() if formdata else RulingForm(formdata=None)
    return form.set_labels(_("Upheld"), _("Dismissed"))


def _case_page(template: str, contest, status=200, **context):
    return render_template(template, contest=contest, supervisor=policy.is_supervisor(current_user, contest),
                           **context), status


def _case_of(model, contest, case_id: int):
    """The contest's appeal or objection of this id; 404 for another contest's."""
    found = db.session.get(model, case_id)
    if found is None or found.contest_id != contest.id:
        abort(404)
    return found


def _appeal_of(contest, appeal_id: int) -> Appeal:
    return _case_of(Appeal, contest, appeal_id)


@bp.get("/o/c/<slug>/appeals/<int:appeal_id>")
@login_required
def appeal_case(slug: str, appeal_id: int):
    contest = policy.cases_contest(slug)
    found = _appeal_of(contest, appeal_id)
    return _case_page("appeals/appeal_case.html", contest, appeal=found, lines=services.appeal_marks(found),
                      form=_ruling_form(formdata=False))


def _rule(form: RulingForm, rule, page, done: str, target: str):
    """Store the ruling the form gives (`rule(form)`), or show the case `page(form, status)`
    again with the refusal, what was typed kept."""
    status = 422
    if form.validate_on_submit():
        try:
            rule(form)
        except ActionRefused as refused:
            if refused.status == 403:
                abort(403)
            attach(form, refused)
            db.session.expire_all()
            status = refused.status
        else:
            flash(done, "success")
            return redirect(target)
    return page(form, status)


@bp.post("/o/c/<slug>/appeals/<int:appeal_id>/rule")
@login_required
def appeal_rule(slug: str, appeal_id: int):
    contest = policy.cases_contest(slug)
    found = _appeal_of(contest, appeal_id)
    return _rule(
        _ruling_form(),
        lambda form: services.rule_appeal(current_user, found, form.decision.data, form.reasons.data,
                                          form.marks.data or []),
        lambda form, status: _case_page("appeals/appeal_case.html", contest, status, appeal=found,
                                        lines=services.appeal_marks(found), form=form),
        _("The ruling on appeal %(reference)s is recorded.", reference=found.reference),
        url_for(".appeal_case", slug=slug, appeal_id=found.id))


@bp.get("/o/c/<slug>/appeals/<int:appeal_id>/files/<int:file_id>")
@login_required
def appeal_file(slug: str, appeal_id: int, file_id: int):
    contest = policy.cases_contest(slug)
    found = _appeal_of(contest, appeal_id)
    evidence = db.session.get(AppealFile, file_id)
    if evidence is None or evidence.appeal_id != found.id:
        abort(404)
    response = current_app.response_class(evidence.data, mimetype=evidence.content_type)
    response.headers["Content-Disposition"] = f"attachment; filename=evidence-{evidence.id}" + {
        "image/png": ".png", "image/jpeg": ".jpg", "application/pdf": ".pdf"}[evidence.content_type]
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _objection_of(contest, objection_id: int) -> Objection:
    return _case_of(Objection, contest, objection_id)


@bp.get("/o/c/<slug>/objections/<int:objection_id>")
@login_required
def objection_case(slug: str, objection_id: int):
    contest = policy.cases_contest(slug)
    return _case_page("appeals/objection_case.html", contest, objection=_objection_of(contest, objection_id),
                      form=_ruling_form(formdata=False))


@bp.post("/o/c/<slug>/objections/<int:objection_id>/rule")
@login_required
def objection_rule(slug: str, objection_id: int):
    contest = policy.cases_contest(slug)
    found = _objection_of(contest, objection_id)
    form = _ruling_form()
    del form.marks
    return _rule(
        form, lambda form: services.rule_objection(current_user, found, form.decision.data, form.reasons.data),
        lambda form, status: _case_page("appeals/objection_case.html", contest, status, objection=found, form=form),
        _("The ruling on objection %(reference)s is recorded.", reference=found.reference),
        url_for(".objection_case", slug=slug, objection_id=found.id))
