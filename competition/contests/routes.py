"""Organiser pages for contests: the dashboard, a new contest, its settings and status, its
events and their marking schemes. Thin handlers: find through the policy's scope (404 for what
is not the organiser's), check the form, call a service, say what happened. A refused action
comes back next to its field, or (from a button) as a message on the page it came from."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice
from wtforms.validators import NoneOf

from ..collation import pinyin_key
from .. import policy, times
from ..accounts.models import Organisation
from ..errors import ActionRefused
from ..extensions import db
from ..forms import ConfirmForm, ask_first, attach, confirmed
from ..scoring.durations import InvalidDuration, format_duration, parse_duration
from ..messages import message, status_label
from ..scoring import decimal_text
from . import services
from .forms import (AnnounceForm, ContestForm, CopySchemeForm, CriterionForm, EventForm, SectionForm, StatusForm, award_rows,
                    kind_label, method_label, promotion_data, say)
from .lifecycle import announce_refusals, needs_reason, next_statuses, transition_refusals
from .models import Contest, Criterion, Section

bp = Blueprint("contests", __name__, url_prefix="/o")


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


def _require_creator():
    if not policy.can_create_contest(current_user):
        abort(403)


def _confirmed():
    if not ConfirmForm().validate_on_submit():
        abort(400)


# --- contests ------------------------------------------------------------------------------

@bp.get("/")
@login_required
def dashboard():
    _require_creator()
    query = select(Contest).order_by(Contest.archived_at.is_not(None), Contest.starts_on.desc().nulls_last(),
                                     Contest.id.desc())
    if not current_user.is_admin:
        query = query.where(Contest.organisation_id == current_user.organisation_id)
    return render_template("contests/dashboard.html", contests=db.session.scalars(query).all())


@bp.get("/c/<slug>/")
@login_required
def contest_home(slug: str):
    return render_template("contests/contest_home.html", contest=policy.managed_contest(slug))


def _organisation_choices(form: ContestForm) -> bool:
    """Admins without an organisation choose one; everybody else creates in their own. False
    when an admin has no organisation to choose from."""
    if current_user.organisation_id is not None:
        del form.organisation
        return True
    organisations = sorted(db.session.scalars(select(Organisation).where(Organisation.deactivated_at.is_(None))),
                           key=lambda o: pinyin_key(o.name))
    # No organisation is chosen for the admin: the first one in the list would quietly become
    # the new contest's host.
    form.organisation.choices = [SelectChoice(0, _("— choose the host organisation —"))] + [
        SelectChoice(o.id, o.name) for o in organisations]
    form.organisation.validators = [NoneOf([0], message=_("Choose the organisation that hosts the contest."))]
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
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Contest “%(name)s” created. Now add its events.", name=contest.name), "success")
            return redirect(url_for("contests.events", slug=contest.slug))
    return render_template("contests/contest_new.html", form=form, can_create=can_create)


@bp.route("/c/<slug>/settings", methods=["GET", "POST"])
@login_required
def contest_settings(slug: str):
    contest = policy.managed_contest(slug)
    form = ContestForm(obj=contest, slug_taken=lambda s: services.slug_taken(s, contest))
    del form.organisation
    if contest.status != "draft":
        # Links and QR codes with the address are out once registration opens.
        form.slug.render_kw = dict(form.slug.render_kw or {}, readonly=True)
    if form.validate_on_submit():
        try:
            changed = services.update_contest(current_user, contest, form.values())
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Settings saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("contests.contest_settings", slug=contest.slug))
    return _settings_page(contest, form)


def _settings_page(contest, form=None, status=200, announce_form=None, status_form=None):
    if form is None:
        form = ContestForm(obj=contest, formdata=None)
        del form.organisation
    return render_template("contests/contest_settings.html", contest=contest, form=form,
                           **_status_context(contest, announce_form, status_form)), status


def _status_context(contest, announce_form=None, status_form=None) -> dict:
    facts = services.contest_facts(contest)
    steps = [{"target": target, "label": status_action_label(contest.status, target),
              "forward": i == 0 and target != "draft" and contest.status != "published",
              "needs_reason": needs_reason(contest.status, target),
              "refusals": [message(r.code, **r.params) for r in transition_refusals(contest.status, target, facts)]}
             for i, target in enumerate(next_statuses(contest.status))]
    announce = [message(r.code, **r.params) for r in announce_refusals(contest.status, facts)]
    return {"steps": steps, "status_form": status_form or StatusForm(formdata=None), "confirm_form": ConfirmForm(),
            "announce_form": announce_form or AnnounceForm(formdata=None),
            "can_announce": not announce, "announce_refusals": announce if contest.status == "finished" else [],
            "facts": facts}


# What a status change does, said before it is made (forms.ask_first).
STATUS_CONSEQUENCES = {
    "draft": _l("The contest is hidden from the public again; registration and marking stop."),
    "registration": _l("The public registration form opens for the events that take registrations."),
    "judging": _l("Judges can mark; registration closes."),
    "finished": _l("Marking ends: judges can no longer enter or change marks."),
    "published": _l("Every event's results become official and final, with their certificates."),
}
WITHDRAWN = _l("The publication is withdrawn: the results are announced again and no longer official.")


@bp.post("/c/<slug>/status")
@login_required
def contest_status(slug: str):
    contest = policy.managed_contest(slug)
    form = StatusForm()
    if not form.validate_on_submit():
        abort(400)
    before = contest.status
    if form.target.data in STATUS_CONSEQUENCES and not confirmed():
        return ask_first(_("Move the contest from “%(before)s” to “%(after)s”?", before=status_label(before),
                           after=status_label(form.target.data)),
                         [str(WITHDRAWN if before == "published" else STATUS_CONSEQUENCES[form.target.data])],
                         _("Change the status"),
                         url_for("contests.contest_settings", slug=contest.slug))
    try:
        services.change_status(current_user, contest, form.target.data, form.reason.data or "")
    except ActionRefused as refused:
        if refused.field != "reason":
            raise
        attach(form, refused)
        return _settings_page(contest, status=refused.status, status_form=form)
    flash(_("The contest went from “%(before)s” to “%(after)s”.", before=status_label(before),
            after=status_label(contest.status)), "success")
    return redirect(url_for("contests.contest_settings", slug=contest.slug))


@bp.post("/c/<slug>/announce")
@login_required
def contest_announce(slug: str):
    """公示: the results go public with the windows the organiser chose, in the contest's zone."""
    contest = policy.managed_contest(slug)
    form = AnnounceForm()
    if not form.validate_on_submit():
        return _settings_page(contest, status=422, announce_form=form)
    try:
        services.announce(current_user, contest, times.from_local(contest, form.objections_until.data),
                          times.from_local(contest, form.appeals_until.data) if form.appeals_until.data else None)
    except ActionRefused as refused:
        attach(form, refused)
        return _settings_page(contest, status=refused.status, announce_form=form)
    flash(_("The results are announced (公示) until %(until)s.",
            until=times.local_text(contest, contest.objections_until)), "success")
    return redirect(url_for("contests.contest_settings", slug=contest.slug))


