"""Organiser pages for a contest's settings, its status, its events and their marking schemes,
and the contest file (download and upload). Thin handlers: find through scope (404 for another
organisation), check the form, call contest_services, say what happened."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from .. import policy
from ..accounts.models import Organisation
from ..contests.lifecycle import next_statuses, transition_refusals
from ..contests.models import Criterion, Section
from ..extensions import db
from ..i18n import status_label
from ..scoring import decimal_text
from . import bp
from . import contest_services as services
from .contest_forms import (ConfirmForm, ContestForm, CopySchemeForm, CriterionForm, EventForm, ImportForm,
                            SectionForm, StatusForm, award_rows, kind_label, method_label, translate_file_problem,
                            translate_problem)
from .scope import managed_contest, managed_event

def status_action_label(current: str, target: str) -> str:
    return {
        ("draft", "registration"): _("Open registration"),
        ("registration", "judging"): _("Start judging"),
        ("judging", "finished"): _("Finish judging"),
        ("finished", "published"): _("Publish results"),
        ("registration", "draft"): _("Back to draft"),
        ("judging", "registration"): _("Back to registration"),
        ("finished", "judging"): _("Reopen judging"),
        ("published", "finished"): _("Withdraw the publication"),
    }[current, target]


def refusal_message(refusal) -> str:
    events = ", ".join(refusal.events)
    return {
        "unknown_status": _("There is no such status."),
        "not_adjacent": _("A contest moves one step at a time: draft, registration, judging, finished, published."),
        "archived": _("The contest is archived: unarchive it first."),
        "no_events": _("Add at least one event first."),
        "marks_exist": _("Judges have already given marks: the contest cannot go back to registration."),
        "no_criteria": _("These events have no criterion in their marking scheme yet: %(events)s.", events=events),
        "invalid_scheme": _("The marking scheme of these events cannot be scored yet: %(events)s.", events=events),
    }.get(refusal.code, refusal.code)


def scheme_locked_message() -> str:
    return _("This event already has marks. Changing its marking scheme, decimal places, tie-break or awards "
             "now would silently change results and ranks, so it is refused.")


def _require_creator():
    if not policy.can_create_contest(current_user):
        abort(403)


# --- contests ------------------------------------------------------------------------------

def _organisation_choices(form: ContestForm) -> bool:
    """Admins without an organisation choose one; everybody else creates in their own. False
    when an admin has no organisation to choose from."""
    if current_user.organisation_id is not None:
        del form.organisation
        return True
    organisations = db.session.scalars(select(Organisation).order_by(Organisation.name)).all()
    form.organisation.choices = [SelectChoice(o.id, o.name) for o in organisations]
    return bool(organisations)


@bp.route("/contests/new", methods=["GET", "POST"])
@login_required
def contest_new():
    _require_creator()
    form = ContestForm(slug_taken=services.slug_taken)
    can_create = _organisation_choices(form)
    if can_create and form.validate_on_submit():
        organisation_id = current_user.organisation_id or form.organisation.data
        try:
            contest = services.create_contest(current_user, organisation_id, form.values())
        except services.Taken:
            form.slug.errors.append(_("The address “%(slug)s” is already taken by another contest.", slug=form.slug.data))
        else:
            flash(_("Contest “%(name)s” created. Now add its events.", name=contest.name), "success")
            return redirect(url_for("organiser.events", slug=contest.slug))
    return render_template("organiser/contest_new.html", form=form, can_create=can_create)


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@login_required
def contest_settings(slug: str):
    contest = managed_contest(slug)
    form = ContestForm(obj=contest, slug_taken=lambda s: services.slug_taken(s, contest))
    del form.organisation
    if contest.status != "draft":
        # Links and QR codes with the address are out once registration opens.
        form.slug.render_kw = dict(form.slug.render_kw or {}, readonly=True)
    if form.validate_on_submit():
        values = form.values()
        if contest.status != "draft" and values["slug"] != contest.slug:
            form.slug.errors.append(_("The address can only change while the contest is a draft: links to it are out."))
        else:
            try:
                changed = services.update_contest(current_user, contest, values)
            except services.Taken:
                form.slug.errors.append(_("The address “%(slug)s” is already taken by another contest.",
                                          slug=values["slug"]))
            else:
                flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
                return redirect(url_for("organiser.contest_settings", slug=contest.slug))
    return render_template("organiser/contest_settings.html", contest=contest, form=form, **_status_context(contest))


def _status_context(contest) -> dict:
    facts = services.contest_facts(contest)
    steps = [{"target": target, "label": status_action_label(contest.status, target),
              "forward": i == 0 and target != "draft" and contest.status != "published",
              "refusals": [refusal_message(r) for r in transition_refusals(contest.status, target, facts)]}
             for i, target in enumerate(next_statuses(contest.status))]
    return {"steps": steps, "status_form": StatusForm(), "confirm_form": ConfirmForm()}


@bp.post("/c/<slug>/status")
@login_required
def contest_status(slug: str):
    contest = managed_contest(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    before = contest.status
    try:
        services.change_status(current_user, contest, form.target.data)
    except services.StatusRefused as refused:
        for refusal in refused.refusals:
            flash(refusal_message(refusal), "error")
    else:
        flash(_("The contest went from “%(before)s” to “%(after)s”.", before=status_label(before),
                after=status_label(contest.status)), "success")
    return redirect(url_for("organiser.contest_settings", slug=contest.slug))


@bp.post("/c/<slug>/archive")
@login_required
def contest_archive(slug: str):
    return _set_archived(slug, True, _("The contest is archived: it is off the public pages and the judges' lists."))


@bp.post("/c/<slug>/unarchive")
@login_required
def contest_unarchive(slug: str):
    return _set_archived(slug, False, _("The contest is back from the archive."))


def _set_archived(slug: str, archived: bool, message: str):
    contest = managed_contest(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.set_archived(current_user, contest, archived)
    flash(message, "success")
    return redirect(url_for("organiser.contest_settings", slug=contest.slug))


@bp.get("/c/<slug>/contest.json")
@login_required
def contest_download(slug: str):
    contest = managed_contest(slug)
    return Response(services.export_json(contest), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{contest.slug}.json"'})


@bp.route("/contests/import", methods=["GET", "POST"])
@login_required
def contest_upload():
    _require_creator()
    form = ImportForm()
    problems = []
    if form.validate_on_submit():
        organisation = current_user.organisation.name if current_user.organisation_id else None
        try:
            contest = services.import_upload(current_user, form.file.data.read(), organisation_name=organisation,
                                             slug=(form.slug.data or "").strip() or None,
                                             name=(form.name.data or "").strip() or None,
                                             scheme_only=form.scheme_only.data)
        except services.ContestFileInvalid as invalid:
            problems = [translate_file_problem(p) for p in invalid.problems]
        else:
            flash(_("Contest “%(name)s” imported.", name=contest.name), "success")
            return redirect(url_for("organiser.contest_settings", slug=contest.slug))
    return render_template("organiser/contest_upload.html", form=form, problems=problems)


# --- events --------------------------------------------------------------------------------

@bp.get("/c/<slug>/events")
@login_required
def events(slug: str):
    contest = managed_contest(slug)
    rows = [{"event": e, "problems": len(services.scheme_problems(e)), "marks": services.event_has_marks(e)}
            for e in contest.events]
    return render_template("organiser/events.html", contest=contest, rows=rows, confirm_form=ConfirmForm(),
                           deadline=_local)


def _local(moment):
    return to_user_timezone(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _event_form(contest, event=None, **kwargs) -> EventForm:
    sections = [s.code for s in event.sections] if event is not None else []
    taken = (lambda code: any(e.code == code and e is not event for e in contest.events))
    return EventForm(code_taken=taken, sections=sections, **kwargs)


def _deadline_values(form: EventForm) -> dict:
    values = form.values()
    if values["registration_deadline"] is not None:
        values["registration_deadline"] = to_utc(values["registration_deadline"])
    return values


@bp.route("/c/<slug>/events/new", methods=["GET", "POST"])
@login_required
def event_new(slug: str):
    contest = managed_contest(slug)
    form = _event_form(contest)
    if request.method == "GET":
        form.position.data = services.next_position(contest.events)
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, contest, _deadline_values(form))
        except services.Taken:
            form.code.errors.append(_("This contest already has an event with the code “%(code)s”.", code=form.code.data))
        else:
            flash(_("Event “%(name)s” created. Now write its marking scheme.", name=event.name), "success")
            return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))
    return render_template("organiser/event_form.html", contest=contest, event=None, form=form)


@bp.route("/c/<slug>/events/<code>/edit", methods=["GET", "POST"])
@login_required
def event_edit(slug: str, code: str):
    contest, event = managed_event(slug, code)
    if request.method == "GET":
        data = {"code": event.code, "name": event.name, "position": event.position, "is_team": event.is_team,
                "team_size": event.team_size, "capacity": event.capacity, "places": event.places,
                "registration_deadline": to_user_timezone(event.registration_deadline).replace(tzinfo=None)
                if event.registration_deadline else None,
                "tie_break": list(event.tie_break or []), "awards": award_rows(event.awards)}
        form = _event_form(contest, event, data=data)
    else:
        form = _event_form(contest, event)
    if form.validate_on_submit():
        try:
            changed = services.update_event(current_user, event, _deadline_values(form))
        except services.SchemeLocked:
            form.form_errors.append(scheme_locked_message())
        except services.Taken:
            form.code.errors.append(_("This contest already has an event with the code “%(code)s”.", code=form.code.data))
        else:
            flash(_("Event saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("organiser.events", slug=contest.slug))
    return render_template("organiser/event_form.html", contest=contest, event=event, form=form,
                           has_marks=services.event_has_marks(event))


@bp.post("/c/<slug>/events/<code>/delete")
@login_required
def event_delete(slug: str, code: str):
    contest, event = managed_event(slug, code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    name = event.name
    try:
        services.delete_event(current_user, event)
    except services.InUse:
        flash(_("“%(name)s” has entries or marks and cannot be deleted.", name=name), "error")
    else:
        flash(_("Event “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("organiser.events", slug=contest.slug))


# --- the marking scheme --------------------------------------------------------------------

def _problem_text(event, path, message) -> str:
    """A scheme problem with where it is, in the event's own words (section P, criterion P1)."""
    where = ""
    if len(path) >= 2 and path[0] == "sections" and path[1] < len(event.sections):
        section = event.sections[path[1]]
        where = _("Section %(code)s", code=section.code)
        if len(path) >= 4 and path[2] == "criteria" and path[3] < len(section.criteria):
            where = _("Criterion %(code)s", code=section.criteria[path[3]].code)
    elif path and path[0] == "tie_break":
        where = _("Tie-break")
    elif path and path[0] == "awards":
        where = _("Awards")
    text = translate_problem(message)
    return f"{where}: {text}" if where else text


