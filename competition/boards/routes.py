"""Board pages: an event's live board for phones, the hall's big screen, the delegation
standings and the QR codes that lead to them (public); the organisers' and chief judges' live
view of judging; and the organiser's freeze and reveal actions (POST forms with the CSRF token,
each back where it came from with a flash, or JSON to a client that asks for it)."""
from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import policy, qr
from ..addresses import public_url
from ..database import utcnow
from ..errors import wants_json
from ..safety import back_target
from . import exports, services

bp = Blueprint("boards", __name__)

SCREEN_INTERVAL = (15, 3, 300)  # seconds per page of the big screen: default, min, max


@bp.app_context_processor
def _live_view_helpers():
    def live_view_allowed(contest) -> bool:
        return bool(getattr(current_user, "is_authenticated", False) and policy.live_events(current_user, contest))
    return {"live_view_allowed": live_view_allowed}


# --- public ------------------------------------------------------------------------------------

@bp.get("/c/<slug>/events/<code>/board")
def board(slug: str, code: str):
    contest, event = policy.viewable_event(slug, code)
    # The jury (organisers, the event's chief judges) sees the live board; the public a frozen one.
    return render_template("boards/board.html", contest=contest, event=event,
                           board=services.board_snapshot(event, current_user))


@bp.get("/c/<slug>/screen")
def screen(slug: str):
    contest = policy.viewable_contest(slug)
    pinned = request.args.get("event")
    if pinned is not None and policy.event_by_code(contest, pinned) is None:
        abort(404)
    default, low, high = SCREEN_INTERVAL
    interval = min(high, max(low, request.args.get("interval", default, type=int) or default))
    # The big screen is for the hall: always the public board, whoever is logged in.
    slides = [{"code": e.code, "name": e.name, "snapshot": services.board_snapshot(e, jury=False),
               "board": public_url(url_for("boards.board", slug=contest.slug, code=e.code)),
               "qr": url_for("boards.board_qr", slug=contest.slug, code=e.code)}
              for e in contest.events if pinned is None or e.code == pinned]
    # A named screen of the hall (/c/<slug>/screen?name=大屏一) shows what the console sets
    # (the template asks the hall for its first state; then `watch_screen` keeps it).
    name = (request.args.get("name") or "").strip()[:40] or None
    return render_template("boards/screen.html", contest=contest, slides=slides, interval=interval,
                           screen_name=name)


@bp.get("/c/<slug>/results")
def results_page(slug: str):
    """公示 and the official results: every announced event's ranks, totals, section scores and
    awards; during the objection window, the form to object. 404 before any announcement."""
    contest = policy.viewable_contest(slug)
    view = services.announced_results(contest)
    if view is None:
        abort(404)
    now = utcnow()
    return render_template("boards/results.html", contest=contest, view=view,
                           events={e.code: e for e in contest.events},
                           objections_open=contest.objections_open(now), appeals_open=contest.appeals_open(now))


@bp.get("/c/<slug>/standings")
def standings(slug: str):
    contest = policy.viewable_contest(slug)
    return render_template("boards/standings.html", contest=contest, standings=services.standings(contest))


@bp.get("/c/<slug>/qr/<code>.svg")
def board_qr(slug: str, code: str):
    """The phone board's address as a QR code, for the big screen."""
    contest, event = policy.viewable_event(slug, code)
    response = Response(qr.svg(public_url(url_for("boards.board", slug=contest.slug, code=event.code))),
                        mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# --- the results, for the contest's staff ------------------------------------------------------

@bp.get("/o/c/<slug>/results/export.<any(xlsx, csv, json):fmt>")
@login_required
def results_export(slug: str, fmt: str):
    """Every event's results, the delegation standings and every mark: for the organisers and,
    read-only, the supervisors (404 for anybody else, as every organiser page)."""
    contest = policy.cases_contest(slug)
    body, mimetype, name = exports.export_file(contest, fmt)
    services.record_results_export(contest, current_user, fmt, request.remote_addr)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


# --- the jury ----------------------------------------------------------------------------------

@bp.get("/o/c/<slug>/live")
@login_required
def organiser_live(slug: str):
    contest, events = policy.live_view_contest(slug)
    shown = {event.code for event in events}
    progress = services.progress(contest)
    progress["events"] = [p for p in progress["events"] if p["event"] in shown]
    return render_template("boards/organiser_live.html", contest=contest, events=events, progress=progress,
                           boards={event.code: services.board_snapshot(event, jury=True) for event in events},
                           can_manage=policy.can_manage_contest(current_user, contest))


def _done(message: str, fallback: str, **data):
    if wants_json():
        return jsonify(data)
    flash(message, "success")
    return redirect(back_target(fallback))


def _event_action(slug: str, code: str, action, message, **options):
    contest, event = policy.managed_event(slug, code)
    state = action(event, current_user, **options)
    return _done(message(state, event), url_for("boards.board", slug=contest.slug, code=event.code), state=state)


@bp.post("/o/c/<slug>/events/<code>/freeze")
@login_required
def freeze(slug: str, code: str):
    return _event_action(slug, code, services.freeze_board, lambda state, ev: _(
        "%(event)s is frozen: the public keeps this board until it is revealed.", event=ev.name))


@bp.post("/o/c/<slug>/events/<code>/reveal")
@login_required
def reveal(slug: str, code: str):
    def message(state, ev):
        if not state["frozen"]:
            return _("%(event)s is fully revealed: the board is live again.", event=ev.name)
        return _("%(count)d rows of %(event)s revealed.", count=state["revealed"], event=ev.name)
    return _event_action(slug, code, services.reveal_step, message, mode=request.form.get("mode") or "one")


@bp.post("/o/c/<slug>/events/<code>/reveal-all")
@login_required
def reveal_all(slug: str, code: str):
    """Reveal every row; the board stays frozen unless the form says end=yes."""
    def message(state, ev):
        if not state["frozen"]:
            return _("%(event)s is fully revealed: the board is live again.", event=ev.name)
        return _("%(event)s is fully revealed; the board stays frozen until you end the freeze.", event=ev.name)
    return _event_action(slug, code, services.reveal_all, message, end=request.form.get("end") == "yes")


@bp.post("/o/c/<slug>/events/<code>/unfreeze")
@login_required
def unfreeze(slug: str, code: str):
    return _event_action(slug, code, services.unfreeze, lambda state, ev: _(
        "%(event)s is live again.", event=ev.name))


@bp.post("/o/c/<slug>/freeze")
@login_required
def freeze_contest(slug: str):
    contest = policy.managed_contest(slug)
    count = services.freeze_contest(contest, current_user)
    return _done(_("%(count)d boards frozen.", count=count), url_for("public.contest", slug=contest.slug),
                 frozen=count)


@bp.post("/o/c/<slug>/unfreeze")
@login_required
def unfreeze_contest(slug: str):
    contest = policy.managed_contest(slug)
    count = services.unfreeze_contest(contest, current_user)
    return _done(_("%(count)d boards live again.", count=count), url_for("public.contest", slug=contest.slug),
                 unfrozen=count)