@bp.post("/c/<slug>/archive")
@login_required
def contest_archive(slug: str):
    return _set_archived(slug, True, _("The contest is archived: it is off the public pages and the judges' lists."))


@bp.post("/c/<slug>/unarchive")
@login_required
def contest_unarchive(slug: str):
    return _set_archived(slug, False, _("The contest is back from the archive."))


def _set_archived(slug: str, archived: bool, done: str):
    contest = policy.managed_contest(slug)
    _confirmed()
    services.set_archived(current_user, contest, archived)
    flash(done, "success")
    return redirect(url_for("contests.contest_settings", slug=contest.slug))


# --- events --------------------------------------------------------------------------------

@bp.get("/c/<slug>/events")
@login_required
def events(slug: str):
    contest = policy.managed_contest(slug)
    rows = [{"event": e, "problems": len(services.scheme_problems(e)), "marks": services.event_has_marks(e)}
            for e in contest.events]
    return render_template("contests/events.html", contest=contest, rows=rows, confirm_form=ConfirmForm(),
                           deadline=lambda moment: times.local_text(contest, moment))


def _event_form(contest, event=None, **kwargs) -> EventForm:
    sections = [s.code for s in event.sections] if event is not None else []
    taken = (lambda code: any(e.code == code and e is not event for e in contest.events))
    return EventForm(code_taken=taken, sections=sections, **kwargs)


