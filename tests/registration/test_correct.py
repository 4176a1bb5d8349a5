"""An organiser corrects a person's data (competition/entries/services.correct_contestant): a
typo in a name, a wrong union, a mistyped document, each with a reason, audited; the entries and
the boards follow; what would make a duplicate person or move a person already being marked is
refused by name, with the form keeping what was typed."""
import re
from decimal import Decimal

from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.contests.models import Criterion, Section
from competition.judges.models import Judge
from competition.marking.models import Mark
from competition.entries.models import Contestant, Entry
from competition.extensions import db

from ..factory import form_data, has_id_number, make_user, resident_id

EN = {"Accept-Language": "en"}


def registered(client, n: int, **changes) -> Contestant:
    assert client.post("/c/reg-2026/register", data=form_data(n=n, **changes)).status_code == 302
    return db.session.scalar(select(Contestant).where(has_id_number(resident_id(n))))


def correct(client, person, **changes):
    data = {"name": person.name, "gender": person.gender, "id_type": person.id_type, "id_number": person.id_number,
            "mobile": person.mobile, "email": person.email or "", "delegation": person.delegation.name,
            "trade": person.trade or "", "skill_level": person.skill_level or "", "reason": "报名表填错", **changes}
    return client.post(f"/o/c/reg-2026/contestants/{person.id}/correct", data=data, headers=EN)


def test_a_name_and_a_union_are_corrected_with_a_reason_and_audited(org_client, reg_contest):
    person = registered(org_client, 1, name="张三丰", delegation="首钢集团工会")
    page = org_client.get(f"/o/c/reg-2026/contestants/{person.id}", headers=EN).get_data(as_text=True)
    assert "Male" in page and "Level 3" in page and ">male<" not in page  # values in words, not codes
    response = correct(org_client, person, name="张三峰", delegation="北京电力公司工会")
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Contestant, person.id)
    assert person.name == "张三峰" and person.delegation.name == "北京电力公司工会"
    entry = db.session.scalar(select(Entry).where(Entry.contestant_id == person.id))
    assert entry.name == "张三峰" and entry.delegation_id == person.delegation_id
    [audit] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contestant.correct"))
    assert audit.data["fields"] == ["name", "delegation"] and audit.data["reason"] == "报名表填错"
    assert audit.data["before"] == {"name": "张三丰", "delegation": "首钢集团工会"}


def test_a_correction_needs_a_reason_and_keeps_what_was_typed(org_client, reg_contest):
    person = registered(org_client, 1)
    response = correct(org_client, person, name="李四", reason="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="reason-error"' in html and 'value="李四"' in html
    db.session.expire_all()
    assert db.session.get(Contestant, person.id).name != "李四"


def test_a_document_of_another_person_is_refused_by_name(org_client, reg_contest):
    first, second = registered(org_client, 1), registered(org_client, 2)
    response = correct(org_client, second, id_number=resident_id(1), gender=first.gender)
    html = response.get_data(as_text=True)
    assert response.status_code == 409, re.findall(r"class=\"error\"[^>]*>([^<]*)<", html)
    assert "Another person of this contest has this document number." in html
    db.session.expire_all()
    assert db.session.get(Contestant, second.id).id_number == resident_id(2)


def test_the_delegation_stays_once_marking_has_begun(org_client, reg_contest):
    person = registered(org_client, 1, events=["ai"])
    entry = db.session.scalar(select(Entry).where(Entry.contestant_id == person.id))
    event = entry.event
    with db.session.no_autoflush:
        section = Section(event=event, code="P", name="实操", position=0, weight=Decimal(100))
        criterion = Criterion(section=section, event_id=event.id, code="P1", name="操作", position=0,
                              max=Decimal(10), kind="measurement", method="single", judges=1)
        judge = Judge(contest_id=reg_contest.id, user=make_user("judge-m", commit=False))
        db.session.add_all([section, criterion, judge])
    db.session.flush()
    db.session.add(Mark(entry_id=entry.id, criterion_id=criterion.id, judge_id=judge.id, value=Decimal(5)))
    db.session.commit()
    response = correct(org_client, person, delegation="北京电力公司工会", name="张三改")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Marking has begun for this person in 人工智能训练师" in html
    assert 'value="张三改"' in html  # what was typed stays
    db.session.expire_all()
    assert db.session.get(Contestant, person.id).name != "张三改"
    assert correct(org_client, person, name="张三改").status_code == 302  # the name alone may change