@bp.get("/c/<slug>/events/<code>/scheme")
@login_required
def scheme(slug: str, code: str):
    contest, event = managed_event(slug, code)
    has_marks = services.event_has_marks(event)
    copy_form = CopySchemeForm()
    sources = [] if has_marks else services.copyable_events(contest, event)
    copy_form.source.choices = [SelectChoice(e.id, f"{e.contest.name} · {e.name} ({e.code})") for e in sources]
    problems = [_problem_text(event, path, message) for path, message in services.scheme_problems(event)]
    return render_template("organiser/scheme.html", contest=contest, event=event, has_marks=has_marks,
                           problems=problems, copy_form=copy_form, confirm_form=ConfirmForm(),
                           method_label=method_label, kind_label=kind_label, number=decimal_text)


def _locked_redirect(contest, event):
    flash(scheme_locked_message(), "error")
    return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))


def _section_of(event, section_code: str) -> Section:
    section = next((s for s in event.sections if s.code == section_code), None)
    if section is None:
        abort(404)
    return section


@bp.route("/c/<slug>/events/<code>/sections/new", methods=["GET", "POST"])
@bp.route("/c/<slug>/events/<code>/sections/<section_code>/edit", methods=["GET", "POST"])
@login_required
def section_form(slug: str, code: str, section_code: str | None = None):
    contest, event = managed_event(slug, code)
    section = _section_of(event, section_code) if section_code else None
    taken = (lambda c: any(s.code == c and s is not section for s in event.sections))
    if request.method == "GET" and section is not None:
        form = SectionForm(code_taken=taken, data={
            "code": section.code, "name": section.name, "position": section.position,
            "weight": decimal_text(section.weight) if section.weight is not None else "",
            "pass_mark": decimal_text(section.pass_mark) if section.pass_mark is not None else ""})
    else:
        form = SectionForm(code_taken=taken)
        if request.method == "GET":
            form.position.data = services.next_position(event.sections)
    has_marks = services.event_has_marks(event)
    if form.validate_on_submit():
        try:
            services.save_section(current_user, event, section, form.clean)
        except services.SchemeLocked:
            form.form_errors.append(scheme_locked_message())
        except services.Taken:
            form.code.errors.append(_("This event already has a section with the code “%(code)s”.", code=form.code.data))
        else:
            flash(_("Section saved."), "success")
            return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))
    return render_template("organiser/section_form.html", contest=contest, event=event, section=section, form=form,
                           has_marks=has_marks)


