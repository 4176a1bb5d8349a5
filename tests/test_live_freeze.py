"""Freeze and reveal, the jury and public views, judging progress and privacy on /live.

In-process: the services keep both chains exact (the public's and the jury's) through marks,
reveal steps and the end of a freeze, on SQLite and PostgreSQL; the organiser's POST actions.
Against a real server process with real python-socketio clients: a frozen board sends nothing
to the public while the jury keeps getting patches that rebuild the jury's API snapshot; the
reveal reaches the public step by step and ends on the live board; `progress` is for organisers
and chief judges only; a contest that hides names sends bibs alone."""
import json
import random
import re
import threading
import uuid
from pathlib import Path

import pytest
import requests
import socketio
from sqlalchemy import select

from competition.accounts.models import Organisation
from competition.accounts.services import find_user
from competition import live
from competition.boards import services as boards
from competition.boards.results import board_rows, public_row
from competition.boards.models import Board
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug, event_by_code
from competition.entries.models import Entry
from competition.errors import ActionRefused
from competition.extensions import db
from competition.marking.services import submit_mark
from competition.scoring.ceremony import reveal_plan

from .factory import PASSWORD, make_user, sample_contest
from .helpers import apply_patch, isolated_client, logged_in, login
from .server import LiveServer, in_app

SAMPLE = Path(__file__).parent / "data" / "sample-contest.json"
SLUG, EVENT = "sample-2026", "iot"
HIDDEN = "hidden-2026"
ASSIGNED = {"T1": ["k1"], "P1": ["k1", "k2", "k3", "k4", "k5"], "P2": ["k1", "k2", "k3"]}


def random_value(rng: random.Random, criterion: str) -> str:
    return {"T1": lambda: str(rng.randint(0, 100)), "P1": lambda: str(rng.randint(0, 30)),
            "P2": lambda: str(rng.randint(0, 3))}[criterion]()


def random_mark(rng: random.Random, bibs=("S01", "S02", "S03", "S04")):
    criterion = rng.choice(list(ASSIGNED))
    return rng.choice(ASSIGNED[criterion]), rng.choice(bibs), criterion, random_value(rng, criterion)


def apply(board: dict, patch: dict) -> dict:
    assert patch["base"] == board["seq"], f"patch {patch['base']}->{patch['seq']} on seq {board['seq']}"
    return apply_patch(board, patch)


def by_entry(board: dict) -> dict:
    """The rows by bib, as the public sees them: a jury's row differs only by the provisional
    award it carries while the event is not signed off."""
    return {r["entry"]: public_row(r) for r in board["rows"]}


# --- in-process: the services -----------------------------------------------------------

class Recorder:
    """Every patch and board state the services publish, by audience: the live feature's own
    routing (its patch handler and its state handler) with the sending replaced by a list per
    room, so what is tested is what the live feature does."""

    def __init__(self, monkeypatch):
        self.public, self.jury = [], []
        monkeypatch.setattr(live.coalescer, "patch", self.send_patch)
        monkeypatch.setattr(live, "_listened", lambda to: True)
        monkeypatch.setattr(live.coalescer, "send", self.send)
        monkeypatch.setattr(live, "request_standings", lambda contest: None)
        monkeypatch.setattr(live, "request_progress", lambda contest: None)
        monkeypatch.setattr(live, "request_ranges", lambda contest, event: None)

    def _audience(self, to: str) -> list:
        return self.jury if to.startswith("jury:") else self.public

    def send_patch(self, to: str, payload: dict, window: float) -> None:
        self._audience(to).append(payload)

    def send(self, to: str, event: str, payload: dict) -> None:
        self._audience(to).append({"state": payload})

    def patches(self, audience: list) -> list:
        return [p for p in audience if "state" not in p]


@pytest.fixture
def recorder(monkeypatch):
    return Recorder(monkeypatch)


