"""Running the platform: the administrators' pages (/admin: organisations, organiser accounts,
the audit trail, the public address), the organisers' own team page (/o/organisers: invite a
colleague into their organisation) and the one-time link on which an invited organiser sets a
password (/invite/<token>). Thin handlers: the policy's scope (404 for anybody else), a form, a
service, a page."""
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from markupsafe import Markup
from sqlalchemy import distinct, or_, select

from ..collation import pinyin_key
from .. import policy, qr, times
from ..accounts.models import Organisation, User
from ..addresses import configured_public_url, is_loopback, lan_address, public_base, public_url
from ..audit.models import AuditEntry
from ..contests.models import Contest
from ..errors import ActionRefused
from ..extensions import db, limiter
from ..forms import ConfirmForm, attach
from . import services
from .forms import AuditFilterForm, InviteForm, OrganisationForm, PublicUrlForm, SetPasswordForm

bp = Blueprint("admin", __name__)

NO_STORE = {"Cache-Control": "no-store"}
AUDIT_PAGE = 100


def _confirmed() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def _organisation(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def _account(user_id: int) -> User:
    """An organiser account (admins manage organisers here, judges in their contests)."""
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id is None:
        abort(404)
    return user


def _link_page(issued: services.IssuedLink, back: str):
    url = public_url(url_for("admin.invite", token=issued.token))
    return render_template("admin/link.html", user=issued.invite.user, invite=issued.invite, url=url, back=back,
                           expires=times.local_text(None, issued.invite.expires_at), qr=Markup(qr.svg(url)),
                           loopback=is_loopback(url)), 200, NO_STORE


# --- organisations --------------------------------------------------------------------------------

def _home(form: OrganisationForm | None = None, status: int = 200):
    policy.require_admin()
    organisations = db.session.execute(
        select(Organisation, db.func.count(User.id)).outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id)).all()
    organisations.sort(key=lambda row: (row[0].deactivated_at is not None, pinyin_key(row[0].name)))
    contests = dict(db.session.execute(select(Contest.organisation_id, db.func.count(Contest.id))
                                       .group_by(Contest.organisation_id)).all())
    address = public_base()
    return render_template("admin/home.html", organisations=organisations, contests=contests,
                           form=form or OrganisationForm(formdata=None), address=address,
                           loopback=is_loopback(address)), status


@bp.get("/admin/")
@login_required
def home():
    return _home()


