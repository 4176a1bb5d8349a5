"""Account writes: creating users, logging in, issuing API tokens."""
from sqlalchemy import func, select

from ..audit.models import record
from ..database import utcnow, write_transaction
from ..extensions import db
from .models import ApiToken, User


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    user = find_user(username)
    if user is None or not user.is_active or not user.check_password(password):
        return None
    return user


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


def issue_token(user: User, label: str = "") -> str:
    """A new bearer token for the user; earlier tokens stay valid until revoked."""
    with write_transaction():
        token_row, token = ApiToken.issue(user, label)
        db.session.add(token_row)
        record("account.token_issued", user=user, target=f"user:{user.username}", label=label)
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token),
                                                   ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.is_active:
        return None
    return row.user
