"""The judges' tablet API, as a tablet uses it: POST /api/v1/marks with a bearer token or a
login session, every answer it can get, and the board it moves (on SQLite and PostgreSQL)."""
import json
import threading
import uuid
from decimal import Decimal

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select

from competition.accounts.models import ApiToken, User
from competition.accounts.services import issue_token
from competition.audit.models import AuditEntry
from competition.contests.models import Contest, Criterion
from competition.entries.models import Contestant, Entry
from competition.judges.models import Assignment, Judge
from competition.database import utcnow
from competition.extensions import db
from competition.marking.models import Mark, MarkRevision

from .factory import PASSWORD, import_sample, make_user, sample_contest
from .helpers import csrf_from

SLUG, EVENT = "sample-2026", "iot"
BOARD = f"/api/v1/contests/{SLUG}/events/{EVENT}/board"
JUDGES = ("k1", "k2", "k3", "k4", "k5", "k6", "k9")
BOARD_KEYS = {"contest", "event", "seq", "frozen", "result_status", "columns", "rows"}
ROW_KEYS = {"entry", "name", "delegation", "rank", "total", "sections", "progress", "status", "award"}


def count(model) -> int:
    db.session.commit()  # end any read transaction: see what the requests committed
    return db.session.scalar(select(func.count()).select_from(model))


def entry_row(bib: str) -> Entry:
    return db.session.scalar(select(Entry).where(Entry.bib == bib))


