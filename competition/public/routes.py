"""Public pages: the contests, a contest's home, its live boards, the big screen and the
delegation standings; and the organisers' live view of judging progress."""
import io

import segno
from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..boards import services as boards
from ..contests.models import Contest, Entry
from ..contests.queries import contest_by_slug, event_by_code, get_viewable_event, public_contests
from ..extensions import db
from ..policy import can_manage_contest, can_view_contest, live_events

bp = Blueprint("public", __name__)

SCREEN_INTERVAL = (15, 3, 300)  # seconds per page of the big screen: default, min, max


def viewable_contest(slug: str):
    contest = contest_by_slug(slug)
    if contest is None or not can_view_contest(current_user, contest):
        abort(404)
    return contest


def public_url(path: str) -> str:
    """The absolute address phones use. The screen may be opened as http://127.0.0.1 on the
    venue PC: PUBLIC_URL, when configured, is the address on the venue Wi-Fi."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/") + path


@bp.app_context_processor
def live_view_helpers():
    def live_view_allowed(contest) -> bool:
        return bool(isinstance(contest, Contest) and getattr(current_user, "is_authenticated", False)
                    and live_events(current_user, contest))
    return {"live_view_allowed": live_view_allowed}


@bp.get("/")
def home():
    return render_template("public/home.html", contests=public_contests())


@bp.get("/c/<slug>")
def contest(slug: str):
    contest = viewable_contest(slug)
    counts = dict(db.session.execute(
        select(Entry.event_id, func.count()).where(Entry.contest_id == contest.id, Entry.status == "approved")
        .group_by(Entry.event_id)).all())
    return render_template("public/contest.html", contest=contest, counts=counts)


@bp.get("/c/<slug>/events/<code>/board")
def board(slug: str, code: str):
    contest, event = get_viewable_event(current_user, slug, code)
    # The jury (organisers, the event's chief judges) sees the live board; the public a frozen one.
    return render_template("boards/board.html", contest=contest, event=event,
                           board=boards.board_snapshot(event, current_user))


@bp.get("/c/<slug>/screen")
def screen(slug: str):
    contest = viewable_contest(slug)
    pinned = request.args.get("event")
    if pinned is not None and event_by_code(contest, pinned) is None:
        abort(404)
    default, low, high = SCREEN_INTERVAL
    interval = min(high, max(low, request.args.get("interval", default, type=int) or default))
    # The big screen is for the hall: always the public board, whoever is logged in.
    slides = [{"code": e.code, "name": e.name, "snapshot": boards.board_snapshot(e, jury=False),
               "board": public_url(url_for("public.board", slug=contest.slug, code=e.code)),
               "qr": url_for("public.board_qr", slug=contest.slug, code=e.code)}
              for e in contest.events if pinned is None or e.code == pinned]
    return render_template("boards/screen.html", contest=contest, slides=slides, interval=interval)


@bp.get("/c/<slug>/standings")
def standings(slug: str):
    contest = viewable_contest(slug)
    return render_template("boards/standings.html", contest=contest, standings=boards.standings(contest))


@bp.get("/c/<slug>/qr/<code>.svg")
def board_qr(slug: str, code: str):
    """The phone board's address as a QR code, for the big screen."""
    contest, event = get_viewable_event(current_user, slug, code)
    qr = segno.make(public_url(url_for("public.board", slug=contest.slug, code=event.code)), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=1, border=2, dark="#000", light="#fff", omitsize=True, xmldecl=False)
    response = Response(out.getvalue(), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "max-age=300"
    return response


@bp.get("/o/c/<slug>/live")
@login_required
def organiser_live(slug: str):
    contest = contest_by_slug(slug)
    if contest is None:
        abort(404)
    events = live_events(current_user, contest)
    if not events:
        abort(403)
    shown = {event.code for event in events}
    progress = boards.progress(contest)
    progress["events"] = [p for p in progress["events"] if p["event"] in shown]
    return render_template("boards/organiser_live.html", contest=contest, events=events, progress=progress,
                           boards={event.code: boards.board_snapshot(event, jury=True) for event in events},
                           can_manage=can_manage_contest(current_user, contest))
