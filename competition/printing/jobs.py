"""Print jobs: the results book and the certificates' ZIP take minutes for a large contest, so
a process of its own (`flask --app wsgi print-job ID`, started by the server) makes them while
the server goes on answering judges and spectators. The job's row is its whole state: any
server process shows its progress and hands out its file. A job that stops reporting (its
process killed, the machine restarted) counts as failed and can be started again."""
import logging
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from flask import current_app, url_for
from sqlalchemy import select, update

from .. import times
from ..audit.models import record
from ..contests.models import Contest
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import db
from ..messages import message
from .models import PrintJob
from .pdf import BUILDERS

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
#: A job whose process has not reported for this long has died.
STALE = timedelta(seconds=90)
#: Progress is written at most this often (seconds): each write is a short transaction.
REPORT_EVERY = 0.5
ACTIVE = ("queued", "running")


def _stale(job: PrintJob, now=None) -> bool:
    now = now or utcnow()
    return job.status in ACTIVE and (job.heartbeat_at or job.created_at) < now - STALE


def latest(contest: Contest) -> dict[str, PrintJob]:
    """The contest's latest job of each kind."""
    out = {}
    for job in db.session.scalars(select(PrintJob).where(PrintJob.contest_id == contest.id)
                                  .order_by(PrintJob.id.desc())):
        out.setdefault(job.kind, job)
    return out


def start(user, contest: Contest, kind: str, base_url: str) -> PrintJob:
    """Start a print job of `kind`, or return the one of that kind already under way."""
    if kind not in BUILDERS:
        raise ActionRefused(404, "not_found")
    with write_transaction():
        under_way = db.session.scalar(select(PrintJob).where(
            PrintJob.contest_id == contest.id, PrintJob.kind == kind, PrintJob.status.in_(ACTIVE))
            .order_by(PrintJob.id.desc()).limit(1))
        if under_way is not None and not _stale(under_way):
            return under_way
        job = PrintJob(contest_id=contest.id, kind=kind, created_by_id=user.id, base_url=base_url[:200],
                       heartbeat_at=utcnow())
        db.session.add(job)
        db.session.flush()
        record("print.start", user=user, contest=contest, target=f"contest:{contest.slug}", kind=kind, job=job.id)
    _launch(job.id)
    return job


def _launch(job_id: int) -> None:
    app = current_app
    if app.config.get("PRINT_JOBS_INLINE"):  # tests: the same work, in the request
        run(job_id)
        return
    env = dict(os.environ, DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config.get("PUBLIC_URL"):
        env["PUBLIC_URL"] = app.config["PUBLIC_URL"]
    process = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", str(ROOT / "wsgi.py"), "print-job", str(job_id)],
        cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, start_new_session=True)
    # Reaped when it ends (under gevent this thread is a greenlet and wait() cooperates).
    threading.Thread(target=process.wait, name=f"print-job-{job_id}", daemon=True).start()


def _set(job_id: int, **values) -> None:
    with write_transaction():
        db.session.execute(update(PrintJob).where(PrintJob.id == job_id).values(heartbeat_at=utcnow(), **values))


def run(job_id: int) -> None:
    """Do the job: report progress, keep the file in its row, or say why it failed."""
    with write_transaction():
        claimed = db.session.execute(update(PrintJob).where(PrintJob.id == job_id, PrintJob.status == "queued")
                                     .values(status="running", heartbeat_at=utcnow())).rowcount
    if not claimed:  # unknown, or another process has it
        return
    job = db.session.get(PrintJob, job_id)
    kind, contest = job.kind, job.contest
    base_url = job.base_url or "http://localhost/"
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last >= REPORT_EVERY:
            last = now
            _set(job_id, done=done, total=total)

    try:
        with current_app.test_request_context("/", base_url=base_url):
            body, mimetype, name = BUILDERS[kind](contest, progress)
    except ActionRefused as refused:  # the row keeps the code; the page says it in the reader's language
        db.session.rollback()
        _set(job_id, status="failed", error=refused.say, finished_at=utcnow())
        return
    except Exception:  # a bug or a resource: logged in full, the page says it failed
        log.exception("print job %s (%s) failed", job_id, kind)
        db.session.rollback()
        _set(job_id, status="failed", error="print_failed", finished_at=utcnow())
        return
    with write_transaction():
        job = db.session.get(PrintJob, job_id)
        job.status, job.body, job.size, job.file_name, job.mimetype = "done", body, len(body), name, mimetype
        job.done = job.total = max(job.total, 1)
        job.finished_at = job.heartbeat_at = utcnow()
        # The older files of this kind are superseded: only the latest is kept.
        db.session.execute(update(PrintJob).where(
            PrintJob.contest_id == job.contest_id, PrintJob.kind == kind, PrintJob.id < job_id)
            .values(body=None, size=0))


def state(job: PrintJob) -> dict:
    """A job as its page and its JSON show it."""
    status, error = job.status, job.error
    if _stale(job):
        status, error = "failed", "print_interrupted"
    percent = 100 if status == "done" else (int(100 * job.done / job.total) if job.total else 0)
    out = {"id": job.id, "kind": job.kind, "status": status, "done": job.done, "total": job.total,
           "percent": percent, "error": message(error) if error else None,
           "created_at": times.iso(job.contest, job.created_at),
           "finished_at": times.iso(job.contest, job.finished_at)}
    if status == "done" and job.size:  # a superseded job's file is gone
        out.update(file_name=job.file_name, size=job.size,
                   file=url_for("printing.job_file", slug=job.contest.slug, job_id=job.id))
    return out