def _deadline_values(contest, form: EventForm) -> dict:
    """The form's values, the deadline typed in the contest's time zone stored as UTC."""
    values = form.values()
    if values["registration_deadline"] is not None:
        values["registration_deadline"] = times.from_local(contest, values["registration_deadline"])
    return values


@bp.route("/c/<slug>/events/new", methods=["GET", "POST"])
@login_required
def event_new(slug: str):
    contest = policy.managed_contest(slug)
    form = _event_form(contest)
    if request.method == "GET":
        form.position.data = services.next_position(contest.events)
    if form.validate_on_submit():
        try:
            event = services.create_event(current_user, contest, _deadline_values(contest, form))
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Event “%(name)s” created. Now write its marking scheme.", name=event.name), "success")
            return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))
    return render_template("contests/event_form.html", contest=contest, event=None, form=form)


@bp.route("/c/<slug>/events/<code>/edit", methods=["GET", "POST"])
@login_required
def event_edit(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    if request.method == "GET":
        data = {"code": event.code, "name": event.name, "position": event.position, "is_team": event.is_team,
                "team_size": event.team_size, "capacity": event.capacity, "places": event.places,
                "registration_deadline": times.local(contest, event.registration_deadline).replace(tzinfo=None)
                if event.registration_deadline else None,
                "tie_break": list(event.tie_break or []), "awards": award_rows(event.awards),
                **promotion_data(event.promotion)}
        form = _event_form(contest, event, data=data)
    else:
        form = _event_form(contest, event)
    if form.validate_on_submit():
        try:
            changed = services.update_event(current_user, event, _deadline_values(contest, form))
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Event saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for("contests.events", slug=contest.slug))
    return render_template("contests/event_form.html", contest=contest, event=event, form=form,
                           has_marks=services.event_has_marks(event))


