"""Judges' pages. For organisers, /o/c/<slug>/judges: judges' accounts, one-time login links
for their tablets (a URL and a QR code, shown once) and their API tokens, the judges' list
import (upload → preview → confirm, and its template), and per event the panel (order, chief
judge, criteria) and its assignments; every page that makes QR codes says which address they
carry (phone_address). For a judge's tablet, /login/link/<token>: confirm, and the link logs
the judge in once."""
from urllib.parse import quote, urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user
from markupsafe import Markup
from sqlalchemy import func, select

from .. import policy, qr, spreadsheets, uploads
from ..addresses import configured_public_url, is_loopback, lan_address, public_base, public_url
from ..accounts.models import ApiToken
from ..entries.importing import UnreadableFile
from ..errors import ActionRefused
from ..extensions import db, limiter
from ..forms import ConfirmForm, attach
from ..entries.models import Entry
from ..messages import JUDGE_FIELD_LABELS, message
from . import importing, services
from .forms import ImportForm, JudgeForm, LinkForm
from .models import Assignment, Judge, LoginLink, PanelSeat

bp = Blueprint("judges", __name__)
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # a page for one token is nothing to keep


@bp.app_context_processor
def _phone_address():
    def phone_address() -> dict:
        """The address QR codes and links carry (addresses.public_base), whether phones can
        reach it, and for an administrator where to set it (once the admin's settings exist)."""
        address = public_base()
        loopback, settings, suggestion = is_loopback(address), None, "http://<LAN address>:5000"
        if loopback:
            if policy.is_admin(current_user) and "admin.settings" in current_app.view_functions:
                settings = url_for("admin.settings")
            lan = lan_address()
            if lan:
                suggestion = f"http://{lan}:{urlsplit(request.host_url).port or 5000}"
        return {"address": address, "loopback": loopback, "configured": configured_public_url() is not None,
                "settings": settings, "suggestion": suggestion}
    return {"phone_address": phone_address}


def _judges_page(contest, status=200, *, form=None, error=None):
    judges = services.contest_judges(contest)
    seats = {}
    for seat in db.session.scalars(select(PanelSeat).where(PanelSeat.judge_id.in_([j.id for j in judges]))
                                   .order_by(PanelSeat.event_id)):
        seats.setdefault(seat.judge_id, []).append(seat)
    return render_template(
        "judges/judges.html", contest=contest, judges=judges, marks=services.marks_by_judge(contest), seats=seats,
        open_links=services.open_links(contest), tokens=services.live_tokens(judges),
        accounts=services.seatable_accounts(contest),
        form=form or JudgeForm(formdata=None).set_delegations(contest), link_form=LinkForm(formdata=None),
        confirm=ConfirmForm(formdata=None), error=error), status


@bp.get("/o/c/<slug>/judges")
@login_required
def judges(slug: str):
    return _judges_page(policy.managed_contest(slug))


@bp.post("/o/c/<slug>/judges")
@login_required
def judges_add(slug: str):
    contest = policy.managed_contest(slug)
    form = JudgeForm().set_delegations(contest)
    if not form.validate_on_submit():
        return _judges_page(contest, 422, form=form)
    try:
        judge, created = services.add_judge(current_user, contest, username=form.username.data, name=form.name.data,
                                            delegation_id=form.delegation.data or None, password=form.password.data,
                                            role=form.role.data, phone=form.phone.data)
    except ActionRefused as refused:
        attach(form, refused)
        form.password.data = ""
        return _judges_page(contest, refused.status, form=form)
    if created:
        flash(_("%(name)s (%(username)s) is a judge now, with a new account.", name=judge.user.name,
                username=judge.user.username), "success")
    else:
        flash(_("The existing account %(username)s (%(name)s) is a judge now.", name=judge.user.name,
                username=judge.user.username), "success")
    return redirect(url_for(".judges", slug=slug))