class Audience:
    """A client of one audience: its board follows the recorded patches, checked against the
    snapshot that audience gets at every step."""

    def __init__(self, event, patches: list, jury: bool):
        self.event, self.patches, self.jury = event, patches, jury
        self.board = self.snapshot()
        self.seen = len(patches)

    def snapshot(self):
        db.session.commit()  # a fresh read: what the services committed
        return boards.board_snapshot(event_by_code(contest_by_slug(SLUG), EVENT), jury=self.jury)

    def catch_up(self) -> dict:
        for patch in self.patches[self.seen:]:
            if "state" in patch:  # frozen, revealed, unfrozen: at the audience's seq
                assert patch["state"]["seq"] == self.board["seq"]
                self.board = dict(self.board, frozen=patch["state"]["frozen"])
            else:
                self.board = apply(self.board, patch)
        self.seen = len(self.patches)
        expected = self.snapshot()
        assert self.board["seq"] == expected["seq"]
        assert by_entry(self.board) == by_entry(expected)
        assert self.board["frozen"] == expected["frozen"]
        return expected


def post_mark(rng):
    judge, bib, criterion, value = random_mark(rng)
    submit_mark(find_user(judge), contest=SLUG, event=EVENT, entry=bib, criterion=criterion, value=value,
                client_id=str(uuid.uuid4()), reason="re-marked")


@pytest.mark.parametrize("seed", [3, 4])
def test_both_chains_stay_exact_through_freeze_reveal_and_unfreeze(any_db_app, recorder, seed):
    rng = random.Random(seed)
    import_contest(sample_contest())
    event = lambda: event_by_code(contest_by_slug(SLUG), EVENT)  # noqa: E731
    public, jury = Audience(event(), recorder.public, False), Audience(event(), recorder.jury, True)
    for _ in range(3):
        post_mark(rng)
    public.catch_up(), jury.catch_up()

    boards.freeze_board(event(), None)
    frozen = public.catch_up()
    assert frozen["frozen"] and frozen["view"] == "public"
    for _ in range(6):
        post_mark(rng)
        jury.catch_up()
    assert len(recorder.patches(recorder.public)) == len(recorder.patches(recorder.public[:public.seen]))
    assert public.catch_up()["rows"] == frozen["rows"]

    steps = 0
    while True:
        state = boards.reveal_step(event(), None)
        steps += 1
        shown = public.catch_up()
        jury.catch_up()
        reveal = recorder.patches(recorder.public)[-1]["reveal"]
        assert reveal["revealed"] == min(steps, reveal["of"])
        # The revealed bottom of the public board is the live board's bottom.
        live = [r for r in jury.board["rows"]]
        bottom = sorted(live, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["entry"]))[-steps:]
        assert all(by_entry(shown)[r["entry"]] == public_row(r) for r in bottom)
        if not state["frozen"]:
            break
        if steps == 1:
            post_mark(rng)  # a late mark between two steps reaches the jury at once
            jury.catch_up()
            assert len(recorder.public) == public.seen  # nothing for the public
    assert steps == len(jury.board["rows"])
    assert by_entry(public.board) == by_entry(jury.board) and public.board["seq"] == jury.board["seq"]
    assert not public.board["frozen"] and not jury.board["frozen"]
    post_mark(rng)  # live again: both audiences get it
    public.catch_up(), jury.catch_up()


