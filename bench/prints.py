"""The certificates' ZIP as a print job on the real server: how long it takes for 300
certificates, and what it does meanwhile to the requests everybody else makes, as a ratio
against the same requests measured in the same run with no job running.

    .venv/bin/python bench/prints.py --entries 300 --events 3 --requests 200

Setup (untimed): a SQLite file with one published contest of --events events, --entries
approved entries spread evenly over them (two single-judge criteria each, every entry marked),
awards by share (10 / 20 / 30 % of the ranked field) and participation certificates on, so
every entry has exactly one valid certificate. Everything goes through the project's own
services, as tests/factory.py's `published()` does: `contest_files.import_contest`, the chief
judge's `lock_event` (sign-off) per event, finished, `announce`, the objection and appeal
windows closed, published (which issues the certificates). Then `python -m competition`
(threading mode, Werkzeug) through tests/server.py's LiveServer on that file, and the
organiser logs in with requests.

Measured, in this order:

- **idle before**: --requests rounds, each one `GET /api/v1/contests/<slug>/events/<code>/board`
  (the first event; a spectator's board) and one `GET /c/<slug>/results` (the public results
  page), both anonymous, one at a time, keep-alive.
- **during**: the organiser's `POST /o/c/<slug>/prints/jobs/certificates_zip` (CSRF token from
  the prints page's form, Accept: application/json) starts `flask print-job ID` in a process of
  its own; the same rounds run until the job's state says done. About every --poll seconds,
  between two rounds, the organiser reads `GET .../prints/jobs/<id>` (not counted in the
  latencies; it is what the prints page does while a job runs): the progress readings.
- **idle after**: --requests rounds again, the job's process gone. Two idle phases, one on
  each side, so that a drift of the machine's speed during the run shows as a difference
  between them rather than as the job's effect.

Per phase: p50 and p95 of each request's latency (perf_counter around requests' call), the
CPU time over the phase of the server process (/proc/<pid>/stat), of the bench's own process
and of the whole machine (/proc/stat, busy and stolen by the host, in cores), and for the job
the print-job process's CPU time and peak RSS (their last reading before it exits, so up to
--poll short). Before each phase the bench waits up to --quiet-wait (20 s) for a second with at
most --max-busy (0.25) cores busy, as another test suite running on the machine skews the
figures, and records what it found (`busy_before`). The job's time is POST → the first reading
that says done (the client's view, to within --poll) and the row's created_at → finished_at
(the server's). Then the ZIP is downloaded (time, the server's RSS before and after) and
checked: one PDF per certificate.

Printed: JSON (also to --json FILE), then the Markdown tables for docs/benchmarks.md.
Progress goes to stderr. Never part of `make test`.
"""
import argparse
import io
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from tests.server import LiveServer  # noqa: E402

SLUG = "prints-bench"
ORGANISER = "org1"
PASSWORD = "bench-pass-1"
TICK = os.sysconf("SC_CLK_TCK")


def say(*args) -> None:
    print(*args, file=sys.stderr, flush=True)


def contest_file(entries: int, events: int, seed: int) -> dict:
    rng = random.Random(seed)
    criteria = [{"code": c, "name": c, "max": "100", "kind": "measurement", "method": "single", "judges": 1}
                for c in ("T1", "P1")]
    codes = [f"e{i + 1}" for i in range(events)]
    out = {
        "contest": {"slug": SLUG, "name": "打印任务基准竞赛", "organisation": "基准区总工会", "blind": False},
        "events": [{"code": code, "name": f"赛项{i + 1}", "places": 2, "tie_break": ["section:P"],
                    "awards": [{"name": "一等奖", "share": "10"}, {"name": "二等奖", "share": "20"},
                               {"name": "三等奖", "share": "30"}],
                    "sections": [{"code": "T", "name": "理论", "weight": "30", "criteria": [criteria[0]]},
                                 {"code": "P", "name": "实操", "weight": "70", "criteria": [criteria[1]]}]}
                   for i, code in enumerate(codes)],
        "judges": [{"username": "j1", "name": "裁判长", "delegation": "裁判委员会", "events": codes, "chief": True}],
        "entries": [{"event": codes[i % events], "bib": f"B{i:04}", "name": f"选手{i:04}",
                     "delegation": f"第{i % 12 + 1}代表队"} for i in range(entries)],
    }
    out["marks"] = [{"event": e["event"], "entry": e["bib"], "criterion": c, "judge": "j1",
                     "value": str(Decimal(rng.randint(300, 1000)) / 10)}
                    for e in out["entries"] for c in ("T1", "P1")]
    return out


