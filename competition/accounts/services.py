"""Accounts: creating users, logging in (and where each role lands), the password rule and
changing a password, the account page's roles, issuing API tokens."""
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.security import check_password_hash, generate_password_hash

from .. import policy
from ..audit.models import record
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import db
from .models import ApiToken, User, hash_method

PASSWORD_MIN_LENGTH = 8  # its message (password_too_short) says 8: callers give no parameters

# The most common passwords of at least PASSWORD_MIN_LENGTH characters in published leaks
# (Chinese sites' and the world's): the first a guesser tries. Compared case-folded.
COMMON_PASSWORDS = frozenset("""
12345678 123456789 1234567890 0123456789 87654321 987654321 12341234 11223344 12121212
123123123 12344321 11112222 147258369 123456abc 123456aa 123qweasd 1qaz2wsx 1q2w3e4r 1q2w3e4r5t
qwertyui qwertyuiop qwerty123 qwer1234 asdfghjk asdfghjkl zxcvbnm123 a1234567 a12345678 a123456789
aa123456 abc12345 abcd1234 abc123456 qq123456 password password1 password123 passw0rd p@ssw0rd
iloveyou admin123 admin888 woaini1314 woaini520 5201314520 1314520520 520131400 77585210
11111111 00000000 88888888 66666666 99999999 12345678910 dearbook
""".split())


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    """The active account with this username and password. Every attempt costs one password
    check, whether the account exists, has a password or not: how long a refusal takes tells
    nobody which usernames there are."""
    user = find_user(username)
    stored = user.password_hash if user is not None else None
    matches = check_password_hash(stored or _stand_in_hash(), password)
    if not stored or not matches or not user.is_active:
        return None
    return user


_stand_ins: dict[str, str] = {}


def _stand_in_hash() -> str:
    """A hash of a random password, made like real ones (hash_method), to check against when
    there is no account or no password."""
    method = hash_method()
    if method not in _stand_ins:
        _stand_ins[method] = generate_password_hash(secrets.token_urlsafe(16), method=method)
    return _stand_ins[method]


def normalised_username(username: str | None) -> str:
    """A username as typed, the way it names an account: without surrounding spaces, case-folded."""
    return (username or "").strip().casefold()


def note_login(user: User, ip: str | None) -> None:
    with write_transaction():
        user.last_login_at = utcnow()
        record("account.login", user=user, ip=ip)


def create_user(username: str, name: str, password: str | None = None, *, is_admin: bool = False,
                organisation=None) -> User:
    user = User(username=username.strip(), name=name.strip(), is_admin=is_admin, organisation=organisation)
    if password:
        user.set_password(password)
    db.session.add(user)
    return user


def issue_token(user: User, label: str = "", *, days: int | None = None) -> str:
    """A new bearer token for the user, valid for `days` (API_TOKEN_DAYS by default); earlier
    tokens stay valid until they expire or are revoked."""
    days = days if days is not None else current_app.config.get("API_TOKEN_DAYS", 30)
    expires_at = utcnow() + timedelta(days=days)
    with write_transaction():
        token_row, token = ApiToken.issue(user, label, expires_at=expires_at)
        db.session.add(token_row)
        record("account.token_issued", user=user, target=f"user:{user.username}", label=label, days=days)
    return token


# How stale a token's last use may be before a request writes it again: a tablet marking
# every few seconds writes it once a minute, not once a mark.
LAST_USE_GRAIN = timedelta(minutes=1)


def user_for_token(token: str) -> User | None:
    """The active account a token not revoked and not expired belongs to; its last use noted."""
    now = utcnow()
    # The user in the same statement: every mark a tablet posts starts here.
    row = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                            .where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_active or (row.expires_at is not None and row.expires_at <= now):
        return None
    if row.last_used_at is None or now - row.last_used_at >= LAST_USE_GRAIN:
        with write_transaction():
            row.last_used_at = now
    return row.user


def home_for(user) -> str:
    """Where a person lands after logging in: their role's home page."""
    if policy.is_admin(user):
        return url_for("admin.home")
    if policy.can_create_contest(user):  # an organiser
        return url_for("contests.dashboard")
    if policy.has_judging(user):  # judges, chief judges and supervisors
        return url_for("judging.home")
    return url_for("public.home")


# --- passwords -----------------------------------------------------------------------------------

def password_problem(password: str, user) -> str | None:
    """Why `password` will not do as the new password of `user`: the code of its message
    (competition.messages), or None when it will. The rule of every place a password is chosen."""
    folded = password.casefold()
    if len(password) < PASSWORD_MIN_LENGTH:
        return "password_too_short"
    if len(set(folded)) == 1:
        return "password_one_character"
    names = {normalised_username(user.username), normalised_username(user.name)}
    if folded.strip() in names or folded.replace(" ", "") in {n.replace(" ", "") for n in names}:
        return "password_like_name"
    if folded in COMMON_PASSWORDS:
        return "password_common"
    if user.check_password(password):
        return "password_reused"
    return None


def change_password(user: User, current: str, new: str, ip: str | None = None) -> None:
    """The account's owner chooses a new password, knowing the current one. Every other session
    and remember-me cookie of the account ends (the session version goes up); the caller logs the
    current session in again. Refused, with nothing written, for a wrong current password or a
    new one the rule refuses."""
    if not user.password_hash:
        raise ActionRefused(409, "no_password")
    if not user.check_password(current):
        raise ActionRefused(422, "current_password_wrong", field="current_password")
    if (problem := password_problem(new, user)) is not None:
        raise ActionRefused(422, problem, field="password")
    with write_transaction():
        user.set_password(new)
        user.password_changed_at = utcnow()
        # In SQL: two changes at once both count, and neither leaves an old session valid.
        user.session_version = User.session_version + 1
        record("account.password_changed", user=user, target=f"user:{user.username}", ip=ip)


# --- the account page ---------------------------------------------------------------------------------

@dataclass
class ContestRole:
    """The user's role in one contest: judge or supervisor, and the events they are chief judge of."""

    contest: object
    role: str
    chief_of: list = field(default_factory=list)
    panels: list = field(default_factory=list)


def contest_roles(user: User) -> list[ContestRole]:
    """The user's judging roles, newest contest first, archived contests left out."""
    from ..contests.models import Contest
    from ..judges.models import Judge, PanelSeat
    judges = db.session.scalars(
        select(Judge).join(Contest, Contest.id == Judge.contest_id)
        .where(Judge.user_id == user.id, Contest.archived_at.is_(None))
        .options(selectinload(Judge.seats).selectinload(PanelSeat.event))
        .order_by(Contest.id.desc()))
    roles = []
    for judge in judges:
        seats = sorted(judge.seats, key=lambda seat: (seat.event.position, seat.event.id))
        roles.append(ContestRole(judge.contest, judge.role,
                                 chief_of=[seat.event for seat in seats if seat.is_chief],
                                 panels=[seat.event for seat in seats]))
    return roles
