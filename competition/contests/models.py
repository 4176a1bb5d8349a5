"""The contest and its marking scheme: contests, their events, sections and criteria."""
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import scoring
from ..database import Fixed, utcnow
from ..extensions import db

CONTEST_STATUSES = ("draft", "registration", "judging", "finished", "published")
#: An event's result status (DESIGN.md §2): marking, signed off by the chief judge, announced
#: for objections (公示), under review for an appeal, official. Awards are decided from
#: signed_off on; the contest is published only with every event official.
RESULT_STATUSES = ("live", "signed_off", "announced", "protested", "official")
LIVE, SIGNED_OFF, ANNOUNCED, PROTESTED, OFFICIAL = RESULT_STATUSES
#: The statuses in which an event's results are public, awards and all (公示 and after).
ANNOUNCED_OR_LATER = (ANNOUNCED, PROTESTED, OFFICIAL)
DEFAULT_TIME_ZONE = "Asia/Shanghai"
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
    # Every time a person reads is shown in this zone (times are stored as naive UTC).
    time_zone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE)
    # Contestants looking up their results see each judge's marks under pseudonyms (J1, J2 …).
    shows_judge_marks: Mapped[bool] = mapped_column(default=False, server_default="0")
    # The public board shows each incomplete entry's possible rank (DESIGN.md §3), as the jury's
    # view does; never while the board is frozen.
    shows_public_ranges: Mapped[bool] = mapped_column(default=False, server_default=false())
    # At publication, besides one certificate per award: a participation certificate (参赛证书)
    # for every other entry with a result.
    gives_participation_certificates: Mapped[bool] = mapped_column(default=False, server_default="0")
    # 公示: when the results were announced, until when anyone may object and an entry appeal.
    announced_at: Mapped[datetime | None]
    objections_until: Mapped[datetime | None]
    appeals_until: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    archived_at: Mapped[datetime | None]

    organisation = relationship("Organisation", back_populates="contests")
    # A rehearsal (演练) of this contest's ceremony: a copy with made-up names and marks, never
    # listed publicly; it goes with the contest it rehearses.
    rehearsal_of_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))

    events = relationship("Event", back_populates="contest", order_by="Event.position",
                          cascade="all, delete-orphan")
    delegations = relationship("Delegation", back_populates="contest", order_by="Delegation.name",
                               cascade="all, delete-orphan")
    judges = relationship("Judge", back_populates="contest", cascade="all, delete-orphan")

    __table_args__ = (
        CheckConstraint(f"status IN {CONTEST_STATUSES}", name="status_known"),
        CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_ordered"),
    )

    @property
    def is_public(self) -> bool:
        return self.archived_at is None and self.status != "draft"

    def objections_open(self, now: datetime) -> bool:
        """Anyone may object to announced results until the objection window closes."""
        return self._results_open(now) and self.objections_until is not None and now < self.objections_until

    def appeals_open(self, now: datetime) -> bool:
        """An entry may appeal its announced results until the contest's appeal deadline."""
        return self._results_open(now) and self.appeals_until is not None and now < self.appeals_until

    def _results_open(self, now: datetime) -> bool:
        return self.announced_at is not None and self.status == "finished" and self.archived_at is None

    @property
    def names_hidden(self) -> bool:
        """Public boards and standings carry bibs alone: names are hidden until the results are
        announced (公示 names who won, so that anyone can object)."""
        return self.is_names_hidden and self.announced_at is None


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
    # The promotion list's rule (晋升名单), or None: {"title": "技师", "count": 3} or {"title", "share": "10"}.
    promotion: Mapped[dict | None] = mapped_column(JSON)
    # Registration for this event closes at this moment (UTC); None: when the contest's closes.
    registration_deadline: Mapped[datetime | None]
    # The chief judge's sign-off (签字确认) of the whole event; each entry carries its own lock too.
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    result_status: Mapped[str] = mapped_column(String(16), default=LIVE, server_default=LIVE)
    # Marking of its measurement criteria closes when its last session (场次) has ended.
    closes_with_session: Mapped[bool] = mapped_column(default=False, server_default=false())

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
        CheckConstraint(f"result_status IN {RESULT_STATUSES}", name="result_status_known"),
    )

    @property
    def awards_decided(self) -> bool:
        """DESIGN.md §3: an award is decided only once the event is signed off."""
        return self.result_status != LIVE

    def rule(self) -> scoring.EventRule:
        """The event's marking scheme as the pure rules take it (RuleError if it cannot be
        scored yet, e.g. a section without criteria)."""
        return scoring.EventRule(
            sections=tuple(scoring.SectionRule(code=s.code, criteria=tuple(c.rule for c in s.criteria),
                                               weight=s.weight, pass_mark=s.pass_mark) for s in self.sections),
            places=self.places, tie_break=tuple(self.tie_break or ()),
            awards=tuple(award_rule(a) for a in self.awards or ()))

    def promotion_rule(self) -> scoring.AwardRule | None:
        """The promotion list's rule as the pure rules take it (its name the title), or None."""
        return promotion_rule(self.promotion)


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

    @property
    def rule(self) -> scoring.CriterionRule:
        """The criterion as the pure rules take it: the one adapter from the model."""
        return scoring.CriterionRule(code=self.code, max=self.max, method=self.method, judges=self.judges,
                                     trim=self.trim, spread=self.spread, tolerance=self.tolerance, step=self.step)


def contest_by_slug(slug: str) -> Contest | None:
    return db.session.scalar(select(Contest).where(Contest.slug == slug))


def event_by_code(contest: Contest, code: str) -> Event | None:
    return db.session.scalar(select(Event).where(Event.contest_id == contest.id, Event.code == code))


def award_rule(award: dict) -> scoring.AwardRule:
    """An award as Event.awards (and the contest file) store it, as the scoring takes it."""
    return scoring.AwardRule(name=award["name"], count=award.get("count"),
                             share=Decimal(award["share"]) if award.get("share") is not None else None)


def promotion_rule(promotion: dict | None) -> scoring.AwardRule | None:
    """Event.promotion as the scoring takes it: an award rule whose name is the title."""
    if not promotion:
        return None
    return award_rule({"name": promotion["title"], "count": promotion.get("count"), "share": promotion.get("share")})
