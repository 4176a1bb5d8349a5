"""Stored results per entry and a version number per board, both written in the same
transaction as the mark that changed them, so a board is one indexed query."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from ..database import Fixed, utcnow
from ..extensions import db

#: An entry's result is provisional until every mark of it is locked (signed off), then final.
RESULT_STATUSES = ("provisional", "final")


class Result(db.Model):
    __tablename__ = "result"
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    # criterion code -> unrounded score as a string (None until it has enough marks)
    criteria: Mapped[dict] = mapped_column(JSON, default=dict)
    sections: Mapped[dict] = mapped_column(JSON, default=dict)  # section code -> "27.00"
    flags: Mapped[dict] = mapped_column(JSON, default=dict)  # criterion code -> ["spread"]
    total: Mapped[Decimal | None] = mapped_column(Fixed(4))  # None: no marks yet
    penalty: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal(0))
    is_passed: Mapped[bool] = mapped_column(default=True)
    rank: Mapped[int | None]
    award: Mapped[str | None] = mapped_column(String(64))
    marked: Mapped[int] = mapped_column(default=0)
    expected: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="provisional")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    entry = relationship("Entry")

    __table_args__ = (
        # A mark reads the window of totals it can reorder (boards.results.recompute).
        Index("ix_result_event_total", "event_id", "total"),
        CheckConstraint(f"status IN {RESULT_STATUSES}", name="status_known"),
        CheckConstraint("rank IS NULL OR rank >= 1", name="rank_positive"),
        CheckConstraint("marked >= 0 AND expected >= 0", name="progress_positive"),
    )


class Board(db.Model):
    """An event's board. `seq` rises with every change of the live board, the one organisers
    and chief judges see. `public_seq` is the version the public sees: it follows `seq` while
    the board is live; from a freeze until the reveal ends it stays behind, the public board
    is `public_rows`, and each reveal step (`revealed` rows from the bottom) advances it."""

    __tablename__ = "board"
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    public_seq: Mapped[int] = mapped_column(default=0, server_default="0")
    frozen_at: Mapped[datetime | None]
    public_rows: Mapped[list | None] = mapped_column(JSON)  # the public board's rows while frozen
    revealed: Mapped[int] = mapped_column(default=0, server_default="0")
    # How many of the event's entries have a rank, as the last full ranking counted them
    # (None: not counted yet). A mark that reorders only a window of the board needs it for
    # the shares of awards; it does not change it (boards.results.recompute).
    ranked: Mapped[int | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship("Event")

    __table_args__ = (
        CheckConstraint("seq >= 0", name="seq_positive"),
        CheckConstraint("public_seq >= 0 AND revealed >= 0", name="public_positive"),
        # A live board shows the public what it shows the jury.
        CheckConstraint("frozen_at IS NOT NULL OR public_seq = seq", name="public_follows_live"),
    )

    @validates("seq")
    def _public_follows_live(self, key, seq):
        if self.frozen_at is None:
            self.public_seq = seq
        return seq

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None
