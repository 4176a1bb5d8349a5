"""Entries' pages. Public: /c/<slug>/register (the form), its confirmation with the registrant's
reference, and the status lookup (reference + last 4 of the ID number, rate-limited).
Organisers: /o/c/<slug>/entries (the list with filters and masked personal data, review
actions, the entrant list import: upload → preview → confirm, its templates, the export) and a
contestant's page, where seeing a full personal value is an explicit, audited POST.
Handlers are thin: find through the policy's scope, validate, call a service, render."""
from urllib.parse import quote

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import policy, spreadsheets, uploads
from ..privacy import mask_email
from ..certificates import services as certificates
from ..certificates import pdf as certificate_pdf
from ..contests.lifecycle import takes_registrations
from ..database import utcnow
from ..errors import ActionRefused
from ..extensions import limiter
from ..forms import attach
from ..messages import (ENTRY_STATUS_LABELS, FIELD_LABELS, GENDER_LABELS, ID_TYPE_LABELS, SKILL_LEVEL_LABELS,
                        message)
from . import identity as ident
from . import importing, services
from .forms import (BulkForm, ConfirmImportForm, CorrectionForm, EntryCorrectionForm, ExportForm, FilterForm, RegistrationForm, RevealForm, ReviewForm, TeamRegistrationForm,
                    StatusForm, UploadForm)

bp = Blueprint("entries", __name__)



@bp.context_processor
def _entry_labels():
    return {"entry_status_labels": ENTRY_STATUS_LABELS,
            "id_type_labels": ID_TYPE_LABELS, "gender_labels": GENDER_LABELS,
            "skill_level_labels": SKILL_LEVEL_LABELS, "field_labels": FIELD_LABELS}


# --- the public form ---------------------------------------------------------------------------

def _status_limit() -> str:
    return current_app.config["REGISTRATION_STATUS_RATE_LIMIT"]


