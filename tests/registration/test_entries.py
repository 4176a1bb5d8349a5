"""The organiser's entries pages: masked list, filters and search, review actions with audit,
import of XLSX and CSV (UTF-8 with BOM, GBK) with preview and confirm, export, and scoping to
the organiser's own organisation."""
import csv
import io
import re
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.contests.models import Event
from competition.entries.models import Contestant, Delegation, Entry
from competition.extensions import db
from competition.privacy import mask_id_number as mask_id

from ..helpers import login
from ..factory import form_data, has_id_number, make_contest, make_organiser, resident_id

EN = {"Accept-Language": "en"}
BASE = "/o/c/reg-2026/entries"




def add_team_event(reg_contest, size: int) -> None:
    reg_contest.events.append(Event(code="sec", name="网络安全管理员", position=3, is_team=True, team_size=size))
    db.session.commit()


def registered(client, n: int, **changes) -> Entry:
    response = client.post("/c/reg-2026/register", data=form_data(n=n, **changes))
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalar(select(Entry).join(Contestant).where(has_id_number(resident_id(n)))
                             .order_by(Entry.id.desc()))


def test_list_masks_id_and_phone(org_client):
    entry = registered(org_client, 1)
    html = org_client.get(BASE, headers=EN).get_data(as_text=True)
    number = entry.contestant.id_number
    assert number not in html and "13800138000" not in html
    assert mask_id(number) in html and "138****8000" in html
    assert entry.contestant.reference in html
    assert ">Registrations</a>" in html  # the tab


def test_filters_and_search(org_client, reg_contest):
    a = registered(org_client, 1, name="王一", events=["ai"])
    b = registered(org_client, 2, name="李二", events=["iiot"], delegation="京东方科技集团工会")
    b.bib = "B007"
    db.session.commit()

    def names(**params):
        html = org_client.get(BASE, query_string=params, headers=EN).get_data(as_text=True)
        return {n for n in ("王一", "李二") if f">{n}<" in html}

    assert names() == {"王一", "李二"}
    assert names(event="ai") == {"王一"}
    assert names(status="approved") == set()
    assert names(status="pending") == {"王一", "李二"}
    delegation = db.session.scalar(select(Delegation).where(Delegation.name == "京东方科技集团工会"))
    assert names(delegation=str(delegation.id)) == {"李二"}
    assert names(q="王") == {"王一"}
    assert names(q="b007") == {"李二"}
    assert names(q=a.contestant.reference.lower()) == {"王一"}
    assert names(q=resident_id(2)[-4:]) == {"李二"}
    assert names(q="%") == set()