def test_reveal_all_and_unfreeze_catch_the_public_up_in_one_patch(any_db_app, recorder):
    rng = random.Random(5)
    import_contest(sample_contest())
    event = lambda: event_by_code(contest_by_slug(SLUG), EVENT)  # noqa: E731
    public, jury = Audience(event(), recorder.public, False), Audience(event(), recorder.jury, True)
    boards.freeze_board(event(), None)
    with pytest.raises(ActionRefused):
        boards.freeze_board(event(), None)
    # The first step reveals S03 and S04 (no marks, no rank) with S02: public_seq is now
    # ahead of the live seq.
    assert boards.reveal_step(event(), None)["revealed"] == 3
    before = len(recorder.patches(recorder.public))
    boards.reveal_all(event(), None, end=True)
    assert len(recorder.patches(recorder.public)) == before + 1
    public.catch_up(), jury.catch_up()  # the jury got an empty patch up to the common seq
    assert by_entry(public.board) == by_entry(jury.board)
    with pytest.raises(ActionRefused):
        boards.unfreeze(event(), None)

    assert boards.freeze_contest(contest_by_slug(SLUG), None) == 1
    post_mark(rng)
    post_mark(rng)
    before = len(recorder.patches(recorder.public))
    assert boards.unfreeze_contest(contest_by_slug(SLUG), None) == 1
    assert len(recorder.patches(recorder.public)) == before + 1
    public.catch_up(), jury.catch_up()
    board = db.session.get(Board, event().id)
    assert (board.frozen_at, board.public_rows, board.revealed, board.public_seq) == (None, None, 0, board.seq)


def test_revealed_rows_keep_the_unrevealed_in_frozen_order_and_end_on_the_live_board():
    def row(bib, rank, total, award=None):
        return {"entry": bib, "rank": rank, "total": total, "award": award}
    shown = [row("A", 1, "90", "一等奖"), row("B", 2, "80", "二等奖"), row("C", 3, "70"), row("D", None, None)]
    live = [row("C", 1, "95", "一等奖"), row("A", 2, "90", "二等奖"), row("D", 3, "60"), row("B", 4, "50")]
    step1 = boards.revealed_rows(shown, live, 1)  # B: last on the live board
    assert step1 == [row("A", 1, "90"), row("C", 2, "70"), row("B", 4, "50"), row("D", None, None)]
    step3 = boards.revealed_rows(shown, live, 3)
    assert step3 == [row("C", 1, "70"), row("A", 2, "90", "二等奖"), row("D", 3, "60"), row("B", 4, "50")]
    assert boards.revealed_rows(shown, live, 4) == live


def test_a_lock_tells_the_organisers_progress(app, monkeypatch):
    from competition.judging.services import lock_entry
    import_contest(sample_contest())
    told = []
    monkeypatch.setattr(live, "request_progress", told.append)
    lock_entry(find_user("k1"), db.session.scalar(select(Entry).where(Entry.bib == "S01")))
    contest = contest_by_slug(SLUG)
    assert told == [SLUG]
    assert boards.progress(contest)["events"] == [
        {"event": EVENT, "name": "工业互联网运维员", "entries": 4, "marked": 10, "expected": 36, "locked": 1,
         "flags": 0}]


# --- in-process: the organiser's POST actions -------------------------------------------

@pytest.fixture
def organisers(app, sample):
    """The sample contest's organiser org1, and org2 of another organisation."""
    make_user("org1", organisation=sample.organisation)
    make_user("org2", organisation=Organisation(name="其他工会"))
    return app


def test_only_the_contests_organisers_may_freeze(organisers):
    anonymous = isolated_client(organisers)
    response = anonymous.post(f"/o/c/{SLUG}/events/{EVENT}/freeze")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    outsider = isolated_client(organisers)
    login(outsider, "org2")
    # Another organisation's contest answers as one that does not exist: its existence does not leak.
    assert outsider.post(f"/o/c/{SLUG}/events/{EVENT}/freeze").status_code == 404
    assert outsider.post(f"/o/c/{SLUG}/freeze").status_code == 404
    assert outsider.post(f"/o/c/nope/events/{EVENT}/freeze").status_code == 404
    assert db.session.get(Board, event_by_code(contest_by_slug(SLUG), EVENT).id).frozen_at is None


