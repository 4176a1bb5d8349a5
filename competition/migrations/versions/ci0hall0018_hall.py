"""the hall: named screens and what each shows, announcements, events' sessions (场次) and
marking that closes with them, rehearsals of a contest's ceremony

Revision ID: ci0hall0018
Revises: ch0paper0017
Create Date: 2026-12-06 22:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = "ci0hall0018"
down_revision = "ch0paper0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "screen",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=16), server_default="follow", nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("scale", sa.Integer(), server_default="100", nullable=False),
        sa.Column("rows", sa.Integer(), nullable=True),
        sa.Column("seq", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("mode IN ('follow', 'event', 'standings', 'announcement', 'countdown', 'winners')",
                           name=op.f("ck_screen_mode_known")),
        sa.CheckConstraint("scale BETWEEN 50 AND 250", name=op.f("ck_screen_scale_range")),
        sa.CheckConstraint("rows IS NULL OR rows BETWEEN 4 AND 40", name=op.f("ck_screen_rows_range")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_screen_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_screen_event_id_event"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screen")),
        sa.UniqueConstraint("contest_id", "name", name=op.f("uq_screen_contest_id_name")),
    )
    op.create_index(op.f("ix_screen_contest_id"), "screen", ["contest_id"], unique=False)
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_announcement_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["author_id"], ["user_account.id"], name=op.f("fk_announcement_author_id_user_account")),
        sa.ForeignKeyConstraint(["cleared_by_id"], ["user_account.id"],
                                name=op.f("fk_announcement_cleared_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
    )
    op.create_index(op.f("ix_announcement_contest_id"), "announcement", ["contest_id"], unique=False)
    op.create_table(
        "event_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name=op.f("ck_event_session_ends_after_start")),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_event_session_event_id_event"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_session")),
    )
    op.create_index(op.f("ix_event_session_event_id"), "event_session", ["event_id"], unique=False)
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(sa.Column("closes_with_session", sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    with op.batch_alter_table("contest") as batch_op:
        batch_op.add_column(sa.Column("rehearsal_of_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_contest_rehearsal_of_id_contest"), "contest", ["rehearsal_of_id"],
                                    ["id"], ondelete="CASCADE")


def downgrade():
    with op.batch_alter_table("contest") as batch_op:
        batch_op.drop_constraint(op.f("fk_contest_rehearsal_of_id_contest"), type_="foreignkey")
        batch_op.drop_column("rehearsal_of_id")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("closes_with_session")
    op.drop_index(op.f("ix_event_session_event_id"), table_name="event_session")
    op.drop_table("event_session")
    op.drop_index(op.f("ix_announcement_contest_id"), table_name="announcement")
    op.drop_table("announcement")
    op.drop_index(op.f("ix_screen_contest_id"), table_name="screen")
    op.drop_table("screen")
