"""The /live protocol against a real server process and real python-socketio clients:
`watch` answers with the API snapshot, and applying every patch in order reproduces the
API snapshot after each mark."""
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import socketio

from .helpers import apply_patch
from .server import LiveServer

pytestmark = pytest.mark.live
SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG, EVENT = "sample-2026", "iot"
ASSIGNED = {"T1": ["k1"], "P1": ["k1", "k2", "k3", "k4", "k5"], "P2": ["k1", "k2", "k3"]}


@pytest.fixture(scope="module")
def server():
    live = LiveServer().start()
    live.flask("contest-import", str(SAMPLE))
    judges = ("k1", "k2", "k3", "k4", "k5")
    with ThreadPoolExecutor(max_workers=len(judges)) as pool:  # each is a CLI run: side by side
        live.tokens = dict(zip(judges, pool.map(live.token, judges)))
    yield live
    live.stop()


class Watcher:
    """A spectator: keeps a board from the snapshot and the patches, re-watching on a gap."""

    def __init__(self, url: str):
        self.client = socketio.Client(reconnection=False)
        self.patches: list[dict] = []
        self.changed = threading.Condition()
        self.board = None
        self.client.on("patch", self._on_patch, namespace="/live")
        self.client.connect(url, namespaces=["/live"], transports=["websocket"])
        self.resync()

    def resync(self):
        board = self.client.call("watch", {"contest": SLUG, "event": EVENT}, namespace="/live", timeout=10)
        with self.changed:
            self.board = board
            self.changed.notify_all()

    def _on_patch(self, patch):
        with self.changed:
            self.patches.append(patch)
            if patch["seq"] <= self.board["seq"]:
                return  # already in the snapshot
            if patch["base"] != self.board["seq"]:
                threading.Thread(target=self.resync, daemon=True).start()
                return
            self.board = apply_patch(self.board, patch)
            self.changed.notify_all()

    def wait_for(self, seq: int, timeout: float = 10) -> dict:
        with self.changed:
            assert self.changed.wait_for(lambda: self.board["seq"] >= seq, timeout), \
                f"no patch brought seq {seq}; have {self.board['seq']}"
            return self.board


