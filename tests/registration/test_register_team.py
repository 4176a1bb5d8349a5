"""Teams register on the public form (entries.services.register_team): the team's name, one
delegation, its leader and contact, a row per member with their document; the same checks as
the import (team size, one team per person and event, one delegation), each refusal naming the
member, the form keeping what was typed."""
from sqlalchemy import func, select

from competition.contests.models import Event
from competition.entries.models import Contestant, Entry
from competition.extensions import db

from ..factory import resident_id

EN = {"Accept-Language": "en"}
URL = "/c/reg-2026/register/team"


def with_team_event(reg_contest, size: int = 3) -> None:
    reg_contest.events.append(Event(code="sec", name="网络安全管理员", position=3, is_team=True, team_size=size))
    db.session.commit()


def team_form(client, members, **changes):
    data = {"event": "sec", "name": "亦庄安全一队", "delegation": "亦庄开发区工会",
            "leader": "王领队", "contact": "13900001111", "consent": "y"}
    for i, (name, n) in enumerate(members):
        data.update({f"members-{i}-name": name, f"members-{i}-gender": "male" if n % 2 else "female",
                     f"members-{i}-id_type": "resident_id", f"members-{i}-id_number": resident_id(n),
                     f"members-{i}-mobile": f"1390000{n:04d}"})
    data.update(changes)
    return client.post(URL, data=data, headers=EN)


def teams() -> list[Entry]:
    return list(db.session.scalars(select(Entry).where(Entry.contestant_id.is_(None))))


def test_a_team_registers_with_its_leader_and_members(app, client, reg_contest):
    with_team_event(reg_contest)
    assert "/c/reg-2026/register/team" in client.get("/c/reg-2026/register").get_data(as_text=True)
    response = team_form(client, [("队员甲", 1), ("队员乙", 2), ("队员丙", 3)])
    assert response.status_code == 302, response.get_data(as_text=True)
    done = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "亦庄安全一队" in done and done.count('class="reference"') == 3
    [team] = teams()
    assert (team.name, team.status, team.leader, team.contact) == ("亦庄安全一队", "pending", "王领队", "13900001111")
    assert sorted(m.name for m in team.members) == ["队员丙", "队员乙", "队员甲"]
    assert {m.delegation.name for m in team.members} == {"亦庄开发区工会"} and team.delegation.name == "亦庄开发区工会"
    assert all(m.reference for m in team.members)


def test_too_many_members_a_member_twice_and_a_bad_id_are_refused(app, client, reg_contest):
    with_team_event(reg_contest, size=2)
    response = team_form(client, [("甲", 1), ("乙", 2), ("丙", 3)])
    assert response.status_code == 422 and "2 to 2 members" in response.get_data(as_text=True)
    response = team_form(client, [("甲", 1), ("甲", 1)])
    assert "甲 is in the team twice" in response.get_data(as_text=True)
    response = team_form(client, [("甲", 1), ("乙", 2)], **{"members-1-id_number": resident_id(2)[:17]})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="members-1-id_number-error"' in html
    assert 'value="亦庄安全一队"' in html and 'value="王领队"' in html  # what was typed stays
    assert teams() == [] and db.session.scalar(select(func.count(Contestant.id))) == 0


def test_a_person_is_in_one_team_of_an_event(app, client, reg_contest):
    with_team_event(reg_contest)
    assert team_form(client, [("甲", 1), ("乙", 2)]).status_code == 302
    response = team_form(client, [("丙", 3), ("乙", 2)], name="另一队")
    assert response.status_code == 409 and "乙 is already entered in 网络安全管理员" in response.get_data(as_text=True)
    response = team_form(client, [("丙", 3), ("丁", 4)])  # the same team name
    assert "is already entered in this event" in response.get_data(as_text=True)
    assert len(teams()) == 1


def test_the_individual_form_offers_no_team_event(app, client, reg_contest):
    with_team_event(reg_contest)
    html = client.get("/c/reg-2026/register").get_data(as_text=True)
    assert 'value="sec"' not in html and "网络安全管理员" not in html.split("<form", 1)[1].split("</form>")[0]
