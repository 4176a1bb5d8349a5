"""Re-importing a union's updated entrant list: its rows are matched to the people already
entered by their document (the blind index); the preview counts new, changed and unchanged rows
and shows what changes (personal values masked); confirming writes exactly that, audited, and
still nothing at all when any row has a problem."""
import re
from decimal import Decimal
from html import unescape

from sqlalchemy import func, select

from competition.audit.models import AuditEntry
from competition.contests.models import Criterion, Event, Section
from competition.entries.models import Contestant, Entry
from competition.extensions import db
from competition.judges.models import Judge
from competition.marking.models import Mark

from ..factory import has_id_number, make_user, resident_id
from .test_entries import (
    EN,
    HEADER,
    csv_file,
    preview_url,
    rows,
    upload,
    xlsx_file,
)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def person(n: int) -> Contestant:
    return db.session.scalar(select(Contestant).where(has_id_number(resident_id(n))))


def snapshot() -> dict:
    """Every contestant's fields and every entry, as they are now."""
    people = {c.id: (c.name, c.gender, c.mobile, c.email, c.delegation_id, c.trade, c.skill_level)
              for c in db.session.scalars(select(Contestant))}
    entries = {e.id: (e.name, e.delegation_id, e.event_id, e.contestant_id, e.status)
               for e in db.session.scalars(select(Entry))}
    return {"people": people, "entries": entries}


def imported(client, table, name="名单.xlsx"):
    url = preview_url(upload(client, name, xlsx_file(table) if name.endswith("xlsx") else csv_file(table, "utf-8-sig")))
    html = unescape(client.get(url, headers=EN).get_data(as_text=True))
    return url, html


def first_import(client, count_=50):
    table = [HEADER, *rows(count_)]
    url, html = imported(client, table)
    assert f"All {count_} rows are correct." in html
    response = client.post(url, headers=EN, follow_redirects=True)
    assert f"{count_} entries imported." in response.get_data(as_text=True)
    return table


def updated_list(table):
    """The same list with 5 rows changed, 7 rows dropped (not withdrawn: just not listed) and 7 new."""
    again = [list(r) for r in table[:44]]  # the header and the first 43 rows
    again[1][4] = "13700000001"            # row 2: mobile
    again[2][4] = "13700000002"            # row 3: mobile
    again[3][5] = "京东方科技集团工会"        # row 4: delegation
    again[4][1] = "改名四"                  # row 5: name (the same document under another name)
    again[5][7] = "技师"                    # row 6: skill level
    again.extend(rows(7, start=500))
    return again


def test_reimport_counts_new_changed_unchanged_and_writes_exactly_that(org_client, reg_contest):
    table = first_import(org_client)
    assert (count(Contestant), count(Entry)) == (50, 50)
    url, html = imported(org_client, updated_list(table))
    assert "All 50 rows are correct." in html
    assert "New: 7 · changed: 5 · unchanged: 38." in html
    assert re.search(r'data-counts="7 5 38"', html)
    changed = dict(re.findall(r'data-changed-row="(\d+)" data-changed-fields="([^"]*)"', html))
    assert changed == {"2": "mobile", "3": "mobile", "4": "delegation", "5": "name", "6": "skill_level"}
    # Old → new, the mobile masked.
    assert "Mobile number: 139****0100 → 137****0001" in html and "13700000001" not in html
    assert "Employer or district union: 首钢集团工会 → 京东方科技集团工会" in html
    assert "Name: 选手3𠈌 → 改名四" in html
    assert "Skill level: " in html
    assert resident_id(100) not in html  # ID numbers stay masked
    statuses = re.findall(r'data-row="(\d+)" data-status="(\w+)"', html)
    assert [s for _, s in statuses].count("unchanged") == 38
    assert count(Contestant) == 50  # nothing written before confirming
    assert db.session.scalar(select(func.count()).where(AuditEntry.action.in_(
        ["entries.import", "contestant.update"]))) == 1

    before = snapshot()
    response = org_client.post(url, headers=EN, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "7 entries imported. 5 entrants updated." in text
    after = snapshot()
    assert (count(Contestant), count(Entry)) == (57, 57)
    # The unchanged people and entries are exactly as they were.
    changed_ids = {person(n).id for n in (100, 101, 102, 103, 104)}
    assert {k: v for k, v in after["people"].items() if k in before["people"] and k not in changed_ids} == \
        {k: v for k, v in before["people"].items() if k not in changed_ids}
    assert person(100).mobile == "13700000001" and person(101).mobile == "13700000002"
    assert person(102).delegation.name == "京东方科技集团工会"
    assert person(103).name == "改名四" and person(104).skill_level == "level2"
    # An entry shows its person's name and delegation.
    entry = db.session.scalar(select(Entry).where(Entry.contestant_id == person(103).id))
    assert entry.name == "改名四"
    entry = db.session.scalar(select(Entry).where(Entry.contestant_id == person(102).id))
    assert entry.delegation.name == "京东方科技集团工会"
    # Audited: one entry per updated person with the fields changed, never a full ID number.
    updates = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contestant.update")
                                 .order_by(AuditEntry.id)).all()
    assert sorted(tuple(a.data["fields"]) for a in updates) == sorted(
        [("mobile",), ("mobile",), ("delegation",), ("name",), ("skill_level",)])
    assert {a.target for a in updates} == {f"contestant:{i}" for i in changed_ids}
    mobile = next(a for a in updates if a.target == f"contestant:{person(100).id}")
    assert mobile.data["changes"] == {"mobile": ["139****0100", "137****0001"]}
    assert all(resident_id(n) not in str(a.data) for a in updates for n in range(100, 160))
    summary = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "entries.import")
                                 .order_by(AuditEntry.id)).all()[-1]
    assert (summary.data["new"], summary.data["changed"], summary.data["unchanged"]) == (7, 5, 38)