def user_row(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def judge_row(username: str) -> Judge:
    return db.session.scalar(select(Judge).join(User, User.id == Judge.user_id).where(User.username == username))


class Tablet:
    """A judge's tablet: posts marks with the judge's bearer token and reads the board."""

    def __init__(self, any_db_client, tokens):
        self.client, self.tokens = any_db_client, tokens

    def post(self, judge, entry, criterion, value, client_id=None, reason=None, overrides=None):
        """POST one mark; `overrides` replaces fields of the body as sent."""
        body = {"contest": SLUG, "event": EVENT, "entry": entry, "criterion": criterion, "value": value,
                "client_id": client_id or str(uuid.uuid4())}
        if reason is not None:
            body["reason"] = reason
        body.update(overrides or {})
        return self.client.post("/api/v1/marks", json=body,
                                headers={"Authorization": f"Bearer {self.tokens[judge]}"})

    def board(self) -> dict:
        response = self.client.get(BOARD)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    def seq(self) -> int:
        return self.board()["seq"]

    def row(self, bib: str) -> dict:
        return next(r for r in self.board()["rows"] if r["entry"] == bib)

    def accepted(self, judge, entry, criterion, value, **kwargs) -> dict:
        """Post a mark that must be accepted; checks the seq rose by exactly one."""
        before = self.seq()
        response = self.post(judge, entry, criterion, value, **kwargs)
        assert response.status_code == 201, response.get_data(as_text=True)
        body = response.get_json()
        assert body["seq"] == before + 1
        assert self.seq() == before + 1
        return body


def assert_refused(response, status, code=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code, error
    return error


@pytest.fixture
def tokens(sample):
    return {username: issue_token(user_row(username), "test") for username in JUDGES}


@pytest.fixture
def tablet(any_db_client, tokens):
    return Tablet(any_db_client, tokens)


# --- the contest the tests stand on ---------------------------------------------------------

def test_the_sample_contest_is_judging_with_its_assignments(sample, tablet):
    assert db.session.get(Contest, sample.id).status == "judging"

    def assigned(username, bib, code):
        return db.session.scalar(
            select(Assignment.id).join(Criterion, Criterion.id == Assignment.criterion_id)
            .where(Assignment.judge_id == judge_row(username).id, Assignment.entry_id == entry_row(bib).id,
                   Criterion.code == code)) is not None

    # The first `judges` panel members in file order: T1 k1; P1 k1..k5; P2 k1..k3.
    for bib in ("S01", "S02", "S03", "S04"):
        assert assigned("k1", bib, "T1") and not assigned("k2", bib, "T1")
        assert all(assigned(k, bib, "P1") for k in ("k1", "k2", "k3", "k4", "k5"))
        assert all(assigned(k, bib, "P2") for k in ("k1", "k2", "k3")) and not assigned("k4", bib, "P2")
        # k6 is the sixth on the panel: never among the first five, and never for S04 (conflict).
        assert not any(assigned("k6", bib, code) for code in ("T1", "P1", "P2"))
        assert not any(assigned("k9", bib, code) for code in ("T1", "P1", "P2"))
    assert tablet.row("S01")["progress"] == [9, 9]
    assert tablet.row("S02")["progress"] == [1, 9]


def test_assignment_skips_a_judge_with_a_conflict_of_interest(any_db_app, any_db_client):
    data = sample_contest()
    k6 = data["judges"].pop()
    data["judges"].insert(0, k6)  # k6 is now first on the panel
    import_sample(data)
    tokens = {u: issue_token(user_row(u), "test") for u in ("k1", "k6")}
    tablet = Tablet(any_db_client, tokens)
    # T1 takes one judge: k6 for S01-S03, but k1 for S04, k6's own delegation.
    tablet.accepted("k6", "S03", "T1", "70")
    assert_refused(tablet.post("k1", "S03", "T1", "70"), 403, "not_assigned")
    assert_refused(tablet.post("k6", "S04", "T1", "70"), 403, "conflict_of_interest")
    tablet.accepted("k1", "S04", "T1", "71")


# --- 201, 200 and idempotency -----------------------------------------------------------------

def test_a_new_mark_is_stored_and_the_board_moves(tablet):
    before = tablet.board()
    marks, revisions = count(Mark), count(MarkRevision)
    client_id = str(uuid.uuid4())
    response = tablet.post("k1", "S03", "T1", "88.5", client_id=client_id)
    assert response.status_code == 201
    body = response.get_json()
    assert body == {"mark": {"contest": SLUG, "event": EVENT, "entry": "S03", "criterion": "T1", "judge": "k1",
                             "value": "88.5", "revision": 1, "client_id": client_id},
                    "seq": before["seq"] + 1}
    assert count(Mark) == marks + 1 and count(MarkRevision) == revisions + 1
    after = tablet.board()
    assert after["seq"] == before["seq"] + 1
    row = next(r for r in after["rows"] if r["entry"] == "S03")
    assert row["progress"][0] == 1
    assert row["sections"]["T"] == "17.70"  # 88.5 / 100 × 20
    stored = db.session.scalar(select(Mark).where(Mark.entry_id == entry_row("S03").id))
    assert stored.value == Decimal("88.5") and stored.judge.user.username == "k1"


def test_the_same_client_id_again_answers_200_with_the_same_body_and_stores_nothing(tablet):
    client_id = str(uuid.uuid4())
    first = tablet.post("k2", "S02", "P1", "21", client_id=client_id)
    assert first.status_code == 201
    seq, marks, revisions = tablet.seq(), count(Mark), count(MarkRevision)
    audits = count(AuditEntry)
    for _ in range(2):
        again = tablet.post("k2", "S02", "P1", "21", client_id=client_id)
        assert again.status_code == 200
        assert again.get_json() == first.get_json()
    # The same value written differently is the same mark.
    retyped = tablet.post("k1", "S02", "P2", "2.00", client_id="typed-with-zeros")
    assert retyped.status_code == 201
    assert tablet.post("k1", "S02", "P2", "2", client_id="typed-with-zeros").get_json() == retyped.get_json()
    seq, marks, revisions, audits = tablet.seq(), count(Mark), count(MarkRevision), count(AuditEntry)
    assert tablet.post("k2", "S02", "P1", "21.00", client_id=client_id).status_code == 200
    assert tablet.post("k2", "S02", "P1", "２１", client_id=client_id).get_json() == first.get_json()
    assert (count(Mark), count(MarkRevision), count(AuditEntry)) == (marks, revisions, audits)
    assert tablet.seq() == seq


def test_a_replay_after_later_marks_still_answers_its_own_seq(tablet):
    client_id = str(uuid.uuid4())
    first = tablet.post("k1", "S02", "P2", "2", client_id=client_id).get_json()
    tablet.accepted("k2", "S02", "P2", "3")
    again = tablet.post("k1", "S02", "P2", "2", client_id=client_id)
    assert again.status_code == 200 and again.get_json() == first


@pytest.mark.parametrize("change", [
    {"value": "22"}, {"entry": "S03"}, {"criterion": "P2", "value": "2"}, {"judge": "k3"},
])
def test_a_client_id_reused_for_another_mark_is_409(tablet, change):
    client_id = str(uuid.uuid4())
    assert tablet.post("k2", "S02", "P1", "21", client_id=client_id).status_code == 201
    marks, revisions = count(Mark), count(MarkRevision)
    args = {"judge": "k2", "entry": "S02", "criterion": "P1", "value": "21", **change}
    response = tablet.post(args.pop("judge"), args.pop("entry"), args.pop("criterion"), args.pop("value"),
                           client_id=client_id)
    assert_refused(response, 409, "client_id_reused")
    assert (count(Mark), count(MarkRevision)) == (marks, revisions)


# --- 401 and 400 ------------------------------------------------------------------------------

def test_without_credentials_is_401(tablet, any_db_client):
    seq = tablet.seq()
    body = {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "P1", "value": "20",
            "client_id": str(uuid.uuid4())}
    assert_refused(any_db_client.post("/api/v1/marks", json=body), 401)
    assert tablet.seq() == seq and count(MarkRevision) == 10


@pytest.mark.parametrize("header", [
    "Bearer gj_not-a-real-token", "Bearer ", "Bearer", "Basic azE6c2VjcmV0", "gj_token-without-scheme",
    "Token {k1}",
])
def test_a_bad_token_is_401(tablet, any_db_client, tokens, header):
    body = {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "T1", "value": "20",
            "client_id": str(uuid.uuid4())}
    response = any_db_client.post("/api/v1/marks", json=body, headers={"Authorization": header.format(**tokens)})
    assert_refused(response, 401)
    assert count(MarkRevision) == 10


def test_a_revoked_token_is_401(tablet, tokens):
    for row in db.session.scalars(select(ApiToken)):
        row.revoked_at = utcnow()
    db.session.commit()
    assert_refused(tablet.post("k1", "S03", "T1", "50"), 401)


@pytest.mark.parametrize("data, content_type", [
    ("not json", "application/json"), ('{"value": "2"', "application/json"), ("[1, 2]", "application/json"),
    ('"a string"', "application/json"), ("null", "application/json"),
    (json.dumps({"contest": SLUG}), "text/plain"), ("", "application/json"),
])
def test_a_body_that_is_not_a_json_object_is_400(tablet, any_db_client, tokens, data, content_type):
    response = any_db_client.post("/api/v1/marks", data=data, content_type=content_type,
                           headers={"Authorization": f"Bearer {tokens['k1']}"})
    assert_refused(response, 400, "bad_json")


@pytest.mark.parametrize("field, value", [
    ("contest", None), ("entry", ["S02"]), ("criterion", {"code": "P1"}), ("value", 2.5), ("value", True),
    ("value", None), ("client_id", None), ("client_id", ""), ("client_id", "x" * 65),
])
def test_missing_or_mistyped_fields_are_422(tablet, field, value):
    response = tablet.post("k1", "S02", "P2", "2", overrides={field: value})
    assert_refused(response, 422)
    assert count(MarkRevision) == 10


@pytest.mark.parametrize("reason", [["typo"], {"why": "typo"}])
def test_a_reason_that_is_not_text_is_422(tablet, reason):
    tablet.accepted("k1", "S03", "T1", "60")
    revisions = count(MarkRevision)
    assert_refused(tablet.post("k1", "S03", "T1", "61", overrides={"reason": reason}), 422)
    assert count(MarkRevision) == revisions


# --- the login session with its CSRF token -------------------------------------------------------

class TestSessionWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    @pytest.fixture
    def judge_session(self, sample, any_db_client):
        user = user_row("k2")
        user.set_password(PASSWORD)
        db.session.commit()
        token = csrf_from(any_db_client.get("/login").get_data(as_text=True))
        response = any_db_client.post("/login", data={"username": "k2", "password": PASSWORD, "csrf_token": token})
        assert response.status_code == 302
        # A page of the logged-in judge carries the token the tablet's script sends.
        return csrf_from(any_db_client.get("/").get_data(as_text=True))

    def body(self, **changes):
        return {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "P1", "value": "20",
                "client_id": str(uuid.uuid4()), **changes}

    def test_session_and_csrf_header_marks(self, any_db_client, judge_session):
        response = any_db_client.post("/api/v1/marks", json=self.body(), headers={"X-CSRFToken": judge_session})
        assert response.status_code == 201, response.get_data(as_text=True)
        assert response.get_json()["mark"]["judge"] == "k2"

    def test_session_without_the_csrf_header_is_refused(self, any_db_client, judge_session):
        assert_refused(any_db_client.post("/api/v1/marks", json=self.body()), 400, "csrf_failed")
        assert_refused(any_db_client.post("/api/v1/marks", json=self.body(), headers={"X-CSRFToken": "forged"}),
                       400, "csrf_failed")
        assert count(MarkRevision) == 10

    def test_after_logout_the_session_no_longer_marks(self, any_db_client, judge_session):
        any_db_client.post("/logout", data={"csrf_token": judge_session})
        response = any_db_client.post("/api/v1/marks", json=self.body(), headers={"X-CSRFToken": judge_session})
        assert_refused(response, 401)


def test_session_with_csrf_header_also_works_when_forms_skip_csrf(sample, any_db_client):
    # The test default disables CSRF for forms; the API still checks the header for sessions.
    user = user_row("k2")
    user.set_password(PASSWORD)
    db.session.commit()
    assert any_db_client.post("/login", data={"username": "k2", "password": PASSWORD}).status_code == 302
    token = csrf_from(any_db_client.get("/").get_data(as_text=True))
    body = {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "P1", "value": "20",
            "client_id": str(uuid.uuid4())}
    assert_refused(any_db_client.post("/api/v1/marks", json=body), 400, "csrf_failed")
    assert any_db_client.post("/api/v1/marks", json=body, headers={"X-CSRFToken": token}).status_code == 201


# --- 403 ------------------------------------------------------------------------------------------

def test_a_judge_not_assigned_is_403(tablet):
    assert_refused(tablet.post("k2", "S02", "T1", "50"), 403, "not_assigned")  # T1 is k1's
    assert_refused(tablet.post("k4", "S02", "P2", "2"), 403, "not_assigned")  # P2 takes k1..k3
    assert_refused(tablet.post("k9", "S02", "P1", "20"), 403, "not_assigned")  # not on the panel
    assert_refused(tablet.post("k6", "S02", "P1", "20"), 403, "not_assigned")  # sixth of five
    assert count(MarkRevision) == 10


def test_a_user_who_is_not_a_judge_is_403(tablet, any_db_client):
    outsider = make_user("outsider")
    token = issue_token(outsider)
    body = {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "T1", "value": "50",
            "client_id": str(uuid.uuid4())}
    response = any_db_client.post("/api/v1/marks", json=body, headers={"Authorization": f"Bearer {token}"})
    assert_refused(response, 403)


def test_a_conflict_of_interest_is_403_even_with_an_assignment(tablet):
    assert_refused(tablet.post("k6", "S04", "P1", "20"), 403, "conflict_of_interest")
    # An assignment inserted by hand does not override the conflict.
    criterion = db.session.scalar(select(Criterion).where(Criterion.code == "P1"))
    db.session.add(Assignment(entry_id=entry_row("S04").id, criterion_id=criterion.id,
                              judge_id=judge_row("k6").id))
    db.session.commit()
    seq = tablet.seq()
    assert_refused(tablet.post("k6", "S04", "P1", "20"), 403, "conflict_of_interest")
    assert count(MarkRevision) == 10 and tablet.seq() == seq


# --- 404 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fields", [
    {"entry": "S99"}, {"criterion": "X9"}, {"event": "nope"}, {"contest": "no-such-contest"},
    {"entry": "s02"}, {"criterion": "p1"},
])
def test_unknown_contest_event_entry_or_criterion_is_404(tablet, fields):
    assert_refused(tablet.post("k2", "S02", "P1", "20", overrides=fields), 404, "not_found")
    assert count(MarkRevision) == 10


