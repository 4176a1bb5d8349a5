"""Organisations, user accounts and their API tokens (for judges' tablets and scripts)."""
import hashlib
import secrets
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db


class Organisation(db.Model):
    """A union (district federation, enterprise union) that hosts contests."""

    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # A deactivated organisation's organisers cannot log in; its contests stay as they are.
    deactivated_at: Mapped[datetime | None]

    contests = relationship("Contest", back_populates="organisation")


def hash_method() -> str:
    """scrypt: memory-hard, Werkzeug's default and strongest built-in choice. Only the test suite
    turns it down (PASSWORD_HASH_METHOD), to create hundreds of users quickly."""
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    # An organiser belongs to exactly one organisation and sees only its contests.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_active_account: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # A judge's mobile (11 digits), for the organiser to reach them on the day; shown masked.
    phone: Mapped[str] = mapped_column(String(20), default="", server_default="")
    # Part of the session's and the remember-me cookie's id (get_id): raising it when the
    # password changes ends every other session of the account.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    password_changed_at: Mapped[datetime | None]

    organisation = relationship(Organisation)
    judge_roles = relationship("Judge", back_populates="user")

    @property
    def is_active(self) -> bool:
        return self.is_active_account and (self.organisation is None or self.organisation.deactivated_at is None)

    def get_id(self) -> str:
        """What the session and the remember-me cookie hold: "<id>.<session_version>"."""
        return f"{self.id}.{self.session_version}"

    @property
    def is_organiser(self) -> bool:
        return self.organisation_id is not None

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=hash_method())

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)


class ApiToken(db.Model):
    """A per-judge bearer token for tablets and scripts. Only its hash is stored."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    # A token stops working at expires_at (None: tokens issued before tokens expired).
    expires_at: Mapped[datetime | None]
    # When it last authenticated a request, to the minute (see accounts.services.user_for_token).
    last_used_at: Mapped[datetime | None]

    user = relationship(User)

    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),)

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, label: str = "", *, expires_at: datetime | None = None) -> tuple["ApiToken", str]:
        token = "gj_" + secrets.token_urlsafe(32)
        return cls(user=user, token_hash=cls.hash(token), label=label, expires_at=expires_at), token


INVITE_PURPOSES = ("invite", "reset")


class Invite(db.Model):
    """A one-time link (or its QR code) on which an invited organiser, or one whose password
    an administrator reset, sets a password. Only its hash is stored."""

    __tablename__ = "invite"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(16), default="invite")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship(User, foreign_keys=[user_id])
    created_by = relationship(User, foreign_keys=[created_by_id])

    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),
                      CheckConstraint(f"purpose IN {INVITE_PURPOSES}", name="purpose_known"))

    hash = staticmethod(ApiToken.hash)

    @classmethod
    def issue(cls, user: User, *, expires_at: datetime, purpose: str = "invite",
              created_by: User | None = None) -> tuple["Invite", str]:
        token = secrets.token_urlsafe(32)
        return cls(user=user, purpose=purpose, token_hash=cls.hash(token), expires_at=expires_at,
                   created_by_id=getattr(created_by, "id", None)), token

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at

