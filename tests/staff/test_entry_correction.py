"""An organiser corrects an entry (competition/entries/services.correct_entry): moves it to
another event, or corrects a team's name, delegation, leader and contact; with a reason,
audited. A moved entry leaves its old board and joins the new one in the same transaction;
what marking has begun for, what the new event cannot take, and what would make a conflict
of interest are refused or undone by name, and the form keeps what was typed."""
import pytest
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.contests.models import Event
from competition.entries.models import Contestant, Entry
from competition.extensions import db
from competition.judges.models import Assignment, Judge

from competition.contests.models import contest_by_slug, event_by_code

from ..factory import SLUG, ai_event, delegation


def board(client, event: str) -> dict:
    response = client.get(f"/api/v1/contests/{SLUG}/events/{event}/board")
    assert response.status_code == 200
    return {row["entry"]: row for row in response.get_json()["rows"]}


def entry_by_bib(bib: str) -> Entry:
    db.session.expire_all()
    return db.session.scalar(select(Entry).where(Entry.bib == bib))


def correct(client, entry: Entry, **data):
    form = {"event": entry.event.code, "name": entry.name, "leader": entry.leader, "contact": entry.contact,
            "delegation": entry.delegation.name if entry.delegation else "", "reason": "报名时选错项目", **data}
    return client.post(f"/o/c/{SLUG}/entries/{entry.id}/correct", data=form)


def audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_an_entry_moves_to_another_event_leaving_one_board_for_the_other(organiser, patches):
    s03 = entry_by_bib("S03")
    assert "S03" in board(organiser, "iot")
    assert db.session.scalar(select(Assignment.id).where(Assignment.entry_id == s03.id)) is not None
    page = organiser.get(f"/o/c/{SLUG}/entries/{s03.id}/correct").get_data(as_text=True)
    assert "人工智能训练师" in page and '<option selected value="iot">' in page
    response = correct(organiser, s03, event="ai")
    assert response.status_code == 302, response.get_data(as_text=True)
    moved = db.session.get(Entry, s03.id)
    assert moved.event.code == "ai" and moved.bib == "AI001"
    assert db.session.scalar(select(Assignment.id).where(Assignment.entry_id == s03.id)) is None
    assert "S03" not in board(organiser, "iot")
    row = board(organiser, "ai")["AI001"]
    assert row["name"] == s03.name and row["rank"] is None and row["progress"] == [0, 0]
    # One transaction, two patches: the old board drops the row, the new one gains it.
    iot, ai = [p for p in patches if p.event == "iot"], [p for p in patches if p.event == "ai"]
    assert [p.remove for p in iot] == [["S03"]] and [[r["entry"] for r in p.upsert] for p in ai] == [["AI001"]]
    [audit] = audits("entry.correct")
    assert audit.data["fields"] == ["event"] and audit.data["before"] == {"event": "iot"}
    assert audit.data["bib"] == {"before": "S03", "after": "AI001"} and audit.data["assignments_dropped"] > 0
    flashed = organiser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Now in 人工智能训练师, bib AI001." in flashed and "generate the assignment again" in flashed


def test_an_entry_being_marked_keeps_its_event(organiser, patches):
    s01 = entry_by_bib("S01")
    response = correct(organiser, s01, event="ai", reason="换项目")
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Marking has begun for this entry in" in html and 'value="换项目"' in html
    assert entry_by_bib("S01").event.code == "iot" and patches == [] and audits("entry.correct") == []


def test_a_person_already_in_the_new_event_is_refused_by_name(organiser):
    s03 = entry_by_bib("S03")
    db.session.add(Entry(contest_id=s03.contest_id, event=ai_event(), contestant=s03.contestant, name=s03.name,
                         delegation=s03.delegation, status="withdrawn"))
    db.session.commit()
    response = correct(organiser, s03, event="ai")
    assert response.status_code == 409
    assert f"{s03.name} is already entered in 人工智能训练师." in response.get_data(as_text=True)
    assert entry_by_bib("S03").event.code == "iot"


def test_a_full_event_takes_no_entry_moved_in(organiser):
    ai = ai_event()
    ai.capacity = 3  # three approved and one pending hold four places already
    db.session.commit()
    response = correct(organiser, entry_by_bib("S03"), event="ai")
    assert response.status_code == 409 and "is full" in response.get_data(as_text=True)


def test_a_correction_needs_a_reason_and_an_event_of_the_list(organiser):
    s03 = entry_by_bib("S03")
    response = correct(organiser, s03, event="ai", reason="")
    assert response.status_code == 422 and 'id="reason-error"' in response.get_data(as_text=True)
    response = correct(organiser, s03, event="nope")
    assert response.status_code == 422 and "Choose an event." in response.get_data(as_text=True)
    assert entry_by_bib("S03").event.code == "iot"


def test_nothing_different_changes_nothing(organiser, patches):
    response = correct(organiser, entry_by_bib("S03"))
    assert response.status_code == 302 and patches == [] and audits("entry.correct") == []