def _judge(contest, judge_id: int) -> Judge:
    judge = services.judge_of(contest, judge_id)
    if judge is None:
        abort(404)
    return judge


@bp.post("/o/c/<slug>/judges/<int:judge_id>/remove")
@login_required
def judges_remove(slug: str, judge_id: int):
    contest = policy.managed_contest(slug)
    judge = _judge(contest, judge_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = judge.user.name
    try:
        services.remove_judge(current_user, judge)
    except ActionRefused as refused:
        return _judges_page(contest, refused.status, error=refused.message)
    flash(_("%(name)s is no longer a judge of this contest; their login links and tokens are revoked.",
            name=name), "success")
    return redirect(url_for(".judges", slug=slug))


@bp.post("/o/c/<slug>/judges/<int:judge_id>/link")
@login_required
def judges_link(slug: str, judge_id: int):
    contest = policy.managed_contest(slug)
    judge = _judge(contest, judge_id)
    form = LinkForm()
    if not form.validate_on_submit():
        return _judges_page(contest, 422, error=_("A login link is valid for 1 to %(max)d hours.", max=72))
    try:
        link, token = services.issue_link(current_user, judge.user, hours=form.hours.data, contest=contest)
    except ActionRefused as refused:
        return _judges_page(contest, refused.status, error=refused.message)
    url = public_url(url_for("judges.login_link", token=token))
    # Shown once: the token is not stored, so this page must not be cached either.
    return render_template("judges/link.html", contest=contest, judge=judge, link=link, url=url,
                           qr=Markup(qr.svg(url))), 200, NO_STORE


@bp.post("/o/c/<slug>/judges/links/<int:link_id>/revoke")
@login_required
def judges_link_revoke(slug: str, link_id: int):
    contest = policy.managed_contest(slug)
    link = db.session.get(LoginLink, link_id)
    if link is None or link.contest_id != contest.id:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if services.revoke_link(current_user, link, contest):
        flash(_("The login link is revoked: it can no longer log anybody in."), "success")
    else:
        flash(_("That login link was already used, revoked or expired."), "info")
    return redirect(url_for(".judges", slug=slug))


@bp.post("/o/c/<slug>/judges/tokens/<int:token_id>/revoke")
@login_required
def judges_token_revoke(slug: str, token_id: int):
    """Revoke the API token of one of the contest's judges (a lost tablet, a script retired)."""
    contest = policy.managed_contest(slug)
    token = db.session.get(ApiToken, token_id)
    judge_ids = {j.user_id for j in services.contest_judges(contest)}
    if token is None or token.user_id not in judge_ids or policy.is_staff(token.user):
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if services.revoke_token(current_user, contest, token):
        flash(_("The API token is revoked: the tablet or script that holds it can no longer send marks."), "success")
    else:
        flash(_("That API token was already revoked."), "info")
    return redirect(url_for(".judges", slug=slug))


# --- the judges' list import ----------------------------------------------------------------------

@bp.get("/o/c/<slug>/judges/import/template.<any(xlsx, csv):fmt>")
@login_required
def import_template(slug: str, fmt: str):
    contest = policy.managed_contest(slug)
    header = [importing.CANONICAL_HEADERS[f] for f in importing.FIELDS]
    if fmt == "xlsx":
        body = spreadsheets.xlsx_bytes(header, [], title="judges")
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body, mimetype = spreadsheets.csv_bytes(header, []), "text/csv; charset=utf-8"
    name = f"{contest.slug}-judges-template.{fmt}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    return response


@bp.route("/o/c/<slug>/judges/import", methods=["GET", "POST"])
@login_required
def import_upload(slug: str):
    contest = policy.managed_contest(slug)
    form = ImportForm()
    if form.validate_on_submit():
        try:
            token = uploads.accept("judges", contest, current_user, form.file.data)
        except UnreadableFile as unreadable:
            form.file.errors = [message(unreadable.code, **unreadable.params)]
        else:
            return redirect(url_for(".import_preview", slug=slug, token=token))
    status = 422 if request.method == "POST" else 200
    return render_template("judges/import.html", contest=contest, form=form), status


def _import_mapping(table: list[list[str]]) -> list[str | None]:
    """The automatic header match, overridden by the organiser's choice per column (map_<i>)."""
    mapping = importing.judge_headers(table[0])
    for i in range(len(mapping)):
        chosen = request.values.get(f"map_{i}")
        if chosen is not None:
            mapping[i] = chosen if chosen in importing.FIELDS else None
    return mapping


def _import_load(contest, token: str):
    loaded = uploads.load("judges", contest, current_user, token)
    if loaded is None:
        abort(404)
    return loaded


def _import_preview(contest, token: str, meta: dict, table, mapping, checked, status=200, error=None):
    shown, page, pages = uploads.preview_page(checked.problems or checked.rows, request.args.get("page", type=int))
    problems = [(p, JUDGE_FIELD_LABELS.get(p.column, ""), message(p.code, value=p.value, username=p.value))
                for p in (shown if checked.problems else [])]
    return render_template(
        "judges/import_preview.html", contest=contest, token=token, filename=meta.get("filename", ""),
        columns=[(i, text, mapping[i]) for i, text in enumerate(table[0])], fields=importing.FIELDS,
        field_labels=JUDGE_FIELD_LABELS, problems=problems, checked=checked,
        sample=[] if checked.problems else shown, page=page, pages=pages, event_names={e.code: e.name for e in contest.events},
        confirm=ConfirmForm(formdata=None), error=error), status


@bp.get("/o/c/<slug>/judges/import/<token>")
@login_required
def import_preview(slug: str, token: str):
    contest = policy.managed_contest(slug)
    meta, table = _import_load(contest, token)
    mapping = _import_mapping(table)
    checked = services.check_import(current_user, contest, table, mapping)
    return _import_preview(contest, token, meta, table, mapping, checked)


@bp.post("/o/c/<slug>/judges/import/<token>")
@login_required
def import_confirm(slug: str, token: str):
    contest = policy.managed_contest(slug)
    meta, table = _import_load(contest, token)
    if not ConfirmForm().validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for(".import_preview", slug=slug, token=token))
    mapping = _import_mapping(table)
    try:
        checked = services.import_judges(current_user, contest, table, mapping, filename=meta.get("filename", ""),
                                         ip=request.remote_addr)
    except ActionRefused as refused:
        checked = services.check_import(current_user, contest, table, mapping)
        return _import_preview(contest, token, meta, table, mapping, checked, refused.status, error=refused.message)
    if not checked.is_clean:
        return _import_preview(contest, token, meta, table, mapping, checked, status=422)
    uploads.discard(token)
    done = ngettext("%(num)d judge imported.", "%(num)d judges imported.", len(checked.rows))
    if checked.new_accounts:
        done += " " + ngettext("%(num)d new account: give it a login link.",
                               "%(num)d new accounts: give them login links.", checked.new_accounts)
    flash(done, "success")
    return redirect(url_for(".judges", slug=slug))


