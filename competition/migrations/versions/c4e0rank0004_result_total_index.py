"""an index on results by event and total, for the window of a board a mark can reorder

Revision ID: c4e0rank0004
Revises: c3d1staff004
Create Date: 2026-11-28 21:05:00

"""
from alembic import op


revision = "c4e0rank0004"
down_revision = "c3d1staff004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.create_index("ix_result_event_total", ["event_id", "total"], unique=False)


def downgrade():
    with op.batch_alter_table("result", schema=None) as batch_op:
        batch_op.drop_index("ix_result_event_total")
