"""Reading entrant lists and checking their rows, without a database."""
import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from competition.entries import importing as imp
from competition.entries.identity import check_character
from competition import spreadsheets

TODAY = date(2026, 11, 28)
HEADER = ["序号", "姓名", "性别", "身份证号", "手机号", "工作单位", "工种", "技能等级", "赛项"]


def rid(n: int) -> str:
    first17 = f"11010519900101{n:03d}"
    return first17 + check_character(first17)


def row(n: int, **changes) -> list[str]:
    values = {"序号": str(n), "姓名": f"选手{n}", "性别": "男" if n % 2 else "女", "身份证号": rid(n),
              "手机号": f"138{n:08d}", "工作单位": "首钢集团工会", "工种": "电工", "技能等级": "高级工",
              "赛项": "人工智能训练师"}
    values.update(changes)
    return [values[h] for h in HEADER]


def context(**changes) -> imp.ImportContext:
    values = dict(events={"ai": "人工智能训练师", "iiot": "工业互联网运维员"}, team_events={"sec": "网络安全"},
                  today=TODAY)
    values.update(changes)
    return imp.ImportContext(**values)


def check(rows, **ctx):
    table = [HEADER, *rows]
    return imp.check_rows(table, imp.match_headers(HEADER), context(**ctx))


@pytest.mark.parametrize("header,field", [
    ("身份证号", "id_number"), ("证件号码", "id_number"), ("公民身份号码", "id_number"), ("身份证号码", "id_number"),
    ("姓名", "name"), ("  姓 名 ", "name"), ("姓名（必填）", "name"), ("*姓名", "name"), ("性别", "gender"),
    ("手机号", "mobile"), ("手机号码", "mobile"), ("联系电话", "mobile"),
    ("工作单位", "delegation"), ("单位", "delegation"), ("参赛单位", "delegation"), ("代表队", "delegation"),
    ("工种", "trade"), ("技能等级", "skill_level"), ("赛项", "event"), ("参赛项目", "event"),
    ("序号", None), ("备注", None),
])
def test_header_synonyms(header, field):
    assert imp.match_headers([header]) == [field]


def test_a_field_goes_to_its_first_column():
    assert imp.match_headers(["手机号", "联系电话"]) == ["mobile", None]


def test_canonical_headers_match_themselves():
    assert imp.match_headers(list(imp.CANONICAL_HEADERS.values())) == list(imp.CANONICAL_HEADERS)


def test_clean_file():
    checked = check([row(1), row(2)])
    assert checked.is_clean
    assert [(r.row, r.person.name, r.person.gender, r.event, r.person.skill_level) for r in checked.rows] == [
        (2, "选手1", "male", "ai", "level3"), (3, "选手2", "female", "ai", "level3")]


@pytest.mark.parametrize("changes,code,column", [
    ({"身份证号": rid(1)[:-1] + ("1" if rid(1)[-1] != "1" else "2")}, "id_check_digit", "id_number"),
    ({"身份证号": ""}, "missing_id_number", "id_number"),
    ({"姓名": " "}, "missing_name", "name"),
    ({"手机号": "1380013800"}, "bad_mobile", "mobile"),
    ({"手机号": ""}, "missing_mobile", "mobile"),
    ({"工作单位": ""}, "missing_delegation", "delegation"),
    ({"赛项": "焊工"}, "unknown_event", "event"),
    ({"赛项": "网络安全"}, "missing_team", "team"),  # a team event's row names its team
    ({"赛项": ""}, "missing_event", "event"),
    ({"性别": "女"}, "gender_mismatch", "gender"),
    ({"性别": "未知"}, "bad_gender", "gender"),
    ({"技能等级": "大师"}, "bad_skill_level", "skill_level"),
])
def test_bad_rows_are_reported_with_their_row_number(changes, code, column):
    checked = check([row(1), row(3), row(5, **changes)])
    assert [(p.row, p.code, p.column) for p in checked.problems] == [(4, code, column)]
    assert len(checked.rows) == 2


def test_event_by_code_and_default_event():
    assert check([row(1, 赛项="IIOT")]).rows[0].event == "iiot"
    assert check([row(1, 赛项="")], default_event="iiot").rows[0].event == "iiot"


def test_duplicates_in_file_and_already_entered():
    checked = check([row(1), row(2), row(1), row(1, 赛项="工业互联网运维员")],
                    entered={("resident_id", rid(2), "ai")})
    assert [(p.row, p.code, p.value) for p in checked.problems] == [
        (3, "already_entered", "人工智能训练师"), (4, "duplicate_in_file", "2")]
    assert [r.row for r in checked.rows] == [2, 5]  # one person in two events is fine


def test_same_id_with_two_names():
    checked = check([row(1), row(1, 姓名="别人", 赛项="iiot")],
                    known_names={("resident_id", rid(1)): "选手1"})
    assert [(p.row, p.code) for p in checked.problems] == [(3, "name_differs_on_file"), (3, "name_differs_in_file")]


