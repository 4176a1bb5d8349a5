"""The delegations page /o/c/<slug>/delegations: every delegation of the contest with its entries,
contestants, judges, team leader and contact, the names that are probably one union (with a
one-click merge), and adding one; /o/c/<slug>/delegations/<id>: edit a delegation, merge it into
another. Organisers of the contest only (404 for anybody else, as every organiser page)."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from .. import policy
from ..errors import ActionRefused
from ..forms import attach
from ..messages import ENTRY_STATUS_LABELS
from . import services
from .forms import DelegationForm, MergeForm

bp = Blueprint("delegations", __name__)


def _list_page(contest, status=200, *, form=None):
    uses = services.overview(contest)
    return render_template("delegations/index.html", contest=contest, uses=uses, similar=services.similar(uses),
                           announced=services.results_announced(contest),
                           form=form or DelegationForm(formdata=None), merge_form=MergeForm(formdata=None)), status


def _delegation(contest, delegation_id: int):
    delegation = services.delegation_of(contest, delegation_id)
    if delegation is None:
        abort(404)
    return delegation


def _delegation_page(contest, delegation, status=200, *, form=None, merge_form=None):
    entries, judges = services.members(delegation)
    form = form or DelegationForm(formdata=None, obj=delegation)
    merge_form = merge_form or MergeForm(formdata=None)
    merge_form.set_targets(contest.delegations, delegation)
    return render_template("delegations/delegation.html", contest=contest, delegation=delegation, entries=entries,
                           judges=judges, form=form, merge_form=merge_form, entry_status_labels=ENTRY_STATUS_LABELS,
                           announced=services.results_announced(contest)), status


@bp.get("/o/c/<slug>/delegations")
@login_required
def delegations(slug: str):
    return _list_page(policy.managed_contest(slug))


@bp.post("/o/c/<slug>/delegations")
@login_required
def delegation_add(slug: str):
    contest = policy.managed_contest(slug)
    form = DelegationForm()
    if not form.validate_on_submit():
        return _list_page(contest, 422, form=form)
    try:
        delegation = services.add_delegation(current_user, contest, name=form.name.data, leader=form.leader.data,
                                             contact=form.contact.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _list_page(contest, refused.status, form=form)
    flash(_("The delegation “%(name)s” is added.", name=delegation.name), "success")
    return redirect(url_for(".delegations", slug=slug))


@bp.get("/o/c/<slug>/delegations/<int:delegation_id>")
@login_required
def delegation(slug: str, delegation_id: int):
    contest = policy.managed_contest(slug)
    return _delegation_page(contest, _delegation(contest, delegation_id))


@bp.post("/o/c/<slug>/delegations/<int:delegation_id>")
@login_required
def delegation_edit(slug: str, delegation_id: int):
    contest = policy.managed_contest(slug)
    delegation = _delegation(contest, delegation_id)
    form = DelegationForm()
    if not form.validate_on_submit():
        return _delegation_page(contest, delegation, 422, form=form)
    try:
        services.edit_delegation(current_user, delegation, name=form.name.data, leader=form.leader.data,
                                 contact=form.contact.data, reason=form.reason.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _delegation_page(contest, delegation, refused.status, form=form)
    flash(_("The delegation “%(name)s” is saved.", name=delegation.name), "success")
    return redirect(url_for(".delegation", slug=slug, delegation_id=delegation.id))


@bp.post("/o/c/<slug>/delegations/<int:delegation_id>/merge")
@login_required
def delegation_merge(slug: str, delegation_id: int):
    contest = policy.managed_contest(slug)
    delegation = _delegation(contest, delegation_id)
    form = MergeForm().set_targets(contest.delegations, delegation)
    if not form.validate_on_submit():
        return _delegation_page(contest, delegation, 422, merge_form=form)
    try:
        done = services.merge(current_user, delegation, form.into.data, reason=form.reason.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _delegation_page(contest, delegation, refused.status, merge_form=form)
    flash(_("“%(source)s” is merged into “%(into)s”: %(entries)s, %(judges)s moved.", source=done.source,
            into=done.into,
            entries=ngettext("%(num)d entry", "%(num)d entries", done.entries),
            judges=ngettext("%(num)d judge", "%(num)d judges", done.judges)), "success")
    if done.assignments_removed:
        flash(ngettext("%(num)d assignment would have had a judge mark their own delegation and was removed: "
                       "generate the assignments of %(events)s again.",
                       "%(num)d assignments would have had a judge mark their own delegation and were removed: "
                       "generate the assignments of %(events)s again.", done.assignments_removed,
                       events="、".join(done.events_to_reassign)), "info")
    return redirect(url_for(".delegations", slug=slug))
