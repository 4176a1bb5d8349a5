"""Judging pages under /j: the judge's home, contest and event lists and the marking form;
the chief judge's progress matrix, entry detail (history, send back, lock) and consistency view.
Handlers are thin: find, authorise (competition.policy), call a service, render."""
import hashlib
import re
from functools import cache
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from .. import policy
from ..contests.lifecycle import is_marking_open, under_review
from ..contests.models import Contest, Event
from ..errors import ActionRefused, wants_json
from ..extensions import db
from ..forms import ConfirmForm, ask_first, confirmed
from ..judges.models import Assignment
from ..marking.models import Mark
from ..marking.services import submit_marks
from ..scoring import round_half_up
from ..scoring.marks import decimal_text
from . import services
from .tablets import REPORT_SECONDS, device_label
from .forms import NoteForm, ReasonForm, build_form, hint, is_buttons, mark_messages, new_client_id, rule_json

bp = Blueprint("judging", __name__, url_prefix="/j")

#: What the tablet's offline part is made of: its version changes when any of them does, and a
#: tablet on an older one shows as such in the chief judge's tablet view.
TABLET_FILES = ("js/sw.js", "js/outbox.js", "js/judging.js", "js/marks.js")
#: The files the judges' pages load, kept on the tablet for use offline (static/js/sw.js).
OFFLINE_FILES = ("js/judging.js", "js/marks.js", "js/outbox.js", "js/hall.js", "css/app.css", "css/judging.css",
                 "vendor/socket.io-4.8.4.min.js", "img/favicon.svg")
DEVICE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


@bp.app_context_processor
def _judging_links():
    def has_judging() -> bool:
        try:
            return policy.has_judging(current_user)
        except SQLAlchemyError:  # an error page while the database is away still renders
            return False
    return {"has_judging": has_judging,
            "policy_is_supervisor": lambda contest: policy.is_supervisor(current_user, contest)}


@cache
def _tablet_version(static_folder: str) -> str:
    digest = hashlib.sha256()
    for name in TABLET_FILES:
        digest.update((Path(static_folder) / name).read_bytes())
    return digest.hexdigest()[:12]


def tablet_version() -> str:
    return _tablet_version(current_app.static_folder)


@bp.app_context_processor
def _tablet():
    return {"tablet_version": tablet_version, "tablet_report_seconds": report_seconds,
            "tablet_files": lambda: [url_for("static", filename=name) for name in OFFLINE_FILES]}


def report_seconds() -> int:
    """How often a tablet reports itself (TABLET_REPORT_SECONDS; tests shorten it)."""
    return int(current_app.config.get("TABLET_REPORT_SECONDS") or REPORT_SECONDS)


@bp.app_template_filter("mark_value")
def _mark_value(value) -> str:
    """A stored mark as people write it: 2, 12.5 (never 2.000)."""
    return "" if value is None else decimal_text(value)


@bp.app_template_filter("deviation")
def _deviation(value) -> str:
    """A judge's mean deviation, signed, to two places (half up): +0.50, -1.25."""
    return format(round_half_up(value, 2), "+f")


# --- finding what a URL names, for this user ---------------------------------------------------

def _judge_event(slug: str, code: str):
    """The event of a contest the user judges in, where they sit on the panel or mark; 404 else."""
    contest, judge = policy.judged_contest(slug)
    event = policy.event_by_code(contest, code)
    if event is None or event.id not in {e.id for e in services.judge_events(judge)}:
        abort(404)
    return contest, judge, event


def _chief_entry(contest: Contest, event: Event, key: str):
    entry = services.find_entry(contest, event, key)
    if entry is None:
        abort(404)
    return entry


# --- the judge -----------------------------------------------------------------------------------

@bp.get("/")
@login_required
def home():
    return render_template("judging/home.html", contests=services.overview(current_user), contest=None)


@bp.get("/<contest>")
@login_required
def contest_home(contest: str):
    contest_row, _judge = policy.judged_contest(contest)
    return render_template("judging/home.html", contests=services.overview(current_user, contest_row),
                           contest=contest_row)


