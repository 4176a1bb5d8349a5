"""The hall's console for organisers: /o/c/<slug>/screens (the screens, what each shows and
whether it is connected, the announcement), /o/c/<slug>/sessions (each event's sessions and
whether marking closes with them). Announcements are made by organisers and chief judges."""
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, times
from ..errors import ActionRefused
from ..forms import attach
from . import services
from .forms import MODE_LABELS, AnnouncementForm, ClosesForm, ScreenAddForm, ScreenForm, SessionForm

bp = Blueprint("hall", __name__)


@bp.app_context_processor
def _announcement_banner():
    """Pages that show the contest's announcement (boards, standings, judges' pages) render
    the current one at once, /live keeps it up to date; the judges' home shows each event's
    countdown."""
    return {"current_announcement": services.current_announcement, "event_countdown": services.countdown,
            "screen_shown": lambda contest, name: services.screen_payload(contest, services.screen_named(contest, name),
                                                                          name)}


def _screen_forms(contest, posted: dict | None = None):
    forms = {}
    for screen in services.screens(contest):
        if posted is not None and posted["id"] == screen.id:
            form = posted["form"]
        else:
            form = ScreenForm(formdata=None, prefix=f"s{screen.id}", mode=screen.mode,
                              event=screen.event.code if screen.event else "", scale=screen.scale,
                              rows=screen.rows).set_events(contest.events)
        forms[screen.id] = (screen, form)
    return forms


def _console(contest, status: int = 200, *, add_form=None, posted=None, announcement_form=None):
    return render_template(
        "hall/console.html", contest=contest, screens=_screen_forms(contest, posted),
        add_form=add_form or ScreenAddForm(formdata=None),
        announcement_form=announcement_form or AnnouncementForm(formdata=None),
        current=services.current_announcement(contest), announcements=services.announcements(contest),
        status_of=_status(contest), mode_labels=MODE_LABELS, local=lambda m: times.local_text(contest, m),
        rehearsal=services.rehearsal_of(contest),
    ), status


def _status(contest) -> dict:
    """Each screen: how many are connected to this process, and what it shows now."""
    out = {}
    names = {event.code: event.name for event in contest.events}
    for screen in services.screens(contest):
        payload = services.screen_payload(contest, screen, screen.name)
        out[screen.name] = {"connected": services.connected_screens(contest, screen.name), "show": payload["show"],
                            "mode": payload["mode"], "event": payload["event"], "event_name": names.get(payload["event"]),
                            "mode_label": str(MODE_LABELS[payload["mode"]])}
    return out


@bp.get("/o/c/<slug>/screens")
@login_required
def console(slug: str):
    return _console(policy.managed_contest(slug))


@bp.get("/o/c/<slug>/screens/status")
@login_required
def console_status(slug: str):
    """What the console refreshes every few seconds: which screens are connected, what each shows."""
    contest = policy.managed_contest(slug)
    current = services.current_announcement(contest)
    return jsonify({"screens": _status(contest), "announcement": current.text if current else None})


@bp.post("/o/c/<slug>/screens")
@login_required
def screen_add(slug: str):
    contest = policy.managed_contest(slug)
    form = ScreenAddForm()
    if not form.validate_on_submit():
        return _console(contest, 422, add_form=form)
    try:
        screen = services.add_screen(current_user, contest, form.name.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _console(contest, refused.status, add_form=form)
    flash(_("Screen %(name)s added: open %(url)s on it.", name=screen.name,
            url=url_for("boards.screen", slug=slug, name=screen.name, _external=True)), "success")
    return redirect(url_for(".console", slug=slug))


@bp.post("/o/c/<slug>/screens/<int:screen_id>")
@login_required
def screen_set(slug: str, screen_id: int):
    contest = policy.managed_contest(slug)
    form = ScreenForm(prefix=f"s{screen_id}").set_events(contest.events)
    posted = {"id": screen_id, "form": form}
    if not form.validate_on_submit():
        return _console(contest, 422, posted=posted)
    try:
        screen = services.set_screen(current_user, contest, screen_id, mode=form.mode.data,
                                     event_code=form.event.data or None, scale=form.scale.data, rows=form.rows.data)
    except ActionRefused as refused:
        if refused.status == 404:
            abort(404)
        attach(form, refused)
        return _console(contest, refused.status, posted=posted)
    flash(_("%(name)s now shows: %(what)s.", name=screen.name, what=MODE_LABELS[screen.mode]), "success")
    return redirect(url_for(".console", slug=slug))


@bp.post("/o/c/<slug>/screens/<int:screen_id>/remove")
@login_required
def screen_remove(slug: str, screen_id: int):
    contest = policy.managed_contest(slug)  # the CSRF token is checked for every POST (csrf.init_app)
    try:
        name = services.remove_screen(current_user, contest, screen_id)
    except ActionRefused:
        abort(404)
    flash(_("Screen %(name)s removed.", name=name), "success")
    return redirect(url_for(".console", slug=slug))


@bp.post("/o/c/<slug>/rehearsal")
@login_required
def rehearsal(slug: str):
    """A copy of the contest with made-up names and marks, to practise the ceremony."""
    contest = policy.managed_contest(slug)
    if contest.rehearsal_of_id is not None:
        abort(404)  # a rehearsal is not rehearsed again
    try:
        copy = services.create_rehearsal(current_user, contest)
    except ActionRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for(".console", slug=slug))
    flash(_("The rehearsal %(name)s is ready: its boards are frozen, its awards decided. Practise the reveal in "
            "its live view; the real contest is untouched.", name=copy.name), "success")
    return redirect(url_for("boards.organiser_live", slug=copy.slug))


