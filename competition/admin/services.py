"""Running the platform: organisations, organiser accounts and the links on which they set a
password, and the public address. One transaction and one audit entry per action; a refusal
(ActionRefused) before anything is written."""
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Invite, Organisation, User
from ..accounts.services import find_user
from ..addresses import PUBLIC_URL_KEY
from ..audit.models import record
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import db
from .models import PlatformSetting

INVITE_HOURS = 72  # an invite or reset link is valid this long
USERNAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_.-@")


def clean_name(name: str) -> str:
    """What an organisation is called, as typed: full-width forms folded (NFKC), spaces
    collapsed. Two names that clean to the same text are the same organisation."""
    return " ".join(unicodedata.normalize("NFKC", name or "").split())


def _same_name(name: str, exclude: int | None = None) -> Organisation | None:
    """An organisation whose name is `name` up to spaces (朝阳区 总工会 = 朝阳区总工会)."""
    squeezed = name.replace(" ", "")
    for organisation in db.session.scalars(select(Organisation)):
        if organisation.id != exclude and clean_name(organisation.name).replace(" ", "") == squeezed:
            return organisation
    return None


def _check_name(name: str, exclude: int | None = None) -> str:
    name = clean_name(name)
    if not name:
        raise ActionRefused(422, "organisation_name_required", field="name")
    if len(name) > 200:
        raise ActionRefused(422, "too_long", {"max": 200}, field="name")
    if (other := _same_name(name, exclude)) is not None:
        raise ActionRefused(409, "organisation_exists", {"name": other.name}, field="name")
    return name


def create_organisation(actor: User, name: str) -> Organisation:
    with write_transaction():
        organisation = Organisation(name=_check_name(name))
        db.session.add(organisation)
        db.session.flush()
        record("organisation.create", user=actor, target=f"organisation:{organisation.id}", name=organisation.name)
    return organisation


def rename_organisation(actor: User, organisation: Organisation, name: str) -> None:
    with write_transaction():
        before, organisation.name = organisation.name, _check_name(name, exclude=organisation.id)
        record("organisation.rename", user=actor, target=f"organisation:{organisation.id}", before=before,
               name=organisation.name)


def set_organisation_active(actor: User, organisation: Organisation, active: bool) -> None:
    """Deactivate (its organisers can no longer log in, and their sessions end) or reactivate.
    Its contests stay as they are: public pages, results and certificates keep answering."""
    with write_transaction():
        organisation.deactivated_at = None if active else (organisation.deactivated_at or utcnow())
        if not active:
            db.session.execute(update(User).where(User.organisation_id == organisation.id)
                               .values(session_version=User.session_version + 1))
        record("organisation.reactivate" if active else "organisation.deactivate", user=actor,
               target=f"organisation:{organisation.id}", name=organisation.name)


# --- organiser accounts and their links ------------------------------------------------------

@dataclass(frozen=True)
class IssuedLink:
    """An invite or reset link as shown once: the token is never stored."""

    invite: Invite
    token: str


def account_state(user: User, now: datetime | None = None) -> str:
    """"active", "invited" (no password yet, a link pending), "link_expired" or "deactivated"."""
    if not user.is_active_account:
        return "deactivated"
    if user.password_hash:
        return "active"
    now = now or utcnow()
    pending = db.session.scalar(select(func.count(Invite.id)).where(
        Invite.user_id == user.id, Invite.used_at.is_(None), Invite.revoked_at.is_(None), Invite.expires_at > now))
    return "invited" if pending else "link_expired"


def _issue(actor: User, user: User, purpose: str) -> IssuedLink:
    """Inside a transaction: revoke the account's links still open, issue a new one."""
    now = utcnow()
    db.session.execute(update(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None),
                                            Invite.revoked_at.is_(None)).values(revoked_at=now))
    invite, token = Invite.issue(user, expires_at=now + timedelta(hours=INVITE_HOURS), purpose=purpose,
                                 created_by=actor)
    db.session.add(invite)
    db.session.flush()
    return IssuedLink(invite, token)


def _check_username(username: str) -> str:
    username = unicodedata.normalize("NFKC", username or "").strip().lower()
    if not username:
        raise ActionRefused(422, "username_required", field="username")
    if len(username) < 3 or len(username) > 80 or not set(username) <= USERNAME_CHARS:
        raise ActionRefused(422, "username_invalid", field="username")
    if find_user(username) is not None:
        raise ActionRefused(409, "username_taken", {"username": username}, field="username")
    return username


