"""the ledger: an append-only, hash-chained record per contest

`ledger_entry` (refused UPDATE and DELETE by a trigger, on SQLite and PostgreSQL alike),
`ledger_head` (the last entry of each contest's chain, the row its writers lock), and each
judge's pseudonym (J1, J2 … per contest). A contest that already has marks starts its chain
with one "genesis" entry holding them and its locks as they stand now.

Revision ID: c8d0ledger0008
Revises: c7c0result0007
Create Date: 2026-12-03 08:00:00

"""
import hashlib
import json
from datetime import datetime, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op


revision = "c8d0ledger0008"
down_revision = "c7c0result0007"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
REFUSE = "the ledger is append-only"


def _hash(prev: str, body: dict) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(prev.encode("ascii") + text).hexdigest()


def _decimal_text(value, scale: int) -> str:
    """A stored mark as text: SQLite keeps it as an integer scaled by 10**scale."""
    number = Decimal(value).scaleb(-scale) if isinstance(value, int) else Decimal(value)
    text = format(number.normalize(), "f")
    return text


def upgrade():
    op.create_table(
        "ledger_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_ledger_entry_contest_id_contest")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entry")),
        sa.UniqueConstraint("contest_id", "seq", name=op.f("uq_ledger_entry_contest_id_seq")),
    )
    op.create_index(op.f("ix_ledger_entry_contest_id"), "ledger_entry", ["contest_id"])
    op.create_table(
        "ledger_head",
        sa.Column("contest_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["contest_id"], ["contest.id"], name=op.f("fk_ledger_head_contest_id_contest")),
        sa.PrimaryKeyConstraint("contest_id", name=op.f("pk_ledger_head")),
    )
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pseudonym", sa.String(length=8), nullable=True))
        batch_op.create_unique_constraint(op.f("uq_judge_contest_id_pseudonym"), ["contest_id", "pseudonym"])

    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION ledger_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{REFUSE}'; END; $$ LANGUAGE plpgsql""")
        op.execute("CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry "
                   "FOR EACH ROW EXECUTE FUNCTION ledger_append_only()")
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER ledger_entry_no_{action.lower()} BEFORE {action} ON ledger_entry "
                       f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END")
    _genesis(bind)


def _genesis(bind) -> None:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    scale = 3
    for (contest_id, slug) in bind.execute(sa.text("SELECT id, slug FROM contest ORDER BY id")).all():
        rows = bind.execute(sa.text(
            "SELECT ev.code, e.bib, c.code, m.judge_id, m.value, m.revision, m.status FROM mark m"
            " JOIN entry e ON e.id = m.entry_id JOIN event ev ON ev.id = e.event_id"
            " JOIN criterion c ON c.id = m.criterion_id WHERE e.contest_id = :c ORDER BY m.id"), {"c": contest_id}).all()
        if not rows:
            continue
        names = {}
        for judge_id in dict.fromkeys(r[3] for r in rows):
            names[judge_id] = f"J{len(names) + 1}"
            bind.execute(sa.text("UPDATE judge SET pseudonym = :p WHERE id = :j"), {"p": names[judge_id], "j": judge_id})
        locked = bind.execute(sa.text(
            "SELECT ev.code, e.bib FROM entry e JOIN event ev ON ev.id = e.event_id"
            " WHERE e.contest_id = :c AND e.locked_at IS NOT NULL AND e.bib IS NOT NULL ORDER BY e.id"),
            {"c": contest_id}).all()
        body = {"seq": 1, "contest": slug, "kind": "genesis", "at": now.isoformat(timespec="microseconds") + "Z",
                "marks": [{"event": ev, "entry": bib, "criterion": code, "judge": names[judge],
                           "value": _decimal_text(value, scale), "revision": rev, "status": status}
                          for ev, bib, code, judge, value, rev, status in rows],
                "locked": [{"event": ev, "entry": bib} for ev, bib in locked]}
        digest = _hash(GENESIS, body)
        bind.execute(sa.table("ledger_entry", sa.column("contest_id"), sa.column("seq"), sa.column("kind"),
                              sa.column("body", sa.JSON), sa.column("prev_hash"), sa.column("hash"),
                              sa.column("created_at")).insert(),
                     [{"contest_id": contest_id, "seq": 1, "kind": "genesis", "body": body, "prev_hash": GENESIS,
                       "hash": digest, "created_at": now}])
        bind.execute(sa.text("INSERT INTO ledger_head (contest_id, seq, hash) VALUES (:c, 1, :h)"),
                     {"c": contest_id, "h": digest})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER ledger_entry_append_only ON ledger_entry")
        op.execute("DROP FUNCTION ledger_append_only()")
    else:
        op.execute("DROP TRIGGER ledger_entry_no_update")
        op.execute("DROP TRIGGER ledger_entry_no_delete")
    with op.batch_alter_table("judge", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_judge_contest_id_pseudonym"), type_="unique")
        batch_op.drop_column("pseudonym")
    op.drop_table("ledger_head")
    op.drop_index(op.f("ix_ledger_entry_contest_id"), table_name="ledger_entry")
    op.drop_table("ledger_entry")
