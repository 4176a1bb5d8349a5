"""Mark-to-spectator latency on /live, as a ratio against a bare Flask-SocketIO baseline.

    .venv/bin/python bench/live_latency.py --clients 100 1000 --marks 30

For every N in --clients, in the same run:

1. *ours*: `python -m competition` (tests/server.py's LiveServer: own port, own SQLite DB,
   the sample contest imported, a Bearer token for judge k1). N python-socketio clients
   (websocket transport, spread over several client processes) connect to /live and `watch`
   sample-2026/iot. The submitter then posts marks (k1, T1, S01..S04 in turn, a new value
   each time so every mark changes the board) one at a time: the send time is taken just
   before the POST; the next mark goes only after all N clients got the patch and a pause.
   *ours* serves gevent (what `make run` serves) unless SOCKETIO_ASYNC_MODE=threading is set
   in the environment; *bare* is given the same mode. --entries N imports a generated
   contest instead (the sample's event, criteria and judges, N entries all marked on every
   criterion) and the marks go to its entries in turn. --coalesce-ms sets ours'
   LIVE_COALESCE_MS (default 0: no window; production's default is 100).
2. *bare*: bench/bare_server.py (the same async mode and server as ours, gc.freeze() as
   ours, same namespace and room) with N fresh clients; the submitter POSTs /emit with the
   patch *ours* sent for the same mark (the same rows, names and bytes: only its seq and base
   are bare's own), with the same pacing. The clients' work on a patch (decoding it, a few
   hundred rows of Chinese names escaped as JSON) is then the same on both sides; a patch of
   the same size padded with ASCII costs the clients less, and flattered bare.

latency = arrival − send for every (mark, client); p50 and p99 over all of them; the ratio
is ours ÷ bare. Arrival is taken twice: `rx`, when the client's read loop has the websocket
frame (wrapping python-engineio's Client._receive_packet), and `handler`, when the
python-socketio `patch` handler runs (engineio starts a thread per message first). Clocks:
time.time() in every process (one machine).

Never part of `make test`; docs/benchmarks.md records the results. All traffic is on
127.0.0.1; both servers are stopped (process groups) at the end.
"""
import argparse
import json
import math
import multiprocessing as mp
import os
import platform
import re
import resource
import signal
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

SAMPLE = ROOT / "tests" / "data" / "sample-contest.json"
SLUG, EVENT, NAMESPACE = "sample-2026", "iot", "/live"
ENTRIES = ("S01", "S02", "S03", "S04")  # the sample contest's
PATCH_PREFIX = '2/live,["patch",'
SEQ_RE = re.compile(r'"seq":(\d+)')
POST_TIMEOUT = 120.0


def raise_nofile(want: int = 65536) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = want if hard == resource.RLIM_INFINITY else min(want, hard)
    if soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


# --- a board of N entries ----------------------------------------------------------------

def entry_bibs(n: int) -> list[str]:
    width = max(2, len(str(n)))
    return [f"S{i:0{width}}" for i in range(1, n + 1)]


def first_t1(e: int) -> int:
    """The imported T1 value of the e-th entry (0-based): spread over 40..99, so the board is
    not in bib order."""
    return 40 + (e * 13) % 60


def generated_contest(n: int) -> dict:
    """The sample contest (slug, event iot with sections T and P, criteria T1/P1/P2, judges
    k1..k5) with `n` entries instead of four, every one marked on every criterion, so the board
    is fully ranked and every bench mark on T1 is a correction (see Ours.value)."""
    sample = json.loads(SAMPLE.read_text())
    delegations = sorted({e["delegation"] for e in sample["entries"]})
    entries = [{"event": EVENT, "bib": bib, "name": f"选手{i + 1}", "delegation": f"{delegations[i % len(delegations)]}{i % 20}"}
               for i, bib in enumerate(entry_bibs(n))]
    marks = []
    for e, entry in enumerate(entries):
        bib = entry["bib"]
        marks.append({"event": EVENT, "entry": bib, "criterion": "T1", "judge": "k1", "value": str(first_t1(e))})
        for j, judge in enumerate(("k1", "k2", "k3", "k4", "k5")):  # max 30, trimmed
            marks.append({"event": EVENT, "entry": bib, "criterion": "P1", "judge": judge,
                          "value": str(12 + (e * 7 + j * 3) % 17)})
        for judge in ("k1", "k2", "k3"):  # a judgement of 0..3, the judges within the spread of 1
            marks.append({"event": EVENT, "entry": bib, "criterion": "P2", "judge": judge,
                          "value": str(1 + (e * 5) % 3)})
    return dict(sample, entries=entries, marks=marks)


