"""A SQLite file that cannot be written (read-only) or cannot grow (disk full) is an outage
like a database that went away: 503 with Retry-After, JSON `{"error": {"code":
"unavailable"}}` for the API, and a posted form comes back with what was typed; never a
stack trace. Once the fault is gone the same request goes through.

The faults are SQLite's own, in a real server process: a test-only hook (a sitecustomize on
PYTHONPATH, so no product code changes) sets `PRAGMA query_only` ("attempt to write a
readonly database", SQLITE_READONLY) or `PRAGMA max_page_count` at the current size
("database or disk is full", SQLITE_FULL) on each connection the pool hands out, while a
flag file names the fault. chmod would not do: these tests may run as root, which ignores it."""
import os
import sqlite3
import textwrap
import uuid
from pathlib import Path

import pytest
import requests

from .helpers import csrf_from
from .server import LiveServer, in_app

pytestmark = pytest.mark.live
SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG, EVENT = "sample-2026", "iot"
REGISTER = "/c/reg-2026/register"
EN = {"Accept-Language": "en"}

HOOK = textwrap.dedent('''
    """Test-only (tests/test_storage_faults.py): SQLite faults named by a flag file."""
    import os
    from sqlalchemy import event
    from sqlalchemy.pool import Pool

    FLAG = os.environ.get("GJ_TEST_STORAGE_FAULT")

    if FLAG:
        @event.listens_for(Pool, "checkout")
        def _storage_fault(dbapi_connection, connection_record, connection_proxy):
            if type(dbapi_connection).__module__ != "sqlite3":
                return
            try:
                with open(FLAG) as f:
                    fault = f.read().strip()
            except FileNotFoundError:
                fault = ""
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=%d" % (fault == "readonly"))
            if fault == "full":
                pages = cursor.execute("PRAGMA page_count").fetchone()[0]
                cursor.execute("PRAGMA max_page_count=%d" % pages)
            else:
                cursor.execute("PRAGMA max_page_count=4294967294")
            cursor.close()
''')


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    hook_dir = tmp_path_factory.mktemp("storage-fault-hook")
    (hook_dir / "sitecustomize.py").write_text(HOOK)
    flag = hook_dir / "fault"
    path = os.pathsep.join(p for p in (str(hook_dir), os.environ.get("PYTHONPATH")) if p)
    # The full-disk case registers until a write needs a new page: no registration limit.
    server = LiveServer(env={"PYTHONPATH": path, "GJ_TEST_STORAGE_FAULT": str(flag),
                             "REGISTRATION_RATE_LIMIT": "1000 per minute"})
    server.fault_flag = flag
    try:
        server.start()
        server.flask("contest-import", str(SAMPLE))
        in_app(server, "from tests.factory import make_contest\nmake_contest()\n")
        server.tokens = {u: server.token(u) for u in ("k1", "k2")}
        server.database = Path(server.env["DATABASE_URL"].removeprefix("sqlite:///"))
        yield server
    finally:
        server.stop()


@pytest.fixture
def fault(live):
    def set_fault(name: str):
        if name == "full":
            fill_free_pages(live.database)
        live.fault_flag.write_text(name)
    yield set_fault
    live.fault_flag.unlink(missing_ok=True)


def fill_free_pages(database: Path) -> None:
    """Use up the file's free pages, so the next write that needs a page finds the disk full."""
    conn = sqlite3.connect(database, timeout=30, isolation_level=None)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS storage_fault_filler (b BLOB)")
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count={pages}")
        for _ in range(100_000):
            try:
                conn.execute("INSERT INTO storage_fault_filler VALUES (randomblob(3000))")
            except sqlite3.OperationalError as full:
                assert "full" in str(full)
                break
        assert conn.execute("PRAGMA freelist_count").fetchone()[0] == 0
    finally:
        conn.close()


def registration(n: int) -> dict:
    from .factory import form_data
    return form_data(n=n, name=f"李{n}号", email=f"li{n}@example.cn")


def register(live, n: int) -> tuple[requests.Response, dict]:
    with requests.Session() as http:
        page = http.get(live.url + REGISTER, headers=EN, timeout=30)
        assert page.status_code == 200, page.text[:500]
        data = {**registration(n), "csrf_token": csrf_from(page.text)}
        return http.post(live.url + REGISTER, data=data, headers=EN, timeout=30, allow_redirects=False), data


def post_mark(live, value: str = "7") -> requests.Response:
    body = {"contest": SLUG, "event": EVENT, "entry": "S01", "criterion": "P1", "value": value,
            "client_id": str(uuid.uuid4()), "reason": "storage fault check"}
    return requests.post(f"{live.url}/api/v1/marks", json=body, timeout=30,
                         headers={"Authorization": f"Bearer {live.tokens['k1']}"})


def until_unavailable(attempt, ok_statuses, tries: int = 80):
    """Disk full bites only a write that needs a new page: try until one does."""
    for i in range(tries):
        answer = attempt(i)
        response = answer[0] if isinstance(answer, tuple) else answer
        if response.status_code == 503:
            return answer
        assert response.status_code in ok_statuses, (response.status_code, response.text[:500])
    pytest.fail(f"no 503 in {tries} writes with the disk full")


def assert_form_kept(response: requests.Response, data: dict) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    assert response.headers["Retry-After"] == "5"
    assert response.headers["Content-Type"].startswith("text/html")
    html = response.text
    assert "Traceback" not in html and "OperationalError" not in html and "sqlite" not in html.lower()
    assert "Nothing was saved" in html and 'action="/c/reg-2026/register"' in html
    for name in ("name", "id_number", "mobile", "email", "delegation", "trade"):
        assert f'name="{name}" value="{data[name]}"' in html, name
    assert f'name="events" value="{data["events"][0]}"' in html
    assert f'type="hidden" name="csrf_token" value="{data["csrf_token"]}"' in html


def assert_api_unavailable(response: requests.Response) -> None:
    assert response.status_code == 503, (response.status_code, response.text[:500])
    # database_unavailable's 5, which the limiter's own header on the marks route no longer
    # overwrites (competition/extensions.py).
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["error"]["code"] == "unavailable"
    assert "Traceback" not in response.text and "sqlite" not in response.text.lower()


def test_read_only_database_answers_503_and_keeps_the_form(live, fault):
    fault("readonly")
    response, data = register(live, 101)
    assert_form_kept(response, data)
    assert_api_unavailable(post_mark(live))
    log = (live.tmp / "server.log").read_text()
    assert "attempt to write a readonly database" in log and "Database unavailable on POST" in log

    live.fault_flag.unlink()
    again, _ = register(live, 101)
    assert again.status_code == 302, again.text[:500]
    assert post_mark(live, "8").status_code in (200, 201)


def test_full_disk_answers_503_and_keeps_the_form(live, fault):
    fault("full")
    response, data = until_unavailable(lambda i: register(live, 200 + i), (302,))
    assert_form_kept(response, data)
    assert_api_unavailable(until_unavailable(lambda i: post_mark(live, str(i % 30)), (200, 201)))
    assert "database or disk is full" in (live.tmp / "server.log").read_text()

    live.fault_flag.unlink()
    again, _ = register(live, 300)
    assert again.status_code == 302, again.text[:500]
    assert post_mark(live, "9").status_code in (200, 201)


def test_an_accepted_mark_says_no_retry_after(live):
    response = post_mark(live, "7")
    assert response.status_code in (200, 201) and "Retry-After" not in response.headers
