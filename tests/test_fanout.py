"""The judge never waits for the audience (issue 19): a mark's POST answers once its
transaction has committed, and its patch leaves from the room's background sender. Here the
sender is held up on purpose (it blocks on an event), so nothing in these tests depends on how
fast anything is: the POSTs must have answered while it was held, and every patch of a board
must leave in seq order, each after the commit that made it."""
import threading
import uuid

import pytest
from sqlalchemy import create_engine, select

from competition import live
from competition.accounts.models import User
from competition.accounts.services import issue_token
from competition.boards.models import Board
from competition.contests.models import contest_by_slug, event_by_code
from competition.extensions import db, socketio
from competition.live.coalesce import Coalescer

SLUG, EVENT = "sample-2026", "iot"
JUDGES = ("k1", "k2", "k3", "k4", "k5")
UNMARKED = ("S03", "S04")  # their P1 marks are free in the sample (k1..k5 assigned)


@pytest.fixture
def tokens(sample):
    return {u: issue_token(db.session.scalar(select(User).where(User.username == u)), "test") for u in JUDGES}


class Audience:
    """The live feature with a real background sender whose emit is recorded, and held while
    `gate` is clear. At each patch's emit it reads, on a connection of its own, the seq the
    database has committed for the board."""

    def __init__(self, app, monkeypatch, *, held: bool):
        self.gate, self.entered = threading.Event(), threading.Event()
        if not held:
            self.gate.set()
        self.sent: list[tuple[str, dict, int]] = []
        self.changed = threading.Condition()
        self.engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with app.app_context():
            self.event_id = event_by_code(contest_by_slug(SLUG), EVENT).id
        coalescer = Coalescer(self.emit, lambda fn, *args: socketio.start_background_task(fn, *args),
                              lambda seconds: socketio.sleep(seconds))
        monkeypatch.setattr(live, "coalescer", coalescer)
        monkeypatch.setattr(live, "_listened", lambda to: to == live.room(SLUG, EVENT))
        monkeypatch.setattr(live, "coalesce_window", lambda: 0.0)

    def committed_seq(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(Board.seq).where(Board.event_id == self.event_id))

    def emit(self, event: str, payload: dict, room: str) -> None:
        self.entered.set()
        assert self.gate.wait(60), "the test never let the sender go"
        committed = self.committed_seq() if event == "patch" else -1
        with self.changed:
            self.sent.append((event, payload, committed))
            self.changed.notify_all()

    def patches(self) -> list[tuple[dict, int]]:
        return [(payload, committed) for event, payload, committed in self.sent if event == "patch"]

    def wait_for_seq(self, seq: int) -> None:
        with self.changed:
            assert self.changed.wait_for(lambda: any(p["seq"] >= seq for p, _c in self.patches()), 60), self.sent

    def close(self):
        self.gate.set()
        self.engine.dispose()


def post_mark(client, token: str, entry: str, value: str):
    return client.post("/api/v1/marks", headers={"Authorization": f"Bearer {token}"}, json={
        "contest": SLUG, "event": EVENT, "entry": entry, "criterion": "P1", "value": value,
        "client_id": str(uuid.uuid4())})


def test_the_judge_s_post_answers_while_the_fan_out_of_the_mark_before_is_still_running(
        app, client, tokens, monkeypatch):
    audience = Audience(app, monkeypatch, held=True)
    try:
        first = post_mark(client, tokens["k1"], "S03", "20")
        assert first.status_code == 201, first.get_data(as_text=True)
        # The sender has the first patch and is stuck sending it to the spectators …
        assert audience.entered.wait(60)
        assert audience.sent == []
        # … and the next mark is stored and answered all the same.
        second = post_mark(client, tokens["k2"], "S03", "21")
        assert second.status_code == 201, second.get_data(as_text=True)
        assert second.get_json()["seq"] == first.get_json()["seq"] + 1
        assert audience.sent == []
        audience.gate.set()
        audience.wait_for_seq(second.get_json()["seq"])
        assert [(p["base"], p["seq"]) for p, _c in audience.patches()] == [
            (first.get_json()["seq"] - 1, first.get_json()["seq"]), (first.get_json()["seq"], second.get_json()["seq"])]
    finally:
        audience.close()


def test_a_board_s_patches_leave_in_seq_order_and_each_after_its_commit(app, tokens, monkeypatch):
    audience = Audience(app, monkeypatch, held=False)
    start = audience.committed_seq()
    answers, errors = [], []

    def judge(username: str):
        try:
            with app.app_context(), app.test_client() as client:
                for value, entry in enumerate(UNMARKED):
                    response = post_mark(client, tokens[username], entry, str(10 + value))
                    assert response.status_code == 201, response.get_data(as_text=True)
                    answers.append(response.get_json()["seq"])
        except BaseException as error:  # noqa: BLE001 — reported by the test's thread
            errors.append(error)

    try:
        threads = [threading.Thread(target=judge, args=(u,)) for u in JUDGES]  # five tablets at once
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        assert not errors, errors
        final = audience.committed_seq()
        assert sorted(answers) == list(range(start + 1, final + 1))
        audience.wait_for_seq(final)
        patches = audience.patches()
        seqs = [p["seq"] for p, _c in patches]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), seqs  # in seq order, none twice
        assert all(p["seq"] <= committed for p, committed in patches), patches  # none before its commit
        assert seqs[-1] == final
    finally:
        audience.close()


def test_the_coalescer_puts_patches_handed_over_out_of_order_back_in_order():
    sent, tasks = [], []
    coalescer = Coalescer(lambda event, payload, room: sent.append(payload["seq"]),
                          lambda fn, *args: tasks.append((fn, args)), lambda seconds: None)

    def patch(base):
        return {"base": base, "seq": base + 1, "upsert": [], "remove": []}
    for base in (1, 0, 2):  # committed 0->1, 1->2, 2->3, but handed over 1->2 first
        coalescer.patch("r", patch(base), 0)
    assert sent == []  # the callers sent nothing themselves
    while tasks:
        fn, args = tasks.pop(0)
        fn(*args)
    assert sent == [1, 2, 3]
    coalescer.patch("r", patch(1), 0)  # handed over after a later seq left: never sent behind it
    coalescer.patch("r", patch(3), 0)
    while tasks:
        fn, args = tasks.pop(0)
        fn(*args)
    assert sent == [1, 2, 3, 4]