def test_a_bad_row_in_a_reimport_writes_nothing(org_client, reg_contest):
    table = first_import(org_client)
    again = updated_list(table)
    again[20][4] = "12345"  # row 21: a bad mobile number
    url, html = imported(org_client, again, "again.csv")
    assert "1 problem: nothing has been imported." in html
    assert "Changes to people on file" not in html
    before = snapshot()
    audits = count(AuditEntry)
    response = org_client.post(url, headers=EN)
    assert response.status_code == 422
    assert snapshot() == before and count(AuditEntry) == audits


def test_the_same_list_again_writes_nothing(org_client, reg_contest):
    table = first_import(org_client, 10)
    url, html = imported(org_client, table, "same.csv")
    assert "New: 0 · changed: 0 · unchanged: 10." in html
    assert "Nothing to import: every row is on file already, unchanged." in html
    assert 'type="submit" class="button primary"' not in html
    before, audits = snapshot(), count(AuditEntry)
    response = org_client.post(url, headers=EN, follow_redirects=True)
    assert "Nothing to import" in response.get_data(as_text=True)
    assert snapshot() == before and count(AuditEntry) == audits


def test_a_person_on_file_in_one_more_event_is_a_new_entry(org_client, reg_contest):
    table = first_import(org_client, 2)  # row 2: 人工智能训练师, row 3: iiot
    again = [HEADER, table[1], [*table[1][:8], "iiot"]]
    url, html = imported(org_client, again, "more.csv")
    assert "New: 1 · changed: 0 · unchanged: 1." in html
    org_client.post(url)
    assert count(Contestant) == 2
    assert sorted(e.event.code for e in db.session.scalars(
        select(Entry).where(Entry.contestant_id == person(100).id))) == ["ai", "iiot"]


def test_a_blank_cell_or_a_missing_column_keeps_what_is_on_file(org_client, reg_contest):
    table = first_import(org_client, 2)
    again = [[c for i, c in enumerate(r) if i != 6] for r in table]  # no trade column
    again[1][6] = ""  # no skill level in row 2
    _url, html = imported(org_client, again, "fewer.csv")
    assert "New: 0 · changed: 0 · unchanged: 2." in html


def _marks_for(n: int) -> None:
    """A judge's mark for the person's entry in 人工智能训练师: marking has begun for them."""
    ai = db.session.scalar(select(Event).where(Event.code == "ai"))
    section = Section(event_id=ai.id, code="P", name="实操", position=0)
    db.session.add(section)
    db.session.flush()
    criterion = Criterion(section_id=section.id, event_id=ai.id, code="A1", name="数据标注", position=0,
                          max=Decimal(10))
    judge = Judge(contest_id=ai.contest_id, user_id=make_user("judge1").id)
    db.session.add_all([criterion, judge])
    db.session.flush()
    entry = db.session.scalar(select(Entry).where(Entry.contestant_id == person(n).id, Entry.event_id == ai.id))
    db.session.add(Mark(entry_id=entry.id, criterion_id=criterion.id, judge_id=judge.id, value=Decimal("7.5")))
    db.session.commit()


def test_once_marking_began_delegation_and_event_stay(org_client, reg_contest):
    table = first_import(org_client, 4)  # rows 2 and 4 are in 人工智能训练师
    _marks_for(100)
    again = [list(r) for r in table]
    again[1][5] = "京东方科技集团工会"  # row 2: another delegation, marking has begun
    again[3][1] = "新名字"            # row 4: another name, no marks: a change
    url, html = imported(org_client, again, "marked.csv")
    problems = re.findall(r'<tr data-problem-row="(\d+)" data-problem-column="(\w*)">', html)
    assert problems == [("2", "delegation")]
    assert "Marking has begun for this person in 人工智能训练师: their employer or district union can no longer " \
           "change." in html
    # A name alone may still change.
    again[1][5] = table[1][5]
    url, html = imported(org_client, [HEADER, [*again[1][:1], "另一个名字", *again[1][2:]]], "name.csv")
    assert "New: 0 · changed: 1 · unchanged: 0." in html
    # Listed only in another event reads as moving them: refused.
    url, html = imported(org_client, [HEADER, [*table[1][:8], "iiot"]], "moved.csv")
    assert "Marking has begun for this person in 人工智能训练师: their event can no longer change." in html
    before = snapshot()
    assert org_client.post(url).status_code == 422
    assert snapshot() == before
