"""The real parts of the cluster tests: a scratch PostgreSQL database, a private Redis the test
may stop, a TCP proxy that cuts a server off its database, a generated contest, the judges'
concurrent load, and the checks against the database."""
import contextlib
import random
import shutil
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

import redis
import requests
import socketio
from sqlalchemy import create_engine, func, select, text

from competition import create_app
from competition.extensions import db

from ..conftest import PG_ADMIN_URL
from ..helpers import apply_patch
from ..server import free_port

PASSWORD = "cluster-pass-1"


# --- services -------------------------------------------------------------------------------

def create_database() -> str:
    """A new empty PostgreSQL database; its URL."""
    name = f"gj_cluster_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        admin.dispose()


class PrivateRedis:
    """A redis-server of this test alone, on its own port, that the test may stop and start."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        self.proc = subprocess.Popen([binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                      "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.RedisError):
                if redis.Redis(port=self.port, socket_connect_timeout=1).ping():
                    return self
            time.sleep(0.1)
        raise RuntimeError("private redis-server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


class CuttableProxy:
    """A TCP forwarder to PostgreSQL: `cut()` drops every connection and refuses new ones, as a
    database that went away; `restore()` accepts again."""

    def __init__(self, target_port: int = 5432):
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.conns: list[socket.socket] = []
        self.lock = threading.Lock()
        self.listener = None

    def restore(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            if listener is not self.listener:  # cut meanwhile
                client.close()
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        if self.listener is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone would not.
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
            self.listener = None
        with self.lock:
            conns, self.conns = self.conns, []
        for s in conns:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()


# --- the contest and the app in this process ------------------------------------------------

def contest_data(slug: str, judges: int, entries: int, events: int = 2) -> dict:
    """`events` events of `entries` entries each, one criterion that all `judges` mark: every
    judge gives events × entries marks, and every mark changes its board (its progress)."""
    codes = [f"e{k}" for k in range(1, events + 1)]
    return {
        "contest": {"slug": slug, "name": f"集群测试 {slug}", "organisation": "测试总工会", "blind": False},
        "events": [{
            "code": code, "name": f"赛项{code}", "places": 2,
            "sections": [{"code": "P", "name": "实操", "weight": "100", "criteria": [
                {"code": "P1", "name": "实操评分", "max": "30", "kind": "judgement", "method": "trimmed",
                 "trim": 1, "judges": judges}]}],
        } for code in codes],
        "judges": [{"username": f"{slug}-j{i:02d}", "name": f"裁判{i}", "delegation": "裁判委员会",
                    "events": codes, "chief": False} for i in range(judges)],
        "entries": [{"event": code, "bib": f"{code.upper()}{n:02d}", "name": f"选手{code}{n}",
                     "delegation": f"代表队{n % 4}"} for code in codes for n in range(1, entries + 1)],
    }


@contextlib.contextmanager
def app_on(url: str):
    """The app in this process on the cluster's database, to prepare and to check."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SOCKETIO_MESSAGE_QUEUE": None,
                      "SECRET_KEY": "cluster-test-secret-key-0123456789abcdef",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def prepare(url: str, data: dict) -> dict[str, str]:
    """Import the contest (judges get PASSWORD) and give every judge an API token."""
    from competition.accounts.services import find_user, issue_token
    from competition.contest_files.services import import_contest
    with app_on(url):
        import_contest(data, passwords={j["username"]: PASSWORD for j in data["judges"]})
        return {j["username"]: issue_token(find_user(j["username"]), "cluster-test") for j in data["judges"]}


# --- the load -------------------------------------------------------------------------------

@dataclass
class Answered:
    """What the servers answered: every mark the judges were told was stored (201/200)."""
    stored: dict = field(default_factory=dict)  # client_id -> (judge, event, entry, value, seq)
    refused: list = field(default_factory=list)
    connection_errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self) -> int:
        return len(self.stored)


def plan_marks(data: dict, seed: int = 1) -> dict[str, list[dict]]:
    """Every judge's marks for every entry, in the judge's own random order."""
    rng = random.Random(seed)
    plans = {}
    for judge in data["judges"]:
        marks = [{"contest": data["contest"]["slug"], "event": entry["event"], "entry": entry["bib"],
                  "criterion": "P1", "value": f"{rng.randint(0, 29)}.{rng.choice(['0', '5'])}",
                  "client_id": str(uuid.uuid4())} for entry in data["entries"]]
        rng.shuffle(marks)
        plans[judge["username"]] = marks
    return plans


