"""Judging, as judges and chief judges use it: the judge's home, the marking form built from the
marking scheme (every refusal told next to its field, everything typed kept), safe submission
(replays, two judges at once, one judge on two tablets), corrections, send-backs, locks, the
progress matrix, the consistency view, and rights checked on the server."""
import re
import threading
import uuid
from datetime import timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.audit.models import AuditEntry
from competition.contests.models import Contest, Criterion, Event
from competition.entries.models import Entry
from competition.judges.models import Assignment, Judge
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judging import services
from competition.marking.models import Mark, MarkRevision
from competition.marking.services import submit_mark
from competition.boards.models import Board
from competition.scoring.marks import decimal_text
from .factory import PASSWORD, import_sample, make_user, sample_contest
from .helpers import isolated_client

SLUG, EVENT = "sample-2026", "iot"
BOARD = f"/api/v1/contests/{SLUG}/events/{EVENT}/board"
JUDGES = ("k1", "k2", "k3", "k4", "k5", "k6", "k9")
FULL = {"T1": ["k1"], "P1": ["k1", "k2", "k3", "k4", "k5"], "P2": ["k1", "k2", "k3"]}  # who marks what
GOOD = {"c_T1": "88.5", "c_P1": "24", "c_P2": "2"}  # k1's whole form, valid

YES = {"confirmed": "yes"}  # the answer of the page that asks before a lock (forms.ask_first)


def url(*parts: str) -> str:
    return "/j/" + "/".join((SLUG, EVENT) + parts)


# --- reading pages ---------------------------------------------------------------------------------

class Page(HTMLParser):
    """What a rendered page offers: inputs (with the fieldset they sit in), error paragraphs
    (with the fieldset they sit in), buttons, textareas and the visible text."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.html = html
        self.inputs: list[dict] = []
        self.errors: dict[str, dict] = {}
        self.buttons: list[dict] = []
        self.textareas: dict[str, str] = {}
        self._fieldset: list[str | None] = []
        self._error: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "fieldset":
            self._fieldset.append(a.get("data-field"))
        elif tag == "input":
            a["_in"] = self._fieldset[-1] if self._fieldset else None
            self.inputs.append(a)
        elif tag == "button":
            self.buttons.append(a)
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.textareas[self._textarea] = ""
        elif tag == "p" and a.get("id", "").endswith("-error"):
            self._error = a["id"][:-len("-error")]
            self.errors[self._error] = {"text": "", "hidden": "hidden" in a,
                                        "in": self._fieldset[-1] if self._fieldset else None}

    def handle_endtag(self, tag):
        if tag == "fieldset" and self._fieldset:
            self._fieldset.pop()
        elif tag == "p":
            self._error = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._error:
            self.errors[self._error]["text"] += data
        if self._textarea:
            self.textareas[self._textarea] += data

    def named(self, name: str) -> list[dict]:
        return [i for i in self.inputs if i.get("name") == name]

    def value(self, name: str) -> str | None:
        """What the field shows: a text input's value, or the checked radio's."""
        fields = self.named(name)
        radios = [f for f in fields if f.get("type") == "radio"]
        if radios:
            checked = [r["value"] for r in radios if "checked" in r]
            return checked[0] if checked else None
        return fields[0].get("value", "") if fields else None

    def error(self, name: str) -> str:
        found = self.errors.get(name)
        return "" if found is None or found["hidden"] else " ".join(found["text"].split())

    @property
    def mark_fields(self) -> list[str]:
        return sorted({i["name"] for i in self.inputs if i.get("name", "").startswith("c_")})

    @property
    def asks_reason(self) -> bool:
        """Whether the correction's reason is offered (rendered and not hidden)."""
        return "reason" in self.textareas and not re.search(r"data-reason\s+hidden", self.html)

    @property
    def can_submit(self) -> bool:
        return any("data-submit" in b for b in self.buttons)


def page(response) -> Page:
    return Page(response.get_data(as_text=True))


# --- the contest and the people -----------------------------------------------------------------------

