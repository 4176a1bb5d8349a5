"""certificates: one per award, issued at publication, revoked with a reason, never deleted

Revision ID: c9e0cert0009
Revises: c8d0ledger0008
Create Date: 2026-12-03 08:30:00

"""
import sqlalchemy as sa
from alembic import op

from competition.database import Fixed

revision = "c9e0cert0009"
down_revision = "c8d0ledger0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "certificate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("delegation", sa.String(length=200), nullable=True),
        sa.Column("award", sa.String(length=64), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("total", Fixed(scale=4, precision=14), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=False, server_default=""),
        sa.CheckConstraint("status IN ('valid', 'revoked')", name=op.f("ck_certificate_status_known")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_certificate_contest_id_contest")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_certificate_event_id_event")),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], name=op.f("fk_certificate_entry_id_entry")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_certificate")),
        sa.UniqueConstraint("number", name=op.f("uq_certificate_number")),
    )
    op.create_index(op.f("ix_certificate_contest_id"), "certificate", ["contest_id"])
    op.create_index(op.f("ix_certificate_entry_id"), "certificate", ["entry_id"])


def downgrade():
    op.drop_index(op.f("ix_certificate_entry_id"), table_name="certificate")
    op.drop_index(op.f("ix_certificate_contest_id"), table_name="certificate")
    op.drop_table("certificate")
