"""The contest and its marking scheme: contests, events, sections, criteria, delegations,
contestants, entries, and who judges what (judges, panels, assignments)."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Fixed, utcnow
from ..extensions import db

CONTEST_STATUSES = ("draft", "registration", "judging", "finished", "published")
BOARD_POLICIES = ("submitted", "locked")  # marks reach the public board on submit, or on lock
CRITERION_KINDS = ("measurement", "judgement")


class Contest(db.Model):
    __tablename__ = "contest"
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    venue: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    status: Mapped[str] = mapped_column(String(16), default="draft")
    board_policy: Mapped[str] = mapped_column(String(16), default="submitted")
    # Judges see draw codes instead of names and bibs.
    is_blind: Mapped[bool] = mapped_column(default=False)
    # Public boards carry bibs alone until results are published.
    is_names_hidden: Mapped[bool] = mapped_column(default=False)
    standings_best_n: Mapped[int] = mapped_column(default=3, server_default="3")  # delegation standings: best N count
    # How bibs (参赛号) are numbered: {event} is the event's code upper-cased, {n} the running
    # number within the event, with Python format specs ({n:03} → 001).
    bib_pattern: Mapped[str] = mapped_column(String(64), default="{event}{n:03}", server_default="{event}{n:03}")
    # Shown on the registration form; a registrant must consent to it explicitly.
    privacy_notice: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    organisation = relationship("Organisation", back_populates="contests")
    events = relationship("Event", back_populates="contest", order_by="Event.position",
                          cascade="all, delete-orphan")
    delegations = relationship("Delegation", back_populates="contest", order_by="Delegation.name",
                               cascade="all, delete-orphan")
    judges = relationship("Judge", back_populates="contest", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"status IN {CONTEST_STATUSES}", name="status_known"),
        CheckConstraint(f"board_policy IN {BOARD_POLICIES}", name="board_policy_known"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    @property
    def is_public(self) -> bool:
        return self.archived_at is None and self.status != "draft"


class Event(db.Model):
    """One discipline (赛项) with its own marking scheme, panel and board."""

    __tablename__ = "event"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    is_team: Mapped[bool] = mapped_column(default=False)
    team_size: Mapped[int | None]
    capacity: Mapped[int | None]
    places: Mapped[int] = mapped_column(default=2)
    tie_break: Mapped[list] = mapped_column(JSON, default=list)  # e.g. ["-completion_time", "section:P"]
    awards: Mapped[list] = mapped_column(JSON, default=list)  # [{"name": "一等奖", "count": 1}, …]
    # Registration for this event closes at this moment (UTC); None: when the contest's closes.
    registration_deadline: Mapped[datetime | None]
    # The chief judge's sign-off (签字确认) of the whole event; each entry carries its own lock too.
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    contest = relationship(Contest, back_populates="events")
    sections = relationship("Section", back_populates="event", order_by="Section.position",
                            cascade="all, delete-orphan")
    criteria = relationship("Criterion", back_populates="event", order_by="Criterion.position",
                            viewonly=True)
    entries = relationship("Entry", back_populates="event", order_by="Entry.bib",
                           cascade="all, delete-orphan")
    panel = relationship("PanelSeat", back_populates="event", order_by="PanelSeat.position",
                         cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("contest_id", "code"),
        CheckConstraint("places BETWEEN 0 AND 4", name="places_range"),
        CheckConstraint("team_size IS NULL OR team_size >= 1", name="team_size_positive"),
        CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_positive"),
    )


class Section(db.Model):
    """A weighted part of an event's marking scheme (理论 30 %, 实操 70 % …)."""

    __tablename__ = "section"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(default=0)
    weight: Mapped[Decimal | None] = mapped_column(Fixed(3))
    pass_mark: Mapped[Decimal | None] = mapped_column(Fixed(3))  # percent of the section's maximum

    event = relationship(Event, back_populates="sections")
    criteria = relationship("Criterion", back_populates="section", order_by="Criterion.position",
                            cascade="all, delete-orphan")

    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("weight IS NULL OR weight > 0", name="weight_positive"),
        CheckConstraint("pass_mark IS NULL OR (pass_mark >= 0)", name="pass_mark_positive"),
    )


