"""The audit log: who did what, when, to which contest — append-only."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64))  # e.g. "mark.submit", "contest.import"
    target: Mapped[str] = mapped_column(String(120), default="")  # e.g. "entry:A001/P1"
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64))

    user = relationship("User")

    __table_args__ = (Index("ix_audit_entry_contest_at", "contest_id", "at"),)


def record(action: str, *, user=None, contest=None, target: str = "", ip: str | None = None, **data):
    """Add an audit entry to the current transaction (it commits or rolls back with it)."""
    entry = AuditEntry(action=action, user_id=getattr(user, "id", None),
                       contest_id=getattr(contest, "id", None), target=target, data=data, ip=ip)
    db.session.add(entry)
    return entry