def build(database_url: str, entries: int, events: int, seed: int) -> dict:
    """The published contest, in the server's database (migrated here). Returns counts."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from competition import create_app
    from competition.accounts.services import create_user, find_user
    from competition.certificates.models import Certificate
    from competition.contest_files.services import import_contest
    from competition.contests import services as contests
    from competition.contests.models import contest_by_slug
    from competition.database import utcnow
    from competition.extensions import db
    from competition.judging import services as judging

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        upgrade(directory=str(ROOT / "competition" / "migrations"))
        import_contest(contest_file(entries, events, seed))
        db.session.commit()
        contest = contest_by_slug(SLUG)
        contest.gives_participation_certificates = True
        create_user(ORGANISER, "组织者", PASSWORD, organisation=contest.organisation)
        db.session.commit()
        chief = find_user("j1")
        for event in list(contest_by_slug(SLUG).events):
            judging.lock_event(chief, event)
        user = find_user(ORGANISER)
        contests.change_status(user, contest_by_slug(SLUG), "finished")
        contests.announce(user, contest_by_slug(SLUG), utcnow() + timedelta(days=3))
        contest = contest_by_slug(SLUG)
        contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
        contests.change_status(user, contest_by_slug(SLUG), "published")
        contest = contest_by_slug(SLUG)
        counts = dict(db.session.execute(
            select(Certificate.kind, func.count()).where(Certificate.contest_id == contest.id,
                                                         Certificate.status == "valid")
            .group_by(Certificate.kind)).all())
        first_event = contest.events[0].code
        db.session.remove()
    return {"certificates": counts, "first_event": first_event}


def job_row(database_url: str, job_id: int) -> dict:
    from competition import create_app
    from competition.extensions import db
    from competition.printing.models import PrintJob
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench-" + "x" * 40})
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        out = {"status": job.status, "done": job.done, "total": job.total, "size": job.size,
               "seconds": (job.finished_at - job.created_at).total_seconds() if job.finished_at else None}
        db.session.remove()
    return out


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def memory_mb(pid: int, field: str) -> float | None:
    """VmRSS (now) or VmHWM (the peak so far) of a process, in MB (10^6 bytes)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024 / 1e6
    except OSError:
        pass
    return None


def machine_cpu() -> tuple[float, float, float]:
    """(busy, steal, all) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq) / TICK, steal / TICK, sum(fields) / TICK


def machine_share(before: tuple, after: tuple, wall: float) -> dict:
    """Cores busy (not counting steal) and cores stolen by the host, on average over `wall`."""
    return {"busy_cores": (after[0] - before[0]) / wall, "steal_cores": (after[1] - before[1]) / wall}


def wait_quiet(max_busy: float, wait: float) -> float:
    """Wait up to `wait` s for a second in which the machine is at most `max_busy` cores busy
    (our server idle, so that is other work); the last second's figure."""
    deadline = time.monotonic() + wait
    while True:
        before = machine_cpu()
        time.sleep(1)
        busy = machine_share(before, machine_cpu(), 1)["busy_cores"]
        if busy <= max_busy or time.monotonic() >= deadline:
            return busy


def job_pid(parent: int, job_id: int) -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == parent and b"print-job" in argv and str(job_id).encode() in argv:
            return int(entry.name)
    return None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summary(values: list[float]) -> dict:
    ms = [v * 1000 for v in values]
    return {"n": len(ms), "p50": percentile(ms, 50), "p95": percentile(ms, 95), "max": max(ms),
            "mean": statistics.fmean(ms)}