def test_the_organiser_freezes_reveals_and_unfreezes(organisers):
    organiser = isolated_client(organisers)
    login(organiser, "org1")
    with organiser.session_transaction() as session:
        session.pop("_flashes", None)  # the welcome
    back = f"/o/c/{SLUG}/live"
    response = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/freeze", data={"next": back})
    assert response.status_code == 302 and response.headers["Location"] == back
    with organiser.session_transaction() as session:
        assert [category for category, _ in session.pop("_flashes")] == ["success"]
    db.session.commit()
    assert db.session.get(Board, event_by_code(contest_by_slug(SLUG), EVENT).id).frozen_at is not None
    again = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/freeze", headers={"Accept": "application/json"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "frozen"
    step = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/reveal", headers={"Accept": "application/json"})
    assert step.status_code == 200 and step.get_json()["state"]["revealed"] == 3  # S03, S04 have no rank
    by_award = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/reveal", data={"mode": "award"},
                              headers={"Accept": "application/json"})
    assert by_award.status_code == 409 and by_award.get_json()["error"]["code"] == "reveal_awards_undecided"
    shown = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/reveal-all", headers={"Accept": "application/json"})
    assert shown.get_json()["state"]["frozen"] is True and shown.get_json()["state"]["revealed"] == 4
    done = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/reveal-all", data={"end": "yes"},
                          headers={"Accept": "application/json"})
    assert done.get_json()["state"]["frozen"] is False
    not_frozen = organiser.post(f"/o/c/{SLUG}/events/{EVENT}/unfreeze", data={"next": "//evil.example/"},
                                headers={"Referer": "http://localhost/c/sample-2026"})
    assert not_frozen.status_code == 302 and not_frozen.headers["Location"] == "/c/sample-2026"
    with organiser.session_transaction() as session:
        assert [category for category, _ in session.pop("_flashes")] == ["error"]
    assert organiser.post(f"/o/c/{SLUG}/freeze", headers={"Accept": "application/json"}).get_json() == {"frozen": 1}
    assert organiser.post(f"/o/c/{SLUG}/unfreeze", headers={"Accept": "application/json"}).get_json() == {
        "unfrozen": 1}


# --- against a real server ----------------------------------------------------------------

SETUP = f"""
import json
from sqlalchemy import select
from competition.accounts.models import Organisation
from competition.accounts.services import create_user, find_user, issue_token
from competition.contest_files.services import import_contest, load_file
from competition.extensions import db
import_contest(load_file({str(SAMPLE)!r}))
hidden = load_file({str(SAMPLE)!r})
hidden["contest"].update(slug={HIDDEN!r}, hide_names=True)
for row in hidden["entries"] + hidden["marks"]:
    key = "bib" if "bib" in row else "entry"
    row[key] = "H" + row[key][1:]
import_contest(hidden)
organisation = db.session.scalar(select(Organisation).where(Organisation.name == "示例区总工会"))
create_user("org1", "组织者", {PASSWORD!r}, organisation=organisation)
create_user("org2", "别家组织者", {PASSWORD!r}, organisation=Organisation(name="其他工会"))
find_user("k1").set_password({PASSWORD!r})
db.session.commit()
print(json.dumps({{u: issue_token(find_user(u), "test") for u in ("k1", "k2", "k3", "k4", "k5")}}))
"""


def frozen_then_signed_off():
    """The sample frozen with half its marks, then marked in full and signed off: the public
    keeps the frozen board; the jury has the final one, awards decided."""
    from .factory import chief, complete_marks
    from competition.judging import services as judging
    import_contest(sample_contest())
    contest_by_slug(SLUG).status = "judging"
    db.session.commit()
    event = lambda: event_by_code(contest_by_slug(SLUG), EVENT)  # noqa: E731
    boards.freeze_board(event(), None)
    complete_marks()
    judging.lock_event(chief(), event())
    return event


