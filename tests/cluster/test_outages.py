"""Outages: with Redis stopped the judges' marks are still taken and stored, and spectators
catch up on the right board once it is back; with PostgreSQL unreachable the API answers 503
in JSON and the judge's form comes back with what was typed, ready to send again."""
import re
import shutil
import time
import uuid

import pytest
import requests

from ..conftest import need_service
from ..server import LiveServer
from . import parts
from .conftest import cluster_env, start_pair

pytestmark = [pytest.mark.cluster, pytest.mark.postgres]


def post_mark(url: str, token: str, entry: str, value: str, **extra) -> requests.Response:
    body = {"contest": extra.pop("contest", "out"), "event": "e1", "entry": entry, "criterion": "P1",
            "value": value, "client_id": str(uuid.uuid4()), **extra}
    return requests.post(f"{url}/api/v1/marks", json=body, timeout=30, headers={"Authorization": f"Bearer {token}"})


def api_board(url: str, slug: str = "out") -> dict:
    return requests.get(f"{url}/api/v1/contests/{slug}/events/e1/board", timeout=10).json()


def wait_ready(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if requests.get(f"{url}/readyz", timeout=5).status_code == 200:
            return
        time.sleep(0.2)
    raise AssertionError(f"{url} not ready again after {timeout} s")


def test_marks_go_on_without_redis_and_spectators_resynchronise(pg_url):
    if shutil.which("redis-server") is None:
        need_service("redis-server (to start a private Redis)", FileNotFoundError("redis-server"))
    queue = parts.PrivateRedis().start()
    servers = []
    spectator = None
    try:
        servers = start_pair(pg_url, cluster_env(queue.url))
        a, b = servers
        data = parts.contest_data("out", judges=5, entries=4, events=1)
        tokens = parts.prepare(pg_url, data)
        token = tokens["out-j00"]
        spectator = parts.Spectator(b.url, "out", "e1")
        answer = post_mark(a.url, token, "E101", "10")
        assert answer.status_code == 201
        assert spectator.wait_for(lambda s: s.board["seq"] == answer.json()["seq"])

        queue.stop()
        assert requests.get(f"{a.url}/readyz", timeout=10).json()["checks"]["message_queue"] == "unreachable"
        seqs = []
        for server, entry in ((a, "E102"), (b, "E103"), (a, "E104")):
            answer = post_mark(server.url, token, entry, "12.5")
            assert answer.status_code == 201, answer.text
            seqs.append(answer.json()["seq"])
            if server is b:
                # B's own patch reaches B's spectator without Redis, after B has answered; the gap
                # it shows (A's mark did not cross) makes the spectator reload the board. Let that
                # happen before A's next mark, or the reload could already hold it.
                assert spectator.wait_for(lambda s: s.board["seq"] >= seqs[-1])
        assert api_board(b.url)["seq"] == seqs[-1]  # stored, and every process reads it
        stale = spectator.board["seq"]
        assert stale < seqs[-1]  # nothing crossed while the queue was down

        queue.start()
        wait_ready(a.url)
        wait_ready(b.url)
        # The next patch does not follow the spectator's board: it watches again and gets the
        # snapshot at the right seq. (The processes' queue listeners reconnect with back-off.)
        # Each of these is a judge's first mark of an entry, so it changes the board.
        fresh_marks = [(f"out-j0{j}", f"E10{e}") for j in (1, 2, 3, 4) for e in (1, 2, 3, 4)]
        deadline = time.monotonic() + 90
        for judge, entry in fresh_marks:
            answer = post_mark(a.url, tokens[judge], entry, "20")
            assert answer.status_code == 201, answer.text
            if spectator.wait_for(lambda s: s.board["seq"] >= answer.json()["seq"],
                                  timeout=max(0.1, min(8.0, deadline - time.monotonic()))):
                break
        final = api_board(a.url)
        assert spectator.wait_for(lambda s: s.board["seq"] == final["seq"], timeout=10)
        assert any(snap["seq"] > stale for snap in spectator.snapshots[1:]), "no re-watch happened"
        assert sorted(spectator.board["rows"], key=lambda r: r["entry"]) == \
            sorted(final["rows"], key=lambda r: r["entry"])
        # A spectator that (re)connects now gets the right board at once.
        fresh = parts.Spectator(a.url, "out", "e1")
        assert fresh.board == final
        fresh.close()
    finally:
        if spectator is not None:
            spectator.close()
        for server in servers:
            server.stop()
        queue.stop()


def _fields(html: str) -> dict:
    """A rendered form's named inputs and their values."""
    fields = {}
    for tag in re.findall(r"<input\b[^>]*>", html):
        name = re.search(r'\bname="([^"]+)"', tag)
        value = re.search(r'\bvalue="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def test_without_postgresql_the_api_is_503_and_the_form_keeps_what_was_typed(pg_url):
    proxy = parts.CuttableProxy()
    proxy.restore()
    via_proxy = pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")
    server = LiveServer(via_proxy, cluster_env(None), gunicorn=True)
    try:
        server.start()
        data = parts.contest_data("down", judges=3, entries=2, events=1)
        tokens = parts.prepare(pg_url, data)
        judge = requests.Session()
        login_page = judge.get(f"{server.url}/login", timeout=10).text
        answer = judge.post(f"{server.url}/login", timeout=10, allow_redirects=False, data={
            "username": "down-j00", "password": parts.PASSWORD, "csrf_token": _fields(login_page)["csrf_token"]})
        assert answer.status_code == 302, answer.text[:500]
        form_url = f"{server.url}/j/down/e1/E101"
        form = _fields(judge.get(form_url, timeout=10).text)
        assert "c_P1" in form and form["client_id"]

        proxy.cut()
        answer = post_mark(server.url, tokens["down-j00"], "E102", "7", contest="down")
        assert answer.status_code == 503
        error = answer.json()["error"]
        assert error["code"] == "unavailable" and error["message"]
        assert requests.get(f"{server.url}/readyz", timeout=10).status_code == 503

        typed = dict(form, c_P1="17.5", reason="")
        answer = judge.post(form_url, data=typed, timeout=30, allow_redirects=False)
        assert answer.status_code == 503
        assert "text/html" in answer.headers["Content-Type"]
        kept = _fields(answer.text)
        assert kept["c_P1"] == "17.5"  # what the judge typed is on the page
        assert kept["client_id"] == form["client_id"] and kept["csrf_token"] == form["csrf_token"]
        assert "Traceback" not in answer.text

        proxy.restore()
        wait_ready(server.url)
        answer = judge.post(form_url, data=kept, timeout=30, allow_redirects=False)
        assert answer.status_code == 302, answer.text[:500]  # sent again from the 503 page: stored
        row = next(r for r in api_board(server.url, "down")["rows"] if r["entry"] == "E101")
        assert row["progress"][0] == 1
    finally:
        server.stop()
        proxy.cut()
