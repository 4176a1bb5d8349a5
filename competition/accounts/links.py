"""One-time login links for judges' tablets: an organiser issues one (shown once, as a URL and
a QR code) and may revoke it; opening it shows a confirmation, and confirming logs the judge in
once. Only the token's hash is stored (LoginLink)."""
from datetime import timedelta

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from flask_wtf import FlaskForm
from sqlalchemy import select, update

from ..audit.models import record
from ..database import utcnow, write_transaction
from ..extensions import db, limiter
from .models import LoginLink, User
from .routes import bp

TOKEN_MAX = 100  # characters of a token in a URL; issued ones have 43
NO_STORE = {"Cache-Control": "no-store"}  # a page for one token is nothing to keep


class LinkUnusable(Exception):
    """A link that cannot log anybody in: `reason` is unknown, used, revoked or expired."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def link_state(link: LoginLink, now=None) -> str:
    now = now or utcnow()
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if now >= link.expires_at:
        return "expired"
    return "usable"


class LinkRefused(Exception):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def link_refusal(user: User, contest) -> str | None:
    """Why `user` may not get a login link from the organisers of `contest`, or None. A link
    logs in without a password: it is only for accounts that do nothing but judge for this
    organisation, so no organiser can take over an administrator's, another organiser's or
    another organisation's judge's account."""
    from ..contests.models import Contest, Judge
    if user.is_admin or user.organisation_id is not None:
        return _l("%(name)s is an organiser or administrator: such accounts log in with their password only.",
                  name=user.name)
    elsewhere = db.session.scalar(
        select(Judge.id).join(Contest, Contest.id == Judge.contest_id)
        .where(Judge.user_id == user.id, Contest.organisation_id != contest.organisation_id).limit(1))
    if elsewhere is not None:
        return _l("%(name)s also judges for another organisation: this account logs in with its password only.",
                  name=user.name)
    if not user.is_active:
        return _l("The account %(username)s is disabled.", username=user.username)
    return None


def issue_link(actor, user: User, *, hours: int, contest) -> tuple[LoginLink, str]:
    """A new one-time link for `user`, valid for `hours`; the token is returned once, never
    stored. LinkRefused when the account may not log in by link (link_refusal)."""
    refusal = link_refusal(user, contest)
    if refusal is not None:
        raise LinkRefused(refusal)
    with write_transaction():
        link, token = LoginLink.issue(user, expires_at=utcnow() + timedelta(hours=hours), contest=contest,
                                      created_by=actor)
        db.session.add(link)
        db.session.flush()
        record("account.login_link_created", user=actor, contest=contest, target=f"user:{user.username}",
               link=link.id, hours=hours)
    return link, token


def revoke_link(actor, link: LoginLink, contest=None) -> bool:
    """Revoke a link not yet used; False when it was already used, revoked or expired."""
    with write_transaction():
        if link_state(link) != "usable":
            return False
        link.revoked_at = utcnow()
        record("account.login_link_revoked", user=actor, contest=contest, target=f"user:{link.user.username}",
               link=link.id)
    return True


def find_link(token: str) -> LoginLink | None:
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(select(LoginLink).where(LoginLink.token_hash == LoginLink.hash(token)))


def use_link(token: str, ip: str | None = None) -> User:
    """Spend the link: the one UPDATE that marks it used succeeds for one request only, however
    many tablets open it at once. LinkUnusable when it cannot log in."""
    link = find_link(token)
    if link is None:
        raise LinkUnusable("unknown")
    with write_transaction():
        now = utcnow()
        spent = db.session.execute(
            update(LoginLink).where(LoginLink.id == link.id, LoginLink.used_at.is_(None),
                                    LoginLink.revoked_at.is_(None), LoginLink.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        db.session.refresh(link)
        if spent != 1:
            raise LinkUnusable(link_state(link, now))
        user = link.user
        if not user.is_active:
            raise LinkUnusable("revoked")
        user.last_login_at = now
        entry = record("account.login_link_used", user=user, target=f"user:{user.username}", ip=ip, link=link.id)
        entry.contest_id = link.contest_id
    return user


# --- the pages a tablet opens ------------------------------------------------------------------

MESSAGES = {
    "unknown": _l("This login link is not valid. Check that the whole address was copied, "
                  "or ask the organiser for a new link."),
    "used": _l("This login link has already been used. Each link works once: ask the organiser for a new one."),
    "revoked": _l("This login link was revoked by the organiser. Ask the organiser for a new one."),
    "expired": _l("This login link has expired. Ask the organiser for a new one."),
}


class UseLinkForm(FlaskForm):
    """Only the CSRF token: the token is in the URL."""


def _limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


def _unusable(reason: str):
    status = 404 if reason == "unknown" else 410
    return render_template("accounts/link_error.html", message=MESSAGES[reason]), status, NO_STORE


@bp.route("/login/link/<token>", methods=["GET", "POST"])
@limiter.limit(_limit)
def login_link(token: str):
    """GET asks to confirm (a link preview or a scanner's prefetch must not spend the link);
    POST logs the judge in and opens their judging home."""
    link = find_link(token)
    if link is None:
        return _unusable("unknown")
    state = link_state(link)
    if state != "usable":
        return _unusable(state)
    form = UseLinkForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("accounts/link_confirm.html", form=form, person=link.user,
                                   error=_("The form expired. Please confirm again.")), 400, NO_STORE
        try:
            user = use_link(token, request.remote_addr)
        except LinkUnusable as unusable:
            return _unusable(unusable.reason)
        login_user(user)
        return redirect(url_for("judging.home"))
    return render_template("accounts/link_confirm.html", form=form, person=link.user), 200, NO_STORE