# --- panels and assignments ------------------------------------------------------------------

def _rows_from_db(event, judges):
    seats = {s.judge_id: s for s in event.panel}
    rows = []
    for judge in judges:
        seat = seats.get(judge.id)
        rows.append({"judge": judge, "seated": seat is not None,
                     "position": str(seat.position + 1) if seat else "",
                     "chief": bool(seat and seat.is_chief), "marks": seat.marks if seat else True,
                     "criteria": {c.id for c in seat.criteria} if seat else set()})
    rows.sort(key=lambda r: (not r["seated"], int(r["position"] or 0), r["judge"].user.name))
    return rows


def _rows_from_form(judges):
    seated = set(request.form.getlist("seat"))
    rows, errors = [], []
    for judge in judges:
        key = str(judge.id)
        criteria = set()
        for value in request.form.getlist(f"criteria-{key}"):
            if value.isdigit():
                criteria.add(int(value))
        row = {"judge": judge, "seated": key in seated, "position": request.form.get(f"position-{key}", "").strip(),
               "chief": request.form.get(f"chief-{key}") is not None, "criteria": criteria,
               "marks": request.form.get(f"supervises-{key}") is None, "error": None}
        if row["seated"]:
            if row["position"] and not (row["position"].isdigit() and 1 <= int(row["position"]) <= 999):
                row["error"] = _("The place on the panel is a whole number from 1 to 999.")
        elif row["chief"]:
            row["error"] = _("A chief judge must be on the panel.")
        if row["error"]:
            errors.append(row["error"])
        rows.append(row)
    return rows, errors


