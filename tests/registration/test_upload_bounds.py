"""Uploaded lists are read within bounds (competition/entries/importing.py): an XLSX that unpacks
to tens of megabytes, a cell of thousands of characters, a sheet of 20,000 columns are refused
with a clear message while the file is read, before any preview is built, and nothing is kept.
Previews come in pages."""
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from competition.entries.importing import MAX_CELL, MAX_COLUMNS, UnreadableFile, read_table

from .test_entries import EN, HEADER, csv_file, rows, upload, xlsx_file


def kept(app) -> list:
    folder = Path(app.config["IMPORT_FOLDER"])
    return list(folder.glob("*")) if folder.exists() else []


def with_part(content: bytes, name: str, data: bytes) -> bytes:
    """The XLSX with one part replaced (deflated, so a huge part stays a small file)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item.filename, data if item.filename == name else source.read(item.filename))
    return out.getvalue()


def one_cell_of(size: int) -> bytes:
    """A workbook whose only cell holds `size` characters, written as an inline string."""
    base = xlsx_file([["x"]])
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
             + "A" * size + "</t></is></c></row></sheetData></worksheet>").encode()
    return with_part(base, "xl/worksheets/sheet1.xml", sheet)


def refusal(html: str) -> str:
    return re.search(r'id="file-error"[^>]*>(.*?)<', html, re.S).group(1).strip()


def test_a_small_xlsx_that_unpacks_to_64_mb_is_refused_unread(app, org_client):
    content = one_cell_of(64 * 1024 * 1024)
    assert len(content) < 200_000  # what the attacker uploads
    response = upload(org_client, "名单.xlsx", content)
    assert response.status_code == 422
    assert "unpacks to more than 32 MB" in refusal(response.get_data(as_text=True))
    assert kept(app) == []


def test_a_cell_too_long_is_named_by_row_and_column(app, org_client):
    response = upload(org_client, "名单.xlsx", one_cell_of(MAX_CELL + 1))
    assert response.status_code == 422
    assert refusal(response.get_data(as_text=True)) == f"Row 1, column 1 holds more than {MAX_CELL} characters."
    table = [HEADER, *rows(3)]
    table[2][5] = "工" * 600
    response = upload(org_client, "名单.csv", csv_file(table, "utf-8-sig"))
    assert refusal(response.get_data(as_text=True)) == f"Row 3, column 6 holds more than {MAX_CELL} characters."
    assert kept(app) == []


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_twenty_thousand_header_columns_are_refused(app, org_client, kind):
    header = [f"列{i}" for i in range(16_000 if kind == "xlsx" else 20_000)]  # XLSX stops at 16,384
    content = xlsx_file([header]) if kind == "xlsx" else csv_file([header], "utf-8")
    response = upload(org_client, f"名单.{kind}", content)
    assert response.status_code == 422
    assert refusal(response.get_data(as_text=True)) == f"Row 1 has more than {MAX_COLUMNS} columns: is this the right sheet?"
    assert kept(app) == []


def test_a_sheet_formatted_far_to_the_right_still_reads():
    """Excel habit: formatting down to far columns and rows leaves empty cells in the file."""
    workbook = Workbook()
    for r in [HEADER, *rows(2)]:
        workbook.active.append(r)
    workbook.active.cell(row=2, column=500).number_format = "@"
    workbook.active.cell(row=40, column=3).number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    table = read_table("名单.xlsx", out.getvalue())
    assert len(table) == 3 and len(table[0]) == len(HEADER)


def test_bounds_come_with_what_the_message_needs():
    with pytest.raises(UnreadableFile) as refused:
        read_table("x.csv", ("a," * (MAX_COLUMNS + 1)).encode())
    assert refused.value.code == "too_many_columns" and refused.value.params == {"max": MAX_COLUMNS, "row": 1}


def test_a_preview_of_many_problems_comes_in_pages(org_client):
    table = [HEADER, *rows(250)]
    for row in table[1:]:
        row[3] = "12345"  # every ID number wrong: 250 problems
    response = upload(org_client, "名单.csv", csv_file(table, "utf-8-sig"))
    url = response.headers["Location"]
    first = org_client.get(url, headers=EN).get_data(as_text=True)
    assert 'data-problems="250"' in first and first.count("data-problem-row=") == 100
    assert 'data-pages="3"' in first and "Page 1 of 3" in first
    last = org_client.get(url + "?page=3&map_0=", headers=EN).get_data(as_text=True)
    assert last.count("data-problem-row=") == 50 and 'data-problem-row="251"' in last
    assert "map_0=" in re.search(r'<a href="([^"]+)" rel="prev"', last).group(1)  # the column choices stay