@bp.get("/<contest>/<event>")
@login_required
def event_home(contest: str, event: str):
    contest_row, judge, event_row = _judge_event(contest, event)
    todo = services.event_todo(judge, event_row)
    saved = request.args.get("saved")
    saved = next((t for t in todo.entries if t.key == saved), None)
    typed = (request.args.get("q") or "").strip()[:40]
    found = todo.find(typed) if typed else None
    if found is not None and len(found) == 1:  # a bib or draw code typed whole: straight to it
        return redirect(url_for(".mark", contest=contest, event=event, key=found[0].key))
    return render_template("judging/event.html", contest=contest_row, event=event_row, todo=todo, saved=saved,
                           typed=typed, found=found)


def _mark_page(contest, event, entry, judge, form, readonly, status=200, **extra):
    criteria_view = []
    history = services.own_history(judge, entry)
    for criterion, f in form.mark_fields():
        rule = criterion.rule
        descriptors = list(criterion.descriptors or [])
        buttons = []
        if is_buttons(rule):
            for value in range(4):
                text = descriptors[value] if value < len(descriptors) else ""
                # Descriptors often start with their own number ("2 达到…"); show it once.
                if text[:1] == str(value):
                    text = text[1:].lstrip(" .、:：")
                buttons.append((str(value), text))
        criteria_view.append({
            "criterion": criterion, "field": f, "buttons": buttons, "hint": hint(rule),
            "messages": mark_messages(rule), "rule": rule_json(rule), "mark": form.marks.get(criterion.id),
            "history": history.get(criterion.id, []),
            "max": decimal_text(rule.mark_max),
            "current": decimal_text(form.marks[criterion.id].value) if criterion.id in form.marks else "",
        })
    following = services.event_todo(judge, event).next_after(entry.id)
    return render_template(
        "judging/mark.html", contest=contest, event=event, entry=entry, form=form, readonly=readonly,
        criteria=criteria_view, key=services.entry_key(entry, contest),
        label=services.entry_label(entry, contest), following=following,
        **extra), status


def _readonly(contest, entry, marks) -> str | None:
    if entry.is_locked:
        return "locked"
    if not is_marking_open(contest) and not under_review(entry.event, marks.values()):
        return "not_judging"
    return None


def _stored_marks(judge, entry) -> dict:
    return {m.criterion_id: m for m in db.session.scalars(
        select(Mark).where(Mark.entry_id == entry.id, Mark.judge_id == judge.id))}


