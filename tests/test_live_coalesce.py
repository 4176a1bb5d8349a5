"""Coalescing on /live: merged patches do exactly what the patches they merge do (hypothesis),
the per-process buffer sends in order and at most once per window, and a burst of 30 marks
posted at once reaches a spectator as fewer patches that chain exactly and rebuild the API
snapshot (a real server process)."""
import json
import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import socketio
from hypothesis import given
from hypothesis import strategies as st

from competition.live.coalesce import Coalescer, chains, merge

from .server import LiveServer, in_app

SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG, EVENT = "sample-2026", "iot"
BIBS = ["S01", "S02", "S03", "S04", "S05"]


def apply(board: dict, patch: dict) -> dict:
    """A client applying a patch (DESIGN.md §4): removals, then upserts."""
    assert patch["base"] == board["seq"]
    rows = dict(board["rows"])
    for bib in patch["remove"]:
        rows.pop(bib, None)
    for row in patch["upsert"]:
        rows[row["entry"]] = row
    return {"seq": patch["seq"], "rows": rows}


rows = st.builds(lambda bib, total, rank: {"entry": bib, "total": str(total), "rank": rank},
                 st.sampled_from(BIBS), st.integers(0, 100), st.one_of(st.none(), st.integers(1, 5)))
bodies = st.tuples(st.lists(rows, max_size=4), st.lists(st.sampled_from(BIBS), max_size=3, unique=True))


def chained(bodies_, start=7):
    patches = []
    for i, (upsert, remove) in enumerate(bodies_):
        unique = list({r["entry"]: r for r in upsert}.values())  # one row per bib in a patch
        patches.append({"contest": SLUG, "event": EVENT, "base": start + i, "seq": start + i + 1,
                        "upsert": unique, "remove": remove})
    return patches


@given(st.dictionaries(st.sampled_from(BIBS), rows, max_size=5), st.lists(bodies, min_size=1, max_size=8))
def test_applying_the_merged_patch_equals_applying_each(initial, bodies_):
    board = {"seq": 7, "rows": {bib: dict(row, entry=bib) for bib, row in initial.items()}}
    patches = chained(bodies_)
    one_by_one = board
    for patch in patches:
        one_by_one = apply(one_by_one, patch)
    merged = merge(patches)
    assert (merged["base"], merged["seq"]) == (7, 7 + len(patches))
    assert apply(board, merged) == one_by_one
    assert not set(merged["remove"]) & {r["entry"] for r in merged["upsert"]}
    assert len({r["entry"] for r in merged["upsert"]}) == len(merged["upsert"])


def test_merge_refuses_a_broken_chain_and_chains_cuts_it():
    a = {"base": 1, "seq": 2, "upsert": [], "remove": []}
    b = {"base": 2, "seq": 3, "upsert": [], "remove": ["S01"]}
    d = {"base": 4, "seq": 5, "upsert": [], "remove": []}  # 3 -> 4 went out from another process
    with pytest.raises(ValueError):
        merge([a, d])
    assert chains([d, b, a, b]) == [[a, b], [d]]
    assert merge([a, b])["remove"] == ["S01"]


class FakeClock:
    """Time and background tasks under the test's control. `during_sleep`: what happens while a
    background task sleeps (other requests handing patches over)."""

    def __init__(self):
        self.now, self.tasks, self.sent, self.during_sleep = 100.0, [], [], []

    def clock(self):
        return self.now

    def spawn(self, fn, *args):
        self.tasks.append((fn, args))

    def sleep(self, seconds):
        self.now += seconds
        while self.during_sleep:
            self.during_sleep.pop(0)()

    def run_tasks(self):
        while self.tasks:
            fn, args = self.tasks.pop(0)
            fn(*args)

    def coalescer(self):
        return Coalescer(lambda event, payload, room: self.sent.append((event, payload, room)),
                         self.spawn, self.sleep, self.clock)


def p(base, bib="S01", total="1"):
    return {"base": base, "seq": base + 1, "upsert": [{"entry": bib, "total": total, "rank": 1}], "remove": []}


def test_the_caller_never_sends_and_a_burst_goes_out_as_the_first_patch_then_one_merged_patch():
    fake = FakeClock()
    c = fake.coalescer()
    c.patch("r", p(0), 0.1)  # a judge's request: handed over, nothing sent in its thread
    assert fake.sent == [] and len(fake.tasks) == 1

    def burst():  # while the first patch's window runs: three more, out of order, then a state
        for base in (2, 1, 3):
            c.patch("r", p(base, total=str(base)), 0.1)
        c.send("r", "board_state", {"frozen": True})
        assert len(fake.tasks) == 0  # the room's sender takes them: no second sender
    fake.during_sleep.append(burst)
    fake.run_tasks()
    assert [(e, s.get("base"), s.get("seq")) for e, s, _r in fake.sent] == [
        ("patch", 0, 1), ("patch", 1, 4), ("board_state", None, None)]
    assert fake.sent[1][1]["upsert"] == [{"entry": "S01", "total": "3", "rank": 1}]
    fake.now += 1
    c.patch("r", p(5), 0)  # window 0: every patch as it is, nothing merged
    c.patch("r", p(6), 0)
    assert len(fake.tasks) == 1
    fake.run_tasks()
    assert [s[1]["seq"] for s in fake.sent[3:]] == [6, 7]


def test_another_event_waits_for_the_patches_before_it():
    fake = FakeClock()
    c = fake.coalescer()
    c.patch("r", p(0), 0.1)
    c.send("r", "screen", {"show": "standings"})
    c.send("other", "announcement", {"text": "x"})
    fake.run_tasks()
    assert [(e, r) for e, _s, r in fake.sent] == [("patch", "r"), ("screen", "r"), ("announcement", "other")]