@bp.post("/admin/organisations")
@login_required
def organisation_create():
    policy.require_admin()
    form = OrganisationForm()
    if not form.validate_on_submit():
        return _home(form, 422)
    try:
        organisation = services.create_organisation(current_user, form.name.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _home(form, refused.status)
    flash(_("%(name)s was created. Invite its first organiser.", name=organisation.name), "success")
    return redirect(url_for(".organisation", organisation_id=organisation.id))


def _organisation_page(organisation: Organisation, *, rename: OrganisationForm | None = None,
                       invite: InviteForm | None = None, status: int = 200):
    accounts = [(user, services.account_state(user)) for user in services.organisers(organisation)]
    contests = db.session.scalars(select(Contest).where(Contest.organisation_id == organisation.id)
                                  .order_by(Contest.id.desc())).all()
    return render_template(
        "admin/organisation.html", organisation=organisation, accounts=accounts, contests=contests,
        rename=rename or OrganisationForm(formdata=None, name=organisation.name),
        invite=invite or InviteForm(formdata=None), as_admin=policy.is_admin(current_user),
        deactivated=times.local_text(None, organisation.deactivated_at),
        last_login=lambda user: times.local_text(None, user.last_login_at)), status


@bp.get("/admin/organisations/<int:organisation_id>")
@login_required
def organisation(organisation_id: int):
    policy.require_admin()
    return _organisation_page(_organisation(organisation_id))


@bp.post("/admin/organisations/<int:organisation_id>/rename")
@login_required
def organisation_rename(organisation_id: int):
    policy.require_admin()
    organisation = _organisation(organisation_id)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            services.rename_organisation(current_user, organisation, form.name.data)
        except ActionRefused as refused:
            attach(form, refused)
        else:
            flash(_("The organisation is now called %(name)s.", name=organisation.name), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    db.session.refresh(organisation)
    return _organisation_page(organisation, rename=form, status=422)


@bp.post("/admin/organisations/<int:organisation_id>/<any(deactivate, reactivate):change>")
@login_required
def organisation_active(organisation_id: int, change: str):
    policy.require_admin()
    organisation = _organisation(organisation_id)
    _confirmed()
    services.set_organisation_active(current_user, organisation, change == "reactivate")
    if change == "reactivate":
        flash(_("%(name)s is active again: its organisers can log in.", name=organisation.name), "success")
    else:
        flash(_("%(name)s is deactivated: its organisers cannot log in. Its contests stay as they are.",
                name=organisation.name), "success")
    return redirect(url_for(".organisation", organisation_id=organisation.id))


def _invite(organisation: Organisation, page, back: str):
    form = InviteForm()
    if not form.validate_on_submit():
        return page(organisation, invite=form, status=422)
    try:
        issued = services.invite_organiser(current_user, organisation, name=form.name.data,
                                           username=form.username.data)
    except ActionRefused as refused:
        attach(form, refused)
        return page(organisation, invite=form, status=refused.status)
    return _link_page(issued, back)


@bp.post("/admin/organisations/<int:organisation_id>/invite")
@login_required
def organisation_invite(organisation_id: int):
    policy.require_admin()
    organisation = _organisation(organisation_id)
    return _invite(organisation, _organisation_page, url_for(".organisation", organisation_id=organisation.id))


@bp.post("/admin/accounts/<int:user_id>/<any(reset, deactivate, reactivate):change>")
@login_required
def account_change(user_id: int, change: str):
    policy.require_admin()
    user = _account(user_id)
    _confirmed()
    back = url_for(".organisation", organisation_id=user.organisation_id)
    try:
        if change == "reset":
            return _link_page(services.reset_account(current_user, user), back)
        services.set_account_active(current_user, user, change == "reactivate")
    except ActionRefused as refused:
        flash(refused.message, "error")
        return redirect(back)
    flash(_("%(name)s can log in again.", name=user.name) if change == "reactivate"
          else _("%(name)s can no longer log in; their sessions have ended.", name=user.name), "success")
    return redirect(back)


# --- the organisers' own team -------------------------------------------------------------------

def _team_page(organisation: Organisation, *, invite: InviteForm | None = None, status: int = 200, **_ignored):
    accounts = [(user, services.account_state(user)) for user in services.organisers(organisation)]
    return render_template("admin/team.html", organisation=organisation, accounts=accounts,
                           invite=invite or InviteForm(formdata=None),
                           last_login=lambda user: times.local_text(None, user.last_login_at)), status


@bp.get("/o/organisers")
@login_required
def team():
    return _team_page(policy.own_organisation())


@bp.post("/o/organisers/invite")
@login_required
def team_invite():
    organisation = policy.own_organisation()
    return _invite(organisation, _team_page, url_for(".team"))


@bp.post("/o/organisers/<int:user_id>/link")
@login_required
def team_link(user_id: int):
    """A new link for a colleague who has not set a password yet (they lost the first one)."""
    organisation = policy.own_organisation()
    user = db.session.get(User, user_id)
    if user is None or user.organisation_id != organisation.id:
        abort(404)
    _confirmed()
    if user.password_hash:
        flash(_("%(name)s has set a password already: an administrator can reset it.", name=user.name), "error")
        return redirect(url_for(".team"))
    try:
        return _link_page(services.reset_account(current_user, user), url_for(".team"))
    except ActionRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for(".team"))


# --- the link on which an invited organiser sets a password ---------------------------------------

def _invite_limit():
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]  # the token cannot be guessed: only floods


