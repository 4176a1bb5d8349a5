"""`flask backup FILE`: an online copy of the SQLite database taken while a judge's tablet
keeps posting marks, which holds every mark acknowledged before it started, passes SQLite's
integrity check and, served again, changes no result; it never overwrites a file unless
told to, and on PostgreSQL it points at pg_dump."""
import random
import sqlite3
import threading
import time
import uuid
from pathlib import Path

import pytest
import requests

from competition import create_app

from .server import LiveServer

SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG, EVENT = "sample-2026", "iot"
ASSIGNED = {"T1": ["k1"], "P1": ["k1", "k2", "k3", "k4", "k5"], "P2": ["k1", "k2", "k3"]}


def random_mark(rng: random.Random) -> tuple[str, dict]:
    criterion = rng.choice(list(ASSIGNED))
    judge = rng.choice(ASSIGNED[criterion])
    value = {"T1": lambda: str(rng.randint(0, 100)),
             "P1": lambda: str(min(30, rng.randint(0, 30))),
             "P2": lambda: str(rng.randint(0, 3))}[criterion]()
    body = {"contest": SLUG, "event": EVENT, "entry": rng.choice(["S01", "S02", "S03", "S04"]),
            "criterion": criterion, "value": value, "client_id": str(uuid.uuid4()), "reason": "re-marked"}
    return judge, body


class Tablet(threading.Thread):
    """Posts marks one after the other until stopped; `acked` holds (client_id, the
    monotonic time its 200/201 answer arrived)."""

    def __init__(self, live: LiveServer, tokens: dict):
        super().__init__(daemon=True)
        self.live, self.tokens = live, tokens
        self.acked: list[tuple[str, float]] = []
        self.failures: list[str] = []
        self.stop = threading.Event()

    def run(self):
        rng = random.Random(11)
        with requests.Session() as http:
            while not self.stop.is_set():
                judge, body = random_mark(rng)
                try:
                    answer = http.post(f"{self.live.url}/api/v1/marks", json=body, timeout=30,
                                       headers={"Authorization": f"Bearer {self.tokens[judge]}"})
                except requests.RequestException as exc:
                    self.failures.append(repr(exc))
                    continue
                at = time.monotonic()
                if answer.status_code in (200, 201):
                    self.acked.append((body["client_id"], at))
                else:
                    self.failures.append(f"{answer.status_code} {answer.text[:200]}")


@pytest.fixture(scope="module")
def live():
    server = LiveServer().start()
    try:
        server.flask("contest-import", str(SAMPLE))
        server.tokens = {u: server.token(u) for u in ("k1", "k2", "k3", "k4", "k5")}
        yield server
    finally:
        server.stop()


def backup_rows(path: Path) -> tuple[set[str], int]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        client_ids = {row[0] for row in conn.execute("SELECT client_id FROM mark_revision")}
        marks = conn.execute("SELECT count(*) FROM mark").fetchone()[0]
    conn.close()
    return client_ids, marks


@pytest.mark.live
def test_backup_while_marks_are_posted_holds_every_acknowledged_mark(live):
    target = live.tmp / "backup.sqlite"
    tablet = Tablet(live, live.tokens)
    tablet.start()
    try:
        deadline = time.monotonic() + 60
        while len(tablet.acked) < 20 and time.monotonic() < deadline:  # marks are going in
            time.sleep(0.05)
        started = time.monotonic()
        done = live.flask("backup", str(target))
        finished = time.monotonic()
        # The tablet goes on a moment after the backup: writes went on throughout.
        while not any(at > finished for _, at in tablet.acked) and time.monotonic() < finished + 30:
            time.sleep(0.05)
    finally:
        tablet.stop.set()
        tablet.join(60)
    assert not tablet.failures, tablet.failures[:5]
    before = [cid for cid, at in tablet.acked if at < started]
    during = [cid for cid, at in tablet.acked if started <= at <= finished]
    assert len(before) >= 20 and any(at > finished for _, at in tablet.acked)

    client_ids, marks = backup_rows(target)
    missing = [cid for cid in before if cid not in client_ids]
    assert not missing, f"{len(missing)} of {len(before)} marks acknowledged before the backup are not in it"
    size = target.stat().st_size
    assert done.stdout.strip().splitlines()[-1] == f"backup ok: {target} ({size} bytes, {marks} marks)"
    assert marks > 0
    # No half-written copy or sidecar left beside it.
    assert sorted(p.name for p in live.tmp.iterdir() if p.name.startswith(("backup", ".backup"))) == \
        ["backup.sqlite"]
    with sqlite3.connect(f"file:{target}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    print(f"acknowledged: {len(before)} before the backup, {len(during)} during it "
          f"({finished - started:.2f} s), {len(tablet.acked)} in all")

    # Served again, the copy is consistent: rebuilding every result from its marks changes
    # nothing, and the ledger replays.
    restored = LiveServer(database_url=f"sqlite:///{target}")
    try:
        assert restored.flask("results-rebuild").stdout.strip().splitlines()[-1] == \
            "Rebuilt 1 event(s); 0 board(s) changed."
        assert restored.flask("ledger-verify").stdout.strip().splitlines()[-1].startswith("ledger ok: ")
    finally:
        restored.stop()


@pytest.mark.live
def test_backup_refuses_an_existing_file_unless_forced(live):
    target = live.tmp / "kept.sqlite"
    target.write_bytes(b"an older backup")
    refused = live.flask("backup", str(target), check=False)
    assert refused.returncode != 0
    assert "exists" in refused.stderr and "--force" in refused.stderr
    assert target.read_bytes() == b"an older backup"
    assert not [p for p in live.tmp.iterdir() if p.name.endswith(".part")]

    forced = live.flask("backup", "--force", str(target))
    assert forced.stdout.strip().splitlines()[-1].startswith(f"backup ok: {target} (")
    _, marks = backup_rows(target)
    assert f", {marks} marks)" in forced.stdout


def test_backup_of_a_postgresql_database_points_at_pg_dump(tmp_path):
    # The command looks at the URL's dialect before anything else: nothing connects here.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "TESTING": True})
    with app.app_context():  # what `flask` pushes for every command
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 1
    assert "pg_dump -Fc" in result.output and "postgresql" in result.output
    assert list(tmp_path.iterdir()) == []


def test_backup_in_process_copies_and_counts(app, tmp_path):
    target = tmp_path / "copy.sqlite"
    result = app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    _, marks = backup_rows(target)
    assert result.output.strip() == f"backup ok: {target} ({target.stat().st_size} bytes, {marks} marks)"
