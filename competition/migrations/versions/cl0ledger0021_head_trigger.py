"""the ledger's head moves with its chain, in the database

An AFTER INSERT trigger on `ledger_entry` (SQLite and PostgreSQL alike) refuses an entry that
does not follow its contest's head (seq one more, prev_hash the head's hash) and moves the head
to it. The application no longer writes the head itself: one statement less per ledger entry,
hence per mark (issue 19), and a chain that cannot fork or skip even behind its back.

Revision ID: cl0ledger0021
Revises: ck0tablet0020
Create Date: 2026-12-07 23:50:00

"""
from alembic import op

revision = "cl0ledger0021"
down_revision = "ck0tablet0020"
branch_labels = None
depends_on = None

REFUSE = "a ledger entry must follow the head of its contest"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION ledger_moves_head() RETURNS trigger AS $$
            BEGIN
                UPDATE ledger_head SET seq = NEW.seq, hash = NEW.hash
                 WHERE contest_id = NEW.contest_id AND seq = NEW.seq - 1 AND hash = NEW.prev_hash;
                IF NOT FOUND THEN RAISE EXCEPTION '{REFUSE}'; END IF;
                RETURN NULL;
            END; $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER ledger_entry_moves_head AFTER INSERT ON ledger_entry "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_moves_head()")
    else:
        op.execute(f"""CREATE TRIGGER ledger_entry_moves_head AFTER INSERT ON ledger_entry
            BEGIN
                SELECT RAISE(ABORT, '{REFUSE}') WHERE NOT EXISTS (
                    SELECT 1 FROM ledger_head WHERE contest_id = NEW.contest_id
                       AND seq = NEW.seq - 1 AND hash = NEW.prev_hash);
                UPDATE ledger_head SET seq = NEW.seq, hash = NEW.hash WHERE contest_id = NEW.contest_id;
            END""")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_entry_moves_head ON ledger_entry")
        op.execute("DROP FUNCTION ledger_moves_head()")
    else:
        op.execute("DROP TRIGGER ledger_entry_moves_head")