@bp.post("/c/<slug>/events/<code>/sections/<section_code>/delete")
@login_required
def section_delete(slug: str, code: str, section_code: str):
    contest, event = managed_event(slug, code)
    section = _section_of(event, section_code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_section(current_user, event, section)
    except services.SchemeLocked:
        return _locked_redirect(contest, event)
    flash(_("Section %(code)s deleted with its criteria.", code=section_code), "success")
    return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))


def _criterion_of(event, criterion_code: str) -> Criterion:
    criterion = next((c for s in event.sections for c in s.criteria if c.code == criterion_code), None)
    if criterion is None:
        abort(404)
    return criterion


def _criterion_data(c: Criterion) -> dict:
    descriptors = list(c.descriptors or []) + [""] * 4
    data = {"code": c.code, "name": c.name, "description": c.description, "max": decimal_text(c.max), "kind": c.kind,
            "method": c.method, "judges": c.judges, "trim": c.trim, "spread": decimal_text(c.spread),
            "tolerance": decimal_text(c.tolerance) if c.tolerance is not None else "",
            "step": decimal_text(c.step) if c.step is not None else "", "position": c.position}
    data.update({f"descriptor_{i}": descriptors[i] for i in range(4)})
    return data


@bp.route("/c/<slug>/events/<code>/sections/<section_code>/criteria/new", methods=["GET", "POST"])
@bp.route("/c/<slug>/events/<code>/criteria/<criterion_code>/edit", methods=["GET", "POST"])
@login_required
def criterion_form(slug: str, code: str, section_code: str | None = None, criterion_code: str | None = None):
    contest, event = managed_event(slug, code)
    criterion = _criterion_of(event, criterion_code) if criterion_code else None
    section = criterion.section if criterion is not None else _section_of(event, section_code)
    all_criteria = [c for s in event.sections for c in s.criteria]
    taken = (lambda c: any(x.code == c and x is not criterion for x in all_criteria))
    if request.method == "GET" and criterion is not None:
        form = CriterionForm(code_taken=taken, data=_criterion_data(criterion))
    else:
        form = CriterionForm(code_taken=taken)
        if request.method == "GET":
            form.position.data = services.next_position(all_criteria)
    has_marks = services.event_has_marks(event)
    if form.validate_on_submit():
        try:
            services.save_criterion(current_user, event, section, criterion, form.spec, form.position.data)
        except services.SchemeLocked:
            form.form_errors.append(scheme_locked_message())
        except services.Taken:
            form.code.errors.append(_("This event already has a criterion with the code “%(code)s”.",
                                      code=form.code.data))
        else:
            flash(_("Criterion saved."), "success")
            return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))
    return render_template("organiser/criterion_form.html", contest=contest, event=event, section=section,
                           criterion=criterion, form=form, has_marks=has_marks)


