"""teams register on the public form with their leader and contact

Revision ID: cg0team0016
Revises: cf0seat0015
Create Date: 2026-12-04 21:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "cg0team0016"
down_revision = "cf0seat0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("entry") as batch_op:
        batch_op.add_column(sa.Column("leader", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact", sa.String(length=120), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("entry") as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("leader")
