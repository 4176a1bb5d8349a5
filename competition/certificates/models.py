"""Certificates (证书): one per award, issued when the results become official, verifiable by
anyone by its number; revoked with a reason, never deleted."""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Fixed, utcnow
from ..extensions import db
from ..references import random_code

CERTIFICATE_STATUSES = ("valid", "revoked")
#: An award's certificate (荣誉证书), or a participation certificate (参赛证书) with no award.
CERTIFICATE_KINDS = ("award", "participation")
NUMBER_LENGTH = 10


def new_number(year: int) -> str:
    return f"GJ{year}-" + random_code(NUMBER_LENGTH)


class Certificate(db.Model):
    __tablename__ = "certificate"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id"), index=True)
    # What the certificate says, as it was issued (a later rename does not change a certificate).
    name: Mapped[str] = mapped_column(String(200))
    delegation: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="award", server_default="award")
    award: Mapped[str | None] = mapped_column(String(64))
    rank: Mapped[int | None]
    total: Mapped[Decimal] = mapped_column(Fixed(4))
    status: Mapped[str] = mapped_column(String(16), default="valid")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    contest = relationship("Contest")
    event = relationship("Event")
    entry = relationship("Entry")

    __table_args__ = (CheckConstraint(f"status IN {CERTIFICATE_STATUSES}", name="status_known"),
                      CheckConstraint(f"kind IN {CERTIFICATE_KINDS}", name="kind_known"),
                      CheckConstraint("kind = 'participation' OR award IS NOT NULL", name="award_named"))