def user_row(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def judge_row(username: str) -> Judge:
    return db.session.scalar(select(Judge).join(User, User.id == Judge.user_id).where(User.username == username))


def entry_row(bib: str) -> Entry:
    return db.session.scalar(select(Entry).where(Entry.bib == bib))


def count(model, *where) -> int:
    db.session.commit()  # end the read transaction: see what the requests committed
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def mark_of(username: str, bib: str, code: str) -> Mark | None:
    db.session.commit()
    return db.session.scalar(
        select(Mark).join(Criterion, Criterion.id == Mark.criterion_id)
        .where(Mark.judge_id == judge_row(username).id, Mark.entry_id == entry_row(bib).id, Criterion.code == code))


def revisions_of(username: str, bib: str, code: str) -> list[tuple[int, Decimal, str]]:
    mark = mark_of(username, bib, code)
    if mark is None:
        return []
    return [(r.revision, r.value, r.reason) for r in db.session.scalars(
        select(MarkRevision).where(MarkRevision.mark_id == mark.id).order_by(MarkRevision.revision))]


def give(username: str, bib: str, code: str, value: str, reason: str = ""):
    """A mark through the one write path, as a tablet would give it."""
    db.session.commit()
    return submit_mark(user_row(username), contest=SLUG, event=EVENT, entry=bib, criterion=code, value=value,
                       client_id=str(uuid.uuid4()), reason=reason)


def complete(bib: str, skip: tuple = ()) -> None:
    """Every assigned mark of the entry, but for the (judge, criterion) pairs in `skip`."""
    values = {"T1": "80", "P1": "24", "P2": "2"}
    for code, judges in FULL.items():
        for username in judges:
            if (username, code) not in skip and mark_of(username, bib, code) is None:
                give(username, bib, code, values[code])


def board_row(client, bib: str) -> dict:
    board = client.get(BOARD).get_json()
    return next(r for r in board["rows"] if r["entry"] == bib)


def seq() -> int:
    db.session.commit()
    board = db.session.get(Board, db.session.scalar(select(Event.id).where(Event.code == EVENT)))
    return board.seq


def english(client: FlaskClient) -> FlaskClient:
    """Pages in English, so the tests read the msgids whatever the catalogues say."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def log_in(app, username: str) -> FlaskClient:
    client = english(isolated_client(app))
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def thread_client(app, username: str) -> FlaskClient:
    """A client for another thread: each of its requests gets its own app context there."""
    client = english(FlaskClient(app, app.response_class, use_cookies=True))
    assert client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    return client


def run_together(*jobs):
    """Run the callables at the same moment in threads; returns their results in order."""
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)
    errors: list = []

    def run(i, job):
        try:
            prepare = job()
            barrier.wait(timeout=30)
            results[i] = prepare()
        except BaseException as error:  # noqa: BLE001 — surfaced below
            errors.append(error)
            barrier.abort()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    if errors:
        raise errors[0]
    return results


@pytest.fixture
def k1(app, sample):
    return log_in(app, "k1")


@pytest.fixture
def k2(app, sample):
    return log_in(app, "k2")


@pytest.fixture
def k4(app, sample):
    """k4 marks one criterion, P1, of every entry."""
    return log_in(app, "k4")


def form_for(client, bib: str = "S03") -> Page:
    response = client.get(url(bib))
    assert response.status_code == 200, response.get_data(as_text=True)
    return page(response)


def post_form(client, bib: str = "S03", client_id: str | None = None, **fields):
    data = {"client_id": client_id or str(uuid.uuid4()), **fields}
    return client.post(url(bib), data=data)


# --- the judge's home ----------------------------------------------------------------------------------

def test_the_judge_home_lists_contests_events_and_what_is_left(k2):
    home = k2.get("/j/")
    assert home.status_code == 200
    text = home.get_data(as_text=True)
    assert "示例职工数字技能竞赛" in text and "工业互联网运维员" in text
    assert f'href="/j/{SLUG}/{EVENT}"' in text
    assert 'data-to-mark="6"' in text  # k2 marks P1 and P2 of S01..S04, and S01 is done
    assert k2.get(f"/j/{SLUG}").status_code == 200
    event = k2.get(url()).get_data(as_text=True)
    # What is left first, in running order; S01, whose marks k2 gave, comes under "Done".
    assert [m for m in re.findall(r'id="entry-(S0\d)"', event)] == ["S02", "S03", "S04", "S01"]
    assert 'data-left="3"' in event
    assert "选手3" in event  # not blind: bib and name


def test_entries_come_in_running_order(app, sample, k2):
    for bib, order in (("S04", 1), ("S02", 2)):
        entry_row(bib).running_order = order
    db.session.commit()
    event = k2.get(url()).get_data(as_text=True)
    assert re.findall(r'id="entry-(S0\d)"', event) == ["S04", "S02", "S03", "S01"]  # S01 is done


def test_a_bib_typed_whole_goes_straight_to_it_and_a_part_lists_the_matches(k2):
    response = k2.get(url(), query_string={"q": " ｓ03 "})  # full-width, lower case, spaces
    assert response.status_code == 302 and response.headers["Location"].endswith(url("S03"))
    listed = k2.get(url(), query_string={"q": "S0"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "4 entries match “S0”" in listed and re.findall(r'id="entry-(S0\d)"', listed) == ["S01", "S02", "S03", "S04"]
    nothing = k2.get(url(), query_string={"q": "Z9"}, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "0 entries match" in nothing


def test_save_and_next_goes_to_the_next_entry_still_to_mark(k2):
    html = k2.get(url("S02"), headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'name="then" value="next"' in html and "Save and next: S03" in html
    response = post_form(k2, "S02", c_P1="20", c_P2="2", then="next")
    assert response.status_code == 302 and response.headers["Location"].endswith(url("S03"))
    # The last one left: after it, back round to what is still open (S04), then to the list.
    response = post_form(k2, "S04", c_P1="21", c_P2="1", then="next")
    assert response.headers["Location"].endswith(url("S03"))
    response = post_form(k2, "S03", c_P1="22", c_P2="3", then="next")
    assert f"/j/{SLUG}/{EVENT}?saved=S03" in response.headers["Location"]  # nothing left: the list


def test_the_nav_offers_judging_to_judges_only(app, sample, k2):
    assert 'href="/j/"' in k2.get("/").get_data(as_text=True)
    make_user("visitor")
    visitor = log_in(app, "visitor")
    assert 'href="/j/"' not in visitor.get("/").get_data(as_text=True)
    assert visitor.get("/j/").status_code == 200  # an empty home, not an error
    assert visitor.get(f"/j/{SLUG}").status_code == 404
    assert visitor.get(url("S03")).status_code == 404


def test_judging_needs_a_login(app, sample):
    client = isolated_client(app)
    response = client.get(url("S03"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.post(url("S03"), data=GOOD).status_code == 302
    assert count(MarkRevision) == 10


# --- nothing of an entry the judge is not assigned to --------------------------------------------------

def test_a_judge_sees_nothing_of_an_entry_not_assigned(app, sample):
    # k6 sits on the panel but marks nothing (the first five take P1); k9 sits on no panel.
    k6 = log_in(app, "k6")
    event = k6.get(url())
    assert event.status_code == 200
    text = event.get_data(as_text=True)
    assert not re.search(r"S0\d", text) and "选手" not in text
    for bib in ("S01", "S02", "S03", "S04", "S99"):
        assert k6.get(url(bib)).status_code == 404
        assert post_form(k6, bib, c_P1="20").status_code == 404
    k9 = log_in(app, "k9")
    assert k9.get(url()).status_code == 404
    assert k9.get(url("S03")).status_code == 404
    assert count(MarkRevision) == 10


def test_the_form_holds_only_the_assigned_criteria_and_ignores_others_posted(k2, k4):
    assert form_for(k2, "S03").mark_fields == ["c_P1", "c_P2"]
    assert form_for(k4, "S03").mark_fields == ["c_P1"]
    response = post_form(k4, "S03", c_P1="20", c_T1="99", c_P2="3")
    assert response.status_code == 302
    assert mark_of("k4", "S03", "P1").value == Decimal(20)
    assert mark_of("k4", "S03", "T1") is None and mark_of("k4", "S03", "P2") is None


def test_a_conflict_of_interest_is_refused_even_with_an_assignment(app, sample):
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == "P1"))
    db.session.add(Assignment(entry_id=entry_row("S04").id, criterion_id=criterion.id,
                              judge_id=judge_row("k6").id))
    db.session.commit()
    k6 = log_in(app, "k6")
    assert "S04" not in k6.get(url()).get_data(as_text=True)
    assert k6.get(url("S04")).status_code == 403
    assert post_form(k6, "S04", c_P1="20").status_code == 403
    assert count(MarkRevision) == 10
    from competition import policy
    assert not policy.can_mark(user_row("k6"), entry_row("S04"), criterion)
    assert policy.can_mark(user_row("k2"), entry_row("S04"), criterion)


# --- the form, built from the marking scheme ----------------------------------------------------------

def test_the_form_has_a_field_per_criterion_buttons_for_judgement_and_numbers_for_the_rest(k1):
    form = form_for(k1, "S03")
    assert form.mark_fields == ["c_P1", "c_P2", "c_T1"]
    t1, = form.named("c_T1")
    assert t1["type"] == "text" and t1["inputmode"] == "decimal" and t1["data-max"] == "100"
    assert t1["data-step"] == "0.01"
    p1, = form.named("c_P1")  # kind judgement but trimmed: each judge gives 0-30
    assert p1["type"] == "text" and p1["data-max"] == "30"
    radios = form.named("c_P2")
    assert [r["type"] for r in radios] == ["radio"] * 4 and [r["value"] for r in radios] == ["0", "1", "2", "3"]
    client_id, = form.named("client_id")
    assert uuid.UUID(client_id["value"])
    assert form.can_submit and not form.asks_reason  # nothing to correct yet


def test_descriptors_label_the_judgement_buttons(app):
    data = sample_contest()
    data["events"][0]["sections"][1]["criteria"][1]["descriptors"] = ["0 不合格", "1 合格", "2 良好", "3 优秀"]
    import_sample(data)
    text = log_in(app, "k1").get(url("S03")).get_data(as_text=True)
    for descriptor in ("不合格", "合格", "良好", "优秀"):
        assert f'<span class="descriptor">{descriptor}</span>' in text


@pytest.mark.parametrize("name, typed, message", [
    ("c_T1", "", "Enter a mark."),
    ("c_T1", "   ", "Enter a mark."),
    ("c_T1", "nan", "Enter a plain number"),
    ("c_T1", "inf", "Enter a plain number"),
    ("c_T1", "Infinity", "Enter a plain number"),
    ("c_T1", "1e3", "Enter a plain number"),
    ("c_T1", "7,5", "Enter a plain number"),
    ("c_T1", "-1", "A mark cannot be negative."),
    ("c_T1", "101", "The mark must be at most 100."),
    ("c_T1", "100.01", "The mark must be at most 100."),
    ("c_T1", "10.001", "Use at most 2 decimals."),
    ("c_P1", "30.5", "The mark must be at most 30."),
    ("c_P2", "2.5", "Choose a whole mark from 0 to 3."),
    ("c_P2", "4", "The mark must be at most 3."),
    ("c_P2", "", "Choose a mark."),
])
def test_every_refusal_is_told_next_to_its_field_and_keeps_what_was_typed(k1, name, typed, message):
    revisions, board_seq = count(MarkRevision), seq()
    fields = dict(GOOD, **{name: typed})
    response = post_form(k1, "S03", **fields)
    assert response.status_code == 422
    form = page(response)
    assert message in form.error(name)
    assert form.errors[name]["in"] == name  # inside the criterion's own fieldset
    assert [n for n in form.mark_fields if form.error(n)] == [name]  # the others are fine
    for other, value in GOOD.items():
        if other != name:
            assert form.value(other) == value  # everything else the judge typed is kept
    if name != "c_P2":
        assert form.value(name) == typed  # the wrong value too, to be corrected
    if form.named(name)[0].get("type") == "text":
        assert form.named(name)[0]["aria-invalid"] == "true"
    assert count(MarkRevision) == revisions and seq() == board_seq


def test_all_refusals_at_once(k1):
    client_id = str(uuid.uuid4())
    response = post_form(k1, "S03", client_id=client_id, c_T1="abc", c_P1="31", c_P2="")
    assert response.status_code == 422
    form = page(response)
    assert "Enter a plain number" in form.error("c_T1")
    assert "at most 30" in form.error("c_P1")
    assert "Choose a mark." in form.error("c_P2")
    assert (form.value("c_T1"), form.value("c_P1")) == ("abc", "31")
    assert form.value("client_id") == client_id  # the same form: sent again, it replays
    assert count(MarkRevision) == 10


def test_full_width_digits_are_accepted(k1):
    response = post_form(k1, "S03", c_T1="８．５", c_P1="２４", c_P2="２")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/j/{SLUG}/{EVENT}?saved=S03#entry-S03")
    assert mark_of("k1", "S03", "T1").value == Decimal("8.5")
    assert mark_of("k1", "S03", "P1").value == Decimal(24)
    assert mark_of("k1", "S03", "P2").value == Decimal(2)
    revision = db.session.scalar(select(MarkRevision).where(MarkRevision.mark_id == mark_of("k1", "S03", "T1").id))
    assert revision.source == "form"


def test_a_saved_form_shows_its_progress_on_the_judge_home(k1):
    assert post_form(k1, "S03", **GOOD).status_code == 302
    event = k1.get(url(), query_string={"saved": "S03"}).get_data(as_text=True)
    item = re.search(r'id="entry-S03".*?</li>', event, re.S).group(0)
    assert "3/3" in item and "state-done" in item
    assert "Marks saved for S03" in item  # told on the entry the page scrolls to


# --- safe submission --------------------------------------------------------------------------------------

def test_the_same_form_sent_twice_stores_once(k1):
    client_id = form_for(k1, "S03").value("client_id")
    assert post_form(k1, "S03", client_id=client_id, **GOOD).status_code == 302
    revisions, board_seq, audits = count(MarkRevision), seq(), count(AuditEntry)
    again = post_form(k1, "S03", client_id=client_id, **GOOD)
    assert again.status_code == 302  # the judge sees the same success
    assert (count(MarkRevision), seq(), count(AuditEntry)) == (revisions, board_seq, audits)
    ids = set(db.session.scalars(select(MarkRevision.client_id).where(MarkRevision.client_id.like(client_id + "%"))))
    assert ids == {f"{client_id}:T1", f"{client_id}:P1", f"{client_id}:P2"}


def test_a_replayed_submission_after_a_lost_answer_is_answered_not_stored(app, k1):
    # The first POST reached the server but its answer was lost: the same criterion ids come
    # again (the JS retry) and the API answers 200 with the first body.
    client_id = str(uuid.uuid4())
    assert post_form(k1, "S03", client_id=client_id, **GOOD).status_code == 302
    first = db.session.scalar(select(MarkRevision).where(MarkRevision.client_id == f"{client_id}:T1"))
    token = k1.get("/j/").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', token)
    headers = {"X-CSRFToken": csrf.group(1)} if csrf else {}
    body = {"contest": SLUG, "event": EVENT, "entry": "S03", "criterion": "T1", "value": "88.5",
            "client_id": f"{client_id}:T1"}
    replay = k1.post("/api/v1/marks", json=body, headers=headers)
    assert replay.status_code == 200, replay.get_data(as_text=True)
    assert replay.get_json()["mark"]["revision"] == 1 and replay.get_json()["seq"] == first.board_seq
    assert count(MarkRevision) == 13


def test_a_double_tap_stores_once(app, sample):
    tablets = [thread_client(app, "k1") for _ in range(1)] * 2  # one tablet, two taps
    client_id = str(uuid.uuid4())
    data = dict(GOOD, client_id=client_id)
    statuses = run_together(*[lambda c=c: (lambda: c.post(url("S03"), data=data).status_code) for c in tablets])
    assert statuses == [302, 302]
    assert count(MarkRevision) == 13
    assert [len(revisions_of("k1", "S03", code)) for code in ("T1", "P1", "P2")] == [1, 1, 1]


def test_two_judges_marking_the_same_entry_at_once_are_both_stored(any_db_app):
    app = any_db_app
    import_sample()
    before = seq()
    jobs = []
    for username, value in (("k4", "20"), ("k5", "21.5")):
        def job(username=username, value=value):
            client = thread_client(app, username)
            return lambda: client.post(url("S03"), data={"client_id": str(uuid.uuid4()), "c_P1": value}).status_code
        jobs.append(job)
    assert run_together(*jobs) == [302, 302]
    assert mark_of("k4", "S03", "P1").value == Decimal(20)
    assert mark_of("k5", "S03", "P1").value == Decimal("21.5")
    assert count(MarkRevision) == 12
    assert seq() == before + 2
    client = isolated_client(app)
    assert board_row(client, "S03")["progress"] == [2, 9]


@pytest.mark.parametrize("values", [("20", "20"), ("20", "22")])
def test_the_same_judge_on_two_tablets_never_stores_twice(any_db_app, values):
    app = any_db_app
    import_sample()
    jobs = []
    for value in values:
        def job(value=value):
            client = thread_client(app, "k4")
            client_id = Page(client.get(url("S03")).get_data(as_text=True)).value("client_id")
            return lambda: client.post(url("S03"), data={"client_id": client_id, "c_P1": value})
        jobs.append(job)
    responses = run_together(*jobs)
    assert count(Mark, Mark.judge_id == judge_row("k4").id, Mark.entry_id == entry_row("S03").id) == 1
    assert len(revisions_of("k4", "S03", "P1")) == 1
    statuses = sorted(r.status_code for r in responses)
    if values[0] == values[1]:
        assert statuses == [302, 302]  # the second tablet finds its own value there: done
    else:
        assert statuses == [302, 409]  # the second is told, next to the field, and stores nothing
        refused = next(r for r in responses if r.status_code == 409)
        stored = mark_of("k4", "S03", "P1").value
        assert "entered on another device" in Page(refused.get_data(as_text=True)).error("c_P1")
        assert f"({decimal_text(stored)})" in refused.get_data(as_text=True)


def test_the_same_client_id_from_two_tablets_at_once_is_one_mark(any_db_app):
    app = any_db_app
    import_sample()
    client_id = str(uuid.uuid4())
    jobs = []
    for _ in range(2):
        def job():
            client = thread_client(app, "k4")
            return lambda: client.post(url("S03"), data={"client_id": client_id, "c_P1": "20"}).status_code
        jobs.append(job)
    assert run_together(*jobs) == [302, 302]
    assert revisions_of("k4", "S03", "P1") == [(1, Decimal(20), "")]


# --- corrections --------------------------------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_keeps_the_old_revision(k1):
    assert post_form(k1, "S03", **GOOD).status_code == 302
    form = form_for(k1, "S03")
    assert form.value("c_T1") == "88.5" and form.value("c_P2") == "2"  # what is stored
    assert form.asks_reason
    refused = post_form(k1, "S03", **dict(GOOD, c_T1="90"))
    assert refused.status_code == 422
    refused_form = page(refused)
    assert "needs a reason" in refused_form.error("reason")
    assert refused_form.value("c_T1") == "90"
    assert count(MarkRevision) == 13
    done = post_form(k1, "S03", reason="第3题漏判", **dict(GOOD, c_T1="90"))
    assert done.status_code == 302
    assert revisions_of("k1", "S03", "T1") == [(1, Decimal("88.5"), ""), (2, Decimal(90), "第3题漏判")]
    # Unchanged criteria were not written again.
    assert len(revisions_of("k1", "S03", "P1")) == 1 and len(revisions_of("k1", "S03", "P2")) == 1
    history = k1.get(url("S03")).get_data(as_text=True)
    assert "Revision 1: 88.5" in history and "Revision 2: 90" in history and "第3题漏判" in history
    chief = k1.get(url("chief", "S03")).get_data(as_text=True)
    assert "Revision 1: 88.5" in chief and "Revision 2: 90" in chief and "第3题漏判" in chief
    # When, in the contest's time zone (Beijing), never UTC.
    stored = db.session.scalar(select(MarkRevision.created_at).order_by(MarkRevision.id.desc()))
    assert (stored + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M") in history
    assert (stored + timedelta(hours=8)).strftime("%m-%d %H:%M") in chief


def test_a_correction_after_lock_is_refused_and_the_form_is_read_only(app, k1):
    complete("S03")
    assert k1.post(url("chief", "S03", "lock"), data=YES).status_code == 302
    revisions = count(MarkRevision)
    response = post_form(k1, "S03", reason="复核", **dict(GOOD, c_T1="91"))
    assert response.status_code == 409
    form = page(response)
    assert "locked" in response.get_data(as_text=True)
    assert not form.can_submit
    assert all("disabled" in i for i in form.inputs if i.get("name", "").startswith("c_"))
    assert form.value("c_T1") == "80"  # the stored value, not the refused one
    assert count(MarkRevision) == revisions
    shown = form_for(k1, "S03")
    assert not shown.can_submit and all("disabled" in i for i in shown.inputs if i["name"].startswith("c_"))
    # Through the API as well: 409.
    response = give_api(k1, "S03", "T1", "91", reason="复核")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "locked"


def give_api(client, bib, code, value, client_id=None, reason=None):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/j/").get_data(as_text=True))
    body = {"contest": SLUG, "event": EVENT, "entry": bib, "criterion": code, "value": value,
            "client_id": client_id or str(uuid.uuid4())}
    if reason is not None:
        body["reason"] = reason
    return client.post("/api/v1/marks", json=body, headers={"X-CSRFToken": token.group(1) if token else ""})


def test_marking_outside_judging_is_read_only(app, sample, k1):
    db.session.get(Contest, sample.id).status = "finished"
    db.session.commit()
    shown = form_for(k1, "S03")
    assert not shown.can_submit
    assert post_form(k1, "S03", **GOOD).status_code == 409
    assert count(MarkRevision) == 10


# --- the chief judge: send back, lock, unlock --------------------------------------------------------------

def test_a_mark_sent_back_is_re_marked_without_a_reason(app, k1, k4):
    give("k4", "S03", "P1", "12")
    mark = mark_of("k4", "S03", "P1")
    no_note = k1.post(url("chief", "marks", str(mark.id), "return"), data={"note": "  "})
    assert no_note.status_code == 422
    assert mark_of("k4", "S03", "P1").status == "submitted"
    sent = k1.post(url("chief", "marks", str(mark.id), "return"), data={"note": "请复核第2项，扣分过多"})
    assert sent.status_code == 302
    mark = mark_of("k4", "S03", "P1")
    assert (mark.status, mark.return_note, mark.returned_by_id) == ("returned", "请复核第2项，扣分过多", user_row("k1").id)
    home = k4.get("/j/").get_data(as_text=True)
    assert "请复核第2项，扣分过多" in home and "S03" in home
    assert "请复核第2项，扣分过多" in k4.get(url()).get_data(as_text=True)
    form = form_for(k4, "S03")
    assert "请复核第2项，扣分过多" in form.html and not form.asks_reason
    assert post_form(k4, "S03", c_P1="18").status_code == 302  # no reason needed
    assert revisions_of("k4", "S03", "P1") == [(1, Decimal(12), ""), (2, Decimal(18), "")]
    assert mark_of("k4", "S03", "P1").status == "submitted"
    assert "请复核第2项，扣分过多" not in k4.get("/j/").get_data(as_text=True)
    chief = k1.get(url("chief", "S03")).get_data(as_text=True)
    assert "Sent back at" in chief and "请复核第2项，扣分过多" in chief
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "mark.return"))
    assert audit.user_id == user_row("k1").id and audit.data["note"] == "请复核第2项，扣分过多"


def test_a_returned_mark_is_re_marked_through_the_api_without_a_reason(app, k1, k4):
    give("k4", "S03", "P1", "12")
    services.return_mark(user_row("k1"), mark_of("k4", "S03", "P1"), "再看一下")
    response = give_api(k4, "S03", "P1", "15")
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["mark"]["revision"] == 2


def test_even_the_same_value_clears_a_send_back(k1, k4):
    give("k4", "S03", "P1", "12")
    services.return_mark(user_row("k1"), mark_of("k4", "S03", "P1"), "确认一下")
    assert post_form(k4, "S03", c_P1="12").status_code == 302
    assert mark_of("k4", "S03", "P1").status == "submitted"
    assert [r[0] for r in revisions_of("k4", "S03", "P1")] == [1, 2]


def test_lock_is_refused_while_marks_are_missing_or_sent_back(app, k1):
    complete("S03", skip=(("k4", "P1"),))
    response = k1.post(url("chief", "S03", "lock"), data=YES)
    assert response.status_code == 409
    assert "misses 1 mark" in response.get_data(as_text=True)
    assert entry_row("S03").locked_at is None
    give("k4", "S03", "P1", "20")
    services.return_mark(user_row("k1"), mark_of("k4", "S03", "P1"), "太高")
    response = k1.post(url("chief", "S03", "lock"), data=YES)
    assert response.status_code == 409 and "sent back" in response.get_data(as_text=True)
    assert k1.post(url("chief", "lock"), data=YES).status_code == 409  # the event: S02-S04 are not complete
    db.session.commit()
    assert entry_row("S03").locked_at is None and db.session.scalar(select(Event.locked_at)) is None


def test_a_lock_is_asked_first_and_changes_nothing_until_confirmed(app, k1):
    complete("S03")
    for target, what in ((url("chief", "S03", "lock"), "Its marks are signed off"),
                         (url("chief", "lock"), "Every entry of the event is locked")):
        asked = k1.post(target, headers={"Accept-Language": "en"})
        html = asked.get_data(as_text=True)
        assert asked.status_code == 200 and what in html and 'name="confirmed" value="yes"' in html
        assert 'data-cancel' in html
    db.session.commit()
    assert entry_row("S03").locked_at is None and db.session.scalar(select(Event.locked_at)) is None
    assert k1.post(url("chief", "S03", "lock"), data=YES).status_code == 302
    db.session.commit()
    assert entry_row("S03").locked_at is not None


def test_locking_a_complete_entry_makes_its_result_final(app, k1):
    complete("S03")
    client = isolated_client(app)
    assert board_row(client, "S03")["status"] == "provisional"
    before = seq()
    response = k1.post(url("chief", "S03", "lock"), data={"from": "matrix", "confirmed": "yes"})
    assert response.status_code == 302
    entry = entry_row("S03")
    db.session.refresh(entry)
    assert entry.locked_at is not None and entry.locked_by_id == user_row("k1").id
    assert board_row(client, "S03")["status"] == "final" and seq() == before + 1
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "entry.lock")).target == "iot/S03"
    # Locking again changes nothing.
    assert k1.post(url("chief", "S03", "lock"), data=YES).status_code == 302
    assert count(AuditEntry, AuditEntry.action == "entry.lock") == 1 and seq() == before + 1
    matrix = k1.get(url("chief")).get_data(as_text=True)
    row = re.search(r'<tr id="entry-S03".*?</tr>', matrix, re.S).group(0)
    assert "chip-locked" in row and "chip-missing" not in row


def test_unlocking_needs_a_reason(app, k1):
    complete("S03")
    services.lock_entry(user_row("k1"), entry_row("S03"))
    response = k1.post(url("chief", "S03", "unlock"), data={"reason": ""})
    assert response.status_code == 422
    assert entry_row("S03").locked_at is not None
    response = k1.post(url("chief", "S03", "unlock"), data={"reason": "申诉复核"})
    assert response.status_code == 302
    db.session.commit()
    assert entry_row("S03").locked_at is None
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "entry.unlock"))
    assert audit.data["reason"] == "申诉复核"
    assert board_row(isolated_client(app), "S03")["status"] == "provisional"
    # Now the judge may correct again, with a reason.
    assert post_form(k1, "S03", reason="申诉复核", c_T1="81", c_P1="24", c_P2="2").status_code == 302
    assert [r[1] for r in revisions_of("k1", "S03", "T1")] == [Decimal(80), Decimal(81)]


def test_the_whole_event_is_signed_off_once_complete(app, k1):
    for bib in ("S02", "S03", "S04"):
        complete(bib)
    client = isolated_client(app)
    response = k1.post(url("chief", "lock"), data=YES)
    assert response.status_code == 302
    db.session.commit()
    assert all(e.locked_at is not None for e in db.session.scalars(select(Entry)))
    assert db.session.scalar(select(Event.locked_at)) is not None
    assert {r["status"] for r in client.get(BOARD).get_json()["rows"]} == {"final"}
    assert k1.post(url("chief", "unlock"), data={"reason": ""}).status_code == 422
    assert k1.post(url("chief", "unlock"), data={"reason": "成绩复核"}).status_code == 302
    db.session.commit()
    assert all(e.locked_at is None for e in db.session.scalars(select(Entry)))
    assert db.session.scalar(select(Event.locked_at)) is None


def test_a_locked_entry_cannot_be_sent_back(app, k1):
    complete("S03")
    services.lock_entry(user_row("k1"), entry_row("S03"))
    mark = mark_of("k2", "S03", "P1")
    response = k1.post(url("chief", "marks", str(mark.id), "return"), data={"note": "再看"})
    assert response.status_code == 409
    assert mark_of("k2", "S03", "P1").status == "submitted"


# --- the chief judge's rights --------------------------------------------------------------------------------

def two_event_contest() -> dict:
    """The sample, with a second event `sec` whose chief (c2) is not on the iot panel."""
    data = sample_contest()
    second = dict(data["events"][0], code="sec", name="网络安全管理员")
    data["events"].append(second)
    data["judges"].append({"username": "c2", "name": "另一位裁判长", "delegation": "裁判委员会",
                           "events": ["sec"], "chief": True})
    data["entries"].append({"event": "sec", "bib": "X01", "name": "选手X", "delegation": "京东方工会"})
    return data


def test_a_chief_judge_acts_only_in_their_events(app):
    import_sample(two_event_contest())
    complete("S03")
    mark = mark_of("k2", "S03", "P1")
    c2, k2 = log_in(app, "c2"), log_in(app, "k2")
    for client in (c2, k2):
        assert client.get(url("chief")).status_code == 403
        assert client.get(url("chief", "S03")).status_code == 403
        assert client.get(url("chief", "consistency")).status_code == 403
        assert client.post(url("chief", "S03", "lock"), data=YES).status_code == 403
        assert client.post(url("chief", "lock"), data=YES).status_code == 403
        assert client.post(url("chief", "S03", "unlock"), data={"reason": "x"}).status_code == 403
        assert client.post(url("chief", "marks", str(mark.id), "return"), data={"note": "x"}).status_code == 403
    assert c2.get(f"/j/{SLUG}/sec/chief").status_code == 200
    # c2's own event does not reach into iot's marks.
    assert c2.post(f"/j/{SLUG}/sec/chief/marks/{mark.id}/return", data={"note": "x"}).status_code == 404
    db.session.commit()
    assert entry_row("S03").locked_at is None and mark_of("k2", "S03", "P1").status == "submitted"
    # The services check too, whatever a page offered.
    for action in (lambda u: services.lock_entry(u, entry_row("S03")),
                   lambda u: services.lock_event(u, db.session.scalar(select(Event).where(Event.code == EVENT))),
                   lambda u: services.unlock_entry(u, entry_row("S03"), "x"),
                   lambda u: services.return_mark(u, mark_of("k2", "S03", "P1"), "x")):
        with pytest.raises(ActionRefused) as refused:
            action(user_row("c2"))
        assert refused.value.status == 403
    assert count(AuditEntry, AuditEntry.action.in_(("entry.lock", "event.lock", "entry.unlock", "mark.return"))) == 0


def test_the_progress_matrix_shows_missing_submitted_and_flags(app, k1):
    give("k2", "S03", "P2", "0")
    give("k3", "S03", "P2", "3")  # two points apart on a judgement criterion: flagged
    response = k1.get(url("chief"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    row = re.search(r'<tr id="entry-S03".*?</tr>', text, re.S).group(0)
    assert row.count("chip-submitted") == 2 and row.count("chip-missing") == 7
    assert 'class="cells flagged"' in row
    s01 = re.search(r'<tr id="entry-S01".*?</tr>', text, re.S).group(0)
    assert s01.count("chip-submitted") == 9 and "data-lock-entry" in s01


def test_the_consistency_view_shows_each_judges_lean(k1):
    response = k1.get(url("chief", "consistency"))
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    # S01: P1 24, 25, 26, 22, 27 → k5: 27 − 24.25; P2 2, 3, 2 → k2: 3 − 2.
    assert "+2.75" in text and "+1.00" in text and "-0.50" in text


def test_consistency_of_the_event_as_data(app, sample):
    criteria, rows, lean = services.consistency(db.session.scalar(select(Event)))
    by_name = {row.judge.name: row for row in rows}
    p2 = next(c for c in criteria if c.code == "P2")
    assert by_name["裁判k2"].cells[p2.id].mean == Decimal(1) and by_name["裁判k2"].cells[p2.id].count == 1
    assert lean[p2.id] == Decimal("0.3")  # a tenth of 0-3


# --- blind judging ------------------------------------------------------------------------------------------

@pytest.fixture
def blind(app):
    data = sample_contest()
    data["contest"]["blind"] = True
    for i, entry in enumerate(data["entries"]):
        entry["draw_code"] = f"K{701 + i}"
    return import_sample(data)


def test_blind_judging_shows_draw_codes_and_never_bibs_or_names(app, blind):
    k4 = log_in(app, "k4")
    pages = [k4.get("/j/"), k4.get(url()), k4.get(url("K703"))]
    for response in pages:
        assert response.status_code == 200
        text = response.get_data(as_text=True)
        assert not re.search(r"S0\d", text), text
        assert "选手" not in text
    assert "K703" in pages[1].get_data(as_text=True)
    assert page(pages[2]).named("c_P1")
    assert 'data-entry' not in pages[2].get_data(as_text=True)  # the script posts the form: no bib on the page
    assert k4.get(url("S03")).status_code == 404  # a bib finds nothing
    response = k4.post(url("K703"), data={"client_id": str(uuid.uuid4()), "c_P1": "20"})
    assert response.status_code == 302 and "S03" not in response.headers["Location"]
    assert mark_of("k4", "S03", "P1").value == Decimal(20)
    text = log_in(app, "k1").get(url("chief")).get_data(as_text=True)
    assert "K703" in text and not re.search(r"S0\d", text) and "选手" not in text


def test_the_blind_form_answers_the_script_in_json(app, blind):
    k4 = log_in(app, "k4")
    headers = {"Accept": "application/json"}
    client_id = str(uuid.uuid4())
    refused = k4.post(url("K703"), data={"client_id": client_id, "c_P1": "31"}, headers=headers)
    assert refused.status_code == 422
    assert "at most 30" in refused.get_json()["errors"]["c_P1"]
    done = k4.post(url("K703"), data={"client_id": client_id, "c_P1": "20"}, headers=headers)
    assert done.status_code == 200 and done.get_json()["ok"] is True
    assert "K703" in done.get_json()["redirect"] and "S03" not in done.get_json()["redirect"]
    again = k4.post(url("K703"), data={"client_id": client_id, "c_P1": "20"}, headers=headers)
    assert again.status_code == 200
    assert len(revisions_of("k4", "S03", "P1")) == 1


# --- the tablet API (DESIGN.md §4), as the judging feature relies on it ---------------------------------

def test_the_tablet_api_gives_exactly_its_documented_answers(app, sample):
    from competition.accounts.services import issue_token
    tokens = {u: issue_token(user_row(u), "test") for u in ("k1", "k2", "k6")}
    client = isolated_client(app)

    def post(judge, bib, code, value, client_id=None, reason=None):
        body = {"contest": SLUG, "event": EVENT, "entry": bib, "criterion": code, "value": value,
                "client_id": client_id or str(uuid.uuid4())}
        if reason is not None:
            body["reason"] = reason
        return client.post("/api/v1/marks", json=body, headers={"Authorization": f"Bearer {tokens[judge]}"})

    client_id = str(uuid.uuid4())
    created = post("k2", "S03", "P1", "20", client_id)
    assert created.status_code == 201
    replay = post("k2", "S03", "P1", "20", client_id)
    assert replay.status_code == 200 and replay.get_json() == created.get_json()
    assert post("k2", "S03", "T1", "50").status_code == 403  # not assigned
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == "P1"))
    db.session.add(Assignment(entry_id=entry_row("S04").id, criterion_id=criterion.id, judge_id=judge_row("k6").id))
    db.session.commit()
    conflict = post("k6", "S04", "P1", "20")
    assert conflict.status_code == 403 and conflict.get_json()["error"]["code"] == "conflict_of_interest"
    assert post("k2", "S03", "P1", "30.5", reason="x").status_code == 422
    complete("S03")
    services.lock_entry(user_row("k1"), entry_row("S03"))
    locked = post("k2", "S03", "P1", "21", reason="复核")
    assert locked.status_code == 409 and locked.get_json()["error"]["code"] == "locked"
    responses = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/marks"]["post"]["responses"]
    assert {"200", "201", "403", "409", "422"} <= set(responses)


def test_judge_token_prints_a_token_that_marks(app, sample):
    result = app.test_cli_runner().invoke(args=["judge-token", "k2"])
    assert result.exit_code == 0
    token = result.output.strip().splitlines()[-1]
    client = isolated_client(app)
    body = {"contest": SLUG, "event": EVENT, "entry": "S03", "criterion": "P1", "value": "20",
            "client_id": str(uuid.uuid4())}
    assert client.post("/api/v1/marks", json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 201
