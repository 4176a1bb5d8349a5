"""The bibs & draw codes page (/o/c/<slug>/numbers): the bib pattern, and per event numbering
its approved entries and drawing their secret codes."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import policy
from ..errors import ActionRefused
from . import rules, services
from .forms import BibsForm, CodesForm, PatternForm

bp = Blueprint("numbering", __name__, url_prefix="/o/c/<slug>/numbers")


def _page(contest, status=200, *, pattern_form=None, posted=None, error=None, clashes=None):
    """posted: (event code, bibs form or codes form) when the page answers a rejected form."""
    events = []
    for event in contest.events:
        bibs = BibsForm(formdata=None, prefix=f"bibs-{event.code}")
        codes = CodesForm(formdata=None, prefix=f"codes-{event.code}")
        if posted and posted[0] == event.code:
            if isinstance(posted[1], BibsForm):
                bibs = posted[1]
            else:
                codes = posted[1]
        entries = services.event_entries(event)
        events.append({"event": event, "entries": entries, "bibs": bibs, "codes": codes,
                       "started": services.marking_started(event),
                       "approved": sum(e.is_approved for e in entries),
                       "error": error if posted and posted[0] == event.code else None,
                       "clashes": clashes if posted and posted[0] == event.code else []})
    pattern_form = pattern_form or PatternForm(formdata=None, pattern=contest.bib_pattern)
    example = None
    if contest.events:
        try:
            example = rules.format_bib(contest.bib_pattern, contest.events[0].code, 1)
        except rules.PatternInvalid:
            pass
    return render_template("numbering/numbers.html", contest=contest, events=events, pattern_form=pattern_form,
                           example=example, pattern_error=error if posted is None else None), status


@bp.get("")
@login_required
def numbers(slug: str):
    return _page(policy.managed_contest(slug))


@bp.post("/pattern")
@login_required
def numbers_pattern(slug: str):
    contest = policy.managed_contest(slug)
    form = PatternForm()
    if not form.validate_on_submit():
        return _page(contest, 422, pattern_form=form)
    try:
        services.set_bib_pattern(current_user, contest, form.pattern.data)
    except ActionRefused as refused:
        return _page(contest, 422, pattern_form=form, error=refused.message)
    flash(_("The bib pattern is saved. Bibs already given stay as they are."), "success")
    return redirect(url_for(".numbers", slug=slug))


@bp.post("/<code>/bibs")
@login_required
def numbers_bibs(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    form = BibsForm(prefix=f"bibs-{event.code}")
    if not form.validate_on_submit():
        return _page(contest, 422, posted=(event.code, form), error=_("Check the fields marked below."))
    try:
        plan = services.assign_bibs(current_user, event, order=form.order.data,
                                    seed=form.seed.data if form.order.data == "random" else None,
                                    renumber=form.renumber.data)
    except ActionRefused as refused:
        return _page(contest, 409, posted=(event.code, form), error=refused.message,
                     clashes=refused.params.get("clashes", []))
    message = ngettext("%(event)s: %(num)d entry numbered.", "%(event)s: %(num)d entries numbered.",
                       len(plan.bibs), event=event.name)
    if plan.seed is not None:
        message += " " + _("Random order, seed %(seed)d.", seed=plan.seed)
    flash(message, "success")
    return redirect(url_for(".numbers", slug=slug) + f"#event-{event.code}")


@bp.post("/<code>/codes")
@login_required
def numbers_codes(slug: str, code: str):
    contest, event = policy.managed_event(slug, code)
    form = CodesForm(prefix=f"codes-{event.code}")
    if not form.validate_on_submit():
        return _page(contest, 422, posted=(event.code, form), error=_("Check the fields marked below."))
    try:
        drawn = services.draw_codes(current_user, event, length=form.length.data, redraw=form.redraw.data)
    except ActionRefused as refused:
        return _page(contest, 409, posted=(event.code, form), error=refused.message)
    flash(ngettext("%(event)s: %(num)d draw code drawn.", "%(event)s: %(num)d draw codes drawn.", drawn,
                   event=event.name), "success")
    return redirect(url_for(".numbers", slug=slug) + f"#event-{event.code}")

