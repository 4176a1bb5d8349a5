"""A judge's tablet as the server last heard of it: what the tablet itself reports every few
seconds while it is online (its outbox, its page version, its battery, the entry it shows).
The server keeps the last report only; nothing here counts for the results."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contests.models import Event
from ..database import utcnow
from ..entries.models import Entry
from ..extensions import db
from ..judges.models import Judge


class Tablet(db.Model):
    """One browser (its own random id, kept in the browser) under one judge's login."""

    __tablename__ = "tablet"
    id: Mapped[int] = mapped_column(primary_key=True)
    device: Mapped[str] = mapped_column(String(64))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entry.id", ondelete="SET NULL"))
    version: Mapped[str] = mapped_column(String(40), default="")
    waiting: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    battery: Mapped[int | None] = mapped_column()
    charging: Mapped[bool | None] = mapped_column()
    offline_pages: Mapped[bool] = mapped_column(default=False)
    agent: Mapped[str] = mapped_column(String(120), default="")
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)

    judge = relationship(Judge)
    event = relationship(Event)
    entry = relationship(Entry)

    __table_args__ = (UniqueConstraint("device", "judge_id"),)
