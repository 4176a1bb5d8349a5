"""Marks and their revisions, and penalties. A mark is never edited in place: every change
is a new revision saying who, when and why."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Fixed, utcnow
from ..extensions import db

#: "returned": the chief judge sent the mark back for re-marking; "review": an upheld appeal
#: reopened it. Either still counts until the judge replaces it.
MARK_STATUSES = ("submitted", "returned", "review")
REOPENED = ("returned", "review")


class Mark(db.Model):
    """One judge's current value for one criterion of one entry."""

    __tablename__ = "mark"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    value: Mapped[Decimal] = mapped_column(Fixed(3))
    revision: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last send-back (the chief judge's, or an upheld appeal's): why, when and by whom
    # (kept after the judge re-marks); `appeal_id` for an appeal's.
    return_note: Mapped[str | None] = mapped_column(Text)
    returned_at: Mapped[datetime | None]
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    appeal_id: Mapped[int | None] = mapped_column(ForeignKey("appeal.id", ondelete="SET NULL"))

    entry = relationship("Entry")
    criterion = relationship("Criterion")
    judge = relationship("Judge")
    appeal = relationship("Appeal")
    revisions = relationship("MarkRevision", back_populates="mark", order_by="MarkRevision.revision",
                             cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("entry_id", "criterion_id", "judge_id"),
        CheckConstraint("value >= 0", name="value_positive"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        CheckConstraint(f"status IN {MARK_STATUSES}", name="status_known"),
    )

    @property
    def appeal_reference(self) -> str | None:
        """The appeal that last reopened this mark, if one did."""
        return self.appeal.reference if self.appeal is not None else None


class MarkRevision(db.Model):
    """Every value a mark has had. `client_id` makes a tablet's retry idempotent, and
    `board_seq` lets the replay answer with exactly the body of the first answer."""

    __tablename__ = "mark_revision"
    id: Mapped[int] = mapped_column(primary_key=True)
    mark_id: Mapped[int] = mapped_column(ForeignKey("mark.id", ondelete="CASCADE"))
    revision: Mapped[int]
    value: Mapped[Decimal] = mapped_column(Fixed(3))
    client_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="api")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # source "paper": entered from the judge's signed sheet by one person, checked by a second
    # who entered it again (competition.paper); `author_id` stays the judge's.
    transcribed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    board_seq: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    mark = relationship(Mark, back_populates="revisions")
    author = relationship("User", foreign_keys=[author_id])
    transcribed_by = relationship("User", foreign_keys=[transcribed_by_id])
    verified_by = relationship("User", foreign_keys=[verified_by_id])

    __table_args__ = (
        UniqueConstraint("mark_id", "revision"),
        CheckConstraint("value >= 0", name="value_positive"),
    )


class Penalty(db.Model):
    """Points deducted from an entry's total, with the reason (e.g. a safety violation)."""

    __tablename__ = "penalty"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    points: Mapped[Decimal] = mapped_column(Fixed(3))
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    entry = relationship("Entry", back_populates="penalties")

    __table_args__ = (CheckConstraint("points > 0", name="points_positive"),)
