"""Excel's habits with entrant lists: the template keeps the ID and mobile columns as text and
offers drop-down lists, its example row is ignored by the import, and an ID number that Excel
turned into a number is diagnosed as such (not as a wrong check digit)."""
import io
import re
from html import unescape

from openpyxl import Workbook, load_workbook

from competition.entries import identity as ident
from competition.entries import importing
from competition.entries.models import Entry
from competition.extensions import db

from ..factory import resident_id
from .test_entries import (
    BASE,
    EN,
    HEADER,
    csv_file,
    preview_url,
    rows,
    upload,
    xlsx_file,
)

SCIENTIFIC = ("Excel turned this ID number into a number and shows it in scientific notation, which loses its last "
              "digits. Format the ID number column as text (Format Cells → Text), then type the numbers again or "
              "paste them as text.")
DIGITS_LOST = ("Excel stored this ID number as a number, which keeps only 15 digits: its last digits became 0. "
               "Format the ID number column as text (Format Cells → Text), then type the numbers again or paste "
               "them as text.")
NUMBER = ("This ID number is stored as a number, not as text, and Excel changed it. Format the ID number column as "
          "text (Format Cells → Text), then type the numbers again or paste them as text.")


def problems(client, name, content):
    url = preview_url(upload(client, name, content))
    html = unescape(client.get(url, headers=EN).get_data(as_text=True))
    return url, html, re.findall(r"<tr data-problem-row=\"(\d+)\" data-problem-column=\"(\w*)\"><td>\d+</td>"
                                 r"<td>[^<]*</td><td[^>]*>([^<]*)</td><td>([^<]+)</td></tr>", html)


def test_numbers_in_xlsx_cells_are_diagnosed(org_client, reg_contest):
    table = [HEADER, *rows(4)]
    workbook = Workbook()
    for r in table:
        workbook.active.append(r)
    sheet = workbook.active
    sheet["D2"] = 1.10105199003071e17            # what Excel keeps of 110105199003071234: a float
    sheet["D3"] = float(resident_id(101))          # a float, whatever it reads: its last digits are gone
    sheet["D4"] = 11010519900101                   # a number of 14 digits: leading digits dropped, say
    sheet["D5"] = int(resident_id(103))            # an integer: written, like Excel's, with 15 digits
    out = io.BytesIO()
    workbook.save(out)
    _url, html, found = problems(org_client, "numbers.xlsx", out.getvalue())
    assert [(r, c, m) for r, c, _, m in found] == [
        ("2", "id_number", DIGITS_LOST), ("3", "id_number", DIGITS_LOST), ("4", "id_number", NUMBER),
        ("5", "id_number", DIGITS_LOST)]
    assert found[0][2] == "110105199003071000"  # the value as Excel shows the number
    assert "The check digit does not match" not in html


def test_numbers_typed_into_a_csv_are_diagnosed(org_client, reg_contest):
    table = [HEADER, *rows(4)]
    table[1][3] = "1.10105199003071E+17"
    table[2][3] = "110105199003071000"
    table[3][3] = "1.10105E+17"
    table[4][3] = resident_id(103)[:-1] + ("1" if resident_id(103)[-1] != "1" else "2")  # a typing error
    _url, _html, found = problems(org_client, "numbers.csv", csv_file(table, "gb18030"))
    assert [(r, m) for r, _, _, m in found] == [
        ("2", SCIENTIFIC), ("3", DIGITS_LOST), ("4", SCIENTIFIC),
        ("5", "The check digit does not match: please check the ID number for a typing error.")]
    assert db.session.query(Entry).count() == 0


def test_excel_damage_rules():
    assert ident.excel_damage("1.10105199003071E+17") == "scientific"
    assert ident.excel_damage("1.10105199003071e17") == "scientific"
    assert ident.excel_damage("110105199003071000") == "digits_lost"
    assert ident.excel_damage("11010519900307") is None
    assert ident.excel_damage("11010519900307", was_number=True) == "number"
    assert importing.cell_text(1.10105199003071e17) == "110105199003071000"
    assert importing.cell_text(1.10105199003071e17).lossy
    assert importing.cell_text(13800138000) == "13800138000" and not importing.cell_text(13800138000).lossy
    assert importing.cell_text(13800138000.0) == "13800138000"
    # An integer cell holds its digits exactly (a file some other program wrote): a valid number reads.
    exact = importing.cell_text(int(resident_id(8)))
    assert exact == resident_id(8) and not exact.lossy


def test_the_example_row_has_a_valid_made_up_id_number():
    parsed = ident.parse_resident_id(importing.EXAMPLE_ID_NUMBER)
    assert parsed.gender == "male" and importing.EXAMPLE["gender"] == "男"
    assert importing.EXAMPLE_NAME.startswith("示例")


