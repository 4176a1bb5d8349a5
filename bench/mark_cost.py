"""The cost of one mark against the size of its board, as a ratio against a 20-entry board
measured in the same run.

    .venv/bin/python bench/mark_cost.py --entries 20 200 2000 --marks 200 [--db sqlite|postgres]

For every size N: a fresh database (a SQLite file, or a scratch PostgreSQL database), one
contest with one event of N approved entries from 20 delegations, two weighted sections of
two criteria each, one judge assigned to everything, and every entry already marked on three
of the four criteria, so the board is fully ranked. Then --marks marks on the fourth
criterion go through `marking.services.submit_mark` (the one write path: validation, the
mark and its revision, the entry's result, the event's ranks, the board's seq, the audit
entry, commit), in process and without HTTP, each on an entry not marked yet, with values
that move entries across the board. Per mark: wall time (perf_counter) and the number of SQL
statements. The baseline in the same run, on the same database, is a plain insert of the same
mark row and its revision in its own transaction.

Printed: JSON, then a Markdown table for docs/benchmarks.md. Never part of `make test`.
"""
import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event as sa_event, select, text  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CRITERIA = ("T1", "T2", "P1", "P2")  # P2 is left for the timed marks


def contest_file(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    criteria = lambda codes: [{"code": c, "name": c, "max": "10", "kind": "measurement",  # noqa: E731
                               "method": "single", "judges": 1} for c in codes]
    entries = [{"event": "e", "bib": f"B{i:05}", "name": f"选手{i}", "delegation": f"单位{i % 20}"}
               for i in range(n)]
    marks = [{"event": "e", "entry": e["bib"], "criterion": c, "judge": "j1",
              "value": str(Decimal(rng.randint(0, 100)) / 10)}
             for e in entries for c in CRITERIA[:3]]
    return {
        "contest": {"slug": "cost", "name": "cost", "organisation": "bench", "status": "judging"},
        "events": [{"code": "e", "name": "e", "places": 2, "tie_break": ["section:P"],
                    "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "share": "20"}],
                    "sections": [{"code": "T", "name": "T", "weight": "40", "criteria": criteria(("T1", "T2"))},
                                 {"code": "P", "name": "P", "weight": "60", "criteria": criteria(("P1", "P2"))}]}],
        "judges": [{"username": "j1", "name": "j1", "delegation": "裁判", "events": ["e"], "chief": True}],
        "entries": entries,
        "marks": marks,
    }


class StatementCounter:
    def __init__(self, engine):
        self.count = 0
        sa_event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *args, **kwargs):
        self.count += 1


def scratch_database(kind: str, tmp: Path):
    if kind == "sqlite":
        return f"sqlite:///{tmp / f'cost-{uuid.uuid4().hex[:8]}.sqlite'}", None
    name = f"gj_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, drop


