"""resident ID numbers sealed at rest, found by a keyed hash (blind index) and their last four
characters

Revision ID: ce0seal0014
Revises: cd0token0013
Create Date: 2026-12-04 21:20:00

The data step seals what is there with the app's configured keys (flask db upgrade runs in the
app): competition/sealing.py.
"""
import sqlalchemy as sa
from alembic import op

revision = "ce0seal0014"
down_revision = "cd0token0013"
branch_labels = None
depends_on = None

contestant = sa.table("contestant", sa.column("id", sa.Integer), sa.column("id_type", sa.String),
                      sa.column("id_number", sa.String), sa.column("id_index", sa.String),
                      sa.column("id_tail", sa.String))


def upgrade():
    from competition.sealing import blind_index, seal
    with op.batch_alter_table("contestant") as batch_op:
        batch_op.drop_constraint("uq_contestant_contest_id_id_type_id_number", type_="unique")
        batch_op.alter_column("id_number", type_=sa.String(length=255), existing_type=sa.String(length=32))
        batch_op.add_column(sa.Column("id_index", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("id_tail", sa.String(length=4), nullable=True))
    bind = op.get_bind()
    rows = bind.execute(sa.select(contestant.c.id, contestant.c.id_type, contestant.c.id_number)
                        .where(contestant.c.id_number.is_not(None))).all()
    for row_id, id_type, number in rows:
        bind.execute(contestant.update().where(contestant.c.id == row_id).values(
            id_number=seal(number), id_index=blind_index(id_type, number), id_tail=number[-4:]))
    with op.batch_alter_table("contestant") as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_contestant_contest_id_id_index"), ["contest_id", "id_index"])
        batch_op.create_index(batch_op.f("ix_contestant_id_tail"), ["id_tail"], unique=False)


def downgrade():
    from competition.sealing import unseal
    bind = op.get_bind()
    rows = bind.execute(sa.select(contestant.c.id, contestant.c.id_number)
                        .where(contestant.c.id_number.is_not(None))).all()
    for row_id, sealed in rows:
        bind.execute(contestant.update().where(contestant.c.id == row_id).values(id_number=unseal(sealed)))
    with op.batch_alter_table("contestant") as batch_op:
        batch_op.drop_index(batch_op.f("ix_contestant_id_tail"))
        batch_op.drop_constraint(batch_op.f("uq_contestant_contest_id_id_index"), type_="unique")
        batch_op.drop_column("id_tail")
        batch_op.drop_column("id_index")
        batch_op.alter_column("id_number", type_=sa.String(length=32), existing_type=sa.String(length=255))
        batch_op.create_unique_constraint("uq_contestant_contest_id_id_type_id_number",
                                          ["contest_id", "id_type", "id_number"])