@bp.route("/c/<slug>/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register(slug: str):
    contest = policy.viewable_contest(slug)
    events = services.open_events(contest)
    teams = bool(services.open_events(contest, team=True))
    if not events:
        return render_template("entries/register_closed.html", contest=contest,
                               is_open=takes_registrations(contest), teams=teams)
    form = RegistrationForm()
    form.set_events(events, {e.code for e in contest.events})
    if form.validate_on_submit():
        try:
            contestant = services.register(contest, form.person, form.events.data, ip=request.remote_addr)
        except ActionRefused as refused:
            attach(form, refused)
        else:
            session["registered"] = {"contest": contest.slug, "reference": contestant.reference}
            return redirect(url_for(".register_done", slug=contest.slug))
    status = 422 if request.method == "POST" else 200
    return render_template("entries/register.html", contest=contest, form=form, teams=teams,
                           delegations=services.suggested_delegations(contest)), status


@bp.route("/c/<slug>/register/team", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["REGISTRATION_RATE_LIMIT"], methods=["POST"])
def register_team(slug: str):
    """A team registers: the event, its name, delegation, leader and contact, a row per member."""
    contest = policy.viewable_contest(slug)
    events = services.open_events(contest, team=True)
    if not events:
        return render_template("entries/register_closed.html", contest=contest,
                               is_open=takes_registrations(contest), teams=False)
    form = TeamRegistrationForm().set_events(events)
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        try:
            team = services.register_team(contest, form.event.data, name=form.name.data,
                                          delegation=form.delegation.data, leader=form.leader.data,
                                          contact=form.contact.data, members=form.people, ip=request.remote_addr)
        except ActionRefused as refused:
            attach(form, refused)
            status = refused.status
        else:
            session["registered_team"] = {"contest": contest.slug, "team": team.name, "event": team.event.name,
                                          "members": [[p.name, p.reference] for p in team.members]}
            return redirect(url_for(".register_team_done", slug=contest.slug))
    return render_template("entries/register_team.html", contest=contest, form=form,
                           delegations=services.suggested_delegations(contest)), status


@bp.get("/c/<slug>/register/team/done")
def register_team_done(slug: str):
    contest = policy.viewable_contest(slug)
    registered = session.get("registered_team") or {}
    if registered.get("contest") != contest.slug:
        return redirect(url_for(".register_team", slug=contest.slug))
    return render_template("entries/register_team_done.html", contest=contest, registered=registered)


@bp.get("/c/<slug>/register/done")
def register_done(slug: str):
    contest = policy.viewable_contest(slug)
    registered = session.get("registered") or {}
    if registered.get("contest") != contest.slug:
        return redirect(url_for(".register", slug=contest.slug))
    return render_template("entries/register_done.html", contest=contest, reference=registered["reference"])


@bp.route("/c/<slug>/register/status", methods=["GET", "POST"])
@limiter.limit(_status_limit, methods=["POST"])
def register_status(slug: str):
    contest = policy.viewable_contest(slug)
    form = StatusForm()
    view = None
    code = 200
    if form.validate_on_submit():
        contestant = services.find_registrant(contest, form.reference.data, form.id_last4.data)
        if contestant is None:
            form.id_last4.errors = [_("No registration matches this reference and these digits.")]
            code = 404
        else:
            # The same browser may then file an appeal without saying who it is again.
            services.remember_registrant(session, contest, contestant)
            view = services.status_view(contest, contestant)
    elif request.method == "POST":
        code = 422
    elif request.args.get("again") is not None:
        services.forget_registrant(session)  # "another registration": this browser forgets the last
    elif (known := services.identified_registrant(session, contest)) is not None:
        view = services.status_view(contest, known)
    return render_template("entries/register_status.html", contest=contest, form=form, view=view,
                           appeals_open=contest.appeals_open(utcnow())), code


@bp.get("/c/<slug>/certificates/<number>.pdf")
def own_certificate(slug: str, number: str):
    """A contestant's own certificate, in the browser that proved who they are (status lookup)."""
    contest = policy.viewable_contest(slug)
    person = services.identified_registrant(session, contest)
    certificate = certificates.lookup(number)
    if certificate is None or person is None or certificate.contest_id != contest.id \
            or certificate.entry.contestant_id != person.id:
        abort(404)
    return certificate_pdf.response(certificate)


# --- the organiser's list and review -------------------------------------------------------------

def _back(slug: str):
    target = request.form.get("back") or ""
    # Only our own list, with its filters, is a place to go back to.
    prefix = url_for("entries.entries", slug=slug)
    return redirect(target if target.startswith(prefix) else prefix)


@bp.get("/o/c/<slug>/entries")
@login_required
def entries(slug: str):
    contest = policy.managed_contest(slug)
    delegations = services.delegations(contest)
    filters = FilterForm(request.args)
    filters.set_contest(contest, delegations)
    chosen = _chosen(request.args)
    listed = services.list_entries(contest, chosen, request.args.get("page", 1, type=int))
    waiting = services.count_matching(contest, chosen, statuses=services.TRANSITIONS["approve"])
    return render_template("entries/list.html", contest=contest, filters=filters, rows=listed.rows, listed=listed,
                           chosen=chosen, waiting=waiting, counts=services.counts_by_status(contest),
                           review=ReviewForm(), bulk=BulkForm(), export=ExportForm(),
                           back=request.full_path.rstrip("?"))


def _chosen(source) -> "services.EntryFilter":
    """The list's filters as sent (the query string, or the bulk form's copy of it)."""
    delegation = source.get("delegation") or ""
    return services.EntryFilter(event=source.get("event") or "", status=source.get("status") or "",
                                delegation=int(delegation) if delegation.isdigit() else None, q=source.get("q") or "")


def _review(slug: str, action: str, ids: list[int], reason: str = ""):
    contest = policy.managed_contest(slug)
    try:
        return services.review(contest, action, ids, user=current_user, reason=reason, ip=request.remote_addr)
    except ActionRefused as refused:
        if refused.status == 404:
            abort(404)
        flash(refused.message, "error")
        return None


@bp.post("/o/c/<slug>/entries/<int:entry_id>/<any(approve, reject, withdraw):action>")
@login_required
def review_entry(slug: str, entry_id: int, action: str):
    policy.managed_contest(slug)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("The form has expired. Please try again."), "error")
        return _back(slug)
    done = _review(slug, action, [entry_id], form.reason.data)
    if done:
        flash({"approve": _("Approved: %(name)s."), "reject": _("Rejected: %(name)s."),
               "withdraw": _("Withdrawn: %(name)s.")}[action] % {"name": done[0].name}, "success")
    return _back(slug)