@bp.route("/<contest>/<event>/<key>", methods=["GET", "POST"])
@login_required
def mark(contest: str, event: str, key: str):
    contest_row, judge, event_row = _judge_event(contest, event)
    entry = services.find_entry(contest_row, event_row, key)
    if entry is None:
        abort(404)
    criteria = policy.markable_criteria(judge, entry)
    if not criteria:
        assigned = db.session.scalar(select(Assignment.id).where(Assignment.entry_id == entry.id,
                                                                 Assignment.judge_id == judge.id))
        abort(403 if assigned is not None and policy.has_conflict(judge, entry) else 404)
    marks = _stored_marks(judge, entry)
    readonly = _readonly(contest_row, entry, marks)

    if request.method == "GET" or readonly:
        form = build_form(criteria, marks, formdata=None)
        form.client_id.data = new_client_id()
        if request.method == "POST":  # sent to a locked entry or a closed contest: refused, read-only
            return _stopped(ActionRefused(409, readonly), contest_row, event_row, entry, judge, form)
        return _mark_page(contest_row, event_row, entry, judge, form, readonly)

    form = build_form(criteria, marks)
    form.ensure_client_id()
    if not form.validate_on_submit():
        if wants_json():
            return jsonify({"errors": form.error_map()}), 422
        return _mark_page(contest_row, event_row, entry, judge, form, None, 422)
    try:
        outcome = submit_marks(current_user, entry, form.values(), reason=form.reason.data or "",
                               client_id=form.client_id.data, seen=form.seen_revisions())
    except ActionRefused as refused:
        if refused.status in (403, 404):
            abort(refused.status)
        if refused.code == "client_id_reused":
            form.form_errors.append(refused.message)
            form.client_id.data = new_client_id()
            if wants_json():
                return jsonify({"errors": {"form": refused.message}, "client_id": form.client_id.data}), 409
            return _mark_page(contest_row, event_row, entry, judge, form, None, 409)
        return _stopped(refused, contest_row, event_row, entry, judge, form)
    if not outcome.is_stored:
        form.show_refusals(outcome.refusals)
        status = max(refused.status for refused in outcome.refusals.values())
        if status == 409:  # a mark moved on meanwhile: the form shows it now, a reason changes it
            form.set_marks(_stored_marks(judge, entry))
            form.show_seen()
        if wants_json():
            return jsonify({"errors": form.error_map(), "seen": form.seen.data}), status
        return _mark_page(contest_row, event_row, entry, judge, form, None, status)

    # "Save and next": on to the next entry still to mark; else the list says "saved" on the
    # entry itself, where the anchor scrolls to.
    following = services.event_todo(judge, event_row).next_after(entry.id) if request.form.get("then") == "next" \
        else None
    if following is not None:
        flash(_("Marks saved for %(entry)s.", entry=services.entry_label(entry, contest_row)), "success")
        target = url_for(".mark", contest=contest, event=event, key=following.key)
    else:
        target = url_for(".event_home", contest=contest, event=event, saved=key) + f"#entry-{key}"
    if wants_json():
        return jsonify({"ok": True, "redirect": target})
    return redirect(target)


def _stopped(refused: ActionRefused, contest, event, entry, judge, form):
    """The entry was locked or marking closed: nothing is stored, the page is read-only now."""
    if wants_json():
        return jsonify({"error": {"code": refused.code, "message": refused.message}}), 409
    return _mark_page(contest, event, entry, judge, form, refused.code, 409, refused=refused.message)


# --- the chief judge ---------------------------------------------------------------------------

def _chief_page(contest, event, status=200, error=None):
    criteria, judges, rows = services.matrix(event)
    return render_template("judging/chief.html", contest=contest, event=event, criteria=criteria,
                           judges=judges, rows=rows, error=error, confirm=ConfirmForm(),
                           unlock_form=ReasonForm()), status


@bp.get("/<contest>/<event>/chief")
@login_required
def chief(contest: str, event: str):
    contest_row, event_row = policy.chief_event(contest, event)
    return _chief_page(contest_row, event_row)


@bp.post("/<contest>/<event>/chief/lock")
@login_required
def chief_lock_event(contest: str, event: str):
    contest_row, event_row = policy.chief_event(contest, event)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not confirmed():
        return ask_first(_("Sign off the whole event “%(event)s”?", event=event_row.name),
                         [_("Every entry of the event is locked: no judge can change its marks any more."),
                          _("Unlocking needs a reason, and it is recorded.")],
                         _("Sign off and lock"), url_for(".chief", contest=contest, event=event))
    try:
        count = services.lock_event(current_user, event_row)
    except ActionRefused as refused:
        return _chief_page(contest_row, event_row, refused.status, refused.message)
    flash(ngettext("The event is signed off: %(num)d entry locked now.",
                   "The event is signed off: %(num)d entries locked now.", count), "success")
    return redirect(url_for(".chief", contest=contest, event=event))


@bp.post("/<contest>/<event>/chief/unlock")
@login_required
def chief_unlock_event(contest: str, event: str):
    contest_row, event_row = policy.chief_event(contest, event)
    form = ReasonForm()
    try:
        count = services.unlock_event(current_user, event_row, form.reason.data if form.validate_on_submit() else "")
    except ActionRefused as refused:
        return _chief_page(contest_row, event_row, refused.status, refused.message)
    flash(ngettext("The event is open again: %(num)d entry unlocked.",
                   "The event is open again: %(num)d entries unlocked.", count), "success")
    return redirect(url_for(".chief", contest=contest, event=event))