class Phases:
    def __init__(self, server: LiveServer, first_event: str):
        self.server = server
        self.anon = requests.Session()
        self.urls = {"board": f"{server.url}/api/v1/contests/{SLUG}/events/{first_event}/board",
                     "results": f"{server.url}/c/{SLUG}/results"}

    def round(self, into: dict) -> None:
        for name, url in self.urls.items():
            start = time.perf_counter()
            response = self.anon.get(url, timeout=60)
            into[name].append(time.perf_counter() - start)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code}")

    def idle(self, rounds: int) -> dict:
        samples = {name: [] for name in self.urls}
        cpu0, machine0, t0 = cpu_seconds(self.server.proc.pid), machine_cpu(), time.monotonic()
        client0 = time.process_time()
        for _ in range(rounds):
            self.round(samples)
        wall = time.monotonic() - t0
        return {"latency": samples, "wall": wall, "server_cpu": cpu_seconds(self.server.proc.pid) - cpu0,
                "client_cpu": time.process_time() - client0,
                "machine": machine_share(machine0, machine_cpu(), wall)}


def logged_in(base: str) -> requests.Session:
    http = requests.Session()
    page = http.get(base + "/login", timeout=10).text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = http.post(base + "/login", data={"username": ORGANISER, "password": PASSWORD, "csrf_token": token},
                         timeout=10, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"login: {response.status_code}")
    return http


def during(phases: Phases, org: requests.Session, poll: float, limit: float) -> dict:
    server, prints = phases.server, f"{phases.server.url}/o/c/{SLUG}/prints"
    page = org.get(prints, timeout=10).text
    csrf = re.search(r'id="job-certificates_zip".*?name="csrf_token"[^>]*value="([^"]+)"', page, re.S).group(1)
    samples = {name: [] for name in phases.urls}
    cpu0, machine0, client0 = cpu_seconds(server.proc.pid), machine_cpu(), time.process_time()
    t0 = time.monotonic()
    started = org.post(f"{prints}/jobs/certificates_zip", data={"csrf_token": csrf},
                       headers={"Accept": "application/json"}, timeout=60)
    post_seconds = time.monotonic() - t0
    if started.status_code != 202:
        raise RuntimeError(f"start: {started.status_code} {started.text[:300]}")
    state = started.json()
    job_id = state["id"]
    readings = [{"t": post_seconds, "status": state["status"], "done": state["done"], "total": state["total"]}]
    pid, job_cpu, job_peak, last_poll = None, None, None, time.monotonic()
    while state["status"] in ("queued", "running"):
        if time.monotonic() - t0 > limit:
            raise RuntimeError(f"the job did not finish in {limit} s: {state}")
        phases.round(samples)
        if time.monotonic() - last_poll >= poll:
            pid = pid or job_pid(server.proc.pid, job_id)
            if pid:
                job_cpu = cpu_seconds(pid) or job_cpu
                job_peak = memory_mb(pid, "VmHWM") or job_peak
            last_poll = time.monotonic()
            state = org.get(f"{prints}/jobs/{job_id}", timeout=60).json()
            readings.append({"t": time.monotonic() - t0, "status": state["status"], "done": state["done"],
                             "total": state["total"], "job_cpu": job_cpu})
            if len(readings) % 10 == 0:
                say(f"  t={readings[-1]['t']:.1f} s {state['status']} {state['done']}/{state['total']}")
    wall = time.monotonic() - t0
    if state["status"] != "done":
        raise RuntimeError(f"the job ended {state}:\n" + (server.tmp / "server.log").read_text()[-3000:])
    return {"job_id": job_id, "latency": samples, "wall": wall, "post_seconds": post_seconds,
            "server_cpu": cpu_seconds(server.proc.pid) - cpu0, "machine": machine_share(machine0, machine_cpu(), wall),
            "client_cpu": time.process_time() - client0, "job_cpu": job_cpu, "job_peak_rss_mb": job_peak, "job_pid_found": pid is not None,
            "readings": readings, "final": state}