@bp.route("/invite/<token>", methods=["GET", "POST"])
@limiter.limit(_invite_limit, methods=["POST"])
def invite(token: str):
    link = services.invite_by_token(token)
    refusal = services.invite_refusal(link)
    if refusal is not None:
        return render_template("admin/invite_error.html", message=refusal.message), refusal.status, NO_STORE
    form = SetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.accept_invite(link, form.password.data, request.remote_addr)
        except ActionRefused as refused:
            attach(form, refused)
            status = refused.status
        else:
            if current_user.is_authenticated:
                logout_user()
            login_user(user)
            flash(_("Your password is set. Welcome, %(name)s.", name=user.name), "success")
            return redirect(url_for("contests.dashboard"))
    elif request.method == "POST":
        status = 422
    form.password.data = form.confirm.data = ""  # never echoed back
    return render_template("admin/invite.html", form=form, user=link.user, invite=link,
                           expires=times.local_text(None, link.expires_at)), status, NO_STORE


# --- the audit trail --------------------------------------------------------------------------------

@bp.get("/admin/audit")
@login_required
def audit():
    policy.require_admin()
    form = AuditFilterForm(request.args)
    form.organisation.choices = [(0, _("All"))] + [(o.id, o.name) for o in sorted(
        db.session.scalars(select(Organisation)), key=lambda o: pinyin_key(o.name))]
    form.contest.choices = [(0, _("All"))] + [(c.id, c.name) for c in db.session.scalars(
        select(Contest).order_by(Contest.id.desc()))]
    form.action.choices = [("", _("All"))] + [(a, a) for a in db.session.scalars(
        select(distinct(AuditEntry.action)).order_by(AuditEntry.action))]
    form.validate()
    query = select(AuditEntry).outerjoin(User, User.id == AuditEntry.user_id) \
        .outerjoin(Contest, Contest.id == AuditEntry.contest_id)
    if organisation_id := (form.organisation.data or 0):
        query = query.where(or_(Contest.organisation_id == organisation_id, User.organisation_id == organisation_id))
    if contest_id := (form.contest.data or 0):
        query = query.where(AuditEntry.contest_id == contest_id)
    if username := (form.user.data or "").strip():
        query = query.where(User.username == username)
    if action := (form.action.data or ""):
        query = query.where(AuditEntry.action == action)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    entries = db.session.scalars(query.order_by(AuditEntry.id.desc())
                                 .offset((page - 1) * AUDIT_PAGE).limit(AUDIT_PAGE + 1)).all()
    more, entries = len(entries) > AUDIT_PAGE, entries[:AUDIT_PAGE]
    contests = {c.id: c for c in db.session.scalars(
        select(Contest).where(Contest.id.in_({e.contest_id for e in entries if e.contest_id})))}
    args = {k: v for k, v in request.args.items() if k != "page" and v not in ("", "0")}
    return render_template("admin/audit.html", form=form, entries=entries, contests=contests, page=page,
                           more=more, args=args,
                           when=lambda e: times.local_text(contests.get(e.contest_id), e.at))


# --- settings ---------------------------------------------------------------------------------------

def _settings(form: PublicUrlForm | None = None, status: int = 200):
    configured = configured_public_url()
    address = public_base()
    lan = lan_address()
    return render_template("admin/settings.html", form=form or PublicUrlForm(formdata=None, public_url=configured),
                           address=address, loopback=is_loopback(address), configured=configured,
                           suggestion=_lan_suggestion(lan)), status


def _lan_suggestion(lan: str | None) -> str | None:
    """This machine's LAN address with the port the page was opened on."""
    if lan is None:
        return None
    port = urlsplit(request.host_url).port
    return f"http://{lan}:{port}" if port else f"http://{lan}"


@bp.get("/admin/settings")
@login_required
def settings():
    policy.require_admin()
    return _settings()


@bp.post("/admin/settings")
@login_required
def settings_save():
    policy.require_admin()
    form = PublicUrlForm()
    if not form.validate_on_submit():
        return _settings(form, 422)
    try:
        url = services.set_public_url(current_user, form.public_url.data)
    except ActionRefused as refused:
        attach(form, refused)
        return _settings(form, refused.status)
    flash(_("QR codes and links now carry %(url)s.", url=url) if url
          else _("The public address is no longer set here: the server's configuration or the page's address "
                 "is used."), "success")
    return redirect(url_for(".settings"))