def test_a_gap_left_by_another_process_is_not_merged_over():
    fake = FakeClock()
    c = fake.coalescer()
    c.patch("r", p(0), 0.1)
    fake.during_sleep.append(lambda: [c.patch("r", p(base), 0.1) for base in (1, 3, 4)])  # 2 -> 3 elsewhere
    fake.run_tasks()
    assert [(s[1]["base"], s[1]["seq"]) for s in fake.sent] == [(0, 1), (1, 2), (3, 5)]


def test_what_is_pending_at_exit_is_sent():
    fake = FakeClock()
    c = fake.coalescer()
    c.patch("r", p(0), 0.1)
    c.patch("r", p(1), 0.1)
    c.flush_all()  # a CLI command ends before its sender ran
    assert [(s[1]["base"], s[1]["seq"]) for s in fake.sent] == [(0, 2)]
    fake.run_tasks()  # the sender finds nothing left
    assert len(fake.sent) == 1


def test_feeds_are_computed_once_per_window():
    fake = FakeClock()
    c = fake.coalescer()
    made = []

    def produce():
        made.append(fake.now)
        return [("standings", {"n": len(made)}, "standings:x")]

    for _ in range(5):
        c.feed("k", 0.1, produce)
    assert len(fake.tasks) == 1
    fake.run_tasks()
    assert len(made) == 1 and fake.sent == [("standings", {"n": 1}, "standings:x")]
    c.feed("k", 0.1, produce)
    fake.run_tasks()
    assert len(made) == 2 and made[1] - made[0] >= 0.1 - 1e-9


def test_a_failing_feed_does_not_stop_the_next():
    fake = FakeClock()
    c = fake.coalescer()
    c.feed("k", 0, lambda: 1 / 0)
    fake.run_tasks()
    c.feed("k", 0, lambda: [("progress", {}, "p")])
    fake.run_tasks()
    assert fake.sent == [("progress", {}, "p")]


# --- a burst against a real server -------------------------------------------------------

ASSIGNED = {"T1": ["k1"], "P1": ["k1", "k2", "k3", "k4", "k5"], "P2": ["k1", "k2", "k3"]}


@pytest.fixture(scope="module")
def server():
    live = LiveServer(env={"LIVE_COALESCE_MS": "150"}).start()
    live.tokens = json.loads(in_app(live, f"""
        import json
        from competition.accounts.services import find_user, issue_token
        from competition.contest_files.services import import_contest, load_file
        import_contest(load_file({str(SAMPLE)!r}))
        print(json.dumps({{u: issue_token(find_user(u), "test") for u in ("k1", "k2", "k3", "k4", "k5")}}))
        """).splitlines()[-1])
    yield live
    live.stop()


def api_board(server) -> dict:
    return requests.get(f"{server.url}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10).json()


def value(rng, criterion):
    if criterion == "T1":
        return str(rng.randint(0, 100))
    if criterion == "P1":
        return str(rng.randint(0, 30))
    return str(rng.randint(0, 3))


@pytest.mark.live
def test_a_burst_of_marks_arrives_as_fewer_patches_that_chain_exactly(server):
    rng = random.Random(30)
    pairs = [(judge, entry, criterion) for criterion, judges in ASSIGNED.items() for judge in judges
             for entry in ("S01", "S02", "S03", "S04")]
    marks = [(judge, entry, criterion, value(rng, criterion)) for judge, entry, criterion in rng.sample(pairs, 30)]
    client = socketio.Client(reconnection=False)
    patches, lock = [], threading.Condition()

    @client.on("patch", namespace="/live")
    def on_patch(patch):
        with lock:
            patches.append(patch)
            lock.notify_all()

    client.connect(server.url, namespaces=["/live"], transports=["websocket"])
    try:
        start = client.call("watch", {"contest": SLUG, "event": EVENT}, namespace="/live", timeout=10)

        def post(mark):
            judge, entry, criterion, mark_value = mark
            body = {"contest": SLUG, "event": EVENT, "entry": entry, "criterion": criterion,
                    "value": mark_value, "client_id": str(uuid.uuid4()),
                    "reason": "burst"}
            return requests.post(f"{server.url}/api/v1/marks", json=body, timeout=30,
                                 headers={"Authorization": f"Bearer {server.tokens[judge]}"})

        barrier = threading.Barrier(10)

        def post_after_barrier(batch):
            barrier.wait()
            return [post(m) for m in batch]

        with ThreadPoolExecutor(10) as pool:
            answers = [a for batch in pool.map(post_after_barrier, [marks[i::10] for i in range(10)]) for a in batch]
        assert all(a.status_code == 201 for a in answers), [a.text for a in answers if a.status_code != 201]
        final = api_board(server)
        assert final["seq"] > start["seq"] + 20  # nearly every mark moved the board
        with lock:
            assert lock.wait_for(lambda: patches and max(p["seq"] for p in patches) >= final["seq"], timeout=10)
    finally:
        client.disconnect()
    board = {"seq": start["seq"], "rows": {r["entry"]: r for r in start["rows"]}}
    for patch in patches:  # in the order they arrived: one process sends a board's patches in order
        board = apply(board, patch)
    assert board["seq"] == final["seq"]
    assert board["rows"] == {r["entry"]: r for r in final["rows"]}
    assert 1 <= len(patches) < 30, [(p["base"], p["seq"]) for p in patches]
