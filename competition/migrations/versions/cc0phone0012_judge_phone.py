"""judges' mobile numbers, for the organiser to reach them on the day

Revision ID: cc0phone0012
Revises: cb0admin0011
Create Date: 2026-12-04 20:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = "cc0phone0012"
down_revision = "cb0admin0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("phone")
