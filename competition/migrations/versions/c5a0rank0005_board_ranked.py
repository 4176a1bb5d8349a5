"""boards count their ranked entries; the index on results by event and rank goes

A mark that reorders a window of the board needs the number of ranked entries (the shares of
awards count it): the board keeps it instead of every mark counting the whole event. The
index on (event_id, rank) served no query (a board lists its unranked rows last, which the
index cannot give) and cost one index write per place an entry passed.

Revision ID: c5a0rank0005
Revises: c4e0rank0004
Create Date: 2026-11-28 23:10:00

"""
import sqlalchemy as sa
from alembic import op


revision = "c5a0rank0005"
down_revision = "c4e0rank0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ranked", sa.Integer(), nullable=True))
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_index("ix_result_event_rank")


def downgrade():
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.create_index("ix_result_event_rank", ["event_id", "rank"], unique=False)
    with op.batch_alter_table("board", schema=None) as batch_op:
        batch_op.drop_column("ranked")
