"""The migrations are the schema: an empty database upgraded to head matches the models
exactly, on SQLite and PostgreSQL, and downgrades back to empty."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from competition.extensions import db


def test_upgraded_schema_matches_the_models(any_db_app):
    # The fixture's database was built by `upgrade()`; compare it with the models.
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_downgrade_to_empty_and_back(sqlite_url, app_config):
    from competition import create_app
    app = create_app({"SQLALCHEMY_DATABASE_URI": sqlite_url, "TESTING": True})
    with app.app_context():
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "mark" in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_migrating_down_and_up_keeps_every_row(any_db_app):
    """SQLite rebuilds tables to alter them: no migration may cascade-delete the rows that
    refer to a rebuilt table."""
    from pathlib import Path

    from sqlalchemy import text

    from competition.contest_files.services import import_contest, load_file

    import_contest(load_file(Path(__file__).parent / "data" / "sample-contest.json"))
    db.session.remove()
    tables = ("contest", "event", "section", "criterion", "entry", "judge", "panel_seat", "assignment",
              "mark", "mark_revision", "result", "board", "audit_entry")

    def counts():
        with db.engine.connect() as conn:
            return {t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar() for t in tables}

    before = counts()
    assert before["mark"] and before["board"]
    downgrade(revision="2f4db2fa97fc")  # the first schema
    assert counts() == before
    upgrade()
    assert counts() == before
