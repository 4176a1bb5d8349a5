"""The hall's screens (大屏一, 大屏二 … and what the organiser set each to show), the
announcements made to everyone watching a contest (kept with it), and the sessions (场次) of
each event, with start and end times."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contests.models import Contest, Event
from ..database import utcnow
from ..extensions import db

#: What a screen shows: the event being marked (the board most recently changed), a fixed
#: event's board, the delegation standings, the current announcement, a countdown to the end
#: of a session (or the start of the next), an event's winners card.
SCREEN_MODES = ("follow", "event", "standings", "announcement", "countdown", "winners")
#: A screen's font scale, in percent, and its rows per page: the bounds the console accepts.
SCALE_RANGE = (50, 250)
ROWS_RANGE = (4, 40)
SCREEN_NAME_MAX = 40
ANNOUNCEMENT_MAX = 200


class Screen(db.Model):
    """One of the hall's screens, by the name the organiser gave it; the big screen page asks
    for it by that name (/c/<contest>/screen?name=大屏一)."""

    __tablename__ = "screen"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(SCREEN_NAME_MAX))
    mode: Mapped[str] = mapped_column(String(16), default="follow", server_default="follow")
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id", ondelete="SET NULL"))
    scale: Mapped[int] = mapped_column(default=100, server_default="100")  # percent
    rows: Mapped[int | None]  # rows per page; None: as many as fit
    # Bumped on every change, so a screen can tell an old message from a new one.
    seq: Mapped[int] = mapped_column(default=0, server_default="0")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship(Contest)
    event = relationship(Event)

    __table_args__ = (
        UniqueConstraint("contest_id", "name"),
        CheckConstraint(f"mode IN {SCREEN_MODES}", name="mode_known"),
        CheckConstraint(f"scale BETWEEN {SCALE_RANGE[0]} AND {SCALE_RANGE[1]}", name="scale_range"),
        CheckConstraint(f"rows IS NULL OR rows BETWEEN {ROWS_RANGE[0]} AND {ROWS_RANGE[1]}", name="rows_range"),
    )


class Announcement(db.Model):
    """A short notice to every board, screen and judge's tablet watching the contest. The
    latest one not cleared is current; every one is kept, with who wrote and cleared it."""

    __tablename__ = "announcement"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cleared_at: Mapped[datetime | None]
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    author = relationship("User", foreign_keys=[author_id])


class EventSession(db.Model):
    """A session (场次) of an event: when its contestants compete, in UTC (shown in the
    contest's time zone)."""

    __tablename__ = "event_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]

    event = relationship(Event)

    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)
