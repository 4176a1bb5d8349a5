"""The fixtures every test folder shares: an app on a fresh database (SQLite; and PostgreSQL
too for tests that take `any_db_app`), the test client and the CLI runner, and the contests
most tests stand on, seeded once per session and copied for each test that asks (`sample`,
`staff`). Folders add their own in their conftest.py (staff/: the staff contest's organiser;
browser/: Chromium and a demo server; cluster/: the services and server processes)."""
import os
import shutil
import uuid

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text

from competition import create_app
from competition.extensions import db

from . import factory
from .helpers import IsolatedClient

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")

# Tests never assert wall-clock time: no hypothesis deadline (a loaded 2-core machine would
# fail it at random), and in CI a fixed sequence of examples so a red run can be replayed.
settings.register_profile("dev", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, print_blob=True)
settings.load_profile("ci" if IN_CI else "dev")
PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def pytest_collection_modifyitems(session, config, items):
    """Every test under its own node id. schemathesis gives each API operation's test the
    function's id (tests/test_api_schema.py), and pytest-xdist, which hands tests to workers by
    id, then ran one of them and dropped the rest without a word (1,722 of 1,728 under
    `make test`). The operation goes into the id, as pytest's own parametrize does; an id seen
    twice after that stops the run."""
    from _pytest.nodeid import coerce_node_id  # pytest is pinned; the check below catches a change

    seen = set()
    for item in items:
        if "[" in item.name and not item.nodeid.endswith("]"):
            item._id = coerce_node_id(item.nodeid + item.name[item.name.index("["):])
        seen.add(item.nodeid)
    if len(seen) != len(items):
        raise pytest.UsageError("two tests share a node id: pytest-xdist would run only one of them")


def need_service(name: str, error: Exception):
    """Missing PostgreSQL or Redis: skip on a developer's machine, fail in CI."""
    message = f"{name} is not reachable: {error}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a test that needs it fails rather than skips)")
    pytest.skip(message)


def _upgrade(url: str) -> None:
    from flask_migrate import upgrade
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> str:
    """One migrated SQLite file, copied for every test (migrating each time is slow)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    _upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def postgres_url():
    """A scratch PostgreSQL database for this run, migrated once, dropped at the end."""
    name = f"gj_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        need_service("PostgreSQL", exc)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    _upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


def _make_app(url: str, extra: dict | None):
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "SERVER_NAME": "localhost",
        # Hashing is not under test here (test_accounts checks scrypt with the real setting).
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    config.update(extra or {})
    app = create_app(config)
    # Each request starts afresh, as on a real server (see IsolatedClient).
    app.test_client_class = IsolatedClient
    return app


# The contests a test may stand on, by the name of the fixture that returns it: asking for the
# fixture starts the test's SQLite database as a copy of one seeded once per session.
SEEDS = {"sample": factory.import_sample, "staff": factory.staff_contest}
SEED_SLUGS = {"sample": factory.SLUG, "staff": factory.SLUG}


@pytest.fixture(scope="session")
def seeded(tmp_path_factory, sqlite_template):
    """seeded(name) → a SQLite file, migrated and holding the contest SEEDS[name] builds."""
    made = {}

    def get(name: str) -> str:
        if name not in made:
            path = tmp_path_factory.mktemp("seeded") / f"{name}.sqlite"
            shutil.copy(sqlite_template, path)
            app = _make_app(f"sqlite:///{path}", None)
            with app.app_context():
                SEEDS[name]()
                db.session.remove()
                db.engine.dispose()
            made[name] = str(path)
        return made[name]
    return get


def _sqlite_copy(request, tmp_path, sqlite_template) -> str:
    seed = next((name for name in SEEDS if name in request.fixturenames), None)
    path = tmp_path / "db.sqlite"
    shutil.copy(request.getfixturevalue("seeded")(seed) if seed else sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request, tmp_path, sqlite_template):
    if request.param == "sqlite":
        yield _sqlite_copy(request, tmp_path, sqlite_template)
    else:
        yield request.getfixturevalue("postgres_url")


@pytest.fixture
def sqlite_url(request, tmp_path, sqlite_template):
    return _sqlite_copy(request, tmp_path, sqlite_template)


@pytest.fixture
def app_config():
    """Override in a test module to change the app's configuration."""
    return {}


def _app_fixture(url, app_config):
    app = _make_app(url, app_config)
    with app.app_context():
        yield app
        db.session.remove()
        if url.startswith("postgresql"):
            _truncate_all()
        db.engine.dispose()


@pytest.fixture
def app(sqlite_url, app_config):
    """The app on SQLite (the embedded default)."""
    yield from _app_fixture(sqlite_url, app_config)


@pytest.fixture
def any_db_app(db_url, app_config):
    """The app on SQLite and, as a second run, on PostgreSQL."""
    yield from _app_fixture(db_url, app_config)


@pytest.fixture
def client(app):
    """A test client of `app` whose every request starts afresh (helpers.IsolatedClient)."""
    return app.test_client()


@pytest.fixture
def any_db_client(any_db_app):
    return any_db_app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _seeded_contest(request, name):
    """The seeded contest in the test's app: copied in with the SQLite file, built on PostgreSQL."""
    request.getfixturevalue("any_db_app" if "any_db_app" in request.fixturenames else "app")
    from competition.contests.models import contest_by_slug
    return contest_by_slug(SEED_SLUGS[name]) or SEEDS[name]()


@pytest.fixture
def sample(request):
    """The contract's sample contest (tests/factory.py), judging, its judges' password PASSWORD."""
    return _seeded_contest(request, "sample")


@pytest.fixture
def staff(request):
    """The staff contest (tests/factory.py): the sample, an event "ai" nobody is numbered in yet,
    contestants with ID and phone numbers, and a second organisation's contest and organiser."""
    return _seeded_contest(request, "staff")