@bp.post("/c/<slug>/events/<code>/delete")
@login_required
def event_delete(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    _confirmed()
    name = event.name
    services.delete_event(current_user, event)
    flash(_("Event “%(name)s” deleted.", name=name), "success")
    return redirect(url_for("contests.events", slug=contest.slug))


# --- the marking scheme --------------------------------------------------------------------

def _problem_text(event, problem) -> str:
    """A scheme problem with where it is, in the event's own words (section P, criterion P1)."""
    path, where = problem.path, ""
    if len(path) >= 2 and path[0] == "sections" and path[1] < len(event.sections):
        section = event.sections[path[1]]
        where = _("Section %(code)s", code=section.code)
        if len(path) >= 4 and path[2] == "criteria" and path[3] < len(section.criteria):
            where = _("Criterion %(code)s", code=section.criteria[path[3]].code)
    elif path and path[0] == "tie_break":
        where = _("Tie-break")
    elif path and path[0] == "awards":
        where = _("Awards")
    return f"{where}: {say(problem)}" if where else say(problem)


@bp.get("/c/<slug>/events/<code>/scheme")
@login_required
def scheme(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    has_marks = services.event_has_marks(event)
    copy_form = CopySchemeForm()
    sources = [] if has_marks else services.copyable_events(contest, event)
    copy_form.source.choices = [SelectChoice(e.id, f"{e.contest.name} · {e.name} ({e.code})") for e in sources]
    problems = [_problem_text(event, problem) for problem in services.scheme_problems(event)]
    return render_template("contests/scheme.html", contest=contest, event=event, has_marks=has_marks,
                           problems=problems, copy_form=copy_form, confirm_form=ConfirmForm(),
                           method_label=method_label, kind_label=kind_label, number=decimal_text)


@bp.route("/c/<slug>/events/<code>/times", methods=["GET", "POST"])
@login_required
def completion_times(slug: str, code: str):
    """The completion time of every entry, for an event whose ties go to the faster: typed as
    seconds or h:mm:ss, all saved or none, the board ranked again."""
    contest, event = policy.managed_event(slug, code)
    entries = services.timed_entries(event)
    typed = {e.id: format_duration(e.completion_time) for e in entries}
    errors, status = {}, 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        status = 422
        times = {}
        for entry in entries:
            typed[entry.id] = (request.form.get(f"time-{entry.id}") or "").strip()[:40]
            try:
                times[entry.id] = parse_duration(typed[entry.id])
            except InvalidDuration as invalid:
                errors[entry.id] = message(invalid.code)
        if not errors:
            try:
                changed = services.set_completion_times(current_user, event, times)
            except ActionRefused as refused:
                flash(refused.message, "error")
                status = refused.status
            else:
                flash(ngettext("%(num)d completion time saved.", "%(num)d completion times saved.", len(changed)),
                      "success")
                return redirect(url_for("contests.completion_times", slug=slug, code=code))
    return render_template("contests/times.html", contest=contest, event=event, entries=entries, typed=typed,
                           errors=errors, form=ConfirmForm(formdata=None),
                           used=services.uses_completion_time(event)), status


def _section_of(event, section_code: str) -> Section:
    section = next((s for s in event.sections if s.code == section_code), None)
    if section is None:
        abort(404)
    return section


@bp.route("/c/<slug>/events/<code>/sections/new", methods=["GET", "POST"])
@bp.route("/c/<slug>/events/<code>/sections/<section_code>/edit", methods=["GET", "POST"])
@login_required
def section_form(slug: str, code: str, section_code: str | None = None):
    contest, event = policy.managed_event(slug, code)
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
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Section saved."), "success")
            return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))
    return render_template("contests/section_form.html", contest=contest, event=event, section=section, form=form,
                           has_marks=has_marks)


@bp.post("/c/<slug>/events/<code>/sections/<section_code>/delete")
@login_required
def section_delete(slug: str, code: str, section_code: str):
    contest, event = policy.managed_event(slug, code)
    section = _section_of(event, section_code)
    _confirmed()
    services.delete_section(current_user, event, section)
    flash(_("Section %(code)s deleted with its criteria.", code=section_code), "success")
    return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))


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
    contest, event = policy.managed_event(slug, code)
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
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("Criterion saved."), "success")
            return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))
    return render_template("contests/criterion_form.html", contest=contest, event=event, section=section,
                           criterion=criterion, form=form, has_marks=has_marks)


@bp.post("/c/<slug>/events/<code>/criteria/<criterion_code>/delete")
@login_required
def criterion_delete(slug: str, code: str, criterion_code: str):
    contest, event = policy.managed_event(slug, code)
    criterion = _criterion_of(event, criterion_code)
    _confirmed()
    services.delete_criterion(current_user, event, criterion)
    flash(_("Criterion %(code)s deleted.", code=criterion_code), "success")
    return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))


@bp.post("/c/<slug>/events/<code>/scheme/copy")
@login_required
def scheme_copy(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    form = CopySchemeForm()
    sources = {e.id: e for e in services.copyable_events(contest, event)}
    form.source.choices = [SelectChoice(i, e.name) for i, e in sources.items()]
    if not form.validate_on_submit():
        flash(_("Choose an event to copy the marking scheme from."), "error")
        return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))
    source = sources[form.source.data]
    if event.sections and not confirmed():
        return ask_first(_("Replace the marking scheme of “%(event)s”?", event=event.name),
                         [_("Its sections and criteria are deleted and those of “%(source)s” take their place.",
                            source=source.name)],
                         _("Replace the scheme"), url_for("contests.scheme", slug=contest.slug, code=event.code))
    services.copy_scheme(current_user, event, source)
    flash(_("The marking scheme of “%(source)s” is copied into this event.", source=source.name), "success")
    return redirect(url_for("contests.scheme", slug=contest.slug, code=event.code))