def test_the_xlsx_template_keeps_numbers_as_text_and_offers_lists(org_client, reg_contest):
    response = org_client.get(f"{BASE}/import/template.xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    assert workbook.active.title == sheet.title
    header = [c.value for c in sheet[1]]
    example = dict(zip(header, [c.value for c in sheet[2]]))
    assert example["姓名"] == "示例：张三" and example["证件号码"] == importing.EXAMPLE_ID_NUMBER
    assert example["参赛项目"] == "人工智能训练师"
    assert sheet.cell(row=2, column=1).comment is not None and "删除" in sheet.cell(row=2, column=1).comment.text
    letter = {h: sheet.cell(row=1, column=i + 1).column_letter for i, h in enumerate(header)}
    for column in ("证件号码", "手机号码"):
        assert sheet.column_dimensions[letter[column]].number_format == "@"
        assert sheet[f"{letter[column]}2"].number_format == "@" and sheet[f"{letter[column]}500"].number_format == "@"
        assert sheet[f"{letter[column]}2"].data_type == "s"
    choices = workbook.worksheets[1]
    assert choices.sheet_state == "hidden"
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    lists = {}
    for column in ("参赛项目", "性别", "证件类型", "技能等级"):
        validation = validations[f"{letter[column]}2"]
        assert validation.type == "list"
        source = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$1:\$([A-Z]+)\$(\d+)", validation.formula1)
        assert source and source.group(1) == choices.title
        lists[column] = [choices[f"{source.group(2)}{r}"].value for r in range(1, int(source.group(4)) + 1)]
    assert lists["参赛项目"] == ["人工智能训练师", "工业互联网运维员"]
    assert lists["性别"] == ["男", "女"]
    assert lists["证件类型"][0] == "居民身份证" and len(lists["证件类型"]) == 4
    assert lists["技能等级"] == ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师"]
    # Every listed value is one the import reads.
    assert {ident.parse_skill_level(v) for v in lists["技能等级"]} == set(ident.SKILL_LEVELS)
    assert {ident.parse_id_type(v) for v in lists["证件类型"]} == set(ident.ID_TYPES)


def test_the_template_as_downloaded_imports_nothing_and_says_why(org_client, reg_contest):
    content = org_client.get(f"{BASE}/import/template.xlsx").data
    url = preview_url(upload(org_client, "template.xlsx", content))
    html = unescape(org_client.get(url, headers=EN).get_data(as_text=True))
    assert "Row 2 is the template's example row (示例：张三): it is ignored." in html
    assert "The file has a header row but no entrants." in html


def test_the_template_filled_in_imports_its_rows_not_the_example(org_client, reg_contest):
    for fmt in ("xlsx", "csv"):
        content = org_client.get(f"{BASE}/import/template.{fmt}").data
        if fmt == "xlsx":
            workbook = load_workbook(io.BytesIO(content))
            sheet = workbook.worksheets[0]
            sheet.append(["王五", "男", "居民身份证", resident_id(301), "13900000301", "", "首钢集团工会", "电工",
                          "三级/高级工", "人工智能训练师"])
            out = io.BytesIO()
            workbook.save(out)
            content = out.getvalue()
        else:
            text = content.decode("utf-8-sig").splitlines()
            assert text[1].startswith("示例：张三,男,居民身份证,")
            text.append(f"赵六,女,居民身份证,{resident_id(302)},13900000302,,首钢集团工会,电工,技师,工业互联网运维员")
            content = ("\r\n".join(text) + "\r\n").encode("utf-8-sig")
        url = preview_url(upload(org_client, f"filled.{fmt}", content))
        html = unescape(org_client.get(url, headers=EN).get_data(as_text=True))
        assert "Row 2 is the template's example row" in html and "1 row is correct." in html
        response = org_client.post(url, headers=EN, follow_redirects=True)
        assert "1 entry imported." in response.get_data(as_text=True)
    assert sorted(e.name for e in db.session.query(Entry)) == ["王五", "赵六"]


def test_an_example_row_left_among_rows_is_skipped(org_client, reg_contest):
    table = [HEADER, [""] + [importing.EXAMPLE.get(f, "") for f in
                             ("name", "gender", "id_number", "mobile", "delegation", "trade", "skill_level")]
             + ["人工智能训练师"], *rows(3)]
    url = preview_url(upload(org_client, "x.xlsx", xlsx_file(table)))
    html = unescape(org_client.get(url, headers=EN).get_data(as_text=True))
    assert "All 3 rows are correct." in html and 'data-example-rows="2"' in html