@bp.post("/c/<slug>/events/<code>/criteria/<criterion_code>/delete")
@login_required
def criterion_delete(slug: str, code: str, criterion_code: str):
    contest, event = managed_event(slug, code)
    criterion = _criterion_of(event, criterion_code)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.delete_criterion(current_user, event, criterion)
    except services.SchemeLocked:
        return _locked_redirect(contest, event)
    flash(_("Criterion %(code)s deleted.", code=criterion_code), "success")
    return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))


@bp.post("/c/<slug>/events/<code>/scheme/copy")
@login_required
def scheme_copy(slug: str, code: str):
    contest, event = managed_event(slug, code)
    if services.event_has_marks(event):
        return _locked_redirect(contest, event)
    form = CopySchemeForm()
    sources = {e.id: e for e in services.copyable_events(contest, event)}
    form.source.choices = [SelectChoice(i, e.name) for i, e in sources.items()]
    if not form.validate_on_submit():
        flash(_("Choose an event to copy the marking scheme from."), "error")
        return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))
    source = sources[form.source.data]
    try:
        services.copy_scheme(current_user, event, source)
    except services.SchemeLocked:
        return _locked_redirect(contest, event)
    flash(_("The marking scheme of “%(source)s” is copied into this event.", source=source.name), "success")
    return redirect(url_for("organiser.scheme", slug=contest.slug, code=event.code))
