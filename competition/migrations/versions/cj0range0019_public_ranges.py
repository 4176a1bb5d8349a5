"""a contest may show its public board each incomplete entry's possible rank

Revision ID: cj0range0019
Revises: ci0hall0018
Create Date: 2026-12-07 00:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = "cj0range0019"
down_revision = "ci0hall0018"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest") as batch_op:
        batch_op.add_column(sa.Column("shows_public_ranges", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table("contest") as batch_op:
        batch_op.drop_column("shows_public_ranges")