def test_another_organisation_cannot_correct_the_entry(app, organiser):
    from ..helpers import english, isolated_client, login
    other = english(isolated_client(app))
    login(other, "org2")
    s03 = entry_by_bib("S03")
    assert other.get(f"/o/c/{SLUG}/entries/{s03.id}/correct").status_code in (403, 404)
    assert correct(other, s03, event="ai").status_code in (403, 404)
    assert entry_by_bib("S03").event.code == "iot"


# --- teams --------------------------------------------------------------------------------------

@pytest.fixture
def teams(contest):
    """Two team events of three at most, and a numbered, approved team of two in the first."""
    contest = contest_by_slug(SLUG)
    home = delegation("京东方工会")
    first = Event(contest=contest, code="ta", name="网络安全团体赛", position=5, is_team=True, team_size=3)
    second = Event(contest=contest, code="tb", name="数据分析团体赛", position=6, is_team=True, team_size=3)
    team = Entry(contest_id=contest.id, event=first, delegation=home, name="京东方一队", bib="TA001",
                 status="approved", leader="王领队", contact="13800000000")
    team.members = [Contestant(contest_id=contest.id, name=n, delegation=home) for n in ("队员甲", "队员乙")]
    rival = Entry(contest_id=contest.id, event=second, delegation=home, name="京东方二队", status="pending")
    db.session.add_all([first, second, team, rival])
    db.session.commit()
    return team


def test_a_team_is_corrected_and_its_row_follows(organiser, teams, patches):
    page = organiser.get(f"/o/c/{SLUG}/entries/{teams.id}/correct").get_data(as_text=True)
    assert "队员甲、队员乙" in page and 'value="王领队"' in page and "人工智能训练师" not in page
    response = correct(organiser, teams, name="京东方联队", delegation="北汽集团工会", leader="李领队",
                       contact="13911112222", reason="单位名称报错")
    assert response.status_code == 302, response.get_data(as_text=True)
    team = entry_by_bib("TA001")
    assert (team.name, team.delegation.name, team.leader, team.contact) == ("京东方联队", "北汽集团工会", "李领队",
                                                                            "13911112222")
    [audit] = audits("entry.correct")
    assert audit.data["fields"] == ["name", "leader", "contact", "delegation"]
    assert audit.data["before"]["name"] == "京东方一队" and audit.data["after"]["delegation"] == "北汽集团工会"
    row = board(organiser, "ta")["TA001"]
    assert (row["name"], row["delegation"]) == ("京东方联队", "北汽集团工会")
    assert [r["name"] for p in patches for r in p.upsert] == ["京东方联队"]


def test_a_team_moves_to_another_team_event_only(organiser, teams):
    page = organiser.get(f"/o/c/{SLUG}/entries/{teams.id}/correct").get_data(as_text=True)
    assert "数据分析团体赛" in page and "工业互联网" not in page  # only team events are offered
    assert correct(organiser, teams, event="iot").status_code == 422
    response = correct(organiser, teams, event="tb")
    assert response.status_code == 302
    moved = db.session.get(Entry, teams.id)
    assert moved.event.code == "tb" and moved.bib == "TB001"
    assert "TA001" not in board(organiser, "ta") and "TB001" in board(organiser, "tb")


def test_a_team_name_taken_in_the_new_event_is_refused(organiser, teams):
    response = correct(organiser, teams, event="tb", name="京东方二队")
    assert response.status_code == 409
    assert "A team named “京东方二队” is already entered" in response.get_data(as_text=True)
    assert db.session.get(Entry, teams.id).event.code == "ta"


def test_a_team_too_big_for_the_new_event_is_refused(organiser, teams):
    teams.members.append(Contestant(contest_id=teams.contest_id, name="队员丙", delegation=teams.delegation))
    event_by_code(contest_by_slug(SLUG), "tb").team_size = 2
    db.session.commit()
    response = correct(organiser, teams, event="tb")
    assert response.status_code == 409 and "this team does not fit" in response.get_data(as_text=True)


def test_a_new_delegation_drops_the_assignments_it_makes_a_conflict(organiser, teams):
    judges = list(db.session.scalars(select(Judge).where(Judge.contest_id == teams.contest_id)))
    k1, k2 = judges[0], judges[1]
    k1.delegation = delegation("北汽集团工会")
    criterion = event_by_code(contest_by_slug(SLUG), "iot").sections[0].criteria[0]
    db.session.add_all([Assignment(entry_id=teams.id, criterion_id=criterion.id, judge_id=k1.id),
                        Assignment(entry_id=teams.id, criterion_id=criterion.id, judge_id=k2.id)])
    db.session.commit()
    response = correct(organiser, teams, delegation="北汽集团工会")
    assert response.status_code == 302
    left = list(db.session.scalars(select(Assignment.judge_id).where(Assignment.entry_id == teams.id)))
    assert left == [k2.id]
    [audit] = audits("entry.correct")
    assert audit.data["assignments_dropped"] == 1