@pytest.mark.parametrize("mode", ["award", "award_group", "one"])
def test_a_reveal_shows_nothing_before_its_step(app, recorder, mode):
    """In the new reveal (by award, one by one or as groups) as in the old: before its step an
    entry keeps the frozen row, without an award; its step shows its final row; the steps go
    from the bottom up, ending with the winner, and the last one makes the board live."""
    event = frozen_then_signed_off()
    public = Audience(event(), recorder.public, False)
    frozen = by_entry(public.board)
    order = board_rows(event())  # the final public rows, in board order
    assert any(r["award"] for r in order) and all(r["award"] is None for r in frozen.values())
    plan = reveal_plan([(r["rank"], r["award"]) for r in order], mode)
    revealed = 0
    for done in plan:
        state = boards.reveal_step(event(), None, mode)
        shown = by_entry(public.catch_up())
        patch = recorder.patches(recorder.public)[-1]
        step = [r["entry"] for r in order[len(order) - done:len(order) - revealed]]
        assert patch["reveal"]["entries"] == step and patch["reveal"]["entry"] == step[0]
        for row in order[:len(order) - done]:  # not yet revealed: as frozen, no award
            assert {k: v for k, v in shown[row["entry"]].items() if k != "rank"} == \
                {k: v for k, v in frozen[row["entry"]].items() if k != "rank"}
        for row in order[len(order) - done:]:
            assert shown[row["entry"]] == row
        revealed = done
        assert state["frozen"] == (done < len(order))
    assert patch["reveal"]["entry"] == order[0]["entry"] and order[0]["rank"] == 1


def test_reveal_by_award_waits_for_the_awards_and_reveal_all_keeps_the_freeze(app, recorder):
    import_contest(sample_contest())
    event = lambda: event_by_code(contest_by_slug(SLUG), EVENT)  # noqa: E731
    public = Audience(event(), recorder.public, False)
    boards.freeze_board(event(), None)
    with pytest.raises(ActionRefused) as refused:
        boards.reveal_step(event(), None, "award")
    assert refused.value.code == "reveal_awards_undecided"
    state = boards.reveal_all(event(), None)
    assert state["frozen"] and by_entry(public.catch_up()) == by_entry(
        boards.board_snapshot(event(), jury=True))
    post_mark(random.Random(9))  # the jury's change after the reveal stays with the jury
    assert public.catch_up()["frozen"]
    assert not boards.reveal_step(event(), None)["frozen"]  # the next step ends the freeze
    public.catch_up()


@pytest.fixture(scope="module")
def server():
    live = LiveServer(env={"LIVE_COALESCE_MS": "0", "LOGIN_RATE_LIMIT": "1000 per minute"}).start()
    live.tokens = json.loads(in_app(live, SETUP).strip().splitlines()[-1])
    yield live
    live.stop()


def session_of(server, username) -> requests.Session:
    """A logged-in browser session (its cookie goes with the socket's handshake)."""
    return logged_in(server.url, username)


def csrf_of(server, http) -> str:
    page = http.get(server.url + f"/c/{SLUG}", timeout=10).text
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


class Watcher:
    """A real client of one audience: applies patches strictly in chain, keeps the state events."""

    def __init__(self, server, http=None, contest=SLUG):
        self.client = socketio.Client(reconnection=False, http_session=http)
        self.contest = contest
        self.patches, self.states = [], []
        self.changed = threading.Condition()
        self.client.on("patch", self._on_patch, namespace="/live")
        self.client.on("board_state", self._on_state, namespace="/live")
        self.client.connect(server.url, namespaces=["/live"], transports=["websocket"])
        self.board = self.client.call("watch", {"contest": contest, "event": EVENT}, namespace="/live", timeout=10)

    def _on_patch(self, patch):
        with self.changed:
            self.patches.append(patch)
            if patch["seq"] > self.board["seq"]:
                self.board = apply(self.board, patch)
            self.changed.notify_all()

    def _on_state(self, state):
        with self.changed:
            self.states.append(state)
            self.changed.notify_all()

    def wait(self, predicate, timeout=10):
        with self.changed:
            assert self.changed.wait_for(lambda: predicate(self), timeout), (self.board["seq"], self.states[-1:])

    def close(self):
        self.client.disconnect()


def api_board(server, http=None, contest=SLUG) -> dict:
    return (http or requests).get(f"{server.url}/api/v1/contests/{contest}/events/{EVENT}/board", timeout=10).json()


