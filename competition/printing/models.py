"""Print jobs: long work (the results book, a ZIP of certificates) that a process of its own
does while the server goes on serving. The row is the job's whole state (any server process
can show its progress and hand out its file); the file is kept in the row, as nothing else is
shared between processes."""
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from ..database import utcnow
from ..extensions import db

JOB_STATUSES = ("queued", "running", "done", "failed")
JOB_KINDS = ("results_book", "certificates_zip")


class PrintJob(db.Model):
    __tablename__ = "print_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("contest.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The address the request came to: links and QR codes in the prints point there (or PUBLIC_URL).
    base_url: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The worker touches the row at least every few seconds; a job that stops doing so has died.
    heartbeat_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    file_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    mimetype: Mapped[str] = mapped_column(String(100), default="", server_default="")
    size: Mapped[int] = mapped_column(default=0)
    body: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))

    contest = relationship("Contest")

    __table_args__ = (CheckConstraint(f"status IN {JOB_STATUSES}", name="status_known"),
                      CheckConstraint(f"kind IN {JOB_KINDS}", name="kind_known"))
