"""A judge's paper score sheet waiting for its second entry, and the pseudonyms under which the
people who enter sheets appear in the ledger."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..extensions import db


class PaperSheet(db.Model):
    """The first entry of one judge's signed sheet for one entry: the values as the first
    person read them (by criterion code, as decimal text), waiting for a second person to enter
    them blind. Nothing of it counts until both agree; then the marks are stored through the
    marking service and the sheet row goes (the audit log keeps every step)."""

    __tablename__ = "paper_sheet"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    entered: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    transcribed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry = relationship("Entry")
    judge = relationship("Judge")
    transcribed_by = relationship("User")

    __table_args__ = (UniqueConstraint("entry_id", "judge_id"),)


class Transcriber(db.Model):
    """A person who entered paper sheets in a contest, as the ledger names them: T1, T2 … in
    the order the ledger first names them (no personal data, as judges are J1, J2 …)."""

    __tablename__ = "transcriber"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    pseudonym: Mapped[str] = mapped_column(String(8))

    __table_args__ = (UniqueConstraint("contest_id", "user_id"), UniqueConstraint("contest_id", "pseudonym"))
