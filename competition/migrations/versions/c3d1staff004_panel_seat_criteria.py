"""panel seats: which criteria each panel judge marks (none listed: all of the event's)

Revision ID: c3d1staff004
Revises: c3d0organ003
Create Date: 2026-11-28 21:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "c3d1staff004"
down_revision = "c3d0organ003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "panel_seat_criterion",
        sa.Column("seat_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["criterion_id"], ["criterion.id"],
                                name=op.f("fk_panel_seat_criterion_criterion_id_criterion"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["seat_id"], ["panel_seat.id"],
                                name=op.f("fk_panel_seat_criterion_seat_id_panel_seat"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seat_id", "criterion_id", name=op.f("pk_panel_seat_criterion")),
    )


def downgrade():
    op.drop_table("panel_seat_criterion")
