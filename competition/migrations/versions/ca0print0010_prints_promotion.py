"""prints: print jobs, the promotion list's rule, participation certificates

Revision ID: ca0print0010
Revises: c9e0cert0009
Create Date: 2026-12-03 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "ca0print0010"
down_revision = "c9e0cert0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(sa.Column("promotion", sa.JSON(), nullable=True))
    with op.batch_alter_table("contest") as batch_op:
        batch_op.add_column(sa.Column("gives_participation_certificates", sa.Boolean(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="award"))
        batch_op.alter_column("award", existing_type=sa.String(length=64), nullable=True)
        batch_op.alter_column("rank", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint("kind_known", "kind IN ('award', 'participation')")
        batch_op.create_check_constraint("award_named", "kind = 'participation' OR award IS NOT NULL")
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("base_url", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=False, server_default=""),
        sa.Column("file_name", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("mimetype", sa.String(length=100), nullable=False, server_default=""),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_print_job_status_known")),
        sa.CheckConstraint("kind IN ('results_book', 'certificates_zip')", name=op.f("ck_print_job_kind_known")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_print_job_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_print_job_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
    )
    op.create_index(op.f("ix_print_job_contest_id"), "print_job", ["contest_id"])


def downgrade():
    op.drop_index(op.f("ix_print_job_contest_id"), table_name="print_job")
    op.drop_table("print_job")
    op.execute("DELETE FROM certificate WHERE kind = 'participation'")
    with op.batch_alter_table("certificate") as batch_op:
        batch_op.drop_constraint("award_named", type_="check")
        batch_op.drop_constraint("kind_known", type_="check")
        batch_op.alter_column("rank", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("award", existing_type=sa.String(length=64), nullable=False)
        batch_op.drop_column("kind")
    with op.batch_alter_table("contest") as batch_op:
        batch_op.drop_column("gives_participation_certificates")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("promotion")