@bp.post("/o/c/<slug>/entries/approve")
@login_required
def approve_selected(slug: str):
    policy.managed_contest(slug)
    form = BulkForm()
    ids = [int(v) for v in request.form.getlist("entry") if v.isdigit()]
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return _back(slug)
    if request.form.get("scope") == "matching":  # every page of what the filters match
        ids = services.matching_ids(policy.managed_contest(slug), _chosen(request.form),
                                    statuses=services.TRANSITIONS["approve"])
    done = _review(slug, "approve", ids)
    if done:
        flash(ngettext("%(num)d entry approved.", "%(num)d entries approved.", len(done)), "success")
    return _back(slug)


# --- export ----------------------------------------------------------------------------------

MIMETYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "csv": "text/csv; charset=utf-8"}


def _file_response(contest, fmt: str, header: list[str], rows: list[list], stem: str) -> Response:
    body = (spreadsheets.xlsx_bytes(header, rows, title=stem) if fmt == "xlsx"
            else spreadsheets.csv_bytes(header, rows))
    return _attachment(contest, body, fmt, stem)


def _attachment(contest, body: bytes, fmt: str, stem: str) -> Response:
    """A spreadsheet to download, named <contest>-<stem>.<fmt>, never kept by a cache."""
    name = f"{contest.slug}-{stem}.{fmt}"
    response = Response(body, mimetype=MIMETYPES[fmt])
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/o/c/<slug>/entries/export.<any(xlsx, csv):fmt>")
@login_required
def export_entries(slug: str, fmt: str):
    """Masked ID and mobile numbers: what an organiser normally needs."""
    contest = policy.managed_contest(slug)
    services.record_export(contest, user=current_user, fmt=fmt, full=False, ip=request.remote_addr)
    return _file_response(contest, fmt, services.EXPORT_HEADER, services.export_rows(contest, full=False), "entries")


@bp.post("/o/c/<slug>/entries/export")
@login_required
def export_entries_full(slug: str):
    """Full numbers only when asked for explicitly, with a reason, recorded in the audit log."""
    contest = policy.managed_contest(slug)
    form = ExportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return redirect(url_for("entries.entries", slug=slug))
    full = bool(form.full.data)
    services.record_export(contest, user=current_user, fmt=form.format.data, full=full,
                           reason=(form.reason.data or "").strip(), ip=request.remote_addr)
    return _file_response(contest, form.format.data, services.EXPORT_HEADER,
                          services.export_rows(contest, full=full), "entries-full" if full else "entries")


# --- import ----------------------------------------------------------------------------------

@bp.get("/o/c/<slug>/entries/import/template.<any(xlsx, csv):fmt>")
@login_required
def import_template(slug: str, fmt: str):
    """The headers and one example row (which the import ignores). The XLSX keeps the ID and
    mobile columns as text, so Excel keeps all 18 digits, and offers drop-down lists of the
    contest's events, the genders, the documents and the skill levels."""
    contest = policy.managed_contest(slug)
    # The team column only where there are teams to enter.
    fields = [f for f in importing.CANONICAL_HEADERS if f != "team" or any(e.is_team for e in contest.events)]
    header = [importing.CANONICAL_HEADERS[f] for f in fields]
    individual = [e.name for e in contest.events if not e.is_team]
    example = {**importing.EXAMPLE, "event": individual[0] if individual else ""}
    rows = [[example.get(f, "") for f in fields]]
    if fmt == "xlsx":
        lists = {"event": [e.name for e in contest.events],
                 "gender": [names[0] for names in ident.GENDER_NAMES.values()],
                 "id_type": [names[0] for names in ident.ID_TYPE_NAMES.values()],
                 "skill_level": [next(n for n in names if "/" in n) for names in ident.SKILL_LEVEL_NAMES.values()]}
        body = spreadsheets.xlsx_template(
            header, rows, title="template", text_columns=[fields.index(f) for f in ("id_number", "mobile")],
            lists={fields.index(f): values for f, values in lists.items() if f in fields},
            note=(fields.index("name"), importing.EXAMPLE_NOTE))
    else:
        body = spreadsheets.csv_bytes(header, rows)
    return _attachment(contest, body, fmt, "template")


@bp.route("/o/c/<slug>/entries/import", methods=["GET", "POST"])
@login_required
def import_upload(slug: str):
    contest = policy.managed_contest(slug)
    form = UploadForm()
    form.set_events(contest.events)
    if form.validate_on_submit():
        try:
            token = uploads.accept("entries", contest, current_user, form.file.data,
                                   default_event=form.default_event.data or "")
        except importing.UnreadableFile as unreadable:
            form.file.errors = [message(unreadable.code, **unreadable.params)]
        else:
            return redirect(url_for("entries.import_preview", slug=slug, token=token))
    status = 422 if request.method == "POST" else 200
    return render_template("entries/import.html", contest=contest, form=form), status


