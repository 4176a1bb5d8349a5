"""The demo contest `make run` loads: a realistic, valid contest file; `demo-load` imports it once
and prints the logins; the demo judges can log in; every board has something to show."""
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competition import scoring
from competition.accounts.models import User
from competition.audit.models import AuditEntry
from competition.contests.models import Contest
from competition.entries.models import Contestant, Entry
from competition.judges.models import Judge, PanelSeat
from competition.appeals.models import Appeal, Objection
from competition.demo import DEMO_PASSWORD, SLUG, autumn, demo_contest_file, spring
from competition.extensions import db
from competition.marking.models import Mark
from competition.entries import identity as ident
from competition.privacy import mask_id_number


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

def _counts(slug):
    """The contest of this slug, its entries, and all marks and accounts (the spring contest has
    no marks, and its judges are the judging contest's)."""
    contest = select(Contest.id).where(Contest.slug == slug).scalar_subquery()
    return (db.session.scalar(select(func.count()).select_from(Contest).where(Contest.slug == slug)),
            db.session.scalar(select(func.count()).select_from(Entry).where(Entry.contest_id == contest)),
            db.session.scalar(select(func.count()).select_from(Mark)),
            db.session.scalar(select(func.count()).select_from(User)))


def _everything():
    """Every row the demo writes, by table, and the state of every entry and contestant."""
    counts = tuple(db.session.scalar(select(func.count()).select_from(model))
                   for model in (Contest, Entry, Contestant, Mark, User, Judge, PanelSeat, AuditEntry))
    entries = db.session.execute(select(Entry.id, Entry.status, Entry.bib, Entry.review_note, Entry.draw_code)
                                 .order_by(Entry.id)).all()
    people = db.session.execute(select(Contestant.id, Contestant.reference, Contestant.id_number)
                                .order_by(Contestant.id)).all()
    return counts, entries, people


@pytest.fixture
def loaded(runner):
    # Each load hashes 14 passwords (scrypt): the tests below share loads where they can.
    result = runner.invoke(args=["demo-load"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_load_twice_changes_nothing_the_second_time(runner, loaded, demo):
    assert "Demo contest loaded." in loaded.output
    # The judging contest is exactly its file; the spring contest adds no accounts, the autumn
    # one its panel, its supervisor and every mark of its file.
    autumn_file = autumn.autumn_contest_file()
    assert _counts(SLUG) == (1, len(demo["entries"]), len(demo["marks"]) + len(autumn_file["marks"]),
                             len(demo["judges"]) + 2 + len(autumn.PANEL) + 1)
    assert db.session.scalar(select(func.count()).select_from(Contest)) == 3
    before = _everything()
    again = runner.invoke(args=["demo-load"])
    assert again.exit_code == 0, again.output
    assert "already present" in again.output
    db.session.expire_all()
    assert _everything() == before
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
        # Judging is going on: no event is signed off, so no award is decided (DESIGN.md §3).
        assert not any(r["award"] for r in rows)
        assert any(r["progress"][0] < r["progress"][1] for r in rows if r["rank"] is not None)
        shared |= len(set(ranks)) < len(ranks)
    assert shared
    # In `ai` two entries are equal on the total and the completion time separates them.
    totals = Counter(r["total"] for r in boards["ai"] if r["rank"] is not None)
    tied = [r for r in boards["ai"] if r["rank"] is not None and totals[r["total"]] > 1]
    assert len({r["rank"] for r in tied}) == len(tied) >= 2


# --- the second contest, open for registration ------------------------------------------

def _spring():
    return db.session.scalar(select(Contest).where(Contest.slug == spring.SLUG))


def test_the_spring_registrations_are_the_same_every_time_and_valid():
    from datetime import date
    today = date(2026, 11, 28)
    people = spring.spring_registrations(today)
    assert [(r.person, r.plan, r.reference) for r in people] == \
        [(r.person, r.plan, r.reference) for r in spring.spring_registrations(today)]
    assert 35 <= len(people) <= 45
    for r in people:
        parsed = ident.parse_resident_id(r.person.id_number, today)  # raises on a wrong check digit
        assert parsed.number[:4] == "1101" and parsed.gender == r.person.gender
        born = parsed.birth_date
        assert 19 <= today.year - born.year - ((today.month, today.day) < (born.month, born.day)) <= 55
        assert ident.parse_mobile(r.person.mobile) == r.person.mobile
        assert ident.parse_email(r.person.email) == r.person.email
        assert ident.clean_text(r.person.name) == r.person.name
    for key in ("id_number", "mobile", "name"):
        values = [getattr(r.person, key) for r in people]
        assert len(set(values)) == len(values), key
    names = "".join(r.person.name for r in people)
    assert "䶮" in names and "𠈌" in names
    assert any(r.person.email for r in people) and not all(r.person.email for r in people)
    assert {r.source for r in people} == {"form", "import"}
    assert all(bool(r.reference) == (r.source == "form") for r in people)
    assert any(len(r.events) == 2 for r in people)
    assert len({r.person.delegation for r in people}) >= 8


def test_the_spring_contest_is_open_for_registration(loaded):
    from competition.database import utcnow
    contest = _spring()
    organiser = db.session.scalar(select(User).where(User.username == "organiser"))
    assert contest.status == "registration" and contest.organisation_id == organiser.organisation_id
    assert contest.privacy_notice.startswith("个人信息保护告知") and contest.bib_pattern == spring.BIB_PATTERN
    assert {e.code: e.name for e in contest.events} == {"dl": "数据标注员", "robot": "工业机器人系统运维员"}
    for event in contest.events:
        assert event.capacity and event.registration_deadline > utcnow() + timedelta(days=20)
        assert {s.code for s in event.sections} == {"T", "P"} and len(event.criteria) >= 4
        counted = sum(e.status in ("pending", "approved") for e in event.entries)
        assert 0 < counted < event.capacity
    assert contest.starts_on > utcnow().date()
    judges = db.session.scalars(select(Judge).where(Judge.contest_id == contest.id)).all()
    assert len(judges) >= 3 and all(j.delegation is not None for j in judges)
    assert not any(j.seats for j in judges)  # on the books, not yet on a panel


def test_the_spring_entries_show_every_stage_of_review(loaded):
    contest = _spring()
    entries = db.session.scalars(select(Entry).where(Entry.contest_id == contest.id)).all()
    people = db.session.scalars(select(Contestant).where(Contestant.contest_id == contest.id)).all()
    assert 35 <= len(people) <= 45 and len(entries) > len(people)
    statuses = Counter(e.status for e in entries)
    assert statuses["withdrawn"] == 1
    assert len({e.contestant_id for e in entries if e.status == "rejected"}) == 2
    assert statuses["pending"] >= 5 and statuses["approved"] >= 15
    for entry in entries:
        person = entry.contestant
        assert ident.parse_resident_id(person.id_number).number == person.id_number
        assert person.id_number[:4] == "1101" and person.mobile and person.gender and person.delegation
        assert entry.name == person.name and entry.delegation_id == person.delegation_id
        if person.source == "form":
            assert person.reference and person.consented_at == person.created_at == entry.created_at
        else:
            assert person.source == "import" and person.reference is None and person.consented_at is None
        if entry.status == "rejected":
            assert entry.review_note and entry.bib is None
        if entry.status == "pending":
            assert entry.reviewed_at is None and entry.bib is None
        else:
            assert entry.reviewed_at and entry.reviewed_by_id
    approved = [e for e in entries if e.status == "approved"]
    numbered = [e for e in approved if e.bib]
    assert 0 < len(numbered) < len(approved)  # approved since the bibs were given: not yet numbered
    assert all(e.bib.startswith("CY27-") for e in numbered)
    withdrawn = next(e for e in entries if e.status == "withdrawn")
    assert withdrawn.bib and withdrawn.review_note
    assert {p.source for p in people} == {"form", "import"}
    assert any(p.email for p in people) and any(not p.email for p in people)
    names = "".join(p.name for p in people)
    assert "䶮" in names and "𠈌" in names
    # The organiser's work is in the audit log like any other.
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.contest_id == contest.id)))
    assert {"registration.submit", "entries.import", "entry.approve", "entry.reject", "entry.withdraw",
            "entry.bibs_assigned"} <= actions


