"""contests lose their board policy

`contest.board_policy` ("marks reach the public board on submit, or only once the chief judge
locks them") was edited, stored and exported, but no board ever read it: every public board
showed marks as they came. The setting goes rather than pretend; a frozen board (and, later,
the result status of each event) is how a contest keeps results from the public.

Revision ID: c6b0house0006
Revises: c5a0rank0005
Create Date: 2026-12-02 22:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = "c6b0house0006"
down_revision = "c5a0rank0005"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contest_board_policy_known"), type_="check")
        batch_op.drop_column("board_policy")


def downgrade():
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("board_policy", sa.String(length=16), nullable=False,
                                      server_default="submitted"))
        batch_op.create_check_constraint(op.f("ck_contest_board_policy_known"), "board_policy IN ('submitted', 'locked')")
