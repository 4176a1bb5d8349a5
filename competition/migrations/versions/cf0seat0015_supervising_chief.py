"""a chief judge's seat may supervise without marking: panel_seat.marks

Revision ID: cf0seat0015
Revises: ce0seal0014
Create Date: 2026-12-04 21:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "cf0seat0015"
down_revision = "ce0seal0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("panel_seat") as batch_op:
        batch_op.add_column(sa.Column("marks", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade():
    with op.batch_alter_table("panel_seat") as batch_op:
        batch_op.drop_column("marks")