@bp.get("/<contest>/<event>/chief/consistency")
@login_required
def chief_consistency(contest: str, event: str):
    contest_row, event_row = policy.chief_event(contest, event)
    criteria, rows, lean = services.consistency(event_row)
    return render_template("judging/consistency.html", contest=contest_row, event=event_row, criteria=criteria,
                           rows=rows, lean=lean)


def _chief_entry_page(contest, event, entry, status=200, error=None, note_form=None, unlock_form=None,
                      note_mark_id=None):
    criteria, judges, rows = services.matrix(event, [entry])
    return render_template(
        "judging/chief_entry.html", contest=contest, event=event, entry=entry, criteria=criteria,
        judges=judges, row=rows[0], history=services.mark_history(entry), error=error,
        key=services.entry_key(entry, contest), label=services.entry_label(entry, contest),
        confirm=ConfirmForm(), note_form=note_form or NoteForm(formdata=None), note_mark_id=note_mark_id,
        unlock_form=unlock_form or ReasonForm(formdata=None)), status


@bp.get("/<contest>/<event>/chief/<key>")
@login_required
def chief_entry(contest: str, event: str, key: str):
    contest_row, event_row = policy.chief_event(contest, event)
    return _chief_entry_page(contest_row, event_row, _chief_entry(contest_row, event_row, key))


@bp.post("/<contest>/<event>/chief/<key>/lock")
@login_required
def chief_lock_entry(contest: str, event: str, key: str):
    contest_row, event_row = policy.chief_event(contest, event)
    entry = _chief_entry(contest_row, event_row, key)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not confirmed():
        back = (url_for(".chief", contest=contest, event=event) + f"#entry-{key}" if request.form.get("from") == "matrix"
                else url_for(".chief_entry", contest=contest, event=event, key=key))
        return ask_first(_("Lock %(entry)s?", entry=services.entry_label(entry, contest_row)),
                         [_("Its marks are signed off: no judge can change them any more."),
                          _("Unlocking needs a reason, and it is recorded.")],
                         _("Lock"), back)
    try:
        services.lock_entry(current_user, entry)
    except ActionRefused as refused:
        if request.form.get("from") == "matrix":
            return _chief_page(contest_row, event_row, refused.status, refused.message)
        return _chief_entry_page(contest_row, event_row, entry, refused.status, refused.message)
    flash(_("%(entry)s is signed off: its marks are locked.", entry=services.entry_label(entry, contest_row)),
          "success")
    if request.form.get("from") == "matrix":
        return redirect(url_for(".chief", contest=contest, event=event) + f"#entry-{key}")
    return redirect(url_for(".chief_entry", contest=contest, event=event, key=key))


@bp.post("/<contest>/<event>/chief/<key>/unlock")
@login_required
def chief_unlock_entry(contest: str, event: str, key: str):
    contest_row, event_row = policy.chief_event(contest, event)
    entry = _chief_entry(contest_row, event_row, key)
    form = ReasonForm()
    if not form.validate_on_submit():
        message = _("Unlocking needs a reason.")
        return _chief_entry_page(contest_row, event_row, entry, 422, message, unlock_form=form)
    try:
        services.unlock_entry(current_user, entry, form.reason.data)
    except ActionRefused as refused:
        return _chief_entry_page(contest_row, event_row, entry, refused.status, refused.message, unlock_form=form)
    flash(_("%(entry)s is unlocked: its judges can correct their marks.",
            entry=services.entry_label(entry, contest_row)), "success")
    return redirect(url_for(".chief_entry", contest=contest, event=event, key=key))