def test_missing_required_columns_stop_at_the_header():
    table = [["姓名", "备注"], ["张三", "x"]]
    checked = imp.check_rows(table, imp.match_headers(table[0]), context())
    assert {(p.row, p.code, p.column) for p in checked.problems} == {
        (1, "missing_column", f) for f in ("id_number", "mobile", "delegation", "event")}
    assert checked.rows == []


def test_blank_rows_are_skipped_but_keep_numbering():
    checked = check([row(1), [""] * len(HEADER), row(2, 姓名="")])
    assert [(p.row, p.code) for p in checked.problems] == [(4, "missing_name")]


def test_header_only_file():
    assert [p.code for p in check([]).problems] == ["no_rows"]


def _csv(rows, encoding):
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    table = imp.read_table("名单.csv", _csv([HEADER, row(1)], encoding))
    assert table[0] == HEADER and table[1][1] == "选手1"


def test_gb18030_keeps_rare_characters():
    table = imp.read_table("a.CSV", _csv([["姓名"], ["张𠈌䶮"]], "gb18030"))
    assert table[1] == ["张𠈌䶮"]


def test_unreadable_files():
    for name, content, code in (("a.pdf", b"%PDF", "not_a_table"), ("a.xlsx", b"not a zip", "not_a_table"),
                                ("a.csv", b"", "empty_file"), ("a.csv", b"\xff\xfe\x00\x81\x30", "bad_encoding")):
        with pytest.raises(imp.UnreadableFile) as raised:
            imp.read_table(name, content)
        assert raised.value.code == code, name


def test_xlsx_round_trip_keeps_ids_as_text():
    content = spreadsheets.xlsx_bytes(HEADER, [row(1), row(2)])
    table = imp.read_table("list.xlsx", content)
    assert table[1][3] == rid(1) and table[2][1] == "选手2"


def test_xlsx_numbers_lose_their_point_zero():
    from openpyxl import Workbook
    workbook = Workbook()
    workbook.active.append(["手机号"])
    workbook.active.append([13800138000])
    out = io.BytesIO()
    workbook.save(out)
    assert imp.read_table("x.xlsx", out.getvalue()) == [["手机号"], ["13800138000"]]


@pytest.mark.parametrize("value,safe", [("=1+1", "'=1+1"), ("+86", "'+86"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
                                        ("\tx", "'\tx"), ("\rx", "'\rx"), ("张三", "张三"), (None, ""), (12, "12")])
def test_safe_cell(value, safe):
    assert spreadsheets.safe_cell(value) == safe


@given(st.text())
def test_safe_cell_never_starts_a_formula(text):
    assert not spreadsheets.safe_cell(text).startswith(spreadsheets.FORMULA_STARTS)


def test_csv_bytes_has_bom_and_escapes():
    data = spreadsheets.csv_bytes(["姓名"], [["=HYPERLINK(\"x\")"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [["姓名"], ["'=HYPERLINK(\"x\")"]]


TEAM_HEADER = [*HEADER, "队名"]


def team_row(n: int, team: str, **changes) -> list[str]:
    return [*row(n, 赛项="网络安全", **changes), team]


def check_teams(rows, **ctx):
    table = [TEAM_HEADER, *rows]
    return imp.check_rows(table, imp.match_headers(TEAM_HEADER), context(**ctx))


def test_rows_with_one_team_name_are_one_team():
    checked = check_teams([team_row(1, "蓝队"), team_row(2, "红队"), team_row(3, "蓝队"), [*row(4), ""]],
                          team_sizes={"sec": 2})
    assert checked.is_clean
    assert [(r.row, r.event, r.team) for r in checked.rows] == [
        (2, "sec", "蓝队"), (3, "sec", "红队"), (4, "sec", "蓝队"), (5, "ai", "")]


def test_a_team_comes_from_one_delegation_and_has_at_most_its_size():
    checked = check_teams([team_row(1, "蓝队"), team_row(2, "蓝队", 工作单位="京东方科技集团工会"),
                           team_row(3, "蓝队"), team_row(4, "蓝队")], team_sizes={"sec": 2})
    assert [(p.row, p.code, p.value) for p in checked.problems] == [
        (3, "team_delegation_differs", "2"), (5, "team_too_big", "2")]
    assert [r.row for r in checked.rows] == [2, 4]


def test_a_team_already_entered_is_refused():
    checked = check_teams([team_row(1, "蓝队"), team_row(2, "红队")], teams={("sec", "蓝队")})
    assert [(p.row, p.code, p.value) for p in checked.problems] == [(2, "team_exists", "蓝队")]


def test_capacity_counts_teams_not_members():
    checked = check_teams([team_row(1, "蓝队"), team_row(2, "蓝队"), team_row(3, "红队"), team_row(4, "蓝队")],
                          room={"sec": 1})
    assert [(p.row, p.code) for p in checked.problems] == [(4, "event_full")]
    assert [r.row for r in checked.rows] == [2, 3, 5]


def test_capacity_counts_people_in_individual_events():
    checked = check([row(1), row(2), row(3, 赛项="iiot"), row(4)], room={"ai": 2})
    assert [(p.row, p.code, p.value) for p in checked.problems] == [(5, "event_full", "人工智能训练师")]
