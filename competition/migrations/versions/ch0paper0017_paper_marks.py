"""paper fallback: a judge's signed sheet entered twice (paper_sheet), the transcribers'
ledger pseudonyms (transcriber), and who entered and checked a paper mark revision

Revision ID: ch0paper0017
Revises: cg0team0016
Create Date: 2026-12-06 22:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = "ch0paper0017"
down_revision = "cg0team0016"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "paper_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("judge_id", sa.Integer(), nullable=False),
        sa.Column("entered", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("transcribed_by_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_id"], ["event.id"], name=op.f("fk_paper_sheet_event_id_event"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["entry_id"], ["entry.id"], name=op.f("fk_paper_sheet_entry_id_entry"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["judge_id"], ["judge.id"], name=op.f("fk_paper_sheet_judge_id_judge"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["transcribed_by_id"], ["user_account.id"],
                                name=op.f("fk_paper_sheet_transcribed_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_paper_sheet")),
        sa.UniqueConstraint("entry_id", "judge_id", name=op.f("uq_paper_sheet_entry_id_judge_id")),
    )
    op.create_index(op.f("ix_paper_sheet_event_id"), "paper_sheet", ["event_id"])
    op.create_index(op.f("ix_paper_sheet_judge_id"), "paper_sheet", ["judge_id"])
    op.create_table(
        "transcriber",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_transcriber_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_transcriber_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcriber")),
        sa.UniqueConstraint("contest_id", "user_id", name=op.f("uq_transcriber_contest_id_user_id")),
        sa.UniqueConstraint("contest_id", "pseudonym", name=op.f("uq_transcriber_contest_id_pseudonym")),
    )
    with op.batch_alter_table("mark_revision") as batch_op:
        batch_op.add_column(sa.Column("transcribed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("verified_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_mark_revision_transcribed_by_id_user_account"), "user_account",
                                    ["transcribed_by_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_mark_revision_verified_by_id_user_account"), "user_account",
                                    ["verified_by_id"], ["id"])


def downgrade():
    with op.batch_alter_table("mark_revision") as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_mark_revision_verified_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_mark_revision_transcribed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("verified_by_id")
        batch_op.drop_column("transcribed_by_id")
    op.drop_table("transcriber")
    op.drop_index(op.f("ix_paper_sheet_judge_id"), table_name="paper_sheet")
    op.drop_index(op.f("ix_paper_sheet_event_id"), table_name="paper_sheet")
    op.drop_table("paper_sheet")