def run_load(urls: list[str], tokens: dict[str, str], plans: dict[str, list[dict]], answered: Answered,
             during=None, path: str = "/api/v1/marks") -> None:
    """One thread per judge, marks spread over the servers in turn. A mark whose server does
    not answer goes again, same client_id, to the next server, as a tablet retries.
    `during(answered)` runs in its own thread alongside (e.g. to kill a server). `path`: where
    the marks go (a bench's baseline posts them elsewhere)."""
    def judge(index: int, username: str):
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {tokens[username]}"
        for n, mark in enumerate(plans[username]):
            for attempt in range(12):
                url = urls[(index + n + attempt) % len(urls)]
                try:
                    response = session.post(f"{url}{path}", json=mark, timeout=30)
                except requests.RequestException:
                    with answered.lock:
                        answered.connection_errors += 1
                    time.sleep(0.2)
                    continue
                if response.status_code in (200, 201):
                    with answered.lock:
                        answered.stored[mark["client_id"]] = (username, mark["event"], mark["entry"],
                                                              mark["value"], response.json()["seq"])
                else:
                    with answered.lock:
                        answered.refused.append((response.status_code, response.text[:300]))
                break

    threads = [threading.Thread(target=judge, args=(i, u)) for i, u in enumerate(plans)]
    if during is not None:
        threads.append(threading.Thread(target=during, args=(answered,)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert not any(t.is_alive() for t in threads), "the load did not finish in 4 minutes"


def board_seq(url: str, slug: str, event: str) -> int:
    return requests.get(f"{url}/api/v1/contests/{slug}/events/{event}/board", timeout=10).json()["seq"]


# --- the checks -----------------------------------------------------------------------------

def check_store(db_url: str, data: dict, answered: Answered, seq_before: dict[str, int]) -> None:
    """Every answered mark stored once with its value; each board's seq rose by exactly one per
    mark; the stored results are what a full rebuild computes."""
    from competition.contests.models import Contest, Criterion, Event
    from competition.marking.models import Mark, MarkRevision
    from competition.boards.models import Board
    from competition.boards.results import recompute_event
    slug = data["contest"]["slug"]
    expected = len(data["judges"]) * len(data["entries"])
    with app_on(db_url):
        contest = db.session.scalar(select(Contest).where(Contest.slug == slug))
        events = {e.code: e for e in db.session.scalars(select(Event).where(Event.contest_id == contest.id))}
        event_ids = [e.id for e in events.values()]
        revisions = db.session.execute(
            select(MarkRevision.client_id, MarkRevision.board_seq, MarkRevision.revision, MarkRevision.value,
                   Criterion.event_id)
            .join(Mark, Mark.id == MarkRevision.mark_id).join(Criterion, Criterion.id == Mark.criterion_id)
            .where(Criterion.event_id.in_(event_ids))).all()
        marks = db.session.scalar(select(func.count()).select_from(Mark)
                                  .join(Criterion, Criterion.id == Mark.criterion_id)
                                  .where(Criterion.event_id.in_(event_ids)))
        assert marks == expected, f"{marks} marks stored, {expected} given"
        assert len(revisions) == expected, "a mark was stored more than once"
        by_client = {r.client_id: r for r in revisions}
        for client_id, (_judge, _event, _entry, value, seq) in answered.stored.items():
            assert client_id in by_client, f"answered mark {client_id} is not stored"
            assert by_client[client_id].value == Decimal(value), f"mark {client_id} stored another value"
            assert by_client[client_id].board_seq == seq, "the answer's seq is not the stored one"
        for code, event in events.items():
            seqs = sorted(r.board_seq for r in revisions if r.event_id == event.id)
            start = seq_before[code]
            assert seqs == list(range(start + 1, start + 1 + len(seqs))), \
                f"board {code}: seqs are not one per mark ({seqs[:5]}…)"
            board = db.session.scalar(select(Board).where(Board.event_id == event.id))
            assert board.seq == start + len(seqs)
        # The incremental results against a full rebuild: nothing may change (and nothing is kept).
        for code, event in events.items():
            patch = recompute_event(event)
            assert patch is None, f"rebuilding {code} changed the board: {patch}"
        db.session.rollback()


# --- spectators -----------------------------------------------------------------------------

class Spectator:
    """A python-socketio spectator of one board that keeps it from the snapshot and the
    patches, and watches again when a patch does not follow (as the board pages do)."""

    def __init__(self, url: str, slug: str, event: str):
        self.slug, self.event = slug, event
        self.client = socketio.Client(reconnection=False)
        self.patches: list[dict] = []
        self.snapshots: list[dict] = []
        self.changed = threading.Condition()
        self.board = None
        self.client.on("patch", self._on_patch, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["websocket"], wait_timeout=20)
        self.resync()

    def resync(self):
        board = self.client.call("watch", {"contest": self.slug, "event": self.event}, namespace="/live",
                                 timeout=20)
        with self.changed:
            self.snapshots.append(board)
            if self.board is None or board["seq"] >= self.board["seq"]:
                self.board = board
            self.changed.notify_all()

    def _on_patch(self, patch):
        with self.changed:
            self.patches.append(patch)
            if patch["seq"] <= self.board["seq"]:
                return
            if patch["base"] != self.board["seq"]:
                threading.Thread(target=self.resync, daemon=True).start()
                return
            self.board = apply_patch(self.board, patch)
            self.changed.notify_all()

    def wait_for(self, predicate, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)

    def close(self):
        with contextlib.suppress(Exception):
            self.client.disconnect()
