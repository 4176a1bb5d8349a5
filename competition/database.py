"""Database plumbing shared by every feature: the fixed-point column type, SQLite's
connection settings, and the write transaction that every service takes."""
import logging
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import BigInteger, Numeric, event
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Fixed(TypeDecorator):
    """A decimal with a fixed number of places: NUMERIC on PostgreSQL, a scaled integer on
    SQLite (which has no exact decimal type). Never a float, and never silently rounded."""

    impl = Numeric
    cache_ok = True

    def __init__(self, scale: int = 3, precision: int = 14):
        super().__init__(precision=precision, scale=scale)
        self.scale = scale
        self.precision = precision
        self._unit = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(self.precision, self.scale, asdecimal=True))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        exact = Decimal(value)
        fixed = exact.quantize(self._unit)
        if fixed != exact:
            raise ValueError(f"{value} has more than {self.scale} decimal places")
        return int(fixed.scaleb(self.scale)) if dialect.name == "sqlite" else fixed

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(value).scaleb(-self.scale)
        return Decimal(value).quantize(self._unit)

    def result_processor(self, dialect, coltype):
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # One call per value rather than TypeDecorator's two: a board reads thousands.
        scale = -self.scale

        def from_scaled(value):
            return None if value is None else Decimal(value).scaleb(scale)
        return from_scaled

    def process_literal_param(self, value, dialect):
        return str(self.process_bind_param(value, dialect))


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record):
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so a writer can ask for IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "do_connect")
def _postgres_connect(dialect, connection_record, cargs, cparams):
    if dialect.name == "postgresql":
        # An unreachable server answers 503 within seconds instead of hanging a judge's tablet.
        cparams.setdefault("connect_timeout", 5)


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    # SQLite allows one writer. A read-modify-write that starts DEFERRED loses updates or
    # fails with SQLITE_BUSY on upgrade; writers take the lock up front (DESIGN.md §6).
    immediate = conn.get_execution_options().get("sqlite_immediate", False)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


# --- how a request's session ends -------------------------------------------------------
# psycopg prepares a statement once a connection has run it five times, so that PostgreSQL
# plans it once; but every ROLLBACK throws away all of that connection's prepared statements.
# A request's session that ends with a transaction still open (the reads after a write, or a
# page that only read) is rolled back when it is removed, so no statement would ever stay
# prepared from one request to the next: a mark's context query alone costs its 2.4 ms of
# planning every time. A transaction that wrote nothing is therefore ended with COMMIT, which
# is the same for reads; one that wrote (and was left open, which no service does) is still
# rolled back.

_WROTE = "gongjiang_wrote"


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany):
    if conn.dialect.name == "postgresql" and not statement.lstrip()[:6].upper() == "SELECT":
        conn.info[_WROTE] = True


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _transaction_ended(conn):
    conn.info.pop(_WROTE, None)


def end_session(exc: BaseException | None = None) -> None:
    """Remove the context's session (at the end of every app context: a request, a socket
    event, a background feed), committing rather than rolling back a PostgreSQL transaction
    that only read, so that the connection keeps its prepared statements (see above). Never
    raises: an error here would turn an answer already made (a 503, say) into a 500."""
    if db.session.registry.has() and exc is None:
        session = db.session()
        try:
            if (session.in_transaction() and not (session.new or session.dirty or session.deleted)
                    and session.get_bind().dialect.name == "postgresql"
                    and not session.connection().info.get(_WROTE)):
                session.commit()
        except Exception as lost:  # noqa: BLE001 (a lost connection, say: removing rolls back)
            logging.getLogger(__name__).warning("a read-only transaction did not commit: %s", lost)
    db.session.remove()


#: SQLite's one writer, taken in this process before BEGIN IMMEDIATE. Under gevent (the
#: embedded default) every request is a greenlet of one thread, and SQLite's own wait for its
#: lock (busy_timeout) is C that blocks the whole process: a writer that waited there for a
#: greenlet which had yielded mid-transaction would wait for nothing to happen. This lock
#: (gevent's, once the standard library is patched) lets that greenlet run and finish first;
#: SQLite's wait is left for other processes (a CLI command, a backup). Re-entrant, since a
#: service may call another's write path.
_sqlite_writer = threading.RLock()


@contextmanager
def write_transaction():
    """One transaction for one action: commits on success, rolls back on any error.

    On SQLite it starts with BEGIN IMMEDIATE, after this process's other writers are done; on
    PostgreSQL callers lock the rows they read-modify-write (see boards.results.lock_board)."""
    session = db.session()  # the real Session behind Flask-SQLAlchemy's scoped_session
    if session.in_transaction():
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("write_transaction() started with unsaved changes in the session")
        session.commit()  # ends the read transaction the request may have opened
    sqlite = session.get_bind().dialect.name == "sqlite"
    if sqlite:
        _sqlite_writer.acquire()
    try:
        session.connection(execution_options={"sqlite_immediate": True})
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
    finally:
        if sqlite:
            _sqlite_writer.release()