def steady_rate(readings: list[dict]) -> dict | None:
    """Certificates per second between the first and the last running reading with progress."""
    running = [r for r in readings if r["status"] == "running" and r["done"] > 0]
    if len(running) < 2 or running[-1]["t"] <= running[0]["t"]:
        return None
    first, last = running[0], running[-1]
    rate = (last["done"] - first["done"]) / (last["t"] - first["t"])
    return {"from": first, "to": last, "per_second": rate, "ms_each": 1000 / rate if rate else None}


def check_zip(org: requests.Session, server: LiveServer, state: dict, keep: Path | None) -> dict:
    rss_before = memory_mb(server.proc.pid, "VmRSS")
    start = time.perf_counter()
    response = org.get(server.url + state["file"], timeout=120)
    seconds = time.perf_counter() - start
    rss_after = memory_mb(server.proc.pid, "VmRSS")
    if keep:
        keep.write_bytes(response.content)
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    pdfs = sum(1 for n in names if n.endswith(".pdf") and archive.read(n)[:5] == b"%PDF-")
    return {"status": response.status_code, "bytes": len(response.content), "download_seconds": seconds,
            "server_rss_mb_before": rss_before, "server_rss_mb_after": rss_after, "files": len(names), "pdfs": pdfs,
            "pdf_bytes_mean": statistics.fmean(i.file_size for i in archive.infolist()) if names else 0}