def test_an_entry_not_approved_is_404(tablet):
    entry_row("S02").status = "withdrawn"
    db.session.commit()
    assert_refused(tablet.post("k2", "S02", "P1", "20"), 404)


# --- 409 --------------------------------------------------------------------------------------------

def test_a_locked_entry_is_409(tablet):
    entry_row("S02").locked_at = utcnow()
    db.session.commit()
    seq = tablet.seq()
    assert_refused(tablet.post("k2", "S02", "P1", "20"), 409, "locked")
    assert count(MarkRevision) == 10 and tablet.seq() == seq
    tablet.accepted("k2", "S03", "P1", "20")  # other entries still take marks


@pytest.mark.parametrize("status", ["draft", "registration", "finished", "published"])
def test_marking_outside_judging_is_409(tablet, sample, status):
    db.session.get(Contest, sample.id).status = status
    db.session.commit()
    assert_refused(tablet.post("k2", "S02", "P1", "20"), 409, "not_judging")
    assert count(MarkRevision) == 10


# --- 422 --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("criterion, value, code", [
    ("T1", "", "empty"),
    ("T1", "   ", "empty"),
    ("T1", "nan", "not_a_number"),
    ("T1", "NaN", "not_a_number"),
    ("T1", "inf", "not_a_number"),
    ("T1", "-inf", None),
    ("T1", "Infinity", "not_a_number"),
    ("T1", "1e3", "not_a_number"),
    ("T1", "1E1", "not_a_number"),
    ("T1", "-1", "negative"),
    ("T1", "０x", "not_a_number"),
    ("T1", "7,5", "not_a_number"),
    ("T1", "0x10", "not_a_number"),
    ("T1", "100.01", "over_max"),
    ("T1", "101", "over_max"),
    ("T1", 101, "over_max"),
    ("T1", "12.345", "too_many_decimals"),
    ("P2", "2.5", "not_a_whole_mark"),
    ("P2", "4", "over_max"),
    ("P1", "30.5", "over_max"),  # P1 (trimmed) takes 0-30 from each judge
    ("P1", "2.555", "too_many_decimals"),
])
def test_an_invalid_value_is_422(tablet, criterion, value, code):
    judge = {"T1": "k1", "P1": "k2", "P2": "k1"}[criterion]
    seq = tablet.seq()
    error = assert_refused(tablet.post(judge, "S02", criterion, value), 422, code)
    assert error.get("field") == "value"
    assert count(MarkRevision) == 10 and tablet.seq() == seq