def test_approve_reject_withdraw_are_audited(org_client, reg_contest):
    entry = registered(org_client, 1)
    url = f"{BASE}/{entry.id}"
    response = org_client.post(f"{url}/reject", data={"reason": ""}, headers=EN, follow_redirects=True)
    assert "A rejection needs a reason" in response.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.status == "pending"
    org_client.post(f"{url}/reject", data={"reason": "材料不全"})
    db.session.refresh(entry)
    assert (entry.status, entry.review_note) == ("rejected", "材料不全")
    org_client.post(f"{url}/approve")
    db.session.refresh(entry)
    assert entry.status == "approved" and entry.reviewed_by_id is not None
    org_client.post(f"{url}/withdraw", data={"reason": "本人申请"})
    db.session.refresh(entry)
    assert entry.status == "withdrawn"
    response = org_client.post(f"{url}/approve", headers=EN, follow_redirects=True)
    assert "cannot take this action" in response.get_data(as_text=True)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("entry.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["entry.reject", "entry.approve", "entry.withdraw"]


def test_bulk_approve(org_client, reg_contest):
    entries = [registered(org_client, n) for n in (1, 2, 3)]
    response = org_client.post(f"{BASE}/approve", data={"entry": [str(entries[0].id), str(entries[2].id)]},
                               headers=EN, follow_redirects=True)
    assert "2 entries approved." in response.get_data(as_text=True)
    assert [db.session.get(Entry, e.id).status for e in entries] == ["approved", "pending", "approved"]
    assert db.session.query(AuditEntry).filter_by(action="entry.approve").count() == 2


def test_the_list_comes_in_pages_and_approves_everything_a_filter_matches(org_client, reg_contest):
    """250 registrations: pages of 100; "approve all that match" takes the filter's every page,
    and only the waiting entries of it."""
    for n in range(1, 251):
        registered(org_client, n, events=["ai"] if n % 5 else ["iiot"], delegation="首钢集团工会" if n % 2 else "北京电力公司工会")
    first = org_client.get(BASE, headers=EN).get_data(as_text=True)
    assert 'data-total="250"' in first and 'data-pages="3"' in first and first.count('name="entry"') == 100
    assert "data-select-page" in first and "js/entries.js" in first
    last = org_client.get(BASE, query_string={"page": 3}, headers=EN).get_data(as_text=True)
    assert last.count('name="entry"') == 50 and 'rel="prev"' in last
    # 首钢集团工会 in 人工智能训练师: odd n, not a multiple of 5 → 100 entries.
    shougang = db.session.scalar(select(Delegation.id).where(Delegation.name == "首钢集团工会"))
    chosen = {"event": "ai", "delegation": str(shougang), "status": "", "q": ""}
    listed = org_client.get(BASE, query_string=chosen, headers=EN).get_data(as_text=True)
    assert 'data-total="100"' in listed and 'data-approve-matching="100"' in listed
    response = org_client.post(f"{BASE}/approve", data={**chosen, "scope": "matching"}, headers=EN,
                               follow_redirects=True)
    assert "100 entries approved." in response.get_data(as_text=True)
    statuses = dict(db.session.execute(select(Entry.status, db.func.count()).group_by(Entry.status)).all())
    assert statuses == {"approved": 100, "pending": 150}
    again = org_client.get(BASE, query_string=chosen, headers=EN).get_data(as_text=True)
    assert "data-approve-matching" not in again  # nothing there waits any more


def test_approving_a_rejected_entry_into_a_full_event_is_refused(org_client, reg_contest):
    reg_contest.events[0].capacity = 2
    db.session.commit()
    first, second = registered(org_client, 1, events=["ai"]), registered(org_client, 2, events=["ai"])
    org_client.post(f"{BASE}/{first.id}/reject", data={"reason": "材料不全"})
    third = registered(org_client, 3, events=["ai"])  # the freed place is taken
    response = org_client.post(f"{BASE}/{first.id}/approve", headers=EN, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "人工智能训练师 is full: all 2 places are taken." in html
    assert [db.session.get(Entry, e.id).status for e in (first, second, third)] == ["rejected", "pending", "pending"]
    # Approving the pending ones changes nothing in the count: they hold their places already.
    response = org_client.post(f"{BASE}/approve", data={"entry": [str(second.id), str(third.id)]},
                               headers=EN, follow_redirects=True)
    assert "2 entries approved." in response.get_data(as_text=True)
    # Once a place is free again, the rejected entry may come back.
    org_client.post(f"{BASE}/{third.id}/withdraw", data={"reason": "本人申请"})
    org_client.post(f"{BASE}/{first.id}/approve")
    assert db.session.get(Entry, first.id).status == "approved"


def test_entry_of_another_contest_is_404(org_client, reg_contest):
    other = make_contest("other-2026")
    org_client.post("/c/other-2026/register", data=form_data(n=5))
    entry = db.session.scalar(select(Entry).where(Entry.contest_id == other.id))
    assert org_client.post(f"{BASE}/{entry.id}/approve").status_code == 404
    assert org_client.post(f"{BASE}/approve", data={"entry": [str(entry.id)]}).status_code == 404
    assert db.session.get(Entry, entry.id).status == "pending"


# --- import ----------------------------------------------------------------------------------

HEADER = ["序号", "姓名", "性别", "公民身份号码", "联系电话", "参赛单位", "工种", "技能等级", "参赛项目"]


def rows(count: int, start: int = 100):
    return [[str(i + 1), f"选手{i}𠈌", "男" if (start + i) % 2 else "女", resident_id(start + i),
             f"139{start + i:08d}", ["首钢集团工会", "北京电力公司工会"][i % 2], "电工", "高级工",
             ["人工智能训练师", "iiot"][i % 2]] for i in range(count)]


def xlsx_file(table) -> bytes:
    workbook = Workbook()
    for r in table:
        workbook.active.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_file(table, encoding) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(table)
    return out.getvalue().encode(encoding)


def upload(client, name: str, content: bytes, **extra):
    return client.post(f"{BASE}/import", data={"file": (io.BytesIO(content), name), **extra},
                       content_type="multipart/form-data", headers=EN)


def preview_url(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.mark.parametrize("name,make,first", [
    ("名单.xlsx", lambda t: xlsx_file(t), "选手0𠈌"),
    ("名单.csv", lambda t: csv_file(t, "utf-8-sig"), "选手0𠈌"),
    # GBK has no 𠈌 (outside the BMP): that file uses plain names.
    ("名单.csv", lambda t: csv_file([[c.replace("𠈌", "") for c in r] for r in t], "gbk"), "选手0"),
    ("名单.csv", lambda t: csv_file(t, "gb18030"), "选手0𠈌"),
], ids=["xlsx", "utf8-bom", "gbk", "gb18030"])
def test_import_200_rows_preview_then_confirm(org_client, reg_contest, name, make, first):
    table = [HEADER, *rows(200)]
    url = preview_url(upload(org_client, name, make(table)))
    html = org_client.get(url, headers=EN).get_data(as_text=True)
    assert "All 200 rows are correct." in html
    assert db.session.query(Entry).count() == 0  # nothing before confirming
    response = org_client.post(url, data={f"map_{i}": f or "" for i, f in enumerate(
        [None, "name", "gender", "id_number", "mobile", "delegation", "trade", "skill_level", "event"])},
        headers=EN, follow_redirects=True)
    assert "200 entries imported." in response.get_data(as_text=True)
    entries = db.session.scalars(select(Entry)).all()
    assert len(entries) == 200
    assert {(e.status, e.bib) for e in entries} == {("approved", None)}
    people = db.session.scalars(select(Contestant)).all()
    assert {p.source for p in people} == {"import"} and {p.reference for p in people} == {None}
    assert people[0].name == first and people[0].skill_level == "level3"
    assert db.session.query(AuditEntry).filter_by(action="entries.import").count() == 1
    # The stored upload is gone: confirming twice imports nothing more.
    assert org_client.post(url).status_code == 404


def test_bad_file_imports_nothing_and_reports_row_numbers(org_client, reg_contest):
    already = registered(org_client, 7, events=["ai"])
    table = [HEADER, *rows(10)]
    table[3][3] = table[3][3][:-1] + ("0" if table[3][3][-1] != "0" else "1")   # row 4: check digit
    table[5][1] = ""                                                               # row 6: no name
    table[6][1:4] = table[2][1:4]                                                  # row 7: duplicate of row 3
    table[6][8] = table[2][8]
    table[7][8] = "焊工"                                                           # row 8: unknown event
    table[8][4] = "12345"                                                          # row 9: bad phone
    # row 10: already entered, so matched to that entry as a re-import (tests/registration/test_reimport.py)
    table[9][3], table[9][8], table[9][2] = resident_id(7), "人工智能训练师", "男"
    table[9][1] = already.contestant.name
    url = preview_url(upload(org_client, "bad.csv", csv_file(table, "gb18030")))
    html = org_client.get(url, headers=EN).get_data(as_text=True)
    found = re.findall(r"<tr data-problem-row[^>]*><td>(\d+)</td><td>[^<]*</td><td[^>]*>[^<]*</td><td>([^<]+)</td></tr>", html)
    assert [(int(r), m) for r, m in found] == [
        (4, "The check digit does not match: please check the ID number for a typing error."),
        (6, "The name is missing."),
        (7, "The same ID number is already in row 3 for this event."), (8, "Unknown event “焊工”."),
        (9, "Enter an 11-digit mainland mobile number starting with 13 to 19.")]
    assert "nothing has been imported" in html
    assert "Import " not in html.split("problems")[-1]  # no confirm button
    response = org_client.post(url, headers=EN)
    assert response.status_code == 422
    assert db.session.query(Entry).count() == 1  # only the one registered on the form


def test_an_import_past_an_events_capacity_imports_nothing(org_client, reg_contest):
    reg_contest.events[0].capacity = 3
    db.session.commit()
    registered(org_client, 7, events=["ai"])  # one place of three taken
    table = [HEADER, *rows(6)]  # rows 2, 4 and 6 are for 人工智能训练师
    url = preview_url(upload(org_client, "名单.csv", csv_file(table, "utf-8-sig")))
    html = org_client.get(url, headers=EN).get_data(as_text=True)
    found = re.findall(r"<tr data-problem-row[^>]*><td>(\d+)</td><td>[^<]*</td><td[^>]*>[^<]*</td><td>([^<]+)</td></tr>", html)
    assert [(row, unescape(message)) for row, message in found] == [
        ("6", "人工智能训练师 has no place left for this row: the rows before it fill the event's capacity.")]
    response = org_client.post(url, data={f"map_{i}": f or "" for i, f in enumerate(
        [None, "name", "gender", "id_number", "mobile", "delegation", "trade", "skill_level", "event"])},
        headers=EN, follow_redirects=True)
    assert response.status_code == 422
    assert db.session.query(Entry).count() == 1


def test_a_team_event_imports_one_entry_per_team_with_its_members(org_client, reg_contest):
    add_team_event(reg_contest, size=2)
    table = [[*HEADER, "队名"],
             *[[*r[:8], "网络安全管理员", team] for r, team in zip(rows(4), ["首钢一队", "电力队", "首钢一队", "电力队"])],
             [*rows(1, start=200)[0], ""]]
    table[2][5] = table[4][5] = "北京电力公司工会"  # each team from one delegation
    mapping = [None, "name", "gender", "id_number", "mobile", "delegation", "trade", "skill_level", "event", "team"]
    url = preview_url(upload(org_client, "队伍.xlsx", xlsx_file(table)))
    assert "All 5 rows are correct." in org_client.get(url, headers=EN).get_data(as_text=True)
    response = org_client.post(url, data={f"map_{i}": f or "" for i, f in enumerate(mapping)}, headers=EN,
                               follow_redirects=True)
    assert "3 entries imported." in response.get_data(as_text=True)  # two teams and one person
    teams = {e.name: e for e in db.session.scalars(select(Entry).join(Event).where(Event.code == "sec"))}
    assert set(teams) == {"首钢一队", "电力队"}
    assert sorted(m.name for m in teams["首钢一队"].members) == ["选手0𠈌", "选手2𠈌"]
    assert {e.delegation.name for e in teams.values()} == {"首钢集团工会", "北京电力公司工会"}
    assert all(e.contestant_id is None and e.status == "approved" for e in teams.values())
    assert db.session.scalar(select(Entry).join(Event).where(Event.code == "ai")).name == "选手0𠈌"
    listed = org_client.get(f"{BASE}?event=sec", headers=EN)
    assert listed.status_code == 200 and "首钢一队<br><small>选手0𠈌、选手2𠈌</small>" in listed.get_data(as_text=True)
    # The export has a row per member, and reads back as the same teams.
    exported = org_client.post(f"{BASE}/export", data={"format": "csv", "full": "y", "reason": "迁移"})
    table_out = _csv_rows(exported.data)
    team_rows = [(r[2], r[-1]) for r in table_out[1:] if r[0] == "网络安全管理员"]
    assert sorted(team_rows) == sorted([("选手0𠈌", "首钢一队"), ("选手2𠈌", "首钢一队"),
                                         ("选手1𠈌", "电力队"), ("选手3𠈌", "电力队")])
    # The same team again, or one of its members in another team of the event: refused, nothing imported.
    again = [[*HEADER, "队名"], [*rows(1)[0][:8], "网络安全管理员", "首钢一队"],
             [*rows(1, start=300)[0][:8], "网络安全管理员", "新队"], [*rows(3)[2][:8], "网络安全管理员", "新队"]]
    url = preview_url(upload(org_client, "again.csv", csv_file(again, "utf-8-sig")))
    html = unescape(org_client.get(url, headers=EN).get_data(as_text=True))
    assert "A team named “首钢一队” is already entered in this event." in html
    assert "This person is already entered in 网络安全管理员." in html
    assert db.session.query(Entry).count() == 3


def test_a_team_takes_the_delegation_its_rows_give(org_client, reg_contest):
    # A member already on file under another delegation does not carry it into the team.
    add_team_event(reg_contest, size=3)
    registered(org_client, 1, events=["ai"], delegation="京东方科技集团工会")
    table = [["姓名", "公民身份号码", "联系电话", "参赛单位", "参赛项目", "队名"],
             ["张𠈌䶮", resident_id(1), "13800138000", "首钢集团工会", "网络安全管理员", "首钢一队"],
             ["李四", resident_id(3), "13800138001", "首钢集团工会", "网络安全管理员", "首钢一队"]]
    url = preview_url(upload(org_client, "队.csv", csv_file(table, "utf-8-sig")))
    org_client.post(url, data={f"map_{i}": f for i, f in enumerate(
        ["name", "id_number", "mobile", "delegation", "event", "team"])})
    team = db.session.scalar(select(Entry).where(Entry.name == "首钢一队"))
    assert team.delegation.name == "首钢集团工会"


def test_unmatched_column_is_mapped_by_hand(org_client, reg_contest):
    table = [["名字缩写", "身份证号", "手机", "单位"], ["张三", resident_id(11), "13900000011", "首钢集团工会"]]
    url = preview_url(upload(org_client, "a.csv", csv_file(table, "utf-8"), default_event="ai"))
    html = org_client.get(url, headers=EN).get_data(as_text=True)
    assert "No column holds this required field" in html
    html = org_client.get(url, query_string={"map_0": "name", "map_1": "id_number", "map_2": "mobile",
                                             "map_3": "delegation"}, headers=EN).get_data(as_text=True)
    assert "1 row is correct." in html
    assert 'name="map_0" value="name"' in html
    org_client.post(url, data={"map_0": "name", "map_1": "id_number", "map_2": "mobile", "map_3": "delegation",
                               "default_event": "ai"})
    entry = db.session.scalar(select(Entry))
    assert entry.name == "张三" and entry.event.code == "ai"


def test_unreadable_upload_keeps_the_form(org_client, reg_contest):
    response = upload(org_client, "a.xlsx", b"not a workbook")
    assert response.status_code == 422
    assert "not a readable XLSX or CSV file" in response.get_data(as_text=True)
    response = upload(org_client, "a.pdf", b"%PDF")
    assert response.status_code == 422


def test_stored_upload_is_only_for_its_uploader(app, org_client, reg_contest, client):
    url = preview_url(upload(org_client, "a.csv", csv_file([HEADER, *rows(2)], "utf-8")))
    make_organiser("org2")
    other = app.test_client()
    login(other, "org2")
    assert other.get(url).status_code == 404
    assert org_client.get(f"{BASE}/import/../../etc").status_code == 404
    assert org_client.get(f"{BASE}/import/{'0' * 32}").status_code == 404


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_templates_have_canonical_headers(org_client, reg_contest, fmt):
    response = org_client.get(f"{BASE}/import/template.{fmt}")
    assert response.status_code == 200
    expected = ["姓名", "性别", "证件类型", "证件号码", "手机号码", "电子邮箱", "工作单位", "工种", "技能等级", "参赛项目"]
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")
        assert next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == expected
    else:
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert [c.value for c in sheet[1]] == expected
    # With a team event, a column for the team's name.
    add_team_event(reg_contest, size=2)
    response = org_client.get(f"{BASE}/import/template.csv")
    assert next(csv.reader(io.StringIO(response.data.decode("utf-8-sig")))) == [*expected, "队名"]


# --- export ----------------------------------------------------------------------------------

def _csv_rows(data: bytes):
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def test_export_masked_by_default_and_formula_safe(org_client, reg_contest):
    entry = registered(org_client, 1, name="=HYPERLINK(\"http://x\")", trade="@SUM(A1)", delegation="-团队+")
    number = entry.contestant.id_number
    response = org_client.get(f"{BASE}/export.csv")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    table = _csv_rows(response.data)
    assert table[0][:3] == ["参赛项目", "参赛号", "姓名"]
    row = table[1]
    assert row[2] == "'=HYPERLINK(\"http://x\")" and row[9] == "'@SUM(A1)" and row[8] == "'-团队+"
    assert row[5] == mask_id(number) and row[6] == "138****8000"
    assert number not in response.data.decode("utf-8-sig")
    sheet = load_workbook(io.BytesIO(org_client.get(f"{BASE}/export.xlsx").data)).active
    values = [c.value for c in sheet[2]]
    assert values[2] == "'=HYPERLINK(\"http://x\")" and values[5] == mask_id(number)
    assert all(c.data_type == "s" for c in sheet[2] if c.value is not None)
    audits = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "entries.export")).all()
    assert [(a.data["format"], a.data["full"]) for a in audits] == [("csv", False), ("xlsx", False)]


def test_full_export_needs_a_reason_and_is_audited(org_client, reg_contest):
    entry = registered(org_client, 1)
    number = entry.contestant.id_number
    response = org_client.post(f"{BASE}/export", data={"format": "csv", "full": "y"}, headers=EN,
                               follow_redirects=True)
    assert "Say why the full numbers are needed" in response.get_data(as_text=True)
    response = org_client.post(f"{BASE}/export", data={"format": "csv", "full": "y", "reason": "保险登记"})
    row = _csv_rows(response.data)[1]
    assert row[5] == number and row[6] == "13800138000"
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "entries.export"))
    assert audit.data == {"format": "csv", "full": True, "reason": "保险登记"}


