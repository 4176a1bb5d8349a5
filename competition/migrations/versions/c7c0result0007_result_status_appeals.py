"""result status, 公示, objections and appeals, supervisors

Each event gets a result status (live → signed_off → announced → protested → official), the
contest its time zone, its announcement (objections and appeals windows) and publication; a
judge a role (judge or supervisor); marks a "review" status for marks an upheld appeal
reopened. Events already signed off start as signed_off, those of published contests official,
and published contests count as announced (their names stay shown).

Revision ID: c7c0result0007
Revises: c6b0house0006
Create Date: 2026-12-03 07:00:00

"""
import sqlalchemy as sa
from alembic import op


revision = "c7c0result0007"
down_revision = "c6b0house0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("time_zone", sa.String(length=64), nullable=False,
                                      server_default="Asia/Shanghai"))
        batch_op.add_column(sa.Column("shows_judge_marks", sa.Boolean(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("announced_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("objections_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("appeals_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("published_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("result_status", sa.String(length=16), nullable=False, server_default="live"))
        batch_op.create_check_constraint(
            op.f("ck_event_result_status_known"),
            "result_status IN ('live', 'signed_off', 'announced', 'protested', 'official')")
    op.execute("UPDATE event SET result_status = 'signed_off' WHERE locked_at IS NOT NULL")
    op.execute("UPDATE event SET result_status = 'official' WHERE locked_at IS NOT NULL AND contest_id IN "
               "(SELECT id FROM contest WHERE status = 'published')")
    # A contest published before keeps showing its names (hidden names show from 公示 on).
    op.execute("UPDATE contest SET announced_at = CURRENT_TIMESTAMP, published_at = CURRENT_TIMESTAMP "
               "WHERE status = 'published'")
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("role", sa.String(length=16), nullable=False, server_default="judge"))
        batch_op.create_check_constraint(op.f("ck_judge_role_known"), "role IN ('judge', 'supervisor')")

    op.create_table(
        "objection",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ruling", sa.Text(), nullable=False, server_default=""),
        sa.Column("ruled_by_id", sa.Integer(), nullable=True),
        sa.Column("ruled_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'dismissed', 'upheld')", name=op.f("ck_objection_status_known")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_objection_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["ruled_by_id"], ["user_account.id"],
                                name=op.f("fk_objection_ruled_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_objection")),
        sa.UniqueConstraint("reference", name=op.f("uq_objection_reference")),
    )
    op.create_index(op.f("ix_objection_contest_id"), "objection", ["contest_id"])
    op.create_table(
        "appeal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("contestant_id", sa.Integer(), nullable=True),
        sa.Column("reference", sa.String(length=16), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("ruling", sa.Text(), nullable=False, server_default=""),
        sa.Column("ruled_by_id", sa.Integer(), nullable=True),
        sa.Column("ruled_at", sa.DateTime(), nullable=True),
        sa.Column("reviewed", sa.JSON(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'dismissed', 'upheld', 'resolved')",
                           name=op.f("ck_appeal_status_known")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_appeal_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_appeal_event_id_event"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], name=op.f("fk_appeal_entry_id_entry"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["contestant_id"], ["contestant.id"], name=op.f("fk_appeal_contestant_id_contestant"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["ruled_by_id"], ["user_account.id"], name=op.f("fk_appeal_ruled_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal")),
        sa.UniqueConstraint("reference", name=op.f("uq_appeal_reference")),
    )
    for column in ("contest_id", "event_id", "entry_id"):
        op.create_index(op.f(f"ix_appeal_{column}"), "appeal", [column])
    op.create_table(
        "appeal_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("appeal_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["appeal_id"], ["appeal.id"], name=op.f("fk_appeal_file_appeal_id_appeal"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeal_file")),
    )
    op.create_index(op.f("ix_appeal_file_appeal_id"), "appeal_file", ["appeal_id"])

    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.add_column(sa.Column("appeal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(op.f("fk_mark_appeal_id_appeal"), "appeal", ["appeal_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.drop_constraint(op.f("ck_mark_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mark_status_known"), "status IN ('submitted', 'returned', 'review')")


def downgrade():
    op.execute("UPDATE mark SET status = 'returned' WHERE status = 'review'")
    with op.batch_alter_table("mark", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mark_status_known"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mark_status_known"), "status IN ('submitted', 'returned')")
        batch_op.drop_constraint(op.f("fk_mark_appeal_id_appeal"), type_="foreignkey")
        batch_op.drop_column("appeal_id")
    op.drop_index(op.f("ix_appeal_file_appeal_id"), table_name="appeal_file")
    op.drop_table("appeal_file")
    for column in ("contest_id", "event_id", "entry_id"):
        op.drop_index(op.f(f"ix_appeal_{column}"), table_name="appeal")
    op.drop_table("appeal")
    op.drop_index(op.f("ix_objection_contest_id"), table_name="objection")
    op.drop_table("objection")
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_judge_role_known"), type_="check")
        batch_op.drop_column("role")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_event_result_status_known"), type_="check")
        batch_op.drop_column("result_status")
    with op.batch_alter_table("contest", schema=None) as batch_op:
        for column in ("published_at", "appeals_until", "objections_until", "announced_at", "shows_judge_marks",
                       "time_zone"):
            batch_op.drop_column(column)