@pytest.mark.parametrize("value, stored", [("２", "2"), ("３", "3"), (" 1 ", "1"), (0, "0"), ("0", "0")])
def test_full_width_and_plain_judgement_marks_are_accepted(tablet, value, stored):
    body = tablet.accepted("k1", "S02", "P2", value)
    assert body["mark"]["value"] == stored


def test_full_width_decimal_measurement_is_accepted(tablet):
    body = tablet.accepted("k1", "S03", "T1", "８７．５")
    assert body["mark"]["value"] == "87.5"


# --- corrections ------------------------------------------------------------------------------

def test_a_correction_needs_a_reason_and_keeps_the_old_revision(tablet):
    first = tablet.accepted("k1", "S03", "T1", "60")
    assert first["mark"]["revision"] == 1
    seq = tablet.seq()
    for reason in (None, "", "   "):
        assert_refused(tablet.post("k1", "S03", "T1", "65", reason=reason), 422, "reason_required")
    assert tablet.seq() == seq
    second = tablet.accepted("k1", "S03", "T1", "65", reason="复核：第3题漏判")
    assert second["mark"]["revision"] == 2 and second["mark"]["value"] == "65"
    mark = db.session.scalar(select(Mark).where(Mark.entry_id == entry_row("S03").id))
    assert mark.value == Decimal(65) and mark.revision == 2
    revisions = db.session.scalars(select(MarkRevision).where(MarkRevision.mark_id == mark.id)
                                   .order_by(MarkRevision.revision)).all()
    assert [(r.revision, r.value, r.reason) for r in revisions] == [
        (1, Decimal(60), ""), (2, Decimal(65), "复核：第3题漏判")]
    assert all(r.author.username == "k1" for r in revisions)
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mark.submit")
                                .order_by(AuditEntry.id)).all()
    assert [a.data["revision"] for a in audits] == [1, 2]
    assert audits[-1].user.username == "k1"
    assert audits[-1].data["reason"] == "复核：第3题漏判" and audits[-1].data["value"] == "65"
    assert "S03" in audits[-1].target and "T1" in audits[-1].target
    assert tablet.row("S03")["sections"]["T"] == "13.00"