def test_export_reimports_after_clearing(org_client, reg_contest):
    """The export's headers are the import's: the file can start the next contest's list."""
    registered(org_client, 1, events=["ai", "iiot"])
    response = org_client.post(f"{BASE}/export", data={"format": "xlsx", "full": "y", "reason": "迁移"})
    make_contest("next-2026")
    url = preview_url(org_client.post("/o/c/next-2026/entries/import",
                                      data={"file": (io.BytesIO(response.data), "e.xlsx")},
                                      content_type="multipart/form-data"))
    html = org_client.get(url, headers=EN).get_data(as_text=True)
    assert "All 2 rows are correct." in html


# --- another organisation --------------------------------------------------------------------

PAGES = [("get", ""), ("get", "?q=1"), ("post", "/1/approve"), ("post", "/1/reject"), ("post", "/1/withdraw"),
         ("post", "/approve"), ("get", "/export.csv"), ("get", "/export.xlsx"), ("post", "/export"),
         ("get", "/import"), ("post", "/import"), ("get", "/import/template.xlsx"), ("get", "/import/template.csv"),
         ("get", "/import/" + "a" * 32), ("post", "/import/" + "a" * 32)]


@pytest.mark.parametrize("method,path", PAGES)
def test_another_organisations_organiser_gets_404(app, client, reg_contest, method, path):
    registered(client, 1)
    make_organiser("stranger", organisation="海淀区总工会")
    login(client, "stranger")
    response = getattr(client, method)(BASE + path, data={"reason": "x", "entry": ["1"], "format": "csv"})
    assert response.status_code == 404
    assert db.session.scalar(select(Entry)).status == "pending"
    assert db.session.query(AuditEntry).filter(AuditEntry.action.like("entr%")).count() == 0


def test_anonymous_is_sent_to_login(client, reg_contest):
    response = client.get(BASE)
    assert response.status_code in (302, 401)
