"""The organiser's entries pages under /o/c/<slug>/entries: the list with filters and masked
personal data, review actions, the entrant list import (upload → preview → confirm) with its
templates, and the export. Every page loads its contest through managed_contest."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..registration import identity as ident
from ..registration import importing
from ..registration.messages import (ENTRY_STATUS_LABELS, FIELD_LABELS, FILE_PROBLEMS, GENDER_LABELS,
                                     ID_TYPE_LABELS, SKILL_LEVEL_LABELS, problem_message)
from . import bp
from . import entries_services as services
from .entries_forms import BulkForm, ConfirmImportForm, ExportForm, FilterForm, ReviewForm, UploadForm
from .scope import managed_contest

PREVIEW_ROWS = 20


@bp.context_processor
def _entry_labels():
    return {"mask_id": ident.mask_id, "mask_mobile": ident.mask_mobile, "entry_status_labels": ENTRY_STATUS_LABELS,
            "id_type_labels": ID_TYPE_LABELS, "gender_labels": GENDER_LABELS,
            "skill_level_labels": SKILL_LEVEL_LABELS, "field_labels": FIELD_LABELS}


def _refusal(refused: services.EntryActionRefused) -> str:
    who = refused.entry.name if refused.entry is not None else ""
    return {
        "reason_required": _("A rejection needs a reason: the registrant will read it."),
        "none_selected": _("Select at least one entry."),
        "not_found": _("One of the entries is not in this contest."),
        "wrong_status": _("%(name)s cannot take this action in its current status.", name=who),
        "has_marks": _("%(name)s already has marks: it cannot be rejected or withdrawn.", name=who),
        "full": _("%(event)s is full: all %(capacity)s places are taken. Withdraw or reject another entry first, "
                  "or raise the event's capacity.",
                  event=refused.entry.event.name if refused.entry is not None else "",
                  capacity=refused.entry.event.capacity if refused.entry is not None else ""),
    }.get(refused.code, _("This action is not possible."))


def _back(slug: str):
    target = request.form.get("back") or ""
    # Only our own list, with its filters, is a place to go back to.
    prefix = url_for("organiser.entries", slug=slug)
    return redirect(target if target.startswith(prefix) else prefix)


@bp.get("/c/<slug>/entries")
@login_required
def entries(slug: str):
    contest = managed_contest(slug)
    delegations = services.delegations(contest)
    filters = FilterForm(request.args)
    filters.set_contest(contest, delegations)
    chosen = services.EntryFilter(event=filters.event.data or "", status=filters.status.data or "",
                                  delegation=int(filters.delegation.data) if (filters.delegation.data or "").isdigit()
                                  else None, q=filters.q.data or "")
    rows = services.list_entries(contest, chosen)
    return render_template("organiser/entries.html", contest=contest, filters=filters, rows=rows,
                           counts=services.counts_by_status(contest), review=ReviewForm(), bulk=BulkForm(),
                           export=ExportForm(), back=request.full_path.rstrip("?"))


@bp.post("/c/<slug>/entries/<int:entry_id>/<any(approve, reject, withdraw):action>")
@login_required
def review_entry(slug: str, entry_id: int, action: str):
    contest = managed_contest(slug)
    form = ReviewForm()
    if not form.validate_on_submit():
        flash(" ".join(str(e) for e in form.reason.errors) or _("The form has expired. Please try again."), "error")
        return _back(slug)
    try:
        done = services.review(contest, action, [entry_id], user=current_user, reason=form.reason.data,
                               ip=request.remote_addr)
    except services.EntryActionRefused as refused:
        if refused.code == "not_found":
            abort(404)
        flash(_refusal(refused), "error")
    else:
        flash({"approve": _("Approved: %(name)s."), "reject": _("Rejected: %(name)s."),
               "withdraw": _("Withdrawn: %(name)s.")}[action] % {"name": done[0].name}, "success")
    return _back(slug)


@bp.post("/c/<slug>/entries/approve")
@login_required
def approve_selected(slug: str):
    contest = managed_contest(slug)
    form = BulkForm()
    ids = [int(v) for v in request.form.getlist("entry") if v.isdigit()]
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return _back(slug)
    try:
        done = services.review(contest, "approve", ids, user=current_user, ip=request.remote_addr)
    except services.EntryActionRefused as refused:
        if refused.code == "not_found":
            abort(404)
        flash(_refusal(refused), "error")
    else:
        flash(ngettext("%(num)d entry approved.", "%(num)d entries approved.", len(done)), "success")
    return _back(slug)


# --- export ----------------------------------------------------------------------------------

def _file_response(contest, fmt: str, header: list[str], rows: list[list], stem: str) -> Response:
    from urllib.parse import quote
    if fmt == "xlsx":
        body = importing.xlsx_bytes(header, rows, title=stem)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = importing.csv_bytes(header, rows)
        mimetype = "text/csv; charset=utf-8"
    name = f"{contest.slug}-{stem}.{fmt}"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/c/<slug>/entries/export.<any(xlsx, csv):fmt>")
@login_required
def export_entries(slug: str, fmt: str):
    """Masked ID and mobile numbers: what an organiser normally needs."""
    contest = managed_contest(slug)
    services.record_export(contest, user=current_user, fmt=fmt, full=False, ip=request.remote_addr)
    return _file_response(contest, fmt, services.EXPORT_HEADER, services.export_rows(contest, full=False), "entries")


@bp.post("/c/<slug>/entries/export")
@login_required
def export_entries_full(slug: str):
    """Full numbers only when asked for explicitly, with a reason, recorded in the audit log."""
    contest = managed_contest(slug)
    form = ExportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(str(e) for e in errors), "error")
        return redirect(url_for("organiser.entries", slug=slug))
    full = bool(form.full.data)
    services.record_export(contest, user=current_user, fmt=form.format.data, full=full,
                           reason=(form.reason.data or "").strip(), ip=request.remote_addr)
    return _file_response(contest, form.format.data, services.EXPORT_HEADER,
                          services.export_rows(contest, full=full), "entries-full" if full else "entries")


# --- import ----------------------------------------------------------------------------------

@bp.get("/c/<slug>/entries/import/template.<any(xlsx, csv):fmt>")
@login_required
def import_template(slug: str, fmt: str):
    contest = managed_contest(slug)
    # The team column only where there are teams to enter.
    fields = [f for f in importing.CANONICAL_HEADERS if f != "team" or any(e.is_team for e in contest.events)]
    return _file_response(contest, fmt, [importing.CANONICAL_HEADERS[f] for f in fields], [], "template")


@bp.route("/c/<slug>/entries/import", methods=["GET", "POST"])
@login_required
def import_upload(slug: str):
    contest = managed_contest(slug)
    form = UploadForm()
    form.set_events(contest.events)
    if form.validate_on_submit():
        upload = form.file.data
        content = upload.read()
        try:
            importing.read_table(upload.filename or "", content)
        except importing.UnreadableFile as unreadable:
            form.file.errors = [str(FILE_PROBLEMS[unreadable.code]) % {"max": importing.MAX_ROWS}]
        else:
            token = services.store_upload(contest, current_user, upload.filename or "", content,
                                          form.default_event.data or None)
            return redirect(url_for("organiser.import_preview", slug=slug, token=token))
    status = 422 if request.method == "POST" else 200
    return render_template("organiser/entries_import.html", contest=contest, form=form), status


def _mapping(table: list[list[str]]) -> list[str | None]:
    """The automatic header match, overridden by the organiser's choice per column (map_<i>)."""
    mapping = importing.match_headers(table[0])
    for i in range(len(mapping)):
        chosen = request.values.get(f"map_{i}")
        if chosen is not None:
            mapping[i] = chosen if chosen in importing.FIELDS else None
    return mapping