def measure(n: int, marks: int, kind: str, tmp: Path, seed: int) -> dict:
    from flask_migrate import upgrade

    from competition import create_app
    from competition.accounts.models import User
    from competition.contest_files.services import import_contest
    from competition.contests.models import Criterion, Entry, Judge
    from competition.extensions import db
    from competition.marking.models import Mark, MarkRevision
    from competition.marking.services import submit_mark
    from competition.results.models import Board

    url, drop = scratch_database(kind, tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-" + "x" * 40,
                      "LIVE_COALESCE_MS": 0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    try:
        with app.app_context():
            upgrade(directory=str(ROOT / "competition" / "migrations"))
            import_contest(contest_file(n, seed))
            db.session.commit()
            user_id = db.session.scalar(select(User.id).where(User.username == "j1"))
            bibs = list(db.session.scalars(select(Entry.bib).order_by(Entry.bib)))
            rng = random.Random(seed + 1)
            targets = rng.sample(bibs, min(marks, len(bibs)))
            counter = StatementCounter(db.engine)
            scenarios = {}
            # "new": an entry's first mark on P2 (0 → up to 10 of 10, weighted 30 %): it jumps
            # across the board and every entry it passes moves down one place.
            # "correction": a judge corrects P1 by ±0.1 to ±0.3 with a reason: a few places.
            for name, criterion in (("new", "P2"), ("correction", "P1")):
                wall, cpu, statements, rows = [], [], [], []
                for i, bib in enumerate(targets):
                    if name == "new":
                        value, reason = str(Decimal(rng.randint(0, 100)) / 10), ""
                    else:
                        old = db.session.scalar(select(Mark.value).join(Entry, Entry.id == Mark.entry_id)
                                                .join(Criterion, Criterion.id == Mark.criterion_id)
                                                .where(Entry.bib == bib, Criterion.code == "P1"))
                        delta = Decimal(rng.choice((-3, -2, -1, 1, 2, 3))) / 10
                        value = str(min(Decimal(10), max(Decimal(0), old + delta)))
                        reason = "复核更正"
                        db.session.remove()
                    before = counter.count
                    start, start_cpu = time.perf_counter(), time.process_time()
                    user = db.session.get(User, user_id)  # as the request's token lookup would
                    outcome = submit_mark(user, contest="cost", event="e", entry=bib, criterion=criterion,
                                          value=value, client_id=f"{name}{i}", reason=reason)
                    wall.append(time.perf_counter() - start)
                    cpu.append(time.process_time() - start_cpu)
                    statements.append(counter.count - before)
                    rows.append(len(outcome.patch.upsert) if outcome.patch else 0)
                    db.session.remove()
                scenarios[name] = {"wall_ms": 1000 * statistics.median(wall),
                                   "wall_p90_ms": 1000 * statistics.quantiles(wall, n=10)[-1],
                                   "cpu_ms": 1000 * statistics.median(cpu),
                                   "statements": statistics.median(statements),
                                   "patch_rows": statistics.median(rows)}
            seq = db.session.scalar(select(Board.seq))
            # Baseline: the same rows (a mark of another criterion and its revision) inserted
            # plainly, one transaction each, on the same database.
            judge_id = db.session.scalar(select(Judge.id))
            criterion_id = db.session.scalar(select(Criterion.id).where(Criterion.code == "T1"))
            entry_ids = dict(db.session.execute(select(Entry.bib, Entry.id)).all())
            db.session.execute(Mark.__table__.delete().where(Mark.criterion_id == criterion_id,
                                                             Mark.entry_id.in_([entry_ids[b] for b in targets])))
            db.session.commit()
            plain, plain_cpu = [], []
            for i, bib in enumerate(targets):
                start, start_cpu = time.perf_counter(), time.process_time()
                mark = Mark(entry_id=entry_ids[bib], criterion_id=criterion_id, judge_id=judge_id,
                            value=Decimal("5"), revision=1)
                db.session.add(mark)
                db.session.flush()
                db.session.add(MarkRevision(mark_id=mark.id, revision=1, value=Decimal("5"),
                                            client_id=f"plain{i}", source="api", author_id=user_id))
                db.session.commit()
                plain.append(time.perf_counter() - start)
                plain_cpu.append(time.process_time() - start_cpu)
                db.session.remove()
            db.session.remove()
            db.engine.dispose()
    finally:
        if drop:
            drop()
    return {"entries": n, "marks": len(targets), "seq_after": seq, "scenarios": scenarios,
            "plain_ms": 1000 * statistics.median(plain), "plain_cpu_ms": 1000 * statistics.median(plain_cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--marks", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = []
        for n in args.entries:
            print(f"{n} entries…", file=sys.stderr)
            runs.append(measure(n, min(args.marks, n), args.db, Path(tmp), args.seed))
    base = runs[0]
    for run in runs:
        for name, sc in run["scenarios"].items():
            first = base["scenarios"][name]
            sc["cpu_vs_smallest"] = round(sc["cpu_ms"] / first["cpu_ms"], 2)
            sc["wall_vs_smallest"] = round(sc["wall_ms"] / first["wall_ms"], 2)
            sc["cpu_vs_plain"] = round(sc["cpu_ms"] / run["plain_cpu_ms"], 1)
    report = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "db": args.db,
              "python": platform.python_version(), "cpus": os.cpu_count(),
              "load_before": os.getloadavg(), "runs": runs}
    print(json.dumps(report, indent=2))
    print(f"\n| mark | entries | patch rows p50 | SQL statements | wall p50 ms | CPU p50 ms | "
          f"CPU ÷ plain insert | wall ÷ at {base['entries']} | **CPU ÷ at {base['entries']}** |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in base["scenarios"]:
        for r in runs:
            sc = r["scenarios"][name]
            print(f"| {name} | {r['entries']:,} | {sc['patch_rows']:.0f} | {sc['statements']:.0f} | "
                  f"{sc['wall_ms']:.1f} | {sc['cpu_ms']:.1f} | {sc['cpu_vs_plain']} | {sc['wall_vs_smallest']} | "
                  f"**{sc['cpu_vs_smallest']}** |")


if __name__ == "__main__":
    main()