def _panel_page(contest, event, status=200, *, rows=None, error=None, report=None):
    judges = services.contest_judges(contest, supervisors=False)
    counts = dict(db.session.execute(
        select(Assignment.judge_id, func.count()).join(Entry, Entry.id == Assignment.entry_id)
        .where(Entry.event_id == event.id).group_by(Assignment.judge_id)).all())
    return render_template("judges/panel.html", contest=contest, event=event,
                           rows=rows or _rows_from_db(event, judges), criteria=list(event.criteria), counts=counts,
                           confirm=ConfirmForm(formdata=None), error=error, report=report), status


@bp.get("/o/c/<slug>/judges/panels/<code>")
@login_required
def panel(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    return _panel_page(contest, event)


@bp.post("/o/c/<slug>/judges/panels/<code>")
@login_required
def panel_save(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    judges = services.contest_judges(contest, supervisors=False)
    rows, errors = _rows_from_form(judges)
    if errors:
        return _panel_page(contest, event, 422, rows=rows, error=_("Check the rows marked below."))
    choices = [services.SeatChoice(r["judge"].id, int(r["position"] or 999), r["chief"], sorted(r["criteria"]),
                                   r["marks"]) for r in rows if r["seated"]]
    try:
        services.save_panel(current_user, event, choices)
    except ActionRefused as refused:
        return _panel_page(contest, event, refused.status, rows=rows, error=refused.message)
    saved = ngettext("The panel of %(event)s is saved: %(num)d judge.",
                     "The panel of %(event)s is saved: %(num)d judges.", len(choices), event=event.name)
    flash(saved + " " + _("Generate the assignments to apply it."), "success")
    return redirect(url_for(".panel", slug=slug, code=code))


@bp.post("/o/c/<slug>/judges/panels/<code>/assign")
@login_required
def panel_assign(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    report = services.generate_assignments(current_user, event)
    db.session.expire_all()
    return _panel_page(contest, event, report=report)


# --- a judge's tablet ------------------------------------------------------------------------------

def _login_limit():
    # Per address, as high as a room of tablets behind one NAT needs: a link's token (32 random
    # bytes) cannot be guessed, so the bound only stops a flood.
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _unusable(refused: ActionRefused):
    return render_template("judges/link_error.html", message=refused.message), refused.status, NO_STORE


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit)
def login_link(token: str):
    """GET asks to confirm (a link preview or a scanner's prefetch must not spend the link);
    POST logs the judge in and opens their judging home."""
    link = services.find_link(token)
    if link is None:
        return _unusable(ActionRefused(404, "link_unknown"))
    state = services.link_state(link)
    if state != "usable":
        return _unusable(ActionRefused(410, f"link_{state}"))
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("judges/link_confirm.html", form=form, person=link.user,
                                   error=_("The form expired. Please confirm again.")), 400, NO_STORE
        try:
            user = services.use_link(token, request.remote_addr)
        except ActionRefused as refused:
            return _unusable(refused)
        login_user(user)
        return redirect(url_for("judging.home"))
    return render_template("judges/link_confirm.html", form=form, person=link.user), 200, NO_STORE
