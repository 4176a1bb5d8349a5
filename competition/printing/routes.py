"""The prints page /o/c/<slug>/prints and what it links to. Result prints (judges' score
sheets, result sheets, the results book) are for the organisers and, read-only, the
supervisors; the day's prints (sign-in sheets, bib cards, judges' login cards) and the
certificates' ZIP for the organisers; 404 for anybody else, as every organiser page."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, times
from ..addresses import public_base
from ..audit.models import record
from ..database import utcnow, write_transaction
from ..errors import ActionRefused, wants_json
from ..extensions import db
from ..forms import ConfirmForm
from ..judges.forms import LinkForm
from . import jobs, pdf, services
from .models import PrintJob

bp = Blueprint("printing", __name__)


def _event(contest, code: str):
    event = next((e for e in contest.events if e.code == code), None)
    if event is None:
        abort(404)
    return event


def _base_url() -> str:
    return public_base() + "/"


@bp.get("/o/c/<slug>/prints")
@login_required
def prints(slug: str):
    contest = policy.cases_contest(slug)
    manages = policy.can_manage_contest(current_user, contest)
    return render_template("printing/index.html", contest=contest, manages=manages,
                           supervisor=policy.is_supervisor(current_user, contest),
                           jobs={kind: jobs.state(job) for kind, job in jobs.latest(contest).items()},
                           confirm=ConfirmForm(formdata=None), link_form=LinkForm(formdata=None))


def _sheet_download(contest, template: str, name: str, audit: str | None = None, **context):
    body = pdf.render(template, contest=contest, printed=times.local(contest, utcnow()), **context)
    if audit:
        with write_transaction():
            record(audit, user=current_user, contest=contest, target=f"contest:{contest.slug}",
                   file=name, ip=request.remote_addr)
    return pdf.download(body, name)


@bp.get("/o/c/<slug>/prints/events/<code>/score-sheets.pdf")
@login_required
def score_sheets(slug: str, code: str):
    contest = policy.cases_contest(slug)
    event = _event(contest, code)
    judge_id = request.args.get("judge", type=int)
    sheets = services.score_sheets(event, judge_id)
    if judge_id is not None and not sheets:
        abort(404)
    return _sheet_download(contest, "printing/score_sheets.html", f"{contest.slug}-{event.code}-score-sheets.pdf",
                           audit="print.score_sheets", event=event, sheets=sheets,
                           status=services.status_text(event))


@bp.get("/o/c/<slug>/prints/events/<code>/result-sheet.pdf")
@login_required
def result_sheet(slug: str, code: str):
    contest = policy.cases_contest(slug)
    event = _event(contest, code)
    return _sheet_download(contest, "printing/result_sheet.html", f"{contest.slug}-{event.code}-results.pdf",
                           sheet=services.result_sheet(event), in_book=False)


@bp.get("/o/c/<slug>/prints/events/<code>/sign-in.pdf")
@login_required
def sign_in(slug: str, code: str):
    contest = policy.managed_contest(slug)
    event = _event(contest, code)
    return _sheet_download(contest, "printing/sign_in.html", f"{contest.slug}-{event.code}-sign-in.pdf",
                           event=event, rows=services.sign_in_rows(event))


@bp.get("/o/c/<slug>/prints/events/<code>/bibs.pdf")
@login_required
def bibs(slug: str, code: str):
    contest = policy.managed_contest(slug)
    event = _event(contest, code)
    return _sheet_download(contest, "printing/bibs.html", f"{contest.slug}-{event.code}-bibs.pdf",
                           event=event, cards=services.bib_cards(event))


@bp.post("/o/c/<slug>/prints/judge-cards.pdf")
@login_required
def judge_cards(slug: str):
    """Every judge's login card: a fresh one-time login link each, shown once, in this PDF."""
    contest = policy.managed_contest(slug)
    form = LinkForm()
    if not form.validate_on_submit():
        flash(_("A login link is valid for 1 to %(max)d hours.", max=72), "error")
        return redirect(url_for(".prints", slug=slug))
    base = _base_url().rstrip("/")
    made = services.judge_cards(current_user, contest, hours=form.hours.data,
                                login_url=lambda token: base + url_for("judges.login_link", token=token))
    if not made.cards:
        flash(ActionRefused(409, "no_judge_cards").message, "error")
        return redirect(url_for(".prints", slug=slug))
    body = pdf.render("printing/judge_cards.html", contest=contest, cards=made.cards, refused=made.refused,
                      printed=times.local(contest, utcnow()))
    return pdf.download(body, f"{contest.slug}-judge-cards.pdf")


# --- long prints --------------------------------------------------------------------------------

JOB_ACCESS = {"results_book": policy.cases_contest, "certificates_zip": policy.managed_contest}


@bp.post("/o/c/<slug>/prints/jobs/<kind>")
@login_required
def job_start(slug: str, kind: str):
    if kind not in JOB_ACCESS:
        abort(404)
    contest = JOB_ACCESS[kind](slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    job = jobs.start(current_user, contest, kind, _base_url())
    db.session.refresh(job)
    state = jobs.state(job)
    if wants_json():
        return state, 202
    if state["status"] == "failed":
        flash(state["error"], "error")
    return redirect(url_for(".prints", slug=slug) + f"#job-{kind}")


def _job(contest, job_id: int) -> PrintJob:
    job = db.session.get(PrintJob, job_id)
    if job is None or job.contest_id != contest.id:
        abort(404)
    JOB_ACCESS[job.kind](contest.slug)  # the ZIP of certificates is the organisers' only
    return job


@bp.get("/o/c/<slug>/prints/jobs/<int:job_id>")
@login_required
def job_state(slug: str, job_id: int):
    contest = policy.cases_contest(slug)
    return jobs.state(_job(contest, job_id))


@bp.get("/o/c/<slug>/prints/jobs/<int:job_id>/file")
@login_required
def job_file(slug: str, job_id: int):
    contest = policy.cases_contest(slug)
    job = _job(contest, job_id)
    if job.status != "done" or job.body is None:
        abort(404)
    with write_transaction():
        record("print.download", user=current_user, contest=contest, target=f"contest:{contest.slug}",
               kind=job.kind, job=job.id, ip=request.remote_addr)
    return pdf.download(job.body, job.file_name, job.mimetype)
