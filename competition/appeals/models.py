"""Objections (异议) and appeals (申诉) during 公示, and the supervisors' rulings on them.

An objection is anyone's written remark on the announced results; an appeal is an entry's
formal request for named marks to be reviewed, with evidence files. A supervisor rules on
either (dismissed or upheld, with reasons). An upheld appeal reopens the marks it names; once
the panel has re-marked them and the chief judge has locked the entries again, the appeal is
resolved and records every entry whose placing changed, before and after."""
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import utcnow
from ..references import random_code
from ..extensions import db

#: open: waiting for a ruling; dismissed / upheld: ruled (an objection ends there).
OBJECTION_STATUSES = ("open", "dismissed", "upheld")
#: An appeal upheld is reopened marks being re-marked; resolved once they are locked again.
APPEAL_STATUSES = ("open", "dismissed", "upheld", "resolved")
#: An appeal still to be finished: it keeps its event protested and the contest unpublished.
APPEAL_PENDING = ("open", "upheld")
RULINGS = ("dismissed", "upheld")
def new_reference(prefix: str) -> str:
    return prefix + random_code(8)


class Objection(db.Model):
    __tablename__ = "objection"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    ruling: Mapped[str] = mapped_column(Text, default="", server_default="")
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ruled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship("Contest")
    ruled_by = relationship("User")

    __table_args__ = (CheckConstraint(f"status IN {OBJECTION_STATUSES}", name="status_known"),)


class Appeal(db.Model):
    __tablename__ = "appeal"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    # Who filed it: the entry's contestant (an individual, or a team's leader).
    contestant_id: Mapped[int | None] = mapped_column(ForeignKey("contestant.id", ondelete="SET NULL"))
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    criteria: Mapped[list] = mapped_column(JSON, default=list)  # the criterion codes it names
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="open")
    ruling: Mapped[str] = mapped_column(Text, default="", server_default="")
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    ruled_at: Mapped[datetime | None]
    # Upheld: the marks it reopened [{"criterion", "judge"(id), "mark"(id), "value"}], and the
    # event's placings then {bib: {"rank", "total", "award"}}; resolved: the entries whose
    # placing changed [{"entry", "before": {…}, "after": {…}}].
    reviewed: Mapped[list] = mapped_column(JSON, default=list)
    before: Mapped[dict] = mapped_column(JSON, default=dict)
    changes: Mapped[list] = mapped_column(JSON, default=list)
    resolved_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship("Contest")
    event = relationship("Event")
    entry = relationship("Entry")
    ruled_by = relationship("User")
    files = relationship("AppealFile", back_populates="appeal", order_by="AppealFile.id",
                         cascade="all, delete-orphan")

    __table_args__ = (CheckConstraint(f"status IN {APPEAL_STATUSES}", name="status_known"),)


class AppealFile(db.Model):
    """One evidence file of an appeal (an image or a PDF), kept in the database with the rest."""

    __tablename__ = "appeal_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    appeal = relationship(Appeal, back_populates="files")