def test_correcting_an_imported_mark(tablet):
    assert_refused(tablet.post("k1", "S01", "T1", "84"), 422, "reason_required")
    body = tablet.accepted("k1", "S01", "T1", "84", reason="加分复核")
    assert body["mark"]["revision"] == 2
    assert tablet.row("S01")["sections"]["T"] == "16.80"


def test_a_correction_the_board_cannot_see_keeps_body_and_board_in_step(tablet):
    # S01's P1 is a trimmed mean: k5's 27 is the highest and dropped; 28 is dropped as well.
    before = tablet.board()
    response = tablet.post("k5", "S01", "P1", "28", reason="复核")
    assert response.status_code == 201
    assert response.get_json()["mark"]["revision"] == 2
    assert response.get_json()["seq"] == tablet.seq()
    assert tablet.row("S01") == next(r for r in before["rows"] if r["entry"] == "S01")


# --- several judges -------------------------------------------------------------------------------

def test_two_judges_marking_the_same_entry_are_both_stored(tablet):
    tablet.accepted("k1", "S04", "T1", "75")       # different criteria …
    tablet.accepted("k2", "S04", "P1", "2")
    tablet.accepted("k1", "S04", "P2", "2")       # … and the same criterion
    tablet.accepted("k2", "S04", "P2", "3")
    tablet.accepted("k3", "S04", "P2", "2")
    marks = db.session.execute(
        select(User.username, Criterion.code, Mark.value).join(Judge, Judge.id == Mark.judge_id)
        .join(User, User.id == Judge.user_id).join(Criterion, Criterion.id == Mark.criterion_id)
        .where(Mark.entry_id == entry_row("S04").id).order_by(Criterion.code, User.username)).all()
    assert [tuple(m) for m in marks] == [
        ("k2", "P1", Decimal(2)), ("k1", "P2", Decimal(2)), ("k2", "P2", Decimal(3)), ("k3", "P2", Decimal(2)),
        ("k1", "T1", Decimal(75))]
    row = tablet.row("S04")
    assert row["progress"] == [5, 9]
    # P2: judgement, mean 7/3 of 3 → 7.78 of 10; T1 75 of 100 → 15.00 of 20.
    assert row["sections"]["T"] == "15.00"