def _mapping(table: list[list[str]]) -> list[str | None]:
    """The automatic header match, overridden by the organiser's choice per column (map_<i>)."""
    mapping = importing.match_headers(table[0])
    for i in range(len(mapping)):
        chosen = request.values.get(f"map_{i}")
        if chosen is not None:
            mapping[i] = chosen if chosen in importing.FIELDS else None
    return mapping


def _preview(contest, token: str, meta: dict, table, mapping, default_event, checked, status=200):
    shown, page, pages = uploads.preview_page(checked.problems or checked.rows, request.args.get("page", type=int))
    problems = [(p, FIELD_LABELS.get(p.column, ""), message(p.code, value=p.value))
                for p in (shown if checked.problems else [])]
    columns = [(i, text, mapping[i]) for i, text in enumerate(table[0])]
    confirm = ConfirmImportForm(default_event=default_event or "")
    counts = {status: checked.count(status) for status in (importing.NEW, importing.CHANGED, importing.UNCHANGED)}
    return render_template(
        "entries/import_preview.html", contest=contest, token=token, filename=meta.get("filename", ""),
        columns=columns, fields=importing.FIELDS, problems=problems, checked=checked, confirm=confirm,
        sample=[] if checked.problems else shown, page=page, pages=pages,
        total=len([r for r in table[1:] if any(c.strip() for c in r)]),
        default_event=default_event, event_names={e.code: e.name for e in contest.events},
        counts=counts, mask_email=mask_email, changed=[] if checked.problems else [r for r in checked.rows if r.changes]), status


def _load(contest, token: str):
    loaded = uploads.load("entries", contest, current_user, token)
    if loaded is None:
        abort(404)
    return loaded


@bp.get("/o/c/<slug>/entries/import/<token>")
@login_required
def import_preview(slug: str, token: str):
    contest = policy.managed_contest(slug)
    meta, table = _load(contest, token)
    default_event = request.args.get("default_event", meta.get("default_event") or "") or None
    mapping = _mapping(table)
    checked = services.check_import(contest, table, mapping, default_event)
    return _preview(contest, token, meta, table, mapping, default_event, checked)


@bp.post("/o/c/<slug>/entries/import/<token>")
@login_required
def import_confirm(slug: str, token: str):
    contest = policy.managed_contest(slug)
    meta, table = _load(contest, token)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("entries.import_preview", slug=slug, token=token))
    default_event = form.default_event.data or None
    mapping = _mapping(table)
    checked = services.import_entries(contest, table, mapping, default_event, user=current_user,
                                      filename=meta.get("filename", ""), ip=request.remote_addr)
    if not checked.is_clean:
        return _preview(contest, token, meta, table, mapping, default_event, checked, status=422)
    uploads.discard(token)
    if not checked.writes_anything:
        flash(_("Nothing to import: every row is on file already, unchanged."), "success")
    elif checked.has_known:
        flash(" ".join((ngettext("%(num)d entry imported.", "%(num)d entries imported.", checked.entries),
                        ngettext("%(num)d entrant updated.", "%(num)d entrants updated.", checked.updated_people))),
              "success")
    else:
        flash(ngettext("%(num)d entry imported.", "%(num)d entries imported.", checked.entries), "success")
    return redirect(url_for("entries.entries", slug=slug))


# --- a contestant --------------------------------------------------------------------------------

def _contestant(contest, contestant_id: int):
    person = services.contestant_of(contest, contestant_id)
    if person is None:
        abort(404)
    return person


def _contestant_page(contest, person, revealed: dict | None = None, status: int = 200):
    masked = {name: mask(getattr(person, name)) for name, mask in services.REVEALABLE.items()}
    response = render_template("entries/contestant.html", contest=contest, person=person,
                               entries=services.contestant_entries(person), masked=masked, revealed=revealed or {},
                               form=RevealForm(formdata=None))
    # A revealed value must not stay in a cache or come back with the browser's back button.
    return response, status, {"Cache-Control": "no-store", "Pragma": "no-cache"}


