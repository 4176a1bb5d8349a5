"""The ledger: per contest, an append-only, hash-chained record of every change that decides a
result (DESIGN.md §2). `LedgerEntry.body` is what is hashed; `LedgerHead` holds the last entry's
seq and hash (moved by the database when an entry is inserted), and its row is the lock that
keeps one contest's chain one chain."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import utcnow
from ..extensions import db

#: The hash before the first entry.
GENESIS = "0" * 64


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    # No cascade: a contest with a ledger is not deleted (it is archived).
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("contest_id", "seq"),)


class LedgerHead(db.Model):
    __tablename__ = "ledger_head"
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64), default=GENESIS)
