"""The hall over /live against a real server process and real python-socketio clients: a big
screen asks what to show with `watch_screen` and follows the console's changes as `screen`
events; an announcement reaches a phone watching a board, the big screen and a judge's tablet
as `announcement` events, and its clearing too."""
import json
import re
import threading
from pathlib import Path

import pytest
import socketio

from .factory import PASSWORD
from .helpers import csrf_of, logged_in
from .server import LiveServer, in_app

pytestmark = pytest.mark.live
SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG = "sample-2026"

SETUP = f"""
import json
from competition.accounts.services import create_user
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug
from competition.extensions import db
import_contest(json.loads(open({str(SAMPLE)!r}, encoding="utf-8").read()), passwords={{"k2": {PASSWORD!r}}})
contest = contest_by_slug({SLUG!r})
create_user("org1", "组织者", {PASSWORD!r}, organisation=contest.organisation)
db.session.commit()
"""


@pytest.fixture(scope="module")
def server():
    live = LiveServer(env={"LIVE_COALESCE_MS": "0", "LOGIN_RATE_LIMIT": "1000 per minute"}).start()
    in_app(live, SETUP)
    yield live
    live.stop()


class Client:
    """A real /live client that keeps every event it is sent."""

    def __init__(self, server, http=None):
        self.client = socketio.Client(reconnection=False, http_session=http)
        self.events: list[tuple[str, dict]] = []
        self.changed = threading.Condition()
        for name in ("screen", "announcement", "patch"):
            self.client.on(name, self._keeper(name), namespace="/live")
        self.client.connect(server.url, namespaces=["/live"], transports=["websocket"])

    def _keeper(self, name):
        def keep(payload):
            with self.changed:
                self.events.append((name, payload))
                self.changed.notify_all()
        return keep

    def call(self, event: str, data: dict) -> dict:
        return self.client.call(event, data, namespace="/live", timeout=10)

    def next(self, name: str, predicate=lambda payload: True, timeout: float = 10) -> dict:
        with self.changed:
            found = []

            def seen():
                found[:] = [p for n, p in self.events if n == name and predicate(p)]
                return bool(found)
            assert self.changed.wait_for(seen, timeout), (name, self.events[-3:])
            return found[-1]

    def close(self):
        self.client.disconnect()


def post(http, server, path: str, data: dict):
    data = dict(data, csrf_token=csrf_of(http, f"{server.url}/o/c/{SLUG}/screens"))
    answer = http.post(f"{server.url}{path}", data=data, timeout=10, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return answer


def test_the_console_sets_a_screen_and_an_announcement_reaches_everyone(server):
    office = logged_in(server.url, "org1")
    post(office, server, f"/o/c/{SLUG}/screens", {"name": "大屏一"})
    big = Client(server)
    first = big.call("watch_screen", {"contest": SLUG, "screen": "大屏一"})
    assert (first["known"], first["mode"], first["show"], first["event"]) == (True, "follow", "board", "iot")
    phone = Client(server)
    assert phone.call("watch", {"contest": SLUG, "event": "iot"})["event"] == "iot"
    tablet = Client(server, logged_in(server.url, "k2"))
    assert tablet.call("watch_announcements", {"contest": SLUG}) == {"contest": SLUG, "announcement": None}

    # The console switches the screen to the standings, larger and with 8 rows a page.
    page = office.get(f"{server.url}/o/c/{SLUG}/screens", timeout=10).text
    screen_id = re.search(rf"/o/c/{SLUG}/screens/(\d+)\"", page).group(1)
    post(office, server, f"/o/c/{SLUG}/screens/{screen_id}", {
        f"s{screen_id}-mode": "standings", f"s{screen_id}-event": "", f"s{screen_id}-scale": "150",
        f"s{screen_id}-rows": "8"})
    shown = big.next("screen", lambda p: p["show"] == "standings")
    assert (shown["scale"], shown["rows"], shown["seq"]) == (1.5, 8, 1)
    status = office.get(f"{server.url}/o/c/{SLUG}/screens/status", timeout=10).json()
    assert status["screens"]["大屏一"]["connected"] == 1 and status["screens"]["大屏一"]["mode"] == "standings"

    # One announcement reaches the phone, the big screen and the judge's tablet.
    post(office, server, f"/o/c/{SLUG}/announcements", {"text": "第二场实操 14:00 开始，请选手到 B 区候场"})
    for client in (phone, big, tablet):
        made = client.next("announcement", lambda p: p["announcement"] is not None)
        assert made["contest"] == SLUG and made["announcement"]["text"] == "第二场实操 14:00 开始，请选手到 B 区候场"
        assert made["announcement"]["at"].endswith("+08:00")
    post(office, server, f"/o/c/{SLUG}/announcements/clear", {})
    for client in (phone, big, tablet):
        client.next("announcement", lambda p: p["announcement"] is None)

    # A screen nobody named follows the marking; a bad payload is told its shape.
    other = Client(server)
    assert other.call("watch_screen", {"contest": SLUG, "screen": "门口"})["known"] is False
    assert other.call("watch_screen", {"contest": SLUG})["error"]["code"] == "bad_request"
    assert other.call("watch_screen", {"contest": "nope", "screen": "x"})["error"]["code"] == "not_found"
    assert json.dumps(first, ensure_ascii=False)  # plain JSON, as the protocol sends
    for client in (big, phone, tablet, other):
        client.close()
