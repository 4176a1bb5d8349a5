"""How every app context's session ends (competition.database.end_session) on PostgreSQL: a
transaction that only read is committed, so its connection keeps the statements psycopg has
prepared (a ROLLBACK drops them all, and a mark's context query would be planned anew on every
request); a transaction that wrote and was left open is still rolled back, never committed."""
import threading

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, text

from competition.accounts.models import User
from competition.database import end_session
from competition.extensions import db

from .conftest import _app_fixture
from .factory import make_user


@pytest.fixture
def pg_app(postgres_url, app_config):
    yield from _app_fixture(postgres_url, app_config)


def prepared(statement_start: str) -> int:
    return db.session.connection().exec_driver_sql(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", (statement_start + "%",)).scalar()


def read_the_user_a_few_times(end) -> None:
    for _ in range(7):  # psycopg prepares a statement on its fifth run on a connection
        db.session.execute(select(User.name).where(User.username == "reader")).all()
        end()


def test_a_session_that_only_read_keeps_its_connections_prepared_statements(pg_app):
    make_user("reader")
    end_session()
    read_the_user_a_few_times(end_session)
    assert prepared("SELECT user_account.name") == 1
    end_session()
    # What the teardown did before: removing the session rolls the reads back, and psycopg
    # drops every prepared statement of the connection with them.
    read_the_user_a_few_times(db.session.remove)
    assert prepared("SELECT user_account.name") == 0


def test_a_session_left_open_after_a_write_is_rolled_back(pg_app):
    make_user("writer", name="before")
    end_session()
    db.session.execute(text("UPDATE user_account SET name = 'after' WHERE username = 'writer'"))
    end_session()
    assert db.session.scalar(select(User.name).where(User.username == "writer")) == "before"
    end_session()
    # Nor are pending changes of the session's objects written.
    user = db.session.scalar(select(User).where(User.username == "writer"))
    user.name = "pending"
    end_session()
    assert db.session.scalar(select(User.name).where(User.username == "writer")) == "before"


def test_a_request_ends_its_session_so(pg_app):
    """The teardown is registered: requests that read leave the statements prepared. (In a
    thread of their own: under the test's app context a request would share it, and end
    nothing.)"""
    make_user("reader")
    end_session()
    codes = []

    def requests():
        client = FlaskClient(pg_app, pg_app.response_class)  # not the tests' IsolatedClient
        for _ in range(7):
            codes.append(client.get("/api/v1/contests/none/events/none/board").status_code)
    thread = threading.Thread(target=requests)
    thread.start()
    thread.join(60)
    assert codes == [404] * 7
    assert db.engine.pool.checkedout() == 0
    assert prepared("SELECT contest.") == 1
