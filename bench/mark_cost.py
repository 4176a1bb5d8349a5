"""The cost of one mark against the size of its board, as a ratio against a 20-entry board
measured in the same run.

    .venv/bin/python bench/mark_cost.py --entries 20 200 2000 --marks 100 --rounds 3 [--db sqlite|postgres]

For every size N: a fresh database (a SQLite file, or a scratch PostgreSQL database), one
contest with one event of N approved entries from 20 delegations, two weighted sections of
two criteria each, one judge assigned to everything, and every entry already marked on three
of the four criteria, so the board is fully ranked. Marks go through
`marking.services.submit_mark` (the one write path: validation, the mark and its revision,
the entry's result, the event's ranks, the board's seq, the audit entry, commit), in process
and without HTTP:

- **new**: an entry's first mark on the fourth criterion (0 to 10 of 10, weighted 30 %): it
  jumps across the board and every entry it passes moves down one place. A board with fewer
  entries than --marks has its fourth-criterion marks deleted and its results rebuilt,
  untimed, whenever every entry has one, so every size gets --marks new marks.
- **correction**: a judge corrects the third criterion by ±0.1 to ±0.3 with a reason: a few
  places.

All sizes are set up first, then their marks are interleaved one by one (a mark on 20, on
200, on 2,000, on 20, …), so a slow second of a shared machine falls on every size alike
rather than on whichever size was being measured then. Five untimed corrections per board go
first, so no size pays for the first use of a statement. Per mark: wall time (perf_counter),
CPU time and the number of SQL statements. The baseline of "÷ plain insert", on the same
database, is a plain insert of the same mark row and its revision in its own transaction.
--rounds repeats all of it on fresh databases; the report gives the median over the rounds
and the range of the ratio.

Printed: JSON, then a Markdown table for docs/benchmarks.md. Never part of `make test`.
"""
import argparse
from contextlib import contextmanager
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

from competition.database import end_session  # noqa: E402

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CRITERIA = ("T1", "T2", "P1", "P2")  # P2 is left for the timed marks
SCENARIOS = {"new": "P2", "correction": "P1"}


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