@bp.get("/o/c/<slug>/contestants/<int:contestant_id>")
@login_required
def contestant(slug: str, contestant_id: int):
    contest = policy.managed_contest(slug)
    return _contestant_page(contest, _contestant(contest, contestant_id))


@bp.route("/o/c/<slug>/contestants/<int:contestant_id>/correct", methods=["GET", "POST"])
@login_required
def contestant_correct(slug: str, contestant_id: int):
    """Correct a person's data with a reason; the form keeps what was typed when refused."""
    contest = policy.managed_contest(slug)
    person = _contestant(contest, contestant_id)
    if request.method == "GET":
        form = CorrectionForm(formdata=None, obj=person)
        form.delegation.data = person.delegation.name if person.delegation else ""
    status = 200
    if request.method == "POST":
        form, status = CorrectionForm(), 422
        if form.validate_on_submit():
            try:
                changed = services.correct_contestant(current_user, contest, person, form.person, form.reason.data,
                                                      ip=request.remote_addr)
            except ActionRefused as refused:
                attach(form, refused)
                status = refused.status
            else:
                flash(_("Corrected: %(fields)s.", fields="、".join(str(FIELD_LABELS.get(f, f)) for f in changed))
                      if changed else _("Nothing was different: nothing changed."), "success")
                return redirect(url_for("entries.contestant", slug=slug, contestant_id=person.id))
    return render_template("entries/correct.html", contest=contest, person=person, form=form,
                           delegations=services.suggested_delegations(contest)), status, {"Cache-Control": "no-store"}


@bp.route("/o/c/<slug>/entries/<int:entry_id>/correct", methods=["GET", "POST"])
@login_required
def entry_correct(slug: str, entry_id: int):
    """Move an entry to another event, or correct a team's data, with a reason; the form keeps
    what was typed when refused."""
    contest = policy.managed_contest(slug)
    entry = services.entry_of(contest, entry_id)
    if entry is None:
        abort(404)
    events = [e for e in contest.events if e.is_team == entry.event.is_team]
    if request.method == "GET":
        form = EntryCorrectionForm(formdata=None, obj=entry).set_events(events)
        form.event.data = entry.event.code
        form.delegation.data = entry.delegation.name if entry.delegation else ""
    status = 200
    if request.method == "POST":
        form, status = EntryCorrectionForm().set_events(events), 422
        if form.validate_on_submit():
            try:
                done = services.correct_entry(current_user, contest, entry, event_code=form.event.data,
                                              name=form.name.data, delegation=form.delegation.data,
                                              leader=form.leader.data, contact=form.contact.data,
                                              reason=form.reason.data, ip=request.remote_addr)
            except ActionRefused as refused:
                attach(form, refused)
                status = refused.status
            else:
                if not done.changed:
                    flash(_("Nothing was different: nothing changed."), "success")
                else:
                    labels = {**FIELD_LABELS, "name": FIELD_LABELS["team"]}
                    said = [_("Corrected: %(fields)s.", fields="、".join(str(labels.get(f, f)) for f in done.changed))]
                    if "event" in done.changed:
                        said.append(_("Now in %(event)s, bib %(bib)s.", event=entry.event.name, bib=done.bib)
                                    if done.bib else _("Now in %(event)s, without a bib yet.", event=entry.event.name))
                    if done.assignments_dropped:
                        said.append(ngettext("%(num)d judge's assignment was removed: generate the assignment "
                                             "again on the judges' page.",
                                             "%(num)d judges' assignments were removed: generate the assignment "
                                             "again on the judges' page.", done.assignments_dropped))
                    flash(" ".join(said), "success")
                back = url_for("entries.contestant", slug=slug, contestant_id=entry.contestant_id) \
                    if entry.contestant_id else url_for("entries.entries", slug=slug, q=entry.name)
                return redirect(back)
    return render_template("entries/correct_entry.html", contest=contest, entry=entry, form=form,
                           delegations=services.suggested_delegations(contest)), status, {"Cache-Control": "no-store"}


@bp.post("/o/c/<slug>/contestants/<int:contestant_id>/reveal")
@login_required
def contestant_reveal(slug: str, contestant_id: int):
    contest = policy.managed_contest(slug)
    person = _contestant(contest, contestant_id)
    form = RevealForm()
    if not form.validate_on_submit():
        return _contestant_page(contest, person, status=400)
    value = services.reveal(current_user, contest, person, form.field.data, request.remote_addr)
    return _contestant_page(contest, person, {form.field.data: value})
