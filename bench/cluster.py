"""The cluster mode, measured (docs/benchmarks.md): mark throughput, spectators held per
process, and mark-to-spectator latency across processes. Every figure is a ratio against a
baseline measured in the same run.

    .venv/bin/python bench/cluster.py throughput            # ~3 min
    .venv/bin/python bench/cluster.py spectators --clients 1000 5000
    .venv/bin/python bench/cluster.py latency --clients 200 --marks 30

throughput: J judges × M marks posted concurrently (tests/cluster/parts.py's load: one thread
  per judge, marks spread over the servers) on (a) SQLite behind one server process and (b)
  PostgreSQL behind two processes sharing Redis; marks/s with results and boards updated.
  Baselines, two: **plain** (in process), the same rows (mark and revision, one transaction
  per mark, J concurrent writers) inserted straight into the same database with SQLAlchemy
  Core; **plain_http**, the same load of POSTs with the same tokens to the same server
  processes, on bench/plain_http.py's route, which authenticates the token as the API does
  and inserts the same two rows (the servers serve our app with that route added).
spectators: for each async mode (threading: gunicorn gthread; gevent: gunicorn gevent), one
  server process on PostgreSQL + Redis (or, with --server embedded, `python -m competition` on
  SQLite, what `make run` serves); N python-socketio spectators (websocket, watching
  one board) in client processes; after a hold of --hold seconds (a ping round), how many are
  still connected, the worker's RSS and threads, and whether one mark reaches them all.
  Baseline: the same process idle (RSS before any client); and threading against gevent.
latency: marks one at a time to process A; N spectators either all on one process alone (no
  queue) or split over A and B on Redis; p50/p99 of send → patch handler. Baseline: one
  process alone, same run.

Servers are tests/server.py's LiveServer with gunicorn (deploy/gunicorn.conf.py); client
processes are bench/live_latency.py's Spectators. Everything on 127.0.0.1; all servers and
scratch databases are removed at the end. Results: JSON on stdout (and --json FILE).
"""
import argparse
import json
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests  # noqa: E402

from live_latency import Spectators, percentile  # noqa: E402
from tests.cluster import parts  # noqa: E402
from tests.server import LiveServer  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "sample-contest.json"
REDIS = "redis://127.0.0.1:6379/0"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def raise_nofile() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def env_for(mode: str, queue: str | None, **extra) -> dict:
    env = {"SOCKETIO_ASYNC_MODE": mode, "MARK_RATE_LIMIT": "1000000 per minute", "LIVE_COALESCE_MS": "0",
           "SOCKETIO_CHANNEL": f"gj-bench-{uuid.uuid4().hex[:8]}", "GUNICORN_THREADS": "200"}
    if queue:
        env.update(SOCKETIO_MESSAGE_QUEUE=queue, RATELIMIT_STORAGE_URI=queue)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start(url: str, env: dict, n: int = 1, app: str | None = None) -> list[LiveServer]:
    servers = []
    for i in range(n):
        server = LiveServer(url, env, gunicorn=True, app=app)
        servers.append(server)
        server.start(migrate=i == 0)
    return servers


def stop(servers) -> None:
    for server in servers:
        server.stop()