# --- announcements (organisers and chief judges) --------------------------------------------

def _back(slug: str) -> str:
    back = request.form.get("back") or ""
    return back if back.startswith("/") and not back.startswith("//") else url_for(".console", slug=slug)


@bp.post("/o/c/<slug>/announcements")
@login_required
def announce(slug: str):
    contest = policy.contest_for_announcements(slug)
    form = AnnouncementForm()
    if form.validate_on_submit():
        try:
            services.announce(current_user, contest, form.text.data, ip=request.remote_addr)
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Announced to every board, screen and judge's tablet of the contest."), "success")
            return redirect(_back(slug))
    if policy.can_manage_contest(current_user, contest) and not form.back.data:
        return _console(contest, 422, announcement_form=form)
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")
    for message in form.form_errors:
        flash(message, "error")
    return redirect(_back(slug))


@bp.post("/o/c/<slug>/announcements/clear")
@login_required
def announcement_clear(slug: str):
    contest = policy.contest_for_announcements(slug)
    if services.clear_announcement(current_user, contest, ip=request.remote_addr):
        flash(_("The announcement is taken off every screen."), "success")
    return redirect(_back(slug))


# --- sessions ---------------------------------------------------------------------------------

def _sessions_page(contest, status: int = 200, posted: dict | None = None):
    rows = []
    for event in contest.events:
        form = posted["form"] if posted and posted["event"] == event.code else SessionForm(
            formdata=None, prefix=f"e-{event.code}")
        closes = ClosesForm(formdata=None, prefix=f"c-{event.code}", closes=event.closes_with_session)
        rows.append((event, services.event_sessions(event), form, closes, services.countdown(contest, event)))
    return render_template("hall/sessions.html", contest=contest, rows=rows,
                           local=lambda m: times.local_text(contest, m),
                           zone=times.zone(contest).key), status


@bp.get("/o/c/<slug>/sessions")
@login_required
def sessions(slug: str):
    return _sessions_page(policy.managed_contest(slug))


@bp.post("/o/c/<slug>/sessions/<code>")
@login_required
def session_add(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    form = SessionForm(prefix=f"e-{code}")
    posted = {"event": code, "form": form}
    if not form.validate_on_submit():
        return _sessions_page(contest, 422, posted)
    try:
        services.add_session(current_user, contest, event, form.name.data, form.starts.data, form.ends.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _sessions_page(contest, refused.status, posted)
    flash(_("Session added to %(event)s.", event=event.name), "success")
    return redirect(url_for(".sessions", slug=slug))


@bp.post("/o/c/<slug>/sessions/<code>/closes")
@login_required
def session_closes(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    form = ClosesForm(prefix=f"c-{code}")
    if not form.validate_on_submit():
        abort(400)
    services.set_closes_with_session(current_user, contest, event, form.closes.data)
    flash(_("Saved for %(event)s.", event=event.name), "success")
    return redirect(url_for(".sessions", slug=slug))


@bp.post("/o/c/<slug>/sessions/remove/<int:session_id>")
@login_required
def session_remove(slug: str, session_id: int):
    contest = policy.managed_contest(slug)
    try:
        services.remove_session(current_user, contest, session_id)
    except ActionRefused:
        abort(404)
    flash(_("Session removed."), "success")
    return redirect(url_for(".sessions", slug=slug))
