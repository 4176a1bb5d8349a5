"""Paper score sheets under /paper: a failed tablet's marks, entered by the event's chief judge
or an organiser from the judge's signed sheet, then entered again by a second person; the list
of sheets waiting for their second entry. Thin: find, authorise (policy), call the service."""
import unicodedata

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import policy
from ..contests.models import contest_by_slug, event_by_code
from ..errors import ActionRefused
from ..extensions import db
from ..forms import ConfirmForm, ask_first, confirmed
from ..judges.models import Judge, panel
from ..judging.services import entry_key, entry_label, find_entry
from . import services
from .forms import hints, sheet_form
from .models import PaperSheet

bp = Blueprint("paper", __name__, url_prefix="/paper")


def _event(slug: str, code: str):
    """An event whose paper sheets the user may enter: 404 outside the contests they manage or
    judge in, 403 in an event of theirs where they are not chief judge."""
    contest = contest_by_slug(slug)
    if contest is None or not (policy.can_manage_contest(current_user, contest)
                               or policy.judge_role(current_user, contest)):
        abort(404)
    event = event_by_code(contest, code)
    if event is None:
        abort(404)
    if not policy.can_enter_paper_sheets(current_user, event):
        abort(403)
    return contest, event


def _refused(refused: ActionRefused):
    return render_template("error.html", status=refused.status, message=refused.message), refused.status


def _judges(event):
    """The event's panel, J1, J2 … by judge id."""
    return panel(event)


def _find_entry(contest, event, key: str):
    key = unicodedata.normalize("NFKC", key or "").strip()
    entry = find_entry(contest, event, key) if key else None
    if entry is None and key:
        entry = find_entry(contest, event, key.upper())
    return entry


@bp.get("/<contest>/<event>")
@login_required
def index(contest: str, event: str):
    contest_row, event_row = _event(contest, event)
    judges = _judges(event_row)
    typed_judge, typed_entry = request.args.get("judge", type=int), request.args.get("entry", "")
    error = None
    if typed_judge is not None or typed_entry:
        entry = _find_entry(contest_row, event_row, typed_entry)
        if typed_judge not in judges:
            error = _("Choose the judge whose sheet it is.")
        elif entry is None:
            error = _("No entry of this event has the number “%(key)s”.", key=typed_entry)
        else:
            return redirect(url_for(".first", contest=contest, event=event, judge_id=typed_judge,
                                    key=entry_key(entry, contest_row)))
    sheets = [(sheet, judges.get(sheet.judge_id), entry_label(sheet.entry, contest_row),
               entry_key(sheet.entry, contest_row)) for sheet in services.pending(event_row)]
    return render_template("paper/index.html", contest=contest_row, event=event_row, judges=judges,
                           sheets=sheets, error=error, typed_judge=typed_judge, typed_entry=typed_entry,
                           confirm=ConfirmForm()), 422 if error else 200


def _judge_and_entry(contest, event, judge_id: int, key: str):
    judge = db.session.get(Judge, judge_id)
    entry = _find_entry(contest, event, key)
    if judge is None or judge.contest_id != contest.id or entry is None:
        abort(404)
    return judge, entry


@bp.route("/<contest>/<event>/new/<int:judge_id>/<key>", methods=["GET", "POST"])
@login_required
def first(contest: str, event: str, judge_id: int, key: str):
    contest_row, event_row = _event(contest, event)
    judge, entry = _judge_and_entry(contest_row, event_row, judge_id, key)
    try:
        services.check_transcriber(current_user, event_row, judge)
        criteria = services.sheet_criteria(judge, entry)
        services.check_judge(judge, entry, criteria)
    except ActionRefused as refused:
        # Locked or closed since the page was opened: the service refuses it next to what was typed.
        if refused.status == 403 or request.method == "GET" or not criteria:
            return _refused(refused)
    waiting = services.pending_sheet(entry, judge)
    if waiting is not None:
        flash(ActionRefused(409, "paper_sheet_pending").message, "error")
        return redirect(url_for(".second", contest=contest, event=event, sheet_id=waiting.id))
    form = sheet_form(criteria, formdata=None if request.method == "GET" else request.form)
    status = 200
    if request.method == "POST":
        if not form.validate_on_submit():
            status = 422
        else:
            try:
                outcome = services.enter_first(current_user, entry, judge, form.values(), form.reason.data or "")
            except ActionRefused as refused:
                if refused.status == 403:
                    return _refused(refused)
                form.form_errors.append(refused.message)
                status = refused.status
            else:
                if outcome.is_done:
                    flash(_("First entry saved. A second person must now enter the same sheet again; "
                            "nothing counts until both entries agree."), "success")
                    return redirect(url_for(".index", contest=contest, event=event))
                form.show_refusals(outcome.refusals)
                status = max(r.status for r in outcome.refusals.values())
    return _sheet_page("paper/first.html", contest_row, event_row, judge, entry, form, criteria, status)


