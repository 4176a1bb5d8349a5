"""platform administration: organisations deactivated, invite and reset links, sessions that end
when the password changes, in-app settings, delegations' team leaders

Revision ID: cb0admin0011
Revises: ca0print0010
Create Date: 2026-12-03 14:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = "cb0admin0011"
down_revision = "ca0print0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("delegation") as batch_op:
        batch_op.add_column(sa.Column("leader", sa.String(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact", sa.String(length=120), nullable=False, server_default=""))
    op.create_table(
        "invite",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("length(token_hash) = 64", name=op.f("ck_invite_token_hash_sha256")),
        sa.CheckConstraint("purpose IN ('invite', 'reset')", name=op.f("ck_invite_purpose_known")),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], name=op.f("fk_invite_user_id_user_account"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["created_by_id"], ["user_account.id"], name=op.f("fk_invite_created_by_id_user_account")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invite")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invite_token_hash")),
    )
    op.create_index(op.f("ix_invite_user_id"), "invite", ["user_id"])
    op.create_table(
        "platform_setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["updated_by_id"], ["user_account.id"],
                                name=op.f("fk_platform_setting_updated_by_id_user_account")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_platform_setting")),
    )


def downgrade():
    op.drop_table("platform_setting")
    op.drop_index(op.f("ix_invite_user_id"), table_name="invite")
    op.drop_table("invite")
    with op.batch_alter_table("delegation") as batch_op:
        batch_op.drop_column("contact")
        batch_op.drop_column("leader")
    with op.batch_alter_table("user_account") as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("session_version")
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_column("deactivated_at")