class Board:
    """One size: its app and database, and the marks still to give."""

    def __init__(self, n: int, kind: str, tmp: Path, seed: int, ledger: bool = True):
        from flask_migrate import upgrade

        from competition import create_app
        from competition.accounts.models import User
        from competition.contest_files.services import import_contest
        from competition.entries.models import Entry
        from competition.extensions import db

        self.n, self.kind, self.ledger = n, kind, ledger
        self.url, self.drop = scratch_database(kind, tmp)
        self.app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "SECRET_KEY": "bench-" + "x" * 40,
                               "LIVE_COALESCE_MS": 0, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
        self.rng = random.Random(seed + 1)
        with self.app.app_context():
            upgrade(directory=str(ROOT / "competition" / "migrations"))
            import_contest(contest_file(n, seed))
            db.session.commit()
            self.user_id = db.session.scalar(select(User.id).where(User.username == "j1"))
            self.bibs = list(db.session.scalars(select(Entry.bib).order_by(Entry.bib)))
            self.counter = StatementCounter(db.engine)
            for i, bib in enumerate(self.bibs[:5]):  # warm-up, untimed: first uses of statements
                self._submit(bib, "T1", str(self._value(bib, "T1")), f"warm{i}", "预热")
        self.unmarked: list[str] = []
        self.samples = {name: {"wall": [], "cpu": [], "statements": [], "rows": []} for name in SCENARIOS}

    def _value(self, bib: str, criterion: str) -> Decimal:
        from competition.contests.models import Criterion
        from competition.entries.models import Entry
        from competition.extensions import db
        from competition.marking.models import Mark
        value = db.session.scalar(select(Mark.value).join(Entry, Entry.id == Mark.entry_id)
                                  .join(Criterion, Criterion.id == Mark.criterion_id)
                                  .where(Entry.bib == bib, Criterion.code == criterion))
        end_session()  # as every request's teardown does
        return value

    def _submit(self, bib, criterion, value, client_id, reason):
        from competition.accounts.models import User
        from competition.extensions import db
        from competition.marking.services import submit_mark
        user = db.session.get(User, self.user_id)  # as the request's token lookup would
        with without_ledger(not self.ledger):
            outcome = submit_mark(user, contest="cost", event="e", entry=bib, criterion=criterion,
                                  value=value, client_id=client_id, reason=reason)
        end_session()  # as every request's teardown does
        return outcome

    def _clear_new_marks(self) -> None:
        """Untimed: delete every fourth-criterion mark and rebuild the results."""
        from competition.contests.models import Criterion, Event
        from competition.extensions import db
        from competition.marking.models import Mark, MarkRevision
        from competition.boards.results import recompute_event
        criterion_id = db.session.scalar(select(Criterion.id).where(Criterion.code == SCENARIOS["new"]))
        marks = select(Mark.id).where(Mark.criterion_id == criterion_id)
        db.session.execute(MarkRevision.__table__.delete().where(MarkRevision.mark_id.in_(marks)))
        db.session.execute(Mark.__table__.delete().where(Mark.criterion_id == criterion_id))
        recompute_event(db.session.scalar(select(Event)))
        db.session.commit()
        db.session.remove()

    def mark(self, name: str, i: int) -> None:
        """One timed mark of the scenario."""
        with self.app.app_context():
            criterion = SCENARIOS[name]
            if name == "new":
                if not self.unmarked:
                    if i:
                        self._clear_new_marks()
                    self.unmarked = self.rng.sample(self.bibs, len(self.bibs))
                bib, reason = self.unmarked.pop(), ""
                value = str(Decimal(self.rng.randint(0, 100)) / 10)
            else:
                bib, reason = self.rng.choice(self.bibs), "复核更正"
                delta = Decimal(self.rng.choice((-3, -2, -1, 1, 2, 3))) / 10
                value = str(min(Decimal(10), max(Decimal(0), self._value(bib, criterion) + delta)))
            before = self.counter.count
            start, start_cpu = time.perf_counter(), time.process_time()
            outcome = self._submit(bib, criterion, value, f"{name}{i}", reason)
            samples = self.samples[name]
            samples["wall"].append(time.perf_counter() - start)
            samples["cpu"].append(time.process_time() - start_cpu)
            samples["statements"].append(self.counter.count - before)
            samples["rows"].append(len(outcome.patch.upsert) if outcome.patch else 0)
            end_session()  # as every request's teardown does

    def plain_inserts(self, count: int) -> list[float]:
        """The baseline: a mark row and its revision inserted plainly, one transaction each."""
        from competition.contests.models import Criterion
        from competition.entries.models import Entry
        from competition.judges.models import Judge
        from competition.extensions import db
        from competition.marking.models import Mark, MarkRevision
        with self.app.app_context():
            judge_id = db.session.scalar(select(Judge.id))
            criterion_id = db.session.scalar(select(Criterion.id).where(Criterion.code == "T1"))
            entry_ids = list(db.session.scalars(select(Entry.id).order_by(Entry.id)))[:count]
            db.session.execute(MarkRevision.__table__.delete().where(MarkRevision.mark_id.in_(
                select(Mark.id).where(Mark.criterion_id == criterion_id, Mark.entry_id.in_(entry_ids)))))
            db.session.execute(Mark.__table__.delete().where(Mark.criterion_id == criterion_id,
                                                             Mark.entry_id.in_(entry_ids)))
            db.session.commit()
            plain = []
            for i, entry_id in enumerate(entry_ids):
                start = time.perf_counter()
                mark = Mark(entry_id=entry_id, criterion_id=criterion_id, judge_id=judge_id,
                            value=Decimal("5"), revision=1)
                db.session.add(mark)
                db.session.flush()
                db.session.add(MarkRevision(mark_id=mark.id, revision=1, value=Decimal("5"),
                                            client_id=f"plain{i}", source="api", author_id=self.user_id))
                db.session.commit()
                plain.append(time.perf_counter() - start)
                db.session.remove()
            return plain

    def close(self) -> None:
        from competition.extensions import db
        with self.app.app_context():
            db.session.remove()
            db.engine.dispose()
        if self.drop:
            self.drop()


@contextmanager
def without_ledger(off: bool):
    """The baseline of --ledger: the same mark with the ledger's work (the entry's data, the
    head's lock, the hash, the row) left out, in this process only."""
    if not off:
        yield
        return
    from competition.ledger import services as ledger
    saved = ledger.append, ledger.mark_data
    ledger.append, ledger.mark_data = (lambda *a, **k: None), (lambda *a, **k: {})
    try:
        yield
    finally:
        ledger.append, ledger.mark_data = saved


def ledger_round(sizes, marks: int, kind: str, tmp: Path, seed: int, label: str) -> list[dict]:
    """The same boards with and without the ledger, their marks interleaved one by one."""
    pairs = []
    try:
        for n in sizes:
            print(f"{label}: setting up {n} entries twice…", file=sys.stderr)
            pairs.append((Board(n, kind, tmp, seed), Board(n, kind, tmp, seed, ledger=False)))
        for name in SCENARIOS:
            for i in range(marks):
                for with_ledger, without in pairs:
                    with_ledger.mark(name, i)
                    without.mark(name, i)
        out = []
        for with_ledger, without in pairs:
            for name in SCENARIOS:
                on = statistics.median(with_ledger.samples[name]["wall"])
                off = statistics.median(without.samples[name]["wall"])
                out.append({"entries": with_ledger.n, "mark": name, "with_ms": 1000 * on, "without_ms": 1000 * off,
                            "ratio": on / off,
                            "statements": statistics.median(with_ledger.samples[name]["statements"])
                            - statistics.median(without.samples[name]["statements"])})
    finally:
        for pair in pairs:
            for board in pair:
                board.close()
    return out