def post(server, judge, bib, criterion, value, contest=SLUG) -> dict:
    answer = requests.post(server.url + "/api/v1/marks", timeout=10, headers={
        "Authorization": f"Bearer {server.tokens[judge]}"}, json={
        "contest": contest, "event": EVENT, "entry": bib, "criterion": criterion, "value": value,
        "client_id": str(uuid.uuid4()), "reason": "re-marked"})
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def act(server, http, action) -> dict:
    answer = http.post(f"{server.url}/o/c/{SLUG}/{action}", timeout=10, allow_redirects=False,
                       headers={"X-CSRFToken": csrf_of(server, http), "Accept": "application/json"})
    assert answer.status_code == 200, answer.text[:300]
    return answer.json()


@pytest.mark.live
def test_a_frozen_board_sends_nothing_to_the_public_while_the_jury_keeps_updating(server):
    rng = random.Random(11)
    organiser, chief = session_of(server, "org1"), session_of(server, "k1")
    public, jury, chief_view = Watcher(server), Watcher(server, organiser), Watcher(server, chief)
    try:
        assert (public.board["view"], jury.board["view"], chief_view.board["view"]) == ("public", "jury", "jury")
        assert by_entry(public.board) == by_entry(jury.board) and public.board["seq"] == jury.board["seq"]

        state = act(server, organiser, f"events/{EVENT}/freeze")["state"]
        public.wait(lambda w: w.states and w.states[-1]["frozen"])
        assert public.states[-1]["seq"] == state["public_seq"]
        frozen = api_board(server)
        assert frozen["frozen"] and frozen["seq"] == public.board["seq"]
        seen = len(public.patches)
        for _ in range(8):
            judge, bib, criterion, value = random_mark(rng)
            seq = post(server, judge, bib, criterion, value)["seq"]
            jury.wait(lambda w: w.board["seq"] >= seq)
            chief_view.wait(lambda w: w.board["seq"] >= seq)
            expected = api_board(server, organiser)
            assert expected["view"] == "jury" and expected["frozen"] and expected["seq"] == jury.board["seq"]
            assert by_entry(jury.board) == by_entry(expected) == by_entry(chief_view.board)
            # The public API keeps the frozen rows, at the frozen seq.
            assert api_board(server) == frozen
        assert len(public.patches) == seen, "a frozen board sent the public a patch"
        assert by_entry(public.board) == by_entry(frozen)
        assert by_entry(jury.board) != by_entry(frozen)  # the marks did change the live board

        steps = []
        while True:
            state = act(server, organiser, f"events/{EVENT}/reveal")["state"]
            steps.append(state)
            public.wait(lambda w: w.states and (w.states[-1]["frozen"], w.states[-1]["revealed"]) == (
                state["frozen"], state["revealed"]))
            shown = api_board(server)
            assert public.board["seq"] == shown["seq"] and by_entry(public.board) == by_entry(shown)
            if not state["frozen"]:
                break
        reveals = [p["reveal"] for p in public.patches[seen:]]  # one patch per step, in order
        assert [p["base"] + 1 for p in public.patches[seen:-1]] == [p["seq"] for p in public.patches[seen:-1]]
        # The last step shows the live board: the same rows, ranks and awards, at the same seq.
        jury.wait(lambda w: w.board["seq"] == public.board["seq"])
        live = api_board(server, organiser)
        # One ranked entry per step from the bottom; entries without a rank go with the first.
        plan = reveal_plan([(r["rank"], r["award"]) for r in live["rows"]], "one")
        assert [r["revealed"] for r in reveals] == plan and len(steps) == len(plan)
        assert plan[-1] == len(jury.board["rows"])
        assert by_entry(public.board) == by_entry(live) == by_entry(jury.board)
        assert [(r["rank"], r["award"]) for r in api_board(server)["rows"]] == [
            (r["rank"], r["award"]) for r in live["rows"]]
        assert not api_board(server)["frozen"] and not public.board["frozen"]

        judge, bib, criterion, value = random_mark(rng)  # live again: both audiences
        seq = post(server, judge, bib, criterion, value)["seq"]
        public.wait(lambda w: w.board["seq"] >= seq)
        jury.wait(lambda w: w.board["seq"] >= seq)
        assert by_entry(public.board) == by_entry(api_board(server)) == by_entry(jury.board)
    finally:
        for watcher in (public, jury, chief_view):
            watcher.close()