# --- client processes -------------------------------------------------------------------

def client_worker(url: str, count: int, first: int, conn, arrived, dropped, concurrency: int,
                  record_packets: bool, inline: bool) -> None:
    """Hold `count` spectators on `url`, record every patch's arrival, report on demand."""
    raise_nofile()
    import socketio
    from engineio import packet as eio_packet

    rx, handled, packets, errors, reasons = [], [], {}, [], {}
    clients: list = []
    lock = threading.Lock()
    ready = threading.Event()

    def new_client(i: int):
        client = socketio.Client(reconnection=False)
        eio = client.eio
        original_receive, original_trigger = eio._receive_packet, eio._trigger_event

        def receive(pkt):
            # The earliest point a python-socketio client sees the frame: its read loop.
            if (pkt.packet_type == eio_packet.MESSAGE and isinstance(pkt.data, str)
                    and pkt.data.startswith(PATCH_PREFIX)):
                t = time.time()
                match = SEQ_RE.search(pkt.data)
                if match:
                    seq = int(match.group(1))
                    rx.append((i, seq, t))
                    if record_packets and i == first:
                        packets[seq] = pkt.data  # the whole packet: bare replays its patch
            original_receive(pkt)

        def trigger(event, *args, **kwargs):
            # python-engineio starts a thread for every message; 1,000 spectators on two cores
            # would spend the CPU the servers need on that. Run the handler in the read loop.
            if event == "message":
                kwargs["run_async"] = False
            return original_trigger(event, *args, **kwargs)

        def on_patch(patch):
            handled.append((i, patch["seq"], time.time()))
            with arrived.get_lock():
                arrived.value += 1

        def on_disconnect(reason=None):
            if ready.is_set():
                reasons[str(reason)] = reasons.get(str(reason), 0) + 1
                with dropped.get_lock():
                    dropped.value += 1

        eio._receive_packet = receive
        if inline:
            eio._trigger_event = trigger
        client.on("patch", on_patch, namespace=NAMESPACE)
        client.on("disconnect", on_disconnect, namespace=NAMESPACE)
        return client

    def spectator(i: int):
        for attempt in range(3):
            client = new_client(i)
            try:
                client.connect(url, namespaces=[NAMESPACE], transports=["websocket"], wait_timeout=60)
                tolerate_late_pings(client)
                ack = client.call("watch", {"contest": SLUG, "event": EVENT}, namespace=NAMESPACE, timeout=60)
                if not isinstance(ack, dict) or "seq" not in ack:
                    raise RuntimeError(f"watch answered {ack!r}")
                with lock:
                    clients.append(client)
                return
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                _quiet_disconnect(client)
                if attempt == 2:
                    errors.append(f"client {i}: {type(exc).__name__}: {exc}")
                else:
                    time.sleep(0.5 * (attempt + 1))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(spectator, range(first, first + count)))
    ready.set()
    conn.send(("ready", len(clients), errors[:5], len(errors)))
    try:
        while True:
            if not conn.poll(900):
                break
            command = conn.recv()
            if command == "collect":
                conn.send(("data", list(rx), list(handled), dict(packets), dict(reasons)))
            elif command == "stop":
                break
    finally:
        ready.clear()
        with ThreadPoolExecutor(max_workers=32) as pool:
            list(pool.map(_quiet_disconnect, clients))
        conn.close()
    os._exit(0)  # engineio's daemon threads need no join