def test_a_full_round_of_marks_ranks_the_entry(tablet):
    for judge, value in zip(("k1", "k2", "k3", "k4", "k5"), ("3", "3", "2", "3", "3")):
        tablet.accepted(judge, "S02", "P1", value)
    for judge in ("k1", "k2", "k3"):
        tablet.accepted(judge, "S02", "P2", "3")
    row = tablet.row("S02")
    assert row["progress"] == [9, 9]
    assert row["rank"] is not None and row["total"] is not None


# --- the board -------------------------------------------------------------------------------------

def test_the_board_has_the_documented_shape_and_no_personal_data(tablet, sample):
    person = entry_row("S01").contestant or Contestant(contest_id=sample.id, name="选手1")
    person.id_type, person.id_number, person.gender = "居民身份证", "110101199003071234", "女"
    person.mobile, person.email = "13800138000", "s01@example.com"
    entry_row("S01").contestant = person
    db.session.commit()
    response = tablet.client.get(BOARD)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    board = response.get_json()
    # The keys of DESIGN.md §4, and nothing the OpenAPI document does not describe.
    schemas = tablet.client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert BOARD_KEYS <= set(board) <= set(schemas["Board"]["properties"])
    assert set(schemas["Board"]["required"]) <= set(board)
    assert board["contest"] == SLUG and board["event"] == EVENT
    assert isinstance(board["seq"], int) and board["frozen"] is False
    assert [c["code"] for c in board["columns"]] == ["T", "P"]
    assert {c["code"]: c["max"] for c in board["columns"]} == {"T": "20.00", "P": "80.00"}
    assert [r["entry"] for r in board["rows"]][:2] == ["S01", "S02"]
    for row in board["rows"]:
        assert ROW_KEYS <= set(row) <= set(schemas["BoardRow"]["properties"])
        assert set(schemas["BoardRow"]["required"]) <= set(row)
        assert isinstance(row["progress"], list) and len(row["progress"]) == 2
        assert row["status"] in ("provisional", "final")
        assert row["total"] is None or isinstance(row["total"], str)
    s01 = board["rows"][0]
    assert s01["name"] == "选手1" and s01["delegation"] == "亦庄开发区工会"
    assert s01["rank"] == 1 and isinstance(s01["total"], str)
    assert all(isinstance(v, str) for v in s01["sections"].values())
    text = response.get_data(as_text=True)
    for secret in ("110101199003071234", "13800138000", "s01@example.com", "居民身份证", "k1", "裁判"):
        assert secret not in text
    # Rows are in rank order, unranked last.
    ranks = [r["rank"] for r in board["rows"]]
    ranked = [r for r in ranks if r is not None]
    assert ranked == sorted(ranked) and ranks[:len(ranked)] == ranked