@bp.post("/<contest>/<event>/chief/marks/<int:mark_id>/return")
@login_required
def chief_return_mark(contest: str, event: str, mark_id: int):
    contest_row, event_row = policy.chief_event(contest, event)
    mark_row = db.session.get(Mark, mark_id)
    if mark_row is None or mark_row.entry.event_id != event_row.id or not mark_row.entry.is_approved:
        abort(404)
    entry = mark_row.entry
    key = services.entry_key(entry, contest_row)
    if key is None:
        abort(404)
    form = NoteForm()
    if not form.validate_on_submit():
        return _chief_entry_page(contest_row, event_row, entry, 422, _("Say what the judge should look at again."),
                                 note_form=form, note_mark_id=mark_id)
    try:
        services.return_mark(current_user, mark_row, form.note.data)
    except ActionRefused as refused:
        return _chief_entry_page(contest_row, event_row, entry, refused.status, refused.message,
                                 note_form=form, note_mark_id=mark_id)
    flash(_("The mark is sent back to its judge with your note."), "success")
    return redirect(url_for(".chief_entry", contest=contest, event=event, key=key))


# --- the tablet's offline part: its service worker, its session, its reports --------------------

@bp.get("/sw.js")
def service_worker():
    """The service worker, served under /j/ so that its scope is the judges' pages (a script
    under /static/ could only control /static/). Revalidated on every start of the tablet."""
    response = send_file(Path(current_app.static_folder) / "js" / "sw.js", mimetype="text/javascript",
                         max_age=0)
    response.headers["Cache-Control"] = "public, no-cache"  # no personal data; revalidated each start
    return response


@bp.get("/offline")
@login_required
def offline():
    """What a tablet shows, offline, for a page it had not kept: its outbox, and the way back."""
    return render_template("judging/offline.html")


@bp.get("/session")
def session_state():
    """Who is signed in on this browser now, with a fresh CSRF token: a tablet asks before it
    sends its outbox, whose marks carry the user who entered them and a token from then."""
    user = current_user if current_user.is_authenticated else None
    response = jsonify({"user": user.id if user else None, "name": user.name if user else None,
                        "csrf_token": generate_csrf() if user else None, "version": tablet_version()})
    response.headers["Cache-Control"] = "no-store"
    return response


def _small_int(value, upper: int) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= upper else None


@bp.post("/<contest>/tablet")
@login_required
def tablet_report(contest: str):
    """A tablet says where it is and what waits in its outbox; the answer says whether this
    judge has the same entry open on another tablet."""
    contest_row, judge = policy.judged_contest(contest)
    data = request.get_json(silent=True)
    if not isinstance(data, dict) or not DEVICE_ID.fullmatch(str(data.get("device") or "")):
        raise ActionRefused(400, "bad_json")
    event = entry = None
    if isinstance(data.get("event"), str):
        event = policy.event_by_code(contest_row, data["event"])
        if event is not None and event.id not in {e.id for e in services.judge_events(judge)}:
            event = None
    if event is not None and isinstance(data.get("entry"), str):
        entry = services.find_entry(contest_row, event, data["entry"])
    battery = _small_int(data.get("battery"), 100)
    charging = data.get("charging") if isinstance(data.get("charging"), bool) else None
    twin = services.report_tablet(judge, services.TabletReport(
        device=data["device"], version=str(data.get("version") or "")[:40],
        waiting=_small_int(data.get("waiting"), 100_000) or 0, refused=_small_int(data.get("refused"), 100_000) or 0,
        battery=battery, charging=charging, offline_pages=data.get("offline_pages") is True,
        agent=(request.user_agent.string or "")[:120], event=event, entry=entry))
    return jsonify({"ok": True, "twin": twin, "version": tablet_version()})


@bp.get("/<contest>/<event>/chief/tablets")
@login_required
def chief_tablets(contest: str, event: str):
    """The chief judge's view of the panel's tablets: connected or not, last seen, marks waiting
    in their outbox, page version, battery; a warning for one judge on two tablets."""
    contest_row, event_row = policy.chief_event(contest, event)
    rows = services.event_tablets(event_row, report_seconds())
    return render_template("judging/tablets.html", contest=contest_row, event=event_row, rows=rows,
                           device_label=device_label, key_of=lambda entry: services.entry_label(entry, contest_row))
