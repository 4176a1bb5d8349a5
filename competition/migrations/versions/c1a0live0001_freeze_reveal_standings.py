"""freeze and reveal boards, delegation standings

Board: `public_seq` (the version the public sees), `public_rows` (the public board while frozen)
and `revealed` (rows revealed from the bottom); Contest: `standings_best_n`.

Revision ID: c1a0live0001
Revises: 2f4db2fa97fc
Create Date: 2026-11-29 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa

import competition.database


# revision identifiers, used by Alembic.
revision = "c1a0live0001"
down_revision = "2f4db2fa97fc"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_seq", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(sa.Column("public_rows", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("revealed", sa.Integer(), server_default="0", nullable=False))
    # Boards frozen before this revision had no public copy: they become live again.
    op.execute("UPDATE board SET public_seq = seq, frozen_at = NULL")
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.create_check_constraint(op.f("ck_board_public_positive"), "public_seq >= 0 AND revealed >= 0")
        batch_op.create_check_constraint(op.f("ck_board_public_follows_live"),
                                         "frozen_at IS NOT NULL OR public_seq = seq")

    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("standings_best_n", sa.Integer(), server_default="3", nullable=False))


def downgrade():
    # Never recreate `contest` on SQLite: with foreign keys on, dropping the old table deletes
    # every event, entry and mark through ON DELETE CASCADE. SQLite 3.35+ drops a column in place.
    with op.batch_alter_table("contest", schema=None, recreate="never") as batch_op:
        batch_op.drop_column("standings_best_n")

    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_board_public_follows_live"), type_="check")
        batch_op.drop_constraint(op.f("ck_board_public_positive"), type_="check")
        batch_op.drop_column("revealed")
        batch_op.drop_column("public_rows")
        batch_op.drop_column("public_seq")
