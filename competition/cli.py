"""Command-line tools: `flask --app wsgi <command>`. Messages follow the terminal's language
(LC_ALL, LC_MESSAGES or LANG: zh… for Chinese, en… for English; else the app's default)."""
import hashlib
import json
import os
import sys

import click
from flask_babel import force_locale
from sqlalchemy import select

from .extensions import db


def terminal_locale(default: str = "zh_Hans") -> str:
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = (os.environ.get(name) or "").lower()
        if value.startswith("zh"):
            return "zh_Hans"
        if value.startswith("en"):
            return "en"
    return default


def register_cli(app) -> None:
    for command in (create_admin, contest_import, contest_export, results_rebuild, judge_token,
                    demo_load, ledger_verify, print_job, backup, id_numbers_reseal):
        app.cli.add_command(command)


@click.command("create-admin")
@click.argument("username")
@click.option("--name", default=None, help="Display name (default: the username).")
@click.password_option(help="The password (asked for when not given).")
def create_admin(username, name, password):
    """Create a platform administrator, or make an existing user one and reset the password."""
    from .accounts.services import find_user
    from .accounts.models import User
    from .audit.models import record
    from .database import write_transaction
    if len(password) < 8:
        raise click.UsageError("The password must have at least 8 characters.")
    with write_transaction():
        user = find_user(username)
        if user is None:
            user = User(username=username, name=name or username)
            db.session.add(user)
        user.is_admin = True
        user.set_password(password)
        db.session.flush()
        record("account.admin_created", user=user, target=f"user:{username}")
    click.echo(f"Administrator {username} is ready.")