def tree() -> dict:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return {"commit": git("rev-parse", "--short", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def markdown(out: dict) -> str:
    job, phases = out["job"], out["phases"]
    n = out["certificates_total"]
    z = out["zip"]
    lines = [f"Job: {n} certificates, a ZIP of {z['bytes'] / 1e6:.1f} MB ({z['pdfs']} PDFs checked, "
             f"{z['pdf_bytes_mean'] / 1e3:.0f} kB each before compression). Downloading it took "
             f"{z['download_seconds']:.2f} s; the server's RSS went {z['server_rss_mb_before']:.0f} → "
             f"{z['server_rss_mb_after']:.0f} MB.", "",
             "| job | seconds | ms per certificate | certificates / s |",
             "| --- | ---: | ---: | ---: |",
             f"| POST → first reading of done (client) | {job['wall']:.1f} | {1000 * job['wall'] / n:.0f} | "
             f"{n / job['wall']:.2f} |"]
    if job["row_seconds"]:
        lines.append(f"| row created → finished (server) | {job['row_seconds']:.1f} | "
                     f"{1000 * job['row_seconds'] / n:.0f} | {n / job['row_seconds']:.2f} |")
    if job["steady"]:
        s = job["steady"]
        lines.append(f"| steady rate, readings {s['from']['done']} → {s['to']['done']} done | "
                     f"{s['to']['t'] - s['from']['t']:.1f} | {s['ms_each']:.0f} | {s['per_second']:.2f} |")
    if job["job_cpu"] is not None:
        lines += ["", f"print-job process CPU time (last reading before it exited): {job['job_cpu']:.1f} s "
                      f"= {job['job_cpu'] / job['wall']:.2f} of one core over the job's wall time; its peak RSS "
                      f"(VmHWM) {job['job_peak_rss_mb'] or 0:.0f} MB."]
    lines += ["", "| request | phase | n | p50 ms | p95 ms | max ms | **p50 ÷ idle** | **p95 ÷ idle** |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name in out["requests"]:
        idle = out["idle_pooled"][name]
        for phase in ("idle_before", "during", "idle_after"):
            s = phases[phase]["latency"][name]
            lines.append(f"| {name} | {phase.replace('_', ' ')} | {s['n']} | {s['p50']:.1f} | {s['p95']:.1f} | "
                         f"{s['max']:.0f} | {s['p50'] / idle['p50']:.2f} | {s['p95'] / idle['p95']:.2f} |")
    lines += ["", "idle = both idle phases pooled.", "",
              "| phase | seconds | busy before, cores | server process | print job | bench client | whole machine "
              "| other work | stolen |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for p in ("idle_before", "during", "idle_after"):
        ph = phases[p]
        cores = {"server": ph["server_cpu"] / ph["wall"], "client": ph["client_cpu"] / ph["wall"],
                 "job": (job["job_cpu"] or 0) / ph["wall"] if p == "during" else 0.0}
        other = ph["machine"]["busy_cores"] - sum(cores.values())
        lines.append(f"| {p.replace('_', ' ')} | {ph['wall']:.1f} | {out['busy_before'][p]:.2f} | "
                     f"{cores['server']:.2f} | {cores['job']:.2f} | {cores['client']:.2f} | "
                     f"{ph['machine']['busy_cores']:.2f} | {other:.2f} | {ph['machine']['steal_cores']:.2f} |")
    lines += ["", "(CPU in cores: CPU seconds over the phase's wall seconds. other work = the whole machine "
              "less the three processes named; it includes the kernel's work for them, e.g. loopback TCP.)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=300)
    parser.add_argument("--events", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="rounds in each idle phase")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between progress readings")
    parser.add_argument("--limit", type=float, default=1800, help="give up on the job after this many seconds")
    parser.add_argument("--max-busy", type=float, default=0.25,
                        help="before each phase, wait for the machine to be at most this many cores busy")
    parser.add_argument("--quiet-wait", type=float, default=20, help="… for at most this many seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--zip", type=Path, help="also keep the downloaded ZIP here")
    args = parser.parse_args()

    started_utc = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load_before = os.getloadavg()
    server = LiveServer()
    database_url = server.env["DATABASE_URL"]
    try:
        t = time.monotonic()
        built = build(database_url, args.entries, args.events, args.seed)
        say(f"built in {time.monotonic() - t:.1f} s: {built}")
        server.start(migrate=False)
        say(f"server pid {server.proc.pid} on {server.url}")
        org = logged_in(server.url)
        phases = Phases(server, built["first_event"])
        phases.idle(args.warmup)
        quiet = {}
        quiet["idle_before"] = wait_quiet(args.max_busy, args.quiet_wait)
        say(f"idle before … (machine {quiet['idle_before']:.2f} cores busy)")
        before = phases.idle(args.requests)
        quiet["during"] = wait_quiet(args.max_busy, args.quiet_wait)
        say(f"during the job … (machine {quiet['during']:.2f} cores busy)")
        job = during(phases, org, args.poll, args.limit)
        time.sleep(1)  # the job's process exits after its last write
        quiet["idle_after"] = wait_quiet(args.max_busy, args.quiet_wait)
        say(f"job done in {job['wall']:.1f} s; idle after … (machine {quiet['idle_after']:.2f} cores busy)")
        after = phases.idle(args.requests)
        row = job_row(database_url, job["job_id"])
        zipped = check_zip(org, server, job["final"], args.zip)
    finally:
        server.stop()

    total = sum(built["certificates"].values())
    out = {
        "command": " ".join([".venv/bin/python", "bench/prints.py", *sys.argv[1:]]),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "tree": tree(), "args": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "started_utc": started_utc, "busy_before": quiet, "load_average_before": load_before,
        "certificates": built["certificates"], "certificates_total": total,
        "requests": list(phases.urls), "zip": zipped,
        "job": {"wall": job["wall"], "post_seconds": job["post_seconds"], "row_seconds": row["seconds"],
                "row": row, "job_cpu": job["job_cpu"], "job_peak_rss_mb": job["job_peak_rss_mb"], "steady": steady_rate(job["readings"]),
                "readings": job["readings"], "rounds_during": len(job["latency"]["board"])},
        "phases": {},
    }
    for name, phase in (("idle_before", before), ("during", job), ("idle_after", after)):
        out["phases"][name] = {"wall": phase["wall"], "server_cpu": phase["server_cpu"], "machine": phase["machine"],
                               "client_cpu": phase["client_cpu"],
                               "latency": {k: summary(v) for k, v in phase["latency"].items()}}
    out["idle_pooled"] = {k: summary(before["latency"][k] + after["latency"][k]) for k in phases.urls}
    if zipped["pdfs"] != total or row["done"] != total:
        say(f"WARNING: {total} certificates, {zipped['pdfs']} PDFs in the ZIP, job says {row['done']}")
    text = json.dumps(out, indent=2, ensure_ascii=False)
    print(text)
    if args.json:
        args.json.write_text(text)
    print()
    print(markdown(out))


if __name__ == "__main__":
    main()
