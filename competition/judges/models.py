"""Who judges what: a user's judge role in a contest, their seats on event panels, the
assignments (which judge marks which criterion of which entry), and the one-time login links
that put a judge's tablet in; and `panel`, the event's judges in panel order (J1, J2 …), a read
that the entrants' and appeals' pages share with the judges' own (here, so that they need no
judges' service)."""
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql import expression

from ..accounts.models import ApiToken, User
from ..contests.models import Contest, Criterion, Event
from ..database import utcnow
from ..entries.models import Delegation, Entry
from ..extensions import db

#: A contest role: a judge marks; a supervisor (监督仲裁组) rules on objections and appeals,
#: sees marks and never changes one.
JUDGE_ROLES = ("judge", "supervisor")
SUPERVISOR = "supervisor"


class Judge(db.Model):
    """A user's role in one contest (judge or supervisor), with the delegation they come from
    (for conflicts of interest)."""

    __tablename__ = "judge"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    delegation_id: Mapped[int | None] = mapped_column(ForeignKey("delegation.id"))
    role: Mapped[str] = mapped_column(String(16), default="judge", server_default="judge")
    # J1, J2 … in the order the contest's ledger first names them: judges appear in the ledger
    # (and its export) by this alone.
    pseudonym: Mapped[str | None] = mapped_column(String(8))

    contest = relationship(Contest, back_populates="judges")
    user = relationship("User", back_populates="judge_roles")
    delegation = relationship(Delegation)
    seats = relationship("PanelSeat", back_populates="judge", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("contest_id", "user_id"), UniqueConstraint("contest_id", "pseudonym"),
                      CheckConstraint(f"role IN {JUDGE_ROLES}", name="role_known"))

    @property
    def is_supervisor(self) -> bool:
        return self.role == SUPERVISOR


panel_seat_criterion = db.Table(
    "panel_seat_criterion",
    db.Column("seat_id", ForeignKey("panel_seat.id", ondelete="CASCADE"), primary_key=True),
    db.Column("criterion_id", ForeignKey("criterion.id", ondelete="CASCADE"), primary_key=True),
)


class PanelSeat(db.Model):
    """A judge on an event's panel; a chief judge (裁判长) acts only in their events and may sit
    to supervise only (`marks` False: no assignments); every other seat marks."""

    __tablename__ = "panel_seat"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("judge.id", ondelete="CASCADE"), index=True)
    is_chief: Mapped[bool] = mapped_column(default=False)
    marks: Mapped[bool] = mapped_column(default=True, server_default=expression.true())
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


class LoginLink(db.Model):
    """A one-time login link (or its QR code) for a judge's tablet. Only its hash is stored;
    it works once, until it expires, and the organiser can revoke it before."""

    __tablename__ = "login_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    contest_id: Mapped[int | None] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user = relationship(User, foreign_keys=[user_id])

    __table_args__ = (CheckConstraint("length(token_hash) = 64", name="token_hash_sha256"),)

    hash = staticmethod(ApiToken.hash)

    @classmethod
    def issue(cls, user: User, *, expires_at: datetime, contest=None, created_by=None) -> tuple["LoginLink", str]:
        token = secrets.token_urlsafe(32)
        link = cls(user=user, token_hash=cls.hash(token), expires_at=expires_at,
                   contest_id=getattr(contest, "id", None), created_by_id=getattr(created_by, "id", None))
        return link, token

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at


# --- who sits on a panel, as pseudonyms (a read that the entrants' and appeals' pages share) ---

@dataclass
class PanelJudge:
    judge: Judge
    number: int  # J1, J2 … in panel order
    name: str
    is_chief: bool = False


def panel(event: Event) -> dict[int, PanelJudge]:
    """The event's judges by judge id, numbered in panel order; judges assigned without a seat
    come after the panel."""
    out: dict[int, PanelJudge] = {}
    for seat, judge, name in db.session.execute(
            select(PanelSeat, Judge, User.name).join(Judge, Judge.id == PanelSeat.judge_id)
            .join(User, User.id == Judge.user_id)
            .where(PanelSeat.event_id == event.id).order_by(PanelSeat.position, PanelSeat.id)):
        out[judge.id] = PanelJudge(judge, len(out) + 1, name, seat.is_chief)
    for judge, name in db.session.execute(
            select(Judge, User.name).join(User, User.id == Judge.user_id)
            .join(Assignment, Assignment.judge_id == Judge.id).join(Entry, Entry.id == Assignment.entry_id)
            .where(Entry.event_id == event.id).distinct().order_by(Judge.id)):
        if judge.id not in out:
            out[judge.id] = PanelJudge(judge, len(out) + 1, name)
    return out