class Criterion(db.Model):
    """One markable item: max mark, kind, aggregation method and how many judges mark it."""

    __tablename__ = "criterion"
    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(ForeignKey("section.id", ondelete="CASCADE"), index=True)
    # Denormalised so a criterion code is unique within its event, enforced by the database.
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    max: Mapped[Decimal] = mapped_column(Fixed(3))
    kind: Mapped[str] = mapped_column(String(16), default="measurement")
    method: Mapped[str] = mapped_column(String(16), default="single")
    judges: Mapped[int] = mapped_column(default=1)
    trim: Mapped[int] = mapped_column(default=1)
    spread: Mapped[Decimal] = mapped_column(Fixed(3), default=Decimal(1))
    tolerance: Mapped[Decimal | None] = mapped_column(Fixed(3))
    step: Mapped[Decimal | None] = mapped_column(Fixed(3))
    # Judgement criteria: what 0, 1, 2 and 3 mean, shown on the judge's buttons.
    descriptors: Mapped[list] = mapped_column(JSON, default=list)

    section = relationship(Section, back_populates="criteria")
    event = relationship(Event, back_populates="criteria", viewonly=True)

    __table_args__ = (
        UniqueConstraint("event_id", "code"),
        CheckConstraint("max > 0", name="max_positive"),
        CheckConstraint(f"kind IN {CRITERION_KINDS}", name="kind_known"),
        CheckConstraint("method IN ('single', 'mean', 'median', 'trimmed', 'judgement', 'tolerance')",
                        name="method_known"),
        CheckConstraint("judges >= 1", name="judges_positive"),
        CheckConstraint("trim >= 0", name="trim_positive"),
        CheckConstraint("method != 'tolerance' OR tolerance IS NOT NULL", name="tolerance_given"),
    )


class Delegation(db.Model):
    """Whom entries represent: an enterprise or a district union."""

    __tablename__ = "delegation"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))

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
    id_number: Mapped[str | None] = mapped_column(String(32))
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
        UniqueConstraint("contest_id", "id_type", "id_number"),
        CheckConstraint("source IN ('form', 'import', 'organiser')", name="source_known"),
    )


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
    status: Mapped[str] = mapped_column(String(16), default="approved")
    completion_time: Mapped[Decimal | None] = mapped_column(Fixed(3))  # seconds
    running_order: Mapped[int | None]
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
        CheckConstraint("status IN ('pending', 'approved', 'rejected', 'withdrawn')", name="status_known"),
        CheckConstraint("completion_time IS NULL OR completion_time >= 0", name="completion_time_positive"),
    )

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class Judge(db.Model):
    """A user's role as judge in one contest, with the delegation they come from (for
    conflicts of interest)."""

    __tablename__ = "judge"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))

    contest = relationship(Contest, back_populates="judges")
    user = relationship("User", back_populates="judge_roles")
    delegation = relationship(Delegation)
    seats = relationship("PanelSeat", back_populates="judge", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("contest_id", "user_id"),)


panel_seat_criterion = db.Table(
    "panel_seat_criterion",
    db.Column("seat_id", ForeignKey("panel_seat.id", ondelete="CASCADE"), primary_key=True),
    db.Column("criterion_id", ForeignKey("criterion.id", ondelete="CASCADE"), primary_key=True),
)


class PanelSeat(db.Model):
    """A judge on an event's panel; a chief judge (裁判长) acts only in their events."""

    __tablename__ = "panel_seat"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    is_chief: Mapped[bool] = mapped_column(default=False)
    position: Mapped[int] = mapped_column(default=0)

    event = relationship(Event, back_populates="panel")
    judge = relationship(Judge, back_populates="seats")
    # The criteria this judge marks in the event; none listed: every criterion of the event.
    criteria = relationship(Criterion, secondary=panel_seat_criterion, order_by=Criterion.position)

    __table_args__ = (UniqueConstraint("event_id", "judge_id"),)


class Assignment(db.Model):
    """Which judge marks which criterion of which entry."""

    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id", ondelete="CASCADE"), index=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)

    entry = relationship(Entry)
    criterion = relationship(Criterion)
    judge = relationship(Judge)

    __table_args__ = (UniqueConstraint("entry_id", "criterion_id", "judge_id"),)