def api_board(server) -> dict:
    return requests.get(f"{server.url}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10).json()


def by_entry(board) -> dict:
    return {r["entry"]: r for r in board["rows"]}


def test_the_embedded_server_serves_gevent_unless_told_otherwise(server):
    """`python -m competition` (what `make run` starts) serves in gevent mode by default; the
    tests' servers run what a venue runs, unless a test sets SOCKETIO_ASYNC_MODE itself."""
    expected = server.env.get("SOCKETIO_ASYNC_MODE") or "gevent"
    assert f"({expected} mode;" in (server.tmp / "server.log").read_text()


def test_watch_answers_with_the_api_snapshot(server):
    watcher = Watcher(server.url)
    try:
        assert watcher.board == api_board(server)
    finally:
        watcher.client.disconnect()


def test_watch_of_an_unknown_board_is_an_error(server):
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/live"], transports=["websocket"])
    try:
        answer = client.call("watch", {"contest": SLUG, "event": "nope"}, namespace="/live", timeout=10)
        assert answer["error"]["code"] == "not_found"
    finally:
        client.disconnect()


HANDLERS = ("watch", "unwatch", "watch_standings", "unwatch_standings", "watch_progress", "unwatch_progress")
BAD_PAYLOADS = (None, [], "sample-2026", 7, {}, {"contest": 7, "event": "iot"}, {"contest": ["x"]},
                {"contest": "x" * 10_000, "event": "iot"}, {"contest": None, "event": None})


def test_every_handler_answers_a_bad_payload_with_a_clear_error(server):
    """Sent without data, or with the wrong shape, each /live handler acknowledges with
    {"error": {"code": "bad_request", …}}: none raises (a raising handler never acknowledges,
    and the call below would time out), and the connection stays usable."""
    client = socketio.Client(reconnection=False)
    client.connect(server.url, namespaces=["/live"], transports=["websocket"])
    try:
        for handler in HANDLERS:
            for payload in BAD_PAYLOADS:
                if payload is None:
                    answer = client.call(handler, namespace="/live", timeout=10)
                else:
                    answer = client.call(handler, payload, namespace="/live", timeout=10)
                assert answer["error"]["code"] == "bad_request", (handler, payload, answer)
                assert "contest" in answer["error"]["message"]
        board = client.call("watch", {"contest": SLUG, "event": EVENT}, namespace="/live", timeout=10)
        assert board["contest"] == SLUG and board["event"] == EVENT
    finally:
        client.disconnect()


def test_patches_rebuild_the_api_snapshot_after_every_mark(server):
    rng = random.Random(7)
    watcher = Watcher(server.url)
    given = set()
    try:
        for _ in range(25):
            criterion = rng.choice(list(ASSIGNED))
            judge = rng.choice(ASSIGNED[criterion])
            entry = rng.choice(["S01", "S02", "S03", "S04"])
            value = {"T1": lambda: str(rng.randint(0, 100)),
                     "P1": lambda: f"{rng.randint(0, 30)}.{rng.choice(['0', '5', '25'])}",
                     "P2": lambda: str(rng.randint(0, 3))}[criterion]()
            if criterion == "P1" and value.startswith("30."):
                value = "30"
            body = {"contest": SLUG, "event": EVENT, "entry": entry, "criterion": criterion,
                    "value": value, "client_id": str(uuid.uuid4()), "reason": "re-marked"}
            answer = requests.post(f"{server.url}/api/v1/marks", json=body, timeout=10,
                                   headers={"Authorization": f"Bearer {server.tokens[judge]}"})
            assert answer.status_code in (200, 201), answer.text
            given.add((judge, entry, criterion))
            seq = answer.json()["seq"]
            expected = api_board(server)
            if expected["seq"] != seq:  # nothing else writes: the API is at the mark's seq
                pytest.fail(f"API at seq {expected['seq']} after a mark answered seq {seq}")
            got = watcher.wait_for(seq)
            assert got["seq"] == expected["seq"]
            assert by_entry(got) == by_entry(expected)
            assert [r["entry"] for r in expected["rows"]] == sorted(
                by_entry(expected), key=lambda b: (by_entry(expected)[b]["rank"] is None,
                                                   by_entry(expected)[b]["rank"] or 0, b))
    finally:
        watcher.client.disconnect()
    chain = sorted((p["base"], p["seq"]) for p in watcher.patches)
    assert all(seq == base + 1 for base, seq in chain)
    # DESIGN.md §3: the event is live, so no award is decided: none in the snapshot, none in
    # any patch, though the ranks give S01 a first prize already; every patch says the status.
    assert watcher.board["result_status"] == "live"
    assert all(r["award"] is None and "provisional_award" not in r for r in watcher.board["rows"])
    assert watcher.patches and all(p["result_status"] == "live" for p in watcher.patches)
    assert all(r["award"] is None and "provisional_award" not in r for p in watcher.patches for r in p["upsert"])


def test_long_polling_client_gets_the_snapshot_and_patches(server):
    client = socketio.Client(reconnection=False)
    patches = []
    got = threading.Event()

    @client.on("patch", namespace="/live")
    def on_patch(patch):
        patches.append(patch)
        got.set()

    client.connect(server.url, namespaces=["/live"], transports=["polling"])
    try:
        board = client.call("watch", {"contest": SLUG, "event": EVENT}, namespace="/live", timeout=10)
        assert board["seq"] == api_board(server)["seq"]
        body = {"contest": SLUG, "event": EVENT, "entry": "S04", "criterion": "T1", "value": "61",
                "client_id": str(uuid.uuid4()), "reason": "polling check"}
        answer = requests.post(f"{server.url}/api/v1/marks", json=body, timeout=10,
                               headers={"Authorization": f"Bearer {server.tokens['k1']}"})
        assert answer.status_code in (200, 201)
        assert got.wait(10)
        assert patches[-1]["seq"] == answer.json()["seq"]
    finally:
        client.disconnect()


def test_spectators_outlive_many_rounds_of_pings():
    """engine.io's heartbeat on the embedded server: in gevent mode the pings are timers of
    gevent's loop (competition/extensions.py), not engine.io's sleeping task. With a ping every
    second (engine.io takes whole seconds) and a second to answer, a client that hears nothing
    for 2 s gives up, and one that has sent no pong for 6 s too: after 7 s the spectators are
    still on their first connection, and the next mark's patch reaches each."""
    live = LiveServer(env={"SOCKETIO_PING_INTERVAL": "1", "SOCKETIO_PING_TIMEOUT": "1"}).start()
    watchers = []
    try:
        live.flask("contest-import", str(SAMPLE))
        token = live.token("k1")
        watchers = [Watcher(live.url) for _ in range(3)]
        sids = [w.client.get_sid("/live") for w in watchers]
        dropped = []
        for w in watchers:
            w.client.on("disconnect", lambda *_a, w=w: dropped.append(w), namespace="/live")
        threading.Event().wait(7)
        assert not dropped and all(w.client.connected for w in watchers)
        assert [w.client.get_sid("/live") for w in watchers] == sids
        seq = watchers[0].board["seq"]
        answer = requests.post(f"{live.url}/api/v1/marks", headers={"Authorization": f"Bearer {token}"}, json={
            "contest": SLUG, "event": EVENT, "entry": "S03", "criterion": "P1", "value": "12.5",
            "client_id": str(uuid.uuid4())}, timeout=10)
        assert answer.status_code == 201, answer.text
        for w in watchers:
            assert by_entry(w.wait_for(seq + 1))["S03"] == by_entry(api_board(live))["S03"]
    finally:
        for w in watchers:
            w.client.disconnect()
        live.stop()