def worker_pid(server: LiveServer) -> int:
    """gunicorn's one worker under the server's arbiter."""
    out = subprocess.run(["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True).stdout.split()
    return int(out[0])


def proc_status(pid: int) -> dict:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "Threads"):
            fields[key] = int(value.split()[0])
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return {"rss_kb": fields["VmRSS"], "threads": fields["Threads"], "fds": fds}


# --- throughput -----------------------------------------------------------------------------

def plain_inserts(url: str, data: dict, plans: dict) -> float:
    """The same rows as the marks, inserted straight (mark + revision, one transaction each,
    one writer per judge): marks/s."""
    from sqlalchemy import create_engine, insert, select

    from competition import database  # noqa: F401  (SQLite: WAL, busy timeout, BEGIN IMMEDIATE)
    from competition.accounts.models import User
    from competition.contests.models import Contest, Criterion, Event
    from competition.entries.models import Entry
    from competition.judges.models import Judge
    from competition.marking.models import Mark, MarkRevision
    engine = create_engine(url, pool_size=len(plans) + 2)
    slug = data["contest"]["slug"]
    with engine.connect() as conn:
        contest_id = conn.scalar(select(Contest.id).where(Contest.slug == slug))
        entries = {(code, bib): eid for eid, bib, code in conn.execute(
            select(Entry.id, Entry.bib, Event.code).join(Event).where(Event.contest_id == contest_id))}
        criteria = {code: cid for cid, code in conn.execute(
            select(Criterion.id, Event.code).join(Event).where(Event.contest_id == contest_id))}
        judges = {name: (jid, uid) for jid, uid, name in conn.execute(
            select(Judge.id, User.id, User.username).join(User, User.id == Judge.user_id)
            .where(Judge.contest_id == contest_id))}

    def writer(username: str):
        judge_id, user_id = judges[username]
        with engine.connect() as conn:
            conn = conn.execution_options(sqlite_immediate=True)
            for mark in plans[username]:
                with conn.begin():
                    mark_id = conn.execute(insert(Mark).values(
                        entry_id=entries[mark["event"], mark["entry"]], criterion_id=criteria[mark["event"]],
                        judge_id=judge_id, value=mark["value"], revision=1).returning(Mark.id)).scalar_one()
                    conn.execute(insert(MarkRevision).values(
                        mark_id=mark_id, revision=1, value=mark["value"], client_id=mark["client_id"],
                        reason="", source="api", author_id=user_id))

    threads = [threading.Thread(target=writer, args=(u,)) for u in plans]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    engine.dispose()
    return sum(len(p) for p in plans.values()) / elapsed


def throughput(args) -> list[dict]:
    results = []
    for layout in args.layouts:
        backend, processes = layout.split(":")[0], int(layout.split(":")[1])
        tmp = Path(tempfile.mkdtemp(prefix="gj-bench-"))
        url = f"sqlite:///{tmp / 'bench.sqlite'}" if backend == "sqlite" else parts.create_database()
        queue = REDIS if processes > 1 else None
        servers = []
        try:
            # Our app with the baseline's route (bench/plain_http.py): both loads hit the same servers.
            servers = start(url, env_for(args.mode, queue), processes, app="plain_http:app")
            row = {"backend": backend, "processes": processes, "mode": args.mode}
            for label in ("ours", "plain_http", "plain"):
                slug = f"tp{label.replace('_', '')}"
                data = parts.contest_data(slug, judges=args.judges, entries=args.entries)
                tokens = parts.prepare(url, data)
                plans = parts.plan_marks(data, seed=5)
                # Every run gets the same values and order, on its own contest.
                if label == "plain":
                    row["plain_marks_per_s"] = round(plain_inserts(url, data, plans), 1)
                else:
                    answered = parts.Answered()
                    t0 = time.monotonic()
                    parts.run_load([s.url for s in servers], tokens, plans, answered,
                                   path="/api/v1/marks" if label == "ours" else "/bench/plain-mark")
                    elapsed = time.monotonic() - t0
                    if answered.refused or answered.count() != args.judges * args.entries * 2:
                        raise RuntimeError(f"marks refused: {answered.refused[:3]}")
                    row[f"{label}_marks_per_s"] = round(answered.count() / elapsed, 1)
                log(f"throughput {backend}×{processes} {label}: {row.get(label + '_marks_per_s')} marks/s")
            row["marks"] = args.judges * args.entries * 2
            row["ratio"] = round(row["ours_marks_per_s"] / row["plain_marks_per_s"], 3)
            row["ratio_http"] = round(row["ours_marks_per_s"] / row["plain_http_marks_per_s"], 3)
            results.append(row)
        finally:
            stop(servers)
            if backend == "postgresql":
                parts.drop_database(url)
    return results


# --- spectators -----------------------------------------------------------------------------

def spectators(args) -> list[dict]:
    ctx = mp.get_context("fork")
    results = []
    for mode in args.modes:
        embedded = args.server == "embedded"
        url = None if embedded else parts.create_database()
        servers = []
        crowd = []
        try:
            most = max(args.clients)
            if embedded:  # what `make run` serves: python -m competition, SQLite, no queue
                servers = [LiveServer(None, env_for(mode, None)).start()]
            else:
                servers = start(url, env_for(mode, REDIS, GUNICORN_THREADS=most + 200,
                                             GUNICORN_CONNECTIONS=most + 200))
            server = servers[0]
            server.flask("contest-import", str(SAMPLE))
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {server.token('k1')}"
            pid = server.proc.pid if embedded else worker_pid(server)
            http.get(f"{server.url}/api/v1/contests/sample-2026/events/iot/board", timeout=30)
            idle = proc_status(pid)
            log(f"{mode}: idle worker {idle}")
            have = 0
            marks = 0
            for n in sorted(args.clients):
                t0 = time.monotonic()
                group = Spectators(ctx, server.url, n - have, args.procs or max(1, min(16, (n - have) // 300 + 1)),
                                   args.connect_concurrency, False, True)
                crowd.append(group)
                group.wait_ready(args.connect_timeout)
                have = n
                connect_s = time.monotonic() - t0
                log(f"{mode}: {sum(g.connected for g in crowd)}/{n} connected in {connect_s:.0f} s; holding {args.hold} s")
                time.sleep(args.hold)
                held = sum(g.watching() for g in crowd)
                status = proc_status(pid)
                # One mark: does it reach everybody still watching?
                before = sum(g.arrived() for g in crowd)
                marks += 1
                t_send = time.monotonic()
                try:
                    answer = http.post(f"{server.url}/api/v1/marks", timeout=args.mark_timeout, json={
                        "contest": "sample-2026", "event": "iot", "entry": "S01", "criterion": "T1",
                        "value": str(40 + marks), "client_id": str(uuid.uuid4()), "reason": "bench"})
                    mark_status = answer.status_code
                except requests.RequestException as exc:
                    mark_status = f"no answer in {args.mark_timeout:.0f} s ({type(exc).__name__})"
                deadline = t_send + args.mark_timeout
                while sum(g.arrived() for g in crowd) < before + held and time.monotonic() < deadline:
                    time.sleep(0.01)
                fanout = time.monotonic() - t_send
                reached = sum(g.arrived() for g in crowd) - before
                row = {"server": args.server, "mode": mode, "clients": n, "connected": sum(g.connected for g in crowd),
                       "held_after_hold": held, "reached_by_one_mark": reached, "mark_status": mark_status,
                       "mark_to_last_arrival_s": round(fanout, 2), "connect_s": round(connect_s, 1),
                       "idle_rss_mb": round(idle["rss_kb"] / 1024, 1), "rss_mb": round(status["rss_kb"] / 1024, 1),
                       "rss_kb_per_connection": round((status["rss_kb"] - idle["rss_kb"]) / max(1, held), 1),
                       "rss_ratio_to_idle": round(status["rss_kb"] / idle["rss_kb"], 2),
                       "threads": status["threads"], "fds": status["fds"]}
                log(f"{mode}: {row}")
                results.append(row)
                if not isinstance(mark_status, int):
                    break  # the process is past what it can serve: no more clients on it
        finally:
            for group in crowd:
                group.close()
            stop(servers)
            if url:
                parts.drop_database(url)
    return results


# --- latency --------------------------------------------------------------------------------

def latency(args) -> list[dict]:
    ctx = mp.get_context("fork")
    results = []
    for r in range(args.rounds):
        layouts_round = ["one", "two"] if r % 2 == 0 else ["two", "one"]
        for layout in layouts_round:
            url = parts.create_database()
            servers, groups = [], []
            try:
                queue = REDIS if layout == "two" else None
                servers = start(url, env_for(args.mode, queue, GUNICORN_THREADS=args.clients + 200),
                                2 if layout == "two" else 1)
                servers[0].flask("contest-import", str(SAMPLE))
                http = requests.Session()
                http.headers["Authorization"] = f"Bearer {servers[0].token('k1')}"
                split = [args.clients] if layout == "one" else [args.clients - args.clients // 2, args.clients // 2]
                for server, n in zip(servers, split):
                    groups.append(Spectators(ctx, server.url, n, max(1, n // 100), args.connect_concurrency, False, True))
                connected = sum(g.wait_ready(args.connect_timeout) for g in groups)
                time.sleep(2)
                sends = {}
                for i in range(args.warmup + args.marks):
                    before = sum(g.arrived() for g in groups)
                    body = {"contest": "sample-2026", "event": "iot", "entry": ("S01", "S02", "S03", "S04")[i % 4],
                            "criterion": "T1", "value": str(40 + i % 60), "client_id": str(uuid.uuid4()),
                            "reason": "bench"}
                    t_send = time.time()
                    answer = http.post(f"{servers[0].url}/api/v1/marks", json=body, timeout=120)
                    if answer.status_code != 201:
                        raise RuntimeError(answer.text)
                    if i >= args.warmup:
                        sends[answer.json()["seq"]] = t_send
                    deadline = time.monotonic() + 60
                    while sum(g.arrived() for g in groups) < before + connected and time.monotonic() < deadline:
                        time.sleep(0.002)
                    time.sleep(args.pause)
                values = []
                for g in groups:
                    _rx, handled, _sizes, _reasons = g.collect()
                    values += [(t - sends[seq]) * 1000 for _c, seq, t in handled if seq in sends]
                row = {"round": r + 1, "layout": layout, "clients": args.clients, "connected": connected,
                       "marks": len(sends), "arrivals": len(values), "lost": len(sends) * connected - len(values),
                       "p50_ms": round(percentile(values, 50), 1), "p99_ms": round(percentile(values, 99), 1)}
                log(f"latency: {row}")
                row["_values"] = values
                results.append(row)
            finally:
                for g in groups:
                    g.close()
                stop(servers)
                parts.drop_database(url)
    # Pooled over the rounds (each layout ran first in half of them).
    for layout in ("one", "two"):
        values = [v for row in results if row.get("layout") == layout for v in row["_values"]]
        results.append({"layout": layout, "pooled_rounds": args.rounds, "arrivals": len(values),
                        "p50_ms": round(percentile(values, 50), 1), "p99_ms": round(percentile(values, 99), 1)})
    for row in results:
        row.pop("_values", None)
    one, two = results[-2], results[-1]
    results.append({"ratio_two_over_one": {"p50": round(two["p50_ms"] / one["p50_ms"], 2),
                                           "p99": round(two["p99_ms"] / one["p99_ms"], 2)}})
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    t = sub.add_parser("throughput")
    t.add_argument("--judges", type=int, default=20)
    t.add_argument("--entries", type=int, default=15, help="per event (two events): marks = judges × entries × 2")
    t.add_argument("--mode", default="threading", choices=("threading", "gevent"))
    t.add_argument("--layouts", nargs="+", default=["sqlite:1", "postgresql:2"],
                   help="database:processes (PostgreSQL with more than one process shares Redis)")
    s = sub.add_parser("spectators")
    s.add_argument("--clients", type=int, nargs="+", default=[1000, 5000], help="cumulative: 1000 then up to 5000")
    s.add_argument("--modes", nargs="+", default=["threading", "gevent"])
    s.add_argument("--server", choices=("gunicorn", "embedded"), default="gunicorn",
                   help="gunicorn on PostgreSQL + Redis (the cluster's process), or python -m competition on SQLite (make run)")
    s.add_argument("--hold", type=float, default=40, help="seconds to hold before counting (a ping round is 25 s)")
    s.add_argument("--procs", type=int, default=0)
    s.add_argument("--connect-concurrency", type=int, default=8)
    s.add_argument("--connect-timeout", type=float, default=600)
    s.add_argument("--mark-timeout", type=float, default=120)
    lat = sub.add_parser("latency")
    lat.add_argument("--clients", type=int, default=200)
    lat.add_argument("--marks", type=int, default=30)
    lat.add_argument("--warmup", type=int, default=3)
    lat.add_argument("--pause", type=float, default=0.2)
    lat.add_argument("--rounds", type=int, default=2)
    lat.add_argument("--mode", default="threading", choices=("threading", "gevent"))
    lat.add_argument("--connect-concurrency", type=int, default=8)
    lat.add_argument("--connect-timeout", type=float, default=300)
    for p in (t, s, lat):
        p.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    nofile = raise_nofile()
    started = datetime.now(timezone.utc)
    log(f"{args.what}: nofile {nofile}, load average {os.getloadavg()}")
    rows = {"throughput": throughput, "spectators": spectators, "latency": latency}[args.what](args)
    report = {"what": args.what, "args": {k: v for k, v in vars(args).items() if k != "json"},
              "started": started.isoformat(timespec="seconds"),
              "minutes": round((datetime.now(timezone.utc) - started).total_seconds() / 60, 1),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "loadavg_end": os.getloadavg()},
              "commit": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                       text=True).stdout.strip(),
              "results": rows}
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
