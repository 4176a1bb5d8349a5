"""a judge's tablet as it last reported itself (outbox, page version, battery, entry shown)

Revision ID: ck0tablet0020
Revises: cj0range0019
Create Date: 2026-12-07 15:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "ck0tablet0020"
down_revision = "cj0range0019"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "tablet",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("device", sa.String(64), nullable=False),
        sa.Column("judge_id", sa.Integer(), sa.ForeignKey("judge.id", ondelete="CASCADE"), nullable=False),
        sa.Column("event_id", sa.Integer(), sa.ForeignKey("event.id", ondelete="SET NULL"), nullable=True),
        sa.Column("entry_id", sa.Integer(), sa.ForeignKey("entry.id", ondelete="SET NULL"), nullable=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("battery", sa.Integer(), nullable=True),
        sa.Column("charging", sa.Boolean(), nullable=True),
        sa.Column("offline_pages", sa.Boolean(), nullable=False),
        sa.Column("agent", sa.String(120), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("device", "judge_id"),
    )
    op.create_index("ix_tablet_judge_id", "tablet", ["judge_id"])


def downgrade():
    op.drop_index("ix_tablet_judge_id", table_name="tablet")
    op.drop_table("tablet")
