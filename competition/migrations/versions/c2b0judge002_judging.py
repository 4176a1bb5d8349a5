"""judging: the chief judge's send-back on a mark, and the sign-off of a whole event

Revision ID: c2b0judge002
Revises: c1a0live0001
Create Date: 2026-11-28 18:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = "c2b0judge002"
down_revision = "c1a0live0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.add_column(sa.Column("return_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("returned_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("returned_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_mark_returned_by_id_user_account"), "user_account",
                                    ["returned_by_id"], ["id"])

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("locked_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_event_locked_by_id_user_account"), "user_account",
                                    ["locked_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_event_locked_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("locked_by_id")
        batch_op.drop_column("locked_at")

    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mark_returned_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("returned_by_id")
        batch_op.drop_column("returned_at")
        batch_op.drop_column("return_note")
