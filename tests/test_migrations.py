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


def test_upgrading_seals_the_id_numbers_already_there(any_db_app):
    """The ID numbers a database held in the clear come out sealed, indexed and readable."""
    from sqlalchemy import select, text

    from competition.entries.models import Contestant
    from competition.sealing import blind_index

    from .factory import make_contest, resident_id

    contest_id = make_contest().id
    db.session.remove()
    downgrade(revision="cd0token0013")  # before sealing: numbers in the clear
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO contestant (contest_id, name, id_type, id_number, source, created_at) "
                          "VALUES (:c, '张𠈌', 'resident_id', :n, 'organiser', CURRENT_TIMESTAMP)"),
                     {"c": contest_id, "n": resident_id(7)})
    upgrade()
    with db.engine.connect() as conn:
        raw, index, tail = conn.execute(text("SELECT id_number, id_index, id_tail FROM contestant")).one()
    assert resident_id(7) not in raw and tail == resident_id(7)[-4:]
    assert index == blind_index("resident_id", resident_id(7))
    assert db.session.scalar(select(Contestant)).id_number == resident_id(7)
    db.session.remove()
    downgrade(revision="cd0token0013")  # and back: in the clear again
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT id_number FROM contestant")).scalar() == resident_id(7)
    upgrade()