def test_the_spring_register_page_and_the_organiser_pages_answer(loaded, client):
    page = client.get(f"/c/{spring.SLUG}/register")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "数据标注员" in text and "工业机器人系统运维员" in text and "个人信息保护告知" in text
    assert client.post("/login", data={"username": "organiser", "password": DEMO_PASSWORD}).status_code == 302
    home = client.get("/o/").get_data(as_text=True)
    assert spring.NAME in home and "2026年朝阳区职工数智技能竞赛" in home
    listing = client.get(f"/o/c/{spring.SLUG}/entries")
    assert listing.status_code == 200
    person = db.session.scalars(select(Contestant).where(Contestant.contest_id == _spring().id)).first()
    text = listing.get_data(as_text=True)
    assert mask_id_number(person.id_number) in text and person.id_number not in text


def test_the_autumn_contest_is_announced_with_an_appeal_and_an_objection_waiting(loaded, client):
    contest = db.session.scalar(select(Contest).where(Contest.slug == autumn.SLUG))
    assert contest.status == "finished" and contest.announced_at is not None
    assert [e.result_status for e in contest.events] == ["protested"]  # the appeal is open
    body = client.get(f"/api/v1/contests/{autumn.SLUG}/results").get_json()
    rows = body["events"][0]["rows"]
    assert body["status"] == "announced" and rows[0]["award"] == "一等奖"
    assert all(r["award"] for r in rows if r["rank"] <= 6) and not any(r["award"] for r in rows if r["rank"] > 6)
    appeal = db.session.scalar(select(Appeal))
    objection = db.session.scalar(select(Objection))
    assert (appeal.status, appeal.criteria, objection.status) == ("open", ["P1", "P2"], "open")
    page = client.post(f"/c/{autumn.SLUG}/register/status",
                       data={"reference": autumn.APPELLANT_REFERENCE, "id_last4": autumn.APPELLANT_ID[-4:]})
    assert page.status_code == 200 and appeal.reference in page.get_data(as_text=True)