def test_the_board_of_an_unknown_event_is_404(tablet):
    assert_refused(tablet.client.get(f"/api/v1/contests/{SLUG}/events/nope/board"), 404, "not_found")
    assert_refused(tablet.client.get("/api/v1/contests/nope/events/iot/board"), 404, "not_found")


def test_the_board_of_a_draft_contest_is_hidden(tablet, sample):
    db.session.get(Contest, sample.id).status = "draft"
    db.session.commit()
    assert_refused(tablet.client.get(BOARD), 404, "not_found")


def test_seq_rises_by_one_with_every_accepted_mark_and_never_otherwise(tablet):
    start = tablet.seq()
    accepted = 0
    script = [
        ("k1", "S02", "P2", "2", None, 201), ("k1", "S02", "P2", "2", None, 422),   # needs a reason
        ("k2", "S02", "P2", "9", None, 422), ("k4", "S02", "P2", "1", None, 403),
        ("k2", "S02", "P2", "1", None, 201), ("k1", "S02", "P2", "3", "复核", 201),
        ("k1", "S03", "T1", "55.5", None, 201), ("k3", "S03", "P1", "1", None, 201),
    ]
    for judge, bib, code, value, reason, status in script:
        response = tablet.post(judge, bib, code, value, reason=reason)
        assert response.status_code == status, (judge, bib, code, value, response.get_json())
        if status == 201:
            accepted += 1
            assert response.get_json()["seq"] == start + accepted
        assert tablet.seq() == start + accepted


def test_names_hidden_until_results_are_announced(tablet, sample):
    db.session.get(Contest, sample.id).is_names_hidden = True
    db.session.commit()
    rows = tablet.board()["rows"]
    assert all(r["name"] is None and r["delegation"] is None for r in rows)
    assert "选手1" not in tablet.client.get(BOARD).get_data(as_text=True)
    db.session.get(Contest, sample.id).announced_at = utcnow()  # 公示 names them
    db.session.commit()
    assert tablet.row("S01")["name"] == "选手1"


# --- concurrent tablets ---------------------------------------------------------------------------

def _post_together(app, requests):
    """Send the requests at once, each from its own thread (and so its own app context and
    database session, as in a real server); returns the responses in order."""
    barrier = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def send(i, token, body):
        client = FlaskClient(app, app.response_class)
        barrier.wait()
        responses[i] = client.post("/api/v1/marks", json=body, headers={"Authorization": f"Bearer {token}"})

    threads = [threading.Thread(target=send, args=(i, *r)) for i, r in enumerate(requests)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return responses


def test_a_retry_racing_the_first_request_stores_once(any_db_app, tablet, tokens):
    body = {"contest": SLUG, "event": EVENT, "entry": "S02", "criterion": "P1", "value": "21",
            "client_id": str(uuid.uuid4())}
    seq, revisions = tablet.seq(), count(MarkRevision)
    responses = _post_together(any_db_app, [(tokens["k2"], body)] * 6)
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    assert len({r.get_data() for r in responses}) == 1
    assert count(MarkRevision) == revisions + 1
    assert tablet.seq() == seq + 1


def test_concurrent_marks_each_move_the_board_by_one(any_db_app, tablet, tokens):
    seq = tablet.seq()
    requests = [(tokens[judge], {"contest": SLUG, "event": EVENT, "entry": bib, "criterion": "P1", "value": "20",
                                 "client_id": str(uuid.uuid4())})
                for judge in ("k1", "k2", "k3", "k4") for bib in ("S02", "S03")]
    responses = _post_together(any_db_app, requests)
    assert [r.status_code for r in responses] == [201] * len(requests), [r.get_json() for r in responses]
    assert sorted(r.get_json()["seq"] for r in responses) == list(range(seq + 1, seq + len(requests) + 1))
    assert tablet.seq() == seq + len(requests)
    assert tablet.row("S02")["progress"][0] == 5 and tablet.row("S03")["progress"][0] == 4