def tolerate_late_pings(client, grace: float = 120) -> None:
    """python-engineio's client aborts when its write loop sent nothing for
    max(pingInterval, pingTimeout) + 5 s = 30 s, i.e. when the server's first ping (due 25 s
    after connecting) is more than 5 s late, which a loaded 2-core machine causes at N = 1,000
    and then cascades into mass disconnects. The browser client (what spectators use) only
    gives up after pingInterval + pingTimeout without receiving anything. Give both loops a
    long grace so a late ping costs nothing here; the bench measures patches, not heartbeats."""
    eio = client.eio
    eio.ping_timeout = max(eio.ping_timeout or 0, grace)  # read by the write loop's next wait
    try:
        eio.ws.settimeout(eio.ping_interval + eio.ping_timeout)
    except Exception:  # noqa: BLE001 - not connected over websocket
        pass


def _quiet_disconnect(client) -> None:
    try:
        client.disconnect()
    except Exception:  # noqa: BLE001
        pass


class Spectators:
    """N clients over `procs` processes."""

    def __init__(self, ctx, url: str, n: int, procs: int, concurrency: int, record_packets: bool, inline: bool):
        self.n, self.counter, self.dropped = n, ctx.Value("q", 0), ctx.Value("q", 0)
        self.procs, self.pipes = [], []
        procs = max(1, min(procs, n))
        base, extra = divmod(n, procs)
        first = 0
        for p in range(procs):
            count = base + (1 if p < extra else 0)
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=client_worker, daemon=True,
                               args=(url, count, first, child, self.counter, self.dropped, concurrency,
                                     record_packets and p == 0, inline))
            proc.start()
            child.close()
            self.procs.append(proc)
            self.pipes.append(parent)
            first += count

    def wait_ready(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        connected, errors = 0, []
        for pipe in self.pipes:
            if not pipe.poll(max(0.1, deadline - time.monotonic())):
                raise RuntimeError(f"client processes not ready after {timeout:.0f} s")
            _, ok, sample, failed = pipe.recv()
            connected += ok
            if failed:
                errors.append(f"{failed} failed, e.g. {sample}")
        if errors:
            print("  connect errors: " + "; ".join(errors), file=sys.stderr, flush=True)
        self.connected = connected
        return connected

    def arrived(self) -> int:
        return self.counter.value

    def watching(self) -> int:
        return self.connected - self.dropped.value

    def collect(self):
        rx, handled, packets, reasons = [], [], {}, {}
        for pipe in self.pipes:
            pipe.send("collect")
        for pipe in self.pipes:
            if not pipe.poll(60):
                raise RuntimeError("a client process did not report")
            _, r, h, s, why = pipe.recv()
            rx += r
            handled += h
            packets.update(s)
            for k, v in why.items():
                reasons[k] = reasons.get(k, 0) + v
        return rx, handled, packets, reasons

    def close(self) -> None:
        for pipe in self.pipes:
            try:
                pipe.send("stop")
            except (OSError, BrokenPipeError):
                pass
        deadline = time.monotonic() + 60
        for proc in self.procs:
            proc.join(max(0.1, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join(5)


# --- servers ----------------------------------------------------------------------------

class Ours:
    name = "ours"

    def __init__(self, server, entries: int = 0):
        self.server = server
        self.url = server.url
        self.http = requests.Session()
        self.http.headers["Authorization"] = f"Bearer {server.token('k1')}"
        self.marks = 0
        self.entries = entries  # 0: the sample contest's four entries
        self.bibs = entry_bibs(entries) if entries else list(ENTRIES)

    def value(self, i: int) -> int:
        if not self.entries:
            # Entries in turn; a given entry's value moves by 4 (mod 60) each time: always a change.
            return 40 + i % 60
        # The k-th bench mark on entry e: its imported value plus 7·(k+1), wrapping within 40..99:
        # always a change, mostly of 7 points of 100 on T1 (a section weighted 20 %), a correction
        # that moves the entry a few places (a wrap, from 93 up, moves it further).
        e, k = i % self.entries, i // self.entries
        return 40 + (first_t1(e) - 40 + 7 * (k + 1)) % 60

    def submit(self, what=None):
        """Post the next mark (`what` is bare's: ours makes its own); returns (send time, seq, response time)."""
        i = self.marks
        self.marks += 1
        body = {"contest": SLUG, "event": EVENT, "entry": self.bibs[i % len(self.bibs)], "criterion": "T1",
                "value": str(self.value(i)), "client_id": str(uuid.uuid4()), "reason": "bench"}
        t_send = time.time()
        answer = self.http.post(f"{self.url}/api/v1/marks", json=body, timeout=POST_TIMEOUT)
        t_answer = time.time()
        if answer.status_code != 201:
            raise RuntimeError(f"mark refused: {answer.status_code} {answer.text}")
        return t_send, answer.json()["seq"], t_answer - t_send


class Bare:
    name = "bare"

    def __init__(self, port: int, log_dir: Path, async_mode: str, gc_freeze: bool = True):
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.log = open(log_dir / "bare.log", "w")
        command = [sys.executable, str(ROOT / "bench" / "bare_server.py"), "--port", str(port),
                   "--async-mode", async_mode] + ([] if gc_freeze else ["--no-gc-freeze"])
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.http = requests.Session()
        self.seq = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("bare server exited: " + (log_dir / "bare.log").read_text())
            try:
                if self.http.get(self.url + "/healthz", timeout=1).status_code == 200:
                    self.config = self.http.get(self.url + "/config", timeout=5).json()
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("bare server did not answer /healthz")

    def submit(self, what: "dict | int"):
        """Have bare emit the next patch: `what` is ours' patch to replay, or a byte size."""
        self.seq += 1
        body = {"seq": self.seq, "patch": what} if isinstance(what, dict) else {"seq": self.seq, "size": what}
        t_send = time.time()
        answer = self.http.post(f"{self.url}/emit", json=body, timeout=POST_TIMEOUT)
        t_answer = time.time()
        answer.raise_for_status()
        return t_send, answer.json()["seq"], t_answer - t_send

    def stop(self) -> None:
        stop_group(self.proc)
        self.log.close()


def stop_group(proc) -> None:
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)


# --- one phase: N clients, a run of marks --------------------------------------------------

def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return math.nan
    s = sorted(values)
    k = (len(s) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def cpu_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over `seconds` (from /proc/stat; 0.0 where it is missing)."""
    def sample():
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
        return sum(fields), idle
    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except OSError:
        return 0.0
    return 1 - (idle1 - idle0) / max(1, total1 - total0)


def wait_for_quiet(args, log) -> float:
    """Other work on the machine (a test suite, a browser) skews the two servers unevenly: with
    the bench idle between phases, wait (bounded) until the CPUs are mostly idle. Returns the
    busy share the phase starts with."""
    deadline = time.monotonic() + args.quiet_wait
    busy = cpu_busy()
    if busy > args.max_busy:
        log(f"  CPUs {busy:.0%} busy with other work: waiting up to {args.quiet_wait:.0f} s")
    while busy > args.max_busy and time.monotonic() < deadline:
        busy = cpu_busy()
    return busy


def run_phase(ctx, target, n: int, args, to_emit: list | None, log) -> dict:
    """One phase of N spectators on one server. `to_emit` (bare only): what to emit for each
    measured mark in turn, ours' patches (or a byte size, for --only bare)."""
    busy_before = wait_for_quiet(args, log)
    started = time.monotonic()
    spectators = Spectators(ctx, target.url, n, args.procs or default_procs(n), args.connect_concurrency,
                            record_packets=True, inline=not args.threaded_handlers)
    try:
        connected = spectators.wait_ready(args.connect_timeout)
        connect_s = time.monotonic() - started
        log(f"  {target.name}: {connected}/{n} clients watching after {connect_s:.1f} s")
        if connected < n:
            raise RuntimeError(f"only {connected} of {n} clients connected")
        time.sleep(args.settle)
        sends, answers, order, timeouts = {}, {}, [], 0
        for i in range(args.warmup + args.marks):
            measured = i >= args.warmup
            what = None if to_emit is None else to_emit[(i - args.warmup) % len(to_emit) if measured else 0]
            before = spectators.arrived()
            t_send, seq, answer_s = target.submit(what)
            if measured:
                sends[seq], answers[seq] = t_send, answer_s
                order.append(seq)
            # Paced: the next mark only after every spectator still connected has this one.
            deadline = time.monotonic() + args.mark_timeout
            while spectators.arrived() < before + spectators.watching() and time.monotonic() < deadline:
                time.sleep(0.002)
            if spectators.arrived() < before + spectators.watching():
                timeouts += 1
            time.sleep(args.pause)
        dropped = spectators.dropped.value
        rx, handled, packets, reasons = spectators.collect()
    finally:
        spectators.close()

    def latencies(arrivals):
        got = {}
        for client, seq, t in arrivals:
            if seq in sends:
                got.setdefault((client, seq), (t - sends[seq]) * 1000)
        return got

    lat_rx, lat_h = latencies(rx), latencies(handled)
    by_mark: dict[int, list[float]] = {}
    for (_client, seq), v in lat_rx.items():
        by_mark.setdefault(seq, []).append(v)
    per_mark = [(seq, min(by_mark[seq]), percentile(by_mark[seq], 50), max(by_mark[seq]))
                for seq in order if seq in by_mark]
    post = [answers[seq] * 1000 for seq in order]
    return {
        "server": target.name, "clients": n, "connected": connected, "dropped": dropped,
        "drop_reasons": reasons,
        "marks": len(order), "connect_s": round(connect_s, 1), "mark_timeouts": timeouts,
        "lost": len(order) * connected - len(lat_h),
        "handler_ms": summary(list(lat_h.values())),
        "rx_ms": summary(list(lat_rx.values())),
        "post_ms": summary(post),
        "first_rx_ms": summary([m[1] for m in per_mark]),
        "last_rx_ms": summary([m[3] for m in per_mark]),
        "sizes": [len(packets[seq].encode("utf-8")) if seq in packets else None for seq in order],
        # per mark: seq, POST answered after, first / median / last arrival (rx), ms
        "per_mark": [[seq, round(answers[seq] * 1000, 1), round(a, 1), round(b, 1), round(c, 1)]
                     for seq, a, b, c in per_mark],
        "phase_s": round(time.monotonic() - started, 1),
        "cpu_busy_before": round(busy_before, 2),  # other work on the machine as the phase began
        # raw values for pooling across rounds; not written out
        "_patches": [json.loads(packets[seq][len(PATCH_PREFIX):-1]) for seq in order if seq in packets],
        "_raw": {"handler_ms": list(lat_h.values()), "rx_ms": list(lat_rx.values()), "post_ms": post,
                 "first_rx_ms": [m[1] for m in per_mark], "last_rx_ms": [m[3] for m in per_mark]},
    }


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": round(percentile(values, 50), 2), "p99": round(percentile(values, 99), 2),
            "max": round(max(values), 2) if values else math.nan}


def default_procs(n: int) -> int:
    return max(1, min(8, math.ceil(n / 125)))


# --- main -----------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description="Mark-to-spectator latency on /live vs a bare Flask-SocketIO server.")
    parser.add_argument("--clients", type=int, nargs="+", default=[100, 1000], help="N spectators (each N is a pair of phases)")
    parser.add_argument("--marks", type=int, default=30, help="measured marks per phase")
    parser.add_argument("--warmup", type=int, default=3, help="marks sent first and not measured")
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between a mark's last arrival and the next mark")
    parser.add_argument("--rounds", type=int, default=2,
                        help="pairs of phases per N; odd rounds run ours then bare, even rounds bare then ours")
    parser.add_argument("--procs", type=int, default=0, help="client processes (default: ceil(N/125), at most 8)")
    parser.add_argument("--connect-concurrency", type=int, default=8, help="concurrent connects per client process")
    parser.add_argument("--connect-timeout", type=float, default=240)
    parser.add_argument("--mark-timeout", type=float, default=15, help="longest wait for one mark's arrivals")
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of quiet after connecting")
    parser.add_argument("--max-busy", type=float, default=0.25,
                        help="before each phase, wait until at most this share of the CPUs is busy")
    parser.add_argument("--quiet-wait", type=float, default=5, help="but no longer than this (s)")
    parser.add_argument("--post-timeout", type=float, default=120, help="HTTP timeout of a mark's POST (s)")
    parser.add_argument("--threaded-handlers", action="store_true",
                        help="keep python-engineio's thread per received message in the clients")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--only", choices=("ours", "bare"),
                        help="diagnosis: run one server only (no ratio; bare then uses --size)")
    parser.add_argument("--size", type=int, default=731, help="patch bytes for --only bare")
    parser.add_argument("--entries", type=int, default=0,
                        help="ours on a generated board of this many entries, every one marked (default: the "
                             "4-entry sample contest)")
    parser.add_argument("--coalesce-ms", type=int, default=0,
                        help="ours' LIVE_COALESCE_MS (default 0: no window; production's default is 100)")
    parser.add_argument("--bare-no-gc-freeze", action="store_true",
                        help="diagnosis: the bare server without gc.freeze() (ours always freezes)")
    args = parser.parse_args()

    global POST_TIMEOUT
    POST_TIMEOUT = args.post_timeout
    nofile = raise_nofile()
    ctx = mp.get_context("spawn")
    log = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    from tests.server import LiveServer, free_port

    # competition/live coalesces patches for LIVE_COALESCE_MS (default 100 ms); 0 sends each at once,
    # so no window is added to the latency measured here. The first patch after a quiet spell of
    # a window leaves at once either way; the pacing (--pause) makes every mark such a patch.
    # The async mode: what python -m competition picks (competition/__main__.py), for both servers.
    async_mode = os.environ.get("SOCKETIO_ASYNC_MODE") or "gevent"
    ours_server = LiveServer(env={"LIVE_COALESCE_MS": str(args.coalesce_ms), "SOCKETIO_ASYNC_MODE": async_mode})
    bare = None
    results = []
    servers = {}
    started = time.monotonic()
    try:
        ours_server.start()
        contest = SAMPLE
        if args.entries:
            contest = ours_server.tmp / f"contest-{args.entries}.json"
            contest.write_text(json.dumps(generated_contest(args.entries), ensure_ascii=False))
        t0 = time.monotonic()
        ours_server.flask("contest-import", str(contest))
        log(f"imported {contest.name} in {time.monotonic() - t0:.1f} s")
        ours = Ours(ours_server, args.entries)
        board = requests.get(f"{ours.url}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=30).json()
        bare = Bare(free_port(), ours_server.tmp, async_mode, gc_freeze=not args.bare_no_gc_freeze)
        servers = {"ours": {"async_mode": ours_mode(ours_server), "gc_frozen": True,
                            "LIVE_COALESCE_MS": args.coalesce_ms, "board_rows": len(board.get("rows", [])),
                            "contest": "generated" if args.entries else SAMPLE.name},
                   "bare": bare.config}
        log(f"ours on {ours.url} (pid {ours_server.proc.pid}), bare on {bare.url} (pid {bare.proc.pid}); "
            f"RLIMIT_NOFILE {nofile}; {json.dumps(servers)}")
        if servers["ours"]["async_mode"] != servers["bare"].get("async_mode"):
            raise RuntimeError(f"the two servers serve different async modes: {servers}")
        for n in args.clients:
            to_emit = None
            for r in range(args.rounds):
                order = (ours, bare) if r % 2 == 0 else (bare, ours)
                for target in order:
                    if args.only and target.name != args.only:
                        continue
                    if target is bare and to_emit is None:
                        to_emit = [args.size]
                    result = run_phase(ctx, target, n, args, None if target is ours else to_emit, log)
                    result["round"] = r + 1
                    if target is ours:
                        to_emit = result["_patches"] or [sizes_fallback(ours_server)]
                    log(f"    {fmt(result)}")
                    results.append(result)
    finally:
        if bare:
            bare.stop()
        ours_server.stop()

    report = build_report(results, args)
    report["servers"] = servers
    report["elapsed_s"] = round(time.monotonic() - started, 1)
    print(json.dumps(report, indent=1, ensure_ascii=False))
    print(markdown(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, ensure_ascii=False) + "\n")
    return 0


def ours_mode(server) -> str | None:
    """The async mode ours says it serves (its first log line: "Serving on … (gevent mode; …")."""
    try:
        match = re.search(r"\((\w+) mode;", (server.tmp / "server.log").read_text())
    except OSError:
        return None
    return match.group(1) if match else None


def sizes_fallback(server) -> int:
    board = requests.get(f"{server.url}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10).json()
    return len(json.dumps(["patch", {"upsert": board["rows"][:1]}], separators=(",", ":")))


def fmt(r: dict) -> str:
    return (f"{r['server']} N={r['clients']}: rx p50 {r['rx_ms']['p50']} p99 {r['rx_ms']['p99']} ms; "
            f"handler p50 {r['handler_ms']['p50']} p99 {r['handler_ms']['p99']} ms; "
            f"POST p50 {r['post_ms']['p50']} ms; first-arrival p50 {r['first_rx_ms']['p50']} ms; "
            f"last-arrival p50 {r['last_rx_ms']['p50']} max {r['last_rx_ms']['max']} ms; "
            f"lost {r['lost']}; dropped {r['dropped']}; busy before {r['cpu_busy_before']:.0%}; sizes {min(filter(None, r['sizes']), default=0)}-{max(filter(None, r['sizes']), default=0)} B; "
            f"{r['phase_s']} s")


def build_report(results: list[dict], args) -> dict:
    """Per N: p50 and p99 over every (mark, client) of every round of each server, pooled."""
    rows = []
    for n in args.clients:
        phases = {name: [r for r in results if r["clients"] == n and r["server"] == name] for name in ("ours", "bare")}
        row = {"clients": n}
        for metric in ("handler_ms", "rx_ms", "post_ms", "first_rx_ms", "last_rx_ms"):
            for q in (50, 99):
                o = round(percentile([v for r in phases["ours"] for v in r["_raw"][metric]], q), 1)
                b = round(percentile([v for r in phases["bare"] for v in r["_raw"][metric]], q), 1)
                row[f"{metric}_p{q}"] = {"ours": o, "bare": b, "ratio": round(o / b, 2) if b else math.nan}
        row["lost"] = {name: sum(r["lost"] for r in phases[name]) for name in phases}
        row["dropped"] = {name: sum(r["dropped"] for r in phases[name]) for name in phases}
        row["sizes"] = sorted({s for r in results if r["clients"] == n for s in r["sizes"] if s})
        rows.append(row)
    for r in results:
        r.pop("_raw", None)
        r.pop("_patches", None)
    return {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": ".venv/bin/python bench/live_latency.py " + " ".join(sys.argv[1:]),
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "tree": tree_state(),
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "table": rows,
        "phases": results,
    }


def tree_state() -> dict:
    def git(*a):
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    changed = [line for line in git("status", "--porcelain").splitlines() if line]
    return {"commit": git("rev-parse", "--short", "HEAD"), "uncommitted_paths": len(changed),
            "coalescing_code": (ROOT / "competition" / "live" / "coalesce.py").exists()}


def markdown(report: dict) -> str:
    """The tables docs/benchmarks.md carries."""
    lines = ["| N | ours p50 | bare p50 | ratio p50 | ours p99 | bare p99 | ratio p99 |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in report["table"]:
        p50, p99 = row["handler_ms_p50"], row["handler_ms_p99"]
        lines.append(f"| {row['clients']:,} | {p50['ours']} | {p50['bare']} | **{p50['ratio']}** | "
                     f"{p99['ours']} | {p99['bare']} | **{p99['ratio']}** |")
    lines += ["", "Mark to the last spectator (per mark, the latest arrival; p50 and p99 over the marks):", "",
              "| N | ours last p50 | bare last p50 | ratio p50 | ours last p99 | bare last p99 | ratio p99 |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in report["table"]:
        p50, p99 = row["last_rx_ms_p50"], row["last_rx_ms_p99"]
        lines.append(f"| {row['clients']:,} | {p50['ours']} | {p50['bare']} | **{p50['ratio']}** | "
                     f"{p99['ours']} | {p99['bare']} | **{p99['ratio']}** |")
    lines += ["", "| N | server | first arrival p50 | last arrival p50 | last arrival p99 | POST answered p50 | lost | dropped |",
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for row in report["table"]:
        for name in ("ours", "bare"):
            lines.append(f"| {row['clients']:,} | {name} | {row['first_rx_ms_p50'][name]} | {row['last_rx_ms_p50'][name]} | "
                         f"{row['last_rx_ms_p99'][name]} | {row['post_ms_p50'][name]} | {row['lost'][name]} | "
                         f"{row['dropped'][name]} |")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
