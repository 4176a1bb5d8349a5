"""registration: bib pattern and privacy notice, per-event deadline, registrants' reference and
consent, review of entries, bibs assigned later, one-time login links for judges' tablets

Revision ID: c3d0organ003
Revises: c2b0judge002
Create Date: 2026-11-28 20:45:00

"""
from alembic import op
import sqlalchemy as sa


revision = "c3d0organ003"
down_revision = "c2b0judge002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bib_pattern", sa.String(length=64), nullable=False,
                                      server_default="{event}{n:03}"))
        batch_op.add_column(sa.Column("privacy_notice", sa.Text(), nullable=False, server_default=""))

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("registration_deadline", sa.DateTime(), nullable=True))

    with op.batch_alter_table("contestant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reference", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("consented_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("source", sa.String(length=16), nullable=False, server_default="organiser"))
        batch_op.create_unique_constraint(batch_op.f("uq_contestant_reference"), ["reference"])
        batch_op.create_check_constraint(batch_op.f("ck_contestant_source_known"), "source IN ('form', 'import', 'organiser')")

    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.alter_column("bib", existing_type=sa.String(length=32), nullable=True)
        batch_op.add_column(sa.Column("review_note", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_entry_reviewed_by_id_user_account"), "user_account",
                                    ["reviewed_by_id"], ["id"])

    op.create_table(
        "login_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_login_link_token_hash_sha256")),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_login_link_contest_id_contest"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"],
                                name=op.f("fk_login_link_created_by_id_user_account")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_login_link_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_link_token_hash")),
    )
    with op.batch_alter_table("login_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_link_contest_id"), ["contest_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_link_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("login_link", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_link_user_id"))
        batch_op.drop_index(batch_op.f("ix_login_link_contest_id"))
    op.drop_table("login_link")

    # Entries registered without a bib cannot survive a schema that demands one.
    op.execute("DELETE FROM entry WHERE bib IS NULL")
    with op.batch_alter_table("entry", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_entry_reviewed_by_id_user_account"), type_="foreignkey")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("review_note")
        batch_op.alter_column("bib", existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table("contestant", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_contestant_source_known"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_contestant_reference"), type_="unique")
        batch_op.drop_column("source")
        batch_op.drop_column("consented_at")
        batch_op.drop_column("reference")

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("registration_deadline")

    with op.batch_alter_table("contest", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice")
        batch_op.drop_column("bib_pattern")
