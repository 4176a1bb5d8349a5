"""The demo contest `make run` loads: a realistic, valid contest file; `demo-load` imports it once
and prints the logins; the demo judges can log in; every board has something to show."""
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competition import scoring
from competition.accounts.models import User
from competition.contests.models import Contest, Entry
from competition.demo import DEMO_PASSWORD, SLUG, demo_contest_file
from competition.extensions import db
from competition.marking.models import Mark


@pytest.fixture(scope="module")
def demo():
    return demo_contest_file()


def _criteria(event):
    return {c["code"]: c for s in event["sections"] for c in s["criteria"]}


def _rule(criterion):
    decimals = {k: Decimal(criterion[k]) for k in ("spread", "tolerance", "step") if k in criterion}
    return scoring.CriterionRule(code=criterion["code"], max=Decimal(criterion["max"]),
                                 method=criterion["method"], judges=criterion["judges"],
                                 trim=criterion.get("trim", 1), **decimals)


# --- the file --------------------------------------------------------------------------

def test_the_file_is_the_same_every_time(demo):
    assert demo_contest_file() == demo
    assert demo["contest"]["slug"] == SLUG


def test_the_contest_is_big_enough_to_look_real(demo):
    assert len(demo["events"]) == 3
    assert len(demo["entries"]) >= 60
    assert len({e["delegation"] for e in demo["entries"]}) >= 10
    assert len(demo["judges"]) >= 9
    kinds = {c["kind"] for event in demo["events"] for c in _criteria(event).values()}
    assert kinds == {"measurement", "judgement"}
    methods = {c["method"] for event in demo["events"] for c in _criteria(event).values()}
    assert {"single", "mean", "trimmed", "judgement", "tolerance"} <= methods
    for event in demo["events"]:
        assert {s["code"] for s in event["sections"]} == {"T", "P"}
        chiefs = [j for j in demo["judges"] if event["code"] in j["events"] and j["chief"]]
        assert len(chiefs) == 1, event["code"]
        for c in _criteria(event).values():
            if c["method"] == "judgement":
                assert [d[0] for d in c["descriptors"]] == ["0", "1", "2", "3"]
    names = [e["name"] for e in demo["entries"]]
    assert len(set(names)) == len(names)
    assert any("𠮷" in n for n in names) and any("龘" in n for n in names)
    assert any(len(n) == 2 for n in names)


def test_entries_and_judges_fit_together(demo):
    events = {e["code"]: e for e in demo["events"]}
    bibs = [e["bib"] for e in demo["entries"]]
    assert len(set(bibs)) == len(bibs)
    assert {e["event"] for e in demo["entries"]} == set(events)
    assert all(set(j["events"]) <= set(events) for j in demo["judges"])
    for entry in demo["entries"]:
        assert ("completion_time" in entry) <= (entry["event"] == "ai")
    # Some judges come from a delegation with entries in their event: conflicts of interest exist.
    delegations = {(e["event"], e["delegation"]) for e in demo["entries"]}
    assert any((code, j["delegation"]) in delegations for j in demo["judges"] for code in j["events"])


def test_marks_respect_the_scheme_the_panels_and_conflicts(demo):
    events = {e["code"]: e for e in demo["events"]}
    entries = {e["bib"]: e for e in demo["entries"]}
    judges = {j["username"]: j for j in demo["judges"]}
    seen = set()
    by_cell = defaultdict(set)
    for mark in demo["marks"]:
        entry, judge = entries[mark["entry"]], judges[mark["judge"]]
        assert entry["event"] == mark["event"]
        criterion = _criteria(events[mark["event"]])[mark["criterion"]]
        scoring.parse_mark(_rule(criterion), mark["value"])  # raises when not a valid mark
        assert mark["event"] in judge["events"], mark
        assert judge["delegation"] != entry["delegation"], f"conflict of interest: {mark}"
        key = (mark["entry"], mark["criterion"], mark["judge"])
        assert key not in seen
        seen.add(key)
        by_cell[mark["entry"], mark["criterion"]].add(mark["judge"])
    for (bib, code), marked_by in by_cell.items():
        assert len(marked_by) <= _criteria(events[entries[bib]["event"]])[code]["judges"]


def test_part_of_the_field_is_marked(demo):
    events = {e["code"]: e for e in demo["events"]}
    marks = Counter(m["entry"] for m in demo["marks"])
    states = Counter()
    for entry in demo["entries"]:
        needed = sum(c["judges"] for c in _criteria(events[entry["event"]]).values())
        given = marks[entry["bib"]]
        states["complete" if given == needed else "partial" if given else "none"] += 1
    total = len(demo["entries"])
    assert 0.5 * total <= states["complete"] <= 0.7 * total
    assert states["partial"] >= 3 and states["none"] >= 3


# --- loading it ------------------------------------------------------------------------

def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Contest, Entry, Mark, User))


@pytest.fixture
def loaded(runner):
    # Each load hashes 14 passwords (scrypt): the tests below share loads where they can.
    result = runner.invoke(args=["demo-load"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_load_twice_changes_nothing_the_second_time(runner, loaded, demo):
    assert "Demo contest loaded." in loaded.output
    before = _counts()
    assert before == (1, len(demo["entries"]), len(demo["marks"]), len(demo["judges"]) + 2)
    again = runner.invoke(args=["demo-load"])
    assert again.exit_code == 0, again.output
    assert "already present" in again.output
    assert _counts() == before
    # Both runs print the same logins.
    assert again.output.splitlines()[1:] == loaded.output.splitlines()[1:]
    assert DEMO_PASSWORD in loaded.output
    for username in ["admin", "organiser"] + [j["username"] for j in demo["judges"]]:
        assert username in loaded.output
    chiefs = next(line for line in loaded.output.splitlines() if "chief judge" in line)
    assert all(j["username"] in chiefs for j in demo["judges"] if j["chief"])


def test_the_demo_accounts_log_in_with_their_roles(loaded, client):
    contest = db.session.scalar(select(Contest).where(Contest.slug == SLUG))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    organiser = db.session.scalar(select(User).where(User.username == "organiser"))
    assert admin.is_admin and not admin.is_organiser
    assert organiser.organisation_id == contest.organisation_id and not organiser.is_admin
    for username in ("judge01", "judge05", "admin", "organiser"):
        response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        client.post("/logout")
    wrong = client.post("/login", data={"username": "judge01", "password": "not-the-password"})
    assert wrong.status_code == 422


def test_every_board_has_ranked_and_unranked_rows_and_ties(loaded, client, demo):
    shared = False
    boards = {}
    for event in demo["events"]:
        response = client.get(f"/api/v1/contests/{SLUG}/events/{event['code']}/board")
        assert response.status_code == 200
        rows = response.get_json()["rows"]
        boards[event["code"]] = rows
        assert len(rows) == sum(e["event"] == event["code"] for e in demo["entries"])
        ranks = [r["rank"] for r in rows if r["rank"] is not None]
        assert ranks and len(ranks) < len(rows)
        assert any(r["award"] for r in rows)
        assert any(r["progress"][0] < r["progress"][1] for r in rows if r["rank"] is not None)
        shared |= len(set(ranks)) < len(ranks)
    assert shared
    # In `ai` two entries are equal on the total and the completion time separates them.
    totals = Counter(r["total"] for r in boards["ai"] if r["rank"] is not None)
    tied = [r for r in boards["ai"] if r["rank"] is not None and totals[r["total"]] > 1]
    assert len({r["rank"] for r in tied}) == len(tied) >= 2
