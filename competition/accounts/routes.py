"""Log in and out; one's own account (/account) and changing its password (/account/password).

Logins are limited by failed attempts only, per account (the username typed) and, much higher,
per client address, so a hall of tablets behind one NAT logging in correctly is never stopped."""
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import RateLimitExceeded
from flask_login import current_user, login_required, login_user, logout_user

from .. import policy, times
from ..errors import ActionRefused, rate_limited
from ..extensions import limiter
from ..forms import attach
from ..messages import JUDGE_ROLE_LABELS, message
from ..safety import safe_next
from . import services
from .forms import ChangePasswordForm, LoginForm

bp = Blueprint("accounts", __name__)

NO_STORE = {"Cache-Control": "no-store"}


def _account_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_limit() -> str:
    return current_app.config.get("LOGIN_ADDRESS_RATE_LIMIT") or "200 per minute"


def _typed_account() -> str:
    """The limit's key of the account a login names (an address never looks like it)."""
    return "account:" + services.normalised_username(request.form.get("username"))[:100]


def _own_account() -> str:
    return f"account-id:{current_user.id}"


def _attempt_failed(_response) -> bool:
    """Only a wrong password counts towards the limits (a right one, an empty form do not)."""
    return bool(g.get("password_failed"))


@bp.errorhandler(RateLimitExceeded)
def _too_many(exc: RateLimitExceeded):
    if request.endpoint != "accounts.login":
        return rate_limited(exc)

    def login_page(message: str) -> str:
        form = LoginForm()  # what was typed, but never the password
        form.password.data = ""
        return render_template("accounts/login.html", form=form, limited=message)
    return rate_limited(exc, login_page)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_address_limit, methods=["POST"], deduct_when=_attempt_failed)
@limiter.limit(_account_limit, key_func=_typed_account, methods=["POST"], deduct_when=_attempt_failed)
def login():
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            services.note_login(user, request.remote_addr)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            # The header's link from the public home asks to come back to it: that is no wish.
            target = safe_next(form.next.data)
            if target in (None, url_for("public.home")):
                target = services.home_for(user)
            return redirect(target)
        g.password_failed = True
        form.password.errors.append(_("Wrong username or password."))
        # The password is never echoed back; the username is kept.
        form.password.data = ""
    status = 200 if request.method == "GET" or not form.errors else 422
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("You have been logged out."), "info")
    return redirect(url_for("public.home"))


@bp.get("/account")
@login_required
def account():
    user = current_user
    return render_template("accounts/account.html", user=user, is_admin=policy.is_admin(user),
                           roles=services.contest_roles(user), role_labels=JUDGE_ROLE_LABELS,
                           no_password=message("no_password"),
                           last_login=times.local_text(None, user.last_login_at),
                           password_changed=times.local_text(None, user.password_changed_at)), NO_STORE


def _remembered() -> bool:
    """Whether this browser holds a remember-me cookie (then it gets one for the new password)."""
    return request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")) is not None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_account_limit, key_func=_own_account, methods=["POST"], deduct_when=_attempt_failed)
def change_password():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    status = 200
    if not user.password_hash:
        form, status = None, (409 if request.method == "POST" else 200)
    elif form.validate_on_submit():
        try:
            services.change_password(user, form.current_password.data, form.password.data, request.remote_addr)
        except ActionRefused as refused:
            g.password_failed = refused.field == "current_password"
            attach(form, refused)
            status = refused.status
        else:
            # Every other session and cookie of the account has ended; this one goes on.
            login_user(user, remember=_remembered())
            flash(_("Your password is changed. You stay logged in here; everywhere else you are logged out."),
                  "success")
            return redirect(url_for(".account"))
    elif request.method == "POST":
        status = 422
    if form is not None:
        form.current_password.data = form.password.data = form.confirm.data = ""  # never echoed back
    return render_template("accounts/password.html", form=form, user=user,
                           no_password=message("no_password")), status, NO_STORE