def ledger_report(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [ledger_round(args.entries, args.marks, args.db, Path(tmp), args.seed, f"round {r + 1}")
                  for r in range(args.rounds)]
    print(json.dumps({"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "db": args.db,
                      "cpus": os.cpu_count(), "rounds": rounds}, indent=2))
    print(f"\n{args.rounds} rounds of {args.marks} marks of each kind; medians over the rounds.\n")
    print("| mark | entries | with the ledger p50 ms | without p50 ms | **with ÷ without** (range) | "
          "extra SQL statements |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for i, row in enumerate(rounds[0]):
        seen = [rnd[i] for rnd in rounds]
        ratios = [r["ratio"] for r in seen]
        print(f"| {row['mark']} | {row['entries']:,} | {statistics.median(r['with_ms'] for r in seen):.1f} | "
              f"{statistics.median(r['without_ms'] for r in seen):.1f} | **{statistics.median(ratios):.2f}** "
              f"({min(ratios):.2f}–{max(ratios):.2f}) | {statistics.median(r['statements'] for r in seen):.0f} |")


def one_round(sizes, marks: int, kind: str, tmp: Path, seed: int, label: str) -> list[dict]:
    boards = []
    try:
        for n in sizes:
            print(f"{label}: setting up {n} entries…", file=sys.stderr)
            boards.append(Board(n, kind, tmp, seed))
        print(f"{label}: {marks} marks of each kind on each board, interleaved…", file=sys.stderr)
        for name in SCENARIOS:
            for i in range(marks):
                for board in boards:
                    board.mark(name, i)
        runs = []
        for board in boards:
            scenarios = {}
            for name, samples in board.samples.items():
                scenarios[name] = {"wall_ms": 1000 * statistics.median(samples["wall"]),
                                   "wall_p90_ms": 1000 * statistics.quantiles(samples["wall"], n=10)[-1],
                                   "cpu_ms": 1000 * statistics.median(samples["cpu"]),
                                   "statements": statistics.median(samples["statements"]),
                                   "patch_rows": statistics.median(samples["rows"])}
            runs.append({"entries": board.n, "marks": marks, "scenarios": scenarios,
                         "plain_ms": 1000 * statistics.median(board.plain_inserts(min(marks, board.n)))})
    finally:
        for board in boards:
            board.close()
    base = runs[0]
    for run in runs:
        for name, sc in run["scenarios"].items():
            first = base["scenarios"][name]
            sc["wall_vs_smallest"] = sc["wall_ms"] / first["wall_ms"]
            sc["cpu_vs_smallest"] = sc["cpu_ms"] / first["cpu_ms"]
            sc["wall_vs_plain"] = sc["wall_ms"] / run["plain_ms"]
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[20, 200, 2000])
    parser.add_argument("--marks", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--ledger", action="store_true",
                        help="measure the ledger's cost: each board with and without it, marks interleaved")
    args = parser.parse_args()
    if args.ledger:
        ledger_report(args)
        return
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        rounds = [one_round(args.entries, args.marks, args.db, Path(tmp), args.seed, f"round {r + 1}")
                  for r in range(args.rounds)]
    summary = []
    for name in SCENARIOS:
        for i, n in enumerate(args.entries):
            seen = [rnd[i]["scenarios"][name] for rnd in rounds]
            ratios = [sc["wall_vs_smallest"] for sc in seen]
            summary.append({
                "mark": name, "entries": n,
                "patch_rows": statistics.median(sc["patch_rows"] for sc in seen),
                "statements": statistics.median(sc["statements"] for sc in seen),
                "wall_ms": statistics.median(sc["wall_ms"] for sc in seen),
                "wall_vs_plain": statistics.median(sc["wall_vs_plain"] for sc in seen),
                "wall_vs_smallest": statistics.median(ratios),
                "wall_vs_smallest_range": [min(ratios), max(ratios)],
                "cpu_vs_smallest": statistics.median(sc["cpu_vs_smallest"] for sc in seen),
            })
    report = {"at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "db": args.db,
              "python": platform.python_version(), "cpus": os.cpu_count(), "load_before": load_before,
              "rounds": rounds, "summary": summary}
    print(json.dumps(report, indent=2))
    smallest = args.entries[0]
    print(f"\n{args.rounds} rounds of {args.marks} marks of each kind per board; medians over the rounds.\n")
    print(f"| mark | entries | rows in the patch p50 | SQL statements | wall p50 ms | wall ÷ plain insert | "
          f"**wall ÷ at {smallest}** (range) | CPU ÷ at {smallest} |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in summary:
        lo, hi = row["wall_vs_smallest_range"]
        print(f"| {row['mark']} | {row['entries']:,} | {row['patch_rows']:.0f} | {row['statements']:.0f} | "
              f"{row['wall_ms']:.1f} | {row['wall_vs_plain']:.1f} | **{row['wall_vs_smallest']:.2f}** "
              f"({lo:.2f}–{hi:.2f}) | {row['cpu_vs_smallest']:.2f} |")


if __name__ == "__main__":
    main()