def _sheet_page(template, contest, event, judge, entry, form, criteria, status=200, **extra):
    judges = _judges(event)
    return render_template(template, contest=contest, event=event, judge=judge, panel_judge=judges.get(judge.id),
                           entry=entry, label=entry_label(entry, contest), key=entry_key(entry, contest), form=form,
                           criteria=criteria, hints=hints(criteria), confirm=ConfirmForm(), **extra), status


def _sheet(event, sheet_id: int) -> PaperSheet:
    sheet = db.session.get(PaperSheet, sheet_id)
    if sheet is None or sheet.event_id != event.id:
        abort(404)
    return sheet


@bp.route("/<contest>/<event>/sheets/<int:sheet_id>", methods=["GET", "POST"])
@login_required
def second(contest: str, event: str, sheet_id: int):
    contest_row, event_row = _event(contest, event)
    sheet = _sheet(event_row, sheet_id)
    judge, entry = sheet.judge, sheet.entry
    try:
        services.check_transcriber(current_user, event_row, judge)
    except ActionRefused as refused:
        return _refused(refused)
    criteria = [c for c in event_row.criteria if c.code in sheet.entered]
    own = sheet.transcribed_by_id == current_user.id
    form = sheet_form(criteria, formdata=None if request.method == "GET" else request.form)
    status, differ = 200, {}
    if request.method == "POST":
        if own:
            return _refused(ActionRefused(403, "paper_same_person"))
        if not form.validate_on_submit():
            status = 422
        else:
            try:
                outcome = services.enter_second(current_user, sheet, form.values())
            except ActionRefused as refused:
                if refused.status == 403:
                    return _refused(refused)
                form.form_errors.append(refused.message)
                status = refused.status
            else:
                if outcome.is_done:
                    flash(ngettext("Both entries agree: %(num)d mark of %(judge)s for %(entry)s is stored.",
                                   "Both entries agree: %(num)d marks of %(judge)s for %(entry)s are stored.",
                                   outcome.stored, judge=judge.user.name, entry=entry_label(entry, contest_row))
                          if outcome.stored else
                          _("Both entries agree, and they match the marks already stored: nothing changed."),
                          "success")
                    return redirect(url_for(".index", contest=contest, event=event))
                differ = outcome.differ
                form.show_refusals(outcome.refusals)
                status = max([r.status for r in outcome.refusals.values()] + ([409] if differ else []))
    return _sheet_page("paper/second.html", contest_row, event_row, judge, entry, form, criteria, status,
                       sheet=sheet, own=own, differ=differ)


@bp.post("/<contest>/<event>/sheets/<int:sheet_id>/discard")
@login_required
def discard(contest: str, event: str, sheet_id: int):
    contest_row, event_row = _event(contest, event)
    sheet = _sheet(event_row, sheet_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not confirmed():
        return ask_first(_("Discard the first entry of this sheet?"),
                         [_("The values entered first are thrown away (the audit log keeps them). The sheet "
                            "then has to be entered twice again.")],
                         _("Discard"), url_for(".second", contest=contest, event=event, sheet_id=sheet_id))
    try:
        services.discard(current_user, sheet)
    except ActionRefused as refused:
        if refused.status == 403:
            return _refused(refused)
        flash(refused.message, "error")
        return redirect(url_for(".index", contest=contest, event=event))
    flash(_("The first entry is discarded."), "success")
    return redirect(url_for(".index", contest=contest, event=event))