def invite_organiser(actor: User, organisation: Organisation, *, name: str, username: str) -> IssuedLink:
    """A new organiser account of `organisation`, without a password, and the one-time link on
    which its owner sets one."""
    name = " ".join((name or "").split())
    if not name:
        raise ActionRefused(422, "person_name_required", field="name")
    if organisation.deactivated_at is not None:
        raise ActionRefused(409, "organisation_deactivated", {"name": organisation.name})
    username = _check_username(username)
    try:
        with write_transaction():
            user = User(username=username, name=name[:120], organisation=organisation)
            db.session.add(user)
            db.session.flush()
            issued = _issue(actor, user, "invite")
            record("account.invite", user=actor, target=f"user:{username}", organisation=organisation.name,
                   invite=issued.invite.id)
    except IntegrityError:
        db.session.rollback()
        raise ActionRefused(409, "username_taken", {"username": username}, field="username") from None
    return issued


def reset_account(actor: User, user: User) -> IssuedLink:
    """A new link on which the owner sets a new password. The old password stops working now
    and every session of the account ends: a reset is also what you do to a stolen account."""
    if not user.is_active_account:
        raise ActionRefused(409, "account_disabled", {"username": user.username})
    with write_transaction():
        purpose = "reset" if user.password_hash else "invite"
        user.password_hash = None
        user.session_version += 1
        issued = _issue(actor, user, purpose)
        record("account.reset", user=actor, target=f"user:{user.username}", invite=issued.invite.id)
    return issued


def set_account_active(actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise ActionRefused(409, "cannot_deactivate_yourself")
    with write_transaction():
        user.is_active_account = active
        if not active:
            user.session_version += 1
            db.session.execute(update(Invite).where(Invite.user_id == user.id, Invite.used_at.is_(None),
                                                    Invite.revoked_at.is_(None)).values(revoked_at=utcnow()))
        record("account.reactivate" if active else "account.deactivate", user=actor, target=f"user:{user.username}")


def invite_by_token(token: str) -> Invite | None:
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Invite).where(Invite.token_hash == Invite.hash(token)))


def invite_refusal(invite: Invite | None) -> ActionRefused | None:
    """Why a link cannot be used (unknown, used, revoked, expired, account off), or None."""
    if invite is None:
        return ActionRefused(404, "invite_unknown")
    if invite.used_at is not None:
        return ActionRefused(410, "invite_used")
    if invite.revoked_at is not None:
        return ActionRefused(410, "invite_revoked")
    if utcnow() >= invite.expires_at:
        return ActionRefused(410, "invite_expired")
    if not invite.user.is_active:
        return ActionRefused(403, "account_disabled", {"username": invite.user.username})
    return None


def accept_invite(invite: Invite, password: str, ip: str | None = None) -> User:
    """Set the account's password from its link; the link is used up. Refused (nothing
    written) for a link that cannot be used or a password the rule refuses."""
    from ..accounts.services import password_problem
    if (refusal := invite_refusal(invite)) is not None:
        raise refusal
    user = invite.user
    if (problem := password_problem(password, user)) is not None:
        raise ActionRefused(422, problem, field="password")
    with write_transaction():
        # Claimed by one request only: a second use of the same link changes nothing.
        claimed = db.session.execute(update(Invite).where(Invite.id == invite.id, Invite.used_at.is_(None))
                                     .values(used_at=utcnow())).rowcount
        if not claimed:
            raise ActionRefused(410, "invite_used")
        user.set_password(password)
        user.password_changed_at = utcnow()
        user.session_version += 1
        record("account.password_set", user=user, target=f"user:{user.username}", invite=invite.id, ip=ip)
    return user


def organisers(organisation: Organisation) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation.id)
                                   .order_by(User.is_active_account.desc(), User.name, User.username)))


# --- the public address ------------------------------------------------------------------------

def check_public_url(url: str) -> str:
    """"" (use the configuration's, or the request's) or http(s)://host[:port][/path], without
    a trailing slash."""
    url = unicodedata.normalize("NFKC", url or "").strip().rstrip("/")
    if not url:
        return ""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise ActionRefused(422, "public_url_invalid", field="public_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment \
            or parts.username or " " in url or len(url) > 200:
        raise ActionRefused(422, "public_url_invalid", field="public_url")
    return url


def set_public_url(actor: User, url: str) -> str:
    url = check_public_url(url)
    with write_transaction():
        setting = db.session.get(PlatformSetting, PUBLIC_URL_KEY)
        before = setting.value if setting is not None else ""
        if setting is None:
            setting = PlatformSetting(key=PUBLIC_URL_KEY)
            db.session.add(setting)
        setting.value, setting.updated_at, setting.updated_by_id = url, utcnow(), actor.id
        record("platform.public_url", user=actor, target="platform", before=before, value=url)
    return url
