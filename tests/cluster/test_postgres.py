"""Two server processes on one PostgreSQL database and one Redis queue: a patch crosses from
one process to the other's spectators, twenty judges marking at once through both lose and
double nothing, and a process killed mid-load loses no mark it had confirmed."""
import re
import time
import uuid

import pytest
import requests

from . import parts

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


def post_mark(url: str, token: str, **mark) -> requests.Response:
    mark.setdefault("criterion", "P1")
    mark.setdefault("client_id", str(uuid.uuid4()))
    return requests.post(f"{url}/api/v1/marks", json=mark, timeout=30,
                         headers={"Authorization": f"Bearer {token}"})


def test_a_patch_emitted_by_one_process_reaches_a_spectator_of_the_other(pg_cluster, pg_url):
    a, b = pg_cluster
    data = parts.contest_data("cross", judges=3, entries=2, events=1)
    tokens = parts.prepare(pg_url, data)
    token = tokens["cross-j00"]
    for marker, watcher in ((a, b), (b, a)):
        spectator = parts.Spectator(watcher.url, "cross", "e1")
        try:
            entry = "E101" if marker is a else "E102"
            answer = post_mark(marker.url, token, contest="cross", event="e1", entry=entry, value="21.5")
            assert answer.status_code == 201, answer.text
            seq = answer.json()["seq"]
            assert spectator.wait_for(lambda s: s.board["seq"] >= seq), \
                f"the spectator on {watcher.url} never got seq {seq} from {marker.url}"
            # It came as a patch (not a re-watch), and the board is the API's.
            assert any(p["seq"] == seq for p in spectator.patches)
            assert spectator.board["seq"] == seq
            row = next(r for r in spectator.board["rows"] if r["entry"] == entry)
            assert row["progress"][0] == 1
        finally:
            spectator.close()


def test_twenty_judges_at_once_on_two_processes_lose_and_double_nothing(pg_cluster, pg_url):
    a, b = pg_cluster
    data = parts.contest_data("load", judges=20, entries=15)  # 20 judges × 30 marks
    tokens = parts.prepare(pg_url, data)
    before = {e: parts.board_seq(a.url, "load", e) for e in ("e1", "e2")}
    spectators = [parts.Spectator(server.url, "load", "e1") for server in (a, b)]
    try:
        answered = parts.Answered()
        parts.run_load([a.url, b.url], tokens, parts.plan_marks(data), answered)
        assert not answered.refused, answered.refused[:3]
        assert answered.count() == 600
        parts.check_store(pg_url, data, answered, before)
        # Issue 13: two processes writing one contest at once made one chain, never a fork —
        # every mark in it once, in one sequence, each hash on the one before.
        verified = a.flask("ledger-verify", "load").stdout.strip().splitlines()[-1]
        imported = sum(1 for _ in data.get("marks", ()))
        assert re.fullmatch(rf"ledger ok: {600 + imported} entries, head [0-9a-f]{{64}}", verified), verified
        # Spectators of either process end on the board the API shows.
        final = requests.get(f"{a.url}/api/v1/contests/load/events/e1/board", timeout=10).json()
        for spectator in spectators:
            assert spectator.wait_for(lambda s: s.board["seq"] == final["seq"]), spectator.board["seq"]
            assert sorted(spectator.board["rows"], key=lambda r: r["entry"]) == \
                sorted(final["rows"], key=lambda r: r["entry"])
    finally:
        for spectator in spectators:
            spectator.close()


def test_a_process_killed_mid_load_loses_no_confirmed_mark(pg_cluster, pg_url):
    a, b = pg_cluster
    data = parts.contest_data("kill", judges=6, entries=10)  # 120 marks
    tokens = parts.prepare(pg_url, data)
    before = {e: parts.board_seq(b.url, "kill", e) for e in ("e1", "e2")}
    killed_at = []

    def kill_a_midway(answered):
        deadline = time.monotonic() + 120
        while answered.count() < 30 and time.monotonic() < deadline:
            time.sleep(0.02)
        a.kill()  # SIGKILL: no shutdown, requests in flight are cut
        killed_at.append(answered.count())

    answered = parts.Answered()
    parts.run_load([a.url, b.url], tokens, parts.plan_marks(data, seed=2), answered, during=kill_a_midway)
    assert killed_at and killed_at[0] < 120, "the process was not killed in the middle of the load"
    assert answered.connection_errors > 0  # tablets talking to A saw it go
    assert not answered.refused, answered.refused[:3]
    # Every mark A or B confirmed is stored, once; those cut short were sent again to B.
    assert answered.count() == 120
    parts.check_store(pg_url, data, answered, before)
