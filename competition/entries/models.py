"""Who takes part: delegations (whom entries represent), contestants (people and their
registration data) and entries (a contestant or a team in one event, with bib and draw code)."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, event, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..contests.models import Contest, Event
from ..database import Fixed, utcnow
from ..extensions import db
from ..sealing import SealedText, blind_index

#: An entry's review status; only approved entries are marked and shown on boards.
ENTRY_STATUSES = ("pending", "approved", "rejected", "withdrawn")
APPROVED = "approved"
#: Entries that take a place in an event (a rejected or withdrawn one frees it).
TAKES_A_PLACE = ("pending", APPROVED)
#: How a contestant came in: the public form, an imported list, the organiser's pages.
CONTESTANT_SOURCES = ("form", "import", "organiser")


class Delegation(db.Model):
    """Whom entries represent: an enterprise or a district union."""

    __tablename__ = "delegation"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # The team leader (领队) and how to reach them, for the organisers.
    leader: Mapped[str] = mapped_column(String(120), default="", server_default="")
    contact: Mapped[str] = mapped_column(String(120), default="", server_default="")

    contest = relationship(Contest, back_populates="delegations")

    __table_args__ = (UniqueConstraint("contest_id", "name"),)


class Contestant(db.Model):
    """A person and their registration data. Personal fields never reach a public page."""

    __tablename__ = "contestant"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    gender: Mapped[str | None] = mapped_column(String(8))
    id_type: Mapped[str | None] = mapped_column(String(16))
    # Sealed at rest (competition/sealing.py). Found again by id_index, the keyed hash of the
    # type and number; id_tail (the last four characters, shown in every mask) for searches.
    id_number: Mapped[str | None] = mapped_column(SealedText)
    id_index: Mapped[str | None] = mapped_column(String(64))
    id_tail: Mapped[str | None] = mapped_column(String(4), index=True)
    mobile: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    trade: Mapped[str | None] = mapped_column(String(120))
    skill_level: Mapped[str | None] = mapped_column(String(40))
    # The registrant's reference to look up their status (报名编号); None for people the
    # organiser entered or imported.
    reference: Mapped[str | None] = mapped_column(String(32), unique=True)
    consented_at: Mapped[datetime | None]  # when they accepted the contest's privacy notice
    source: Mapped[str] = mapped_column(String(16), default="organiser", server_default="organiser")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    delegation = relationship(Delegation)

    __table_args__ = (
        UniqueConstraint("contest_id", "id_index"),
        CheckConstraint(f"source IN {CONTESTANT_SOURCES}", name="source_known"),
    )


@event.listens_for(Contestant, "before_insert")
@event.listens_for(Contestant, "before_update")
def _index_id_number(_mapper, _connection, contestant: Contestant) -> None:
    """The blind index and the plain tail follow the number, whoever wrote it."""
    number = contestant.id_number
    contestant.id_index = blind_index(contestant.id_type, number) if number else None
    contestant.id_tail = number[-4:] if number else None


entry_member = db.Table(
    "entry_member",
    db.Column("entry_id", ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True),
    db.Column("contestant_id", ForeignKey("contestant.id", ondelete="CASCADE"), primary_key=True),
)


class Entry(db.Model):
    """A contestant (or a team) entered in one event, with a bib (参赛号) and a secret draw
    code (加密号)."""

    __tablename__ = "entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Denormalised so bibs and draw codes are unique within a contest, by the database.
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"), index=True)
    contestant_id: Mapped[int | None] = mapped_column(ForeignKey("contestant.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # display name: the person's or the team's
    bib: Mapped[str | None] = mapped_column(String(32))  # None until the organiser assigns bibs
    draw_code: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default=APPROVED)
    completion_time: Mapped[Decimal | None] = mapped_column(Fixed(3))  # seconds
    running_order: Mapped[int | None]
    # A team's leader (领队) and how to reach them, as its registration gave them.
    leader: Mapped[str] = mapped_column(String(120), default="", server_default="")
    contact: Mapped[str] = mapped_column(String(120), default="", server_default="")
    # The organiser's review of a registration: why it was rejected or withdrawn, by whom, when.
    review_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    event = relationship(Event, back_populates="entries")
    delegation = relationship(Delegation)
    contestant = relationship(Contestant)
    members = relationship(Contestant, secondary=entry_member, order_by=Contestant.id)
    penalties = relationship("Penalty", back_populates="entry", cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("contest_id", "bib"),
        UniqueConstraint("contest_id", "draw_code"),
        UniqueConstraint("event_id", "contestant_id"),  # one person enters one event once
        CheckConstraint(f"status IN {ENTRY_STATUSES}", name="status_known"),
        CheckConstraint("completion_time IS NULL OR completion_time >= 0", name="completion_time_positive"),
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def is_approved(self) -> bool:
        return self.status == APPROVED


def bib_order() -> tuple:
    """ORDER BY terms for bibs in their natural order (A2 before A10): an event's bibs share
    their prefix, so the shorter comes first, then the text; entries without a bib last."""
    return Entry.bib.is_(None), func.length(Entry.bib), Entry.bib