@pytest.mark.live
def test_the_contest_freeze_holds_the_public_api_on_the_frozen_rows(server):
    organiser = session_of(server, "org1")
    before = api_board(server)
    assert act(server, organiser, "freeze") == {"frozen": 1}  # every board of the contest: it has one
    post(server, "k1", "S04", "T1", "12")
    during, live = api_board(server), api_board(server, organiser)
    assert during["frozen"] and during["seq"] == before["seq"] and by_entry(during) == by_entry(before)
    assert live["seq"] == before["seq"] + 1 and by_entry(live)["S04"]["total"] != by_entry(before)["S04"]["total"]
    outsider = session_of(server, "org2")  # another organisation's organiser: the public view
    assert api_board(server, outsider) == during
    assert act(server, organiser, "unfreeze") == {"unfrozen": 1}
    after = api_board(server)
    assert not after["frozen"] and by_entry(after) == by_entry(api_board(server, organiser))


@pytest.mark.live
def test_hidden_names_reach_the_public_as_bibs_alone(server):
    watcher = Watcher(server, contest=HIDDEN)
    try:
        assert watcher.board["rows"] and all(r["name"] is None and r["delegation"] is None
                                             for r in watcher.board["rows"])
        seq = post(server, "k2", "H03", "P2", "2", contest=HIDDEN)["seq"]
        watcher.wait(lambda w: w.board["seq"] >= seq)
        rows = [row for patch in watcher.patches for row in patch["upsert"]]
        assert rows and all(r["name"] is None and r["delegation"] is None for r in rows)
        text = json.dumps(watcher.patches + [watcher.board], ensure_ascii=False)
        assert "选手" not in text and "工会" not in text
    finally:
        watcher.close()


@pytest.mark.live
def test_progress_is_for_organisers_and_chief_judges(server):
    def feed(http=None):
        client = socketio.Client(reconnection=False, http_session=http)
        got = []
        client.on("progress", got.append, namespace="/live")
        client.connect(server.url, namespaces=["/live"], transports=["websocket"])
        return client, got, client.call("watch_progress", {"contest": SLUG}, namespace="/live", timeout=10)

    anonymous, _, refused = feed()
    outsider, _, refused_too = feed(session_of(server, "org2"))
    organiser, got, first = feed(session_of(server, "org1"))
    chief, _, chief_first = feed(session_of(server, "k1"))
    try:
        # Told nothing, not even that the contest exists (the same answer as for no contest).
        assert refused["error"]["code"] == "not_found" and refused_too["error"]["code"] == "not_found"
        nothing = anonymous.call("watch_progress", {"contest": "no-such-contest"}, namespace="/live", timeout=10)
        assert nothing == refused
        assert first == chief_first and first["contest"] == SLUG
        (event,) = first["events"]
        assert set(event) >= {"event", "marked", "expected", "locked", "flags"} and event["expected"] == 36
        post(server, "k1", "S02", "T1", "33")  # a single-judge criterion: the second value
        post(server, "k1", "S02", "T1", "34")  # at least moves the board
        pause = threading.Event()
        for _ in range(100):
            if got and got[-1]["seq"] > first["seq"]:
                break
            pause.wait(0.1)
        assert got and got[-1]["seq"] > first["seq"]
        assert got[-1]["events"][0]["marked"] == event["marked"]  # corrections: no new marks
    finally:
        for client in (anonymous, outsider, organiser, chief):
            client.disconnect()