@click.command("contest-import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def contest_import(path):
    """Import a contest from its JSON file. An invalid file imports nothing."""
    from .contest_files.services import ContestFileInvalid, import_contest, load_file
    try:
        contest = import_contest(load_file(path))
    except ContestFileInvalid as invalid:
        click.echo(f"{path}: {len(invalid.problems)} problem(s), nothing imported:", err=True)
        with force_locale(terminal_locale()):
            for line in invalid.lines():
                click.echo(f"  {line}", err=True)
        sys.exit(1)
    click.echo(f"Imported contest {contest.slug} with {len(contest.events)} event(s).")


@click.command("contest-export")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write to this file instead of standard output.")
def contest_export(slug, output):
    """Write a contest as its JSON file."""
    from .contest_files.services import export_contest
    from .contests.models import contest_by_slug
    contest = contest_by_slug(slug)
    if contest is None:
        raise click.ClickException(f"No contest with the slug {slug!r}.")
    text = json.dumps(export_contest(contest), ensure_ascii=False, indent=1)
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        click.echo(f"Wrote {output}.")
    else:
        click.echo(text)


@click.command("results-rebuild")
@click.option("--contest", "slug", default=None, help="Only this contest.")
def results_rebuild(slug):
    """Recompute every result from the marks; boards that change get a new seq."""
    from .boards.results import publish, recompute_event
    from .contests.models import Contest, Event
    from .database import write_transaction
    query = select(Event.id).join(Contest).order_by(Contest.id, Event.position, Event.id)
    if slug:
        query = query.where(Contest.slug == slug)
    changed = 0
    ids = list(db.session.scalars(query))
    for event_id in ids:
        with write_transaction():
            event = db.session.get(Event, event_id)
            patch = recompute_event(event)
        publish([patch])
        changed += patch is not None
    click.echo(f"Rebuilt {len(ids)} event(s); {changed} board(s) changed.")


@click.command("judge-token")
@click.argument("username")
@click.option("--label", default="cli", help="What the token is for (shown to organisers).")
@click.option("--days", type=click.IntRange(1, 366), default=None,
              help="How many days it works (default: API_TOKEN_DAYS, 30).")
def judge_token(username, label, days):
    """Issue an API token for a judge's tablet or script; printed alone on the last line."""
    from .accounts.services import find_user, issue_token
    user = find_user(username)
    if user is None:
        raise click.ClickException(f"No user {username!r}.")
    token = issue_token(user, label, days=days)
    click.echo(f"API token for {user.username} (keep it secret; an organiser revokes it on the contest's "
               "judges page, and removing the judge revokes it too):")
    click.echo(token)


@click.command("demo-load")
def demo_load():
    """Load the demo contest (once: running it again changes nothing) and print the logins."""
    from .demo import load_demo
    created, logins = load_demo()
    click.echo("Demo contest loaded." if created else "Demo contest already present.")
    click.echo("Demo logins (password for all: %s):" % logins["password"])
    for role, usernames in logins["users"].items():
        click.echo(f"  {role:<12} {', '.join(usernames)}")
    if logins.get("contestant"):
        click.echo(f"  {'contestant':<12} {logins['contestant']}")


@click.command("ledger-verify")
@click.argument("slug", required=False)
def ledger_verify(slug: str | None):
    """Recompute every ledger chain (or SLUG's) and replay it against the marks, locks and
    results stored; exit 1 naming the first entry or stored row that disagrees."""
    from .contests.models import Contest, contest_by_slug
    from .ledger.services import verify
    if slug:
        contest = contest_by_slug(slug)
        if contest is None:
            raise click.ClickException(f"no contest {slug}")
        contests = [contest]
    else:
        contests = list(db.session.scalars(select(Contest).order_by(Contest.id)))
    entries, heads = 0, []
    for contest in contests:
        verdict = verify(contest)
        if not verdict.ok:
            for problem in verdict.problems[:20]:
                click.echo(f"{contest.slug}: {problem}", err=True)
            click.echo(f"ledger NOT ok: {contest.slug}: {verdict.problems[0]}")
            raise SystemExit(1)
        entries += verdict.entries
        heads.append(verdict.head)
    # One contest: its head; several: a hash over their heads, in contest order.
    head = heads[0] if len(heads) == 1 else hashlib.sha256("".join(heads).encode("ascii")).hexdigest()
    click.echo(f"ledger ok: {entries} entries, head {head}")


@click.command("print-job")
@click.argument("job_id", type=int)
def print_job(job_id: int):
    """Do print job JOB_ID (the server starts this in a process of its own)."""
    import gc
    from .printing.jobs import run
    # The app's objects live as long as this process: out of the collections the ZIP of
    # certificates makes after each certificate (22 ms each instead of 130 ms, timed in process).
    gc.freeze()
    run(job_id)


@click.command("id-numbers-reseal")
def id_numbers_reseal():
    """Seal every resident ID number again with the newest of ID_NUMBER_KEYS and recompute its
    index with ID_INDEX_KEY, in one transaction: after adding a key or changing the index key
    (docs/deploy.md, Keys for ID numbers). Stop the servers first."""
    from sqlalchemy.orm.attributes import flag_modified
    from .database import write_transaction
    from .entries.models import Contestant
    from .sealing import UnreadableIdNumber
    try:
        with write_transaction():
            people = list(db.session.scalars(select(Contestant).where(Contestant.id_number.is_not(None))))
            for person in people:
                flag_modified(person, "id_number")  # written again: sealed anew, indexed anew
    except UnreadableIdNumber as unreadable:
        raise click.ClickException(f"{unreadable}: nothing was changed. Put the old key back in ID_NUMBER_KEYS "
                                   "(after the new one) and run this again.") from None
    click.echo(f"resealed {len(people)} ID number(s) with the newest key")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
def backup(path, force):
    """Copy the SQLite database into FILE while the server runs (SQLite's online backup: one
    consistent snapshot, writers go on meanwhile), check the copy and count its marks. FILE
    gets its name only once complete. On PostgreSQL use pg_dump -Fc (docs/deploy.md)."""
    import sqlite3
    import tempfile
    from flask import current_app
    from sqlalchemy.engine import make_url
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            f"backup copies a SQLite database; this one is {url.get_backend_name()}. "
            "Use pg_dump -Fc (see docs/deploy.md, Backups).")
    source_path = url.database or ""
    uri = source_path.startswith("file:") or str(url.query.get("uri", "")).lower() in ("1", "true")
    if not source_path or source_path == ":memory:" or "mode=memory" in source_path:
        raise click.ClickException("the database is in memory: there is no file to back up.")
    target = os.path.abspath(path)
    if not uri and os.path.abspath(source_path) == target:
        raise click.ClickException(f"{path} is the database itself.")
    if os.path.exists(target) and not force:
        raise click.ClickException(f"{path} exists; add --force to overwrite it.")
    directory = os.path.dirname(target)
    fd, part = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".part", dir=directory)
    os.close(fd)
    try:
        source = sqlite3.connect(source_path, uri=uri, timeout=30)
        try:
            copy = sqlite3.connect(part)
            try:
                # One step (pages=-1): a single read transaction, so the copy is one consistent
                # snapshot; in WAL mode the server's writers are not blocked meanwhile.
                source.backup(copy, pages=-1)
                # One self-contained file: no -wal/-shm beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        check = sqlite3.connect(f"file:{part}?mode=ro", uri=True)
        try:
            verdict = [row[0] for row in check.execute("PRAGMA integrity_check")]
            marks = check.execute("SELECT count(*) FROM mark").fetchone()[0]
        finally:
            check.close()
        if verdict != ["ok"]:
            raise click.ClickException("the copy failed its integrity check: " + "; ".join(verdict[:5]))
        with open(part, "rb") as f:
            os.fsync(f.fileno())
        os.replace(part, target)
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:
        if os.path.exists(part):
            os.unlink(part)
        raise
    click.echo(f"backup ok: {path} ({os.path.getsize(target)} bytes, {marks} marks)")