def _preview(contest, token: str, meta: dict, table, mapping, default_event, checked, status=200):
    problems = [(p, FIELD_LABELS.get(p.column, ""), problem_message(p)) for p in checked.problems]
    columns = [(i, text, mapping[i]) for i, text in enumerate(table[0])]
    confirm = ConfirmImportForm(default_event=default_event or "")
    return render_template(
        "organiser/entries_import_preview.html", contest=contest, token=token, filename=meta.get("filename", ""),
        columns=columns, fields=importing.FIELDS, problems=problems, checked=checked, confirm=confirm,
        sample=checked.rows[:PREVIEW_ROWS], total=len([r for r in table[1:] if any(c.strip() for c in r)]),
        default_event=default_event, event_names={e.code: e.name for e in contest.events}), status


def _load(contest, token: str):
    loaded = services.load_upload(contest, current_user, token)
    if loaded is None:
        abort(404)
    meta, content = loaded
    try:
        table = importing.read_table(meta.get("filename", ""), content)
    except importing.UnreadableFile:
        abort(404)
    return meta, table


@bp.get("/c/<slug>/entries/import/<token>")
@login_required
def import_preview(slug: str, token: str):
    contest = managed_contest(slug)
    meta, table = _load(contest, token)
    default_event = request.args.get("default_event", meta.get("default_event") or "") or None
    mapping = _mapping(table)
    checked = services.check_import(contest, table, mapping, default_event)
    return _preview(contest, token, meta, table, mapping, default_event, checked)


@bp.post("/c/<slug>/entries/import/<token>")
@login_required
def import_confirm(slug: str, token: str):
    contest = managed_contest(slug)
    meta, table = _load(contest, token)
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("organiser.import_preview", slug=slug, token=token))
    default_event = form.default_event.data or None
    mapping = _mapping(table)
    checked = services.import_entries(contest, table, mapping, default_event, user=current_user,
                                      filename=meta.get("filename", ""), ip=request.remote_addr)
    if not checked.is_clean:
        return _preview(contest, token, meta, table, mapping, default_event, checked, status=422)
    services.discard_upload(token)
    flash(ngettext("%(num)d entry imported.", "%(num)d entries imported.", checked.entries), "success")
    return redirect(url_for("organiser.entries", slug=slug))
