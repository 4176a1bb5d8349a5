"""Spreadsheets the app writes (entrant lists, results): CSV in UTF-8 with a BOM, XLSX with one
sheet or several, every cell text and made formula-safe."""
import csv
import io

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """A cell a spreadsheet will not run: text starting with = + - @ (or tab, CR) gets a leading
    apostrophe, so Excel and WPS show it as text instead of evaluating a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    """CSV in UTF-8 with a BOM, so Excel opens Chinese text correctly; every cell made safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def xlsx_bytes(header: list[str], rows: list[list], title: str = "Sheet1") -> bytes:
    """One sheet with a bold header; every cell stored as text (ID numbers keep all 18 digits)."""
    return xlsx_book([(title, header, rows)])


def xlsx_book(sheets: list[tuple[str, list[str], list[list]]]) -> bytes:
    """A workbook of (title, header, rows) sheets, each as xlsx_bytes writes one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = set()
    for title, header, rows in sheets:
        name = sheet_title(title, titles)
        sheet = workbook.create_sheet(name)
        for r, values in enumerate([header, *rows], start=1):
            for c, value in enumerate(values, start=1):
                cell = sheet.cell(row=r, column=c)
                cell.value = safe_cell(value)
                cell.data_type = "s"
                cell.number_format = "@"
                if r == 1:
                    cell.font = Font(bold=True)
        for c, text in enumerate(header, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=c).column_letter].width = max(10, len(str(text)) * 2 + 4)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sheet_title(title: str, taken: set) -> str:
    """At most 31 characters, none of []:*?/\\, and unique in the book."""
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in str(title))[:31] or "Sheet"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base[:28]}~{n}"
    taken.add(name)
    return name


#: How many rows of an import template its drop-down lists and text formats cover.
TEMPLATE_ROWS = 5000
TEXT_CELLS = 1001


def xlsx_template(header: list[str], rows: list[list], *, title: str = "Sheet1", text_columns=(),
                  lists: dict | None = None, note: tuple[int, str] | None = None) -> bytes:
    """An import template: the header and example rows as xlsx_bytes writes them; the columns
    of `text_columns` (0-based) formatted as text ("@") for the whole column, so Excel keeps an
    18-digit ID number as typed; a drop-down list for each column of `lists` (column → values),
    its values on a hidden sheet; `note` (column, text) a comment on the first example cell."""
    from openpyxl import load_workbook
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation
    workbook = load_workbook(io.BytesIO(xlsx_bytes(header, rows, title=title)))
    sheet = workbook.worksheets[0]
    last = max(TEMPLATE_ROWS, len(rows)) + 1
    for column in text_columns:
        letter = get_column_letter(column + 1)
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = max(sheet.column_dimensions[letter].width or 0, 22)
        for r in range(2, min(last, TEXT_CELLS) + 1):  # beyond, the column's format holds
            sheet.cell(row=r, column=column + 1).number_format = "@"
    if lists:
        choices = workbook.create_sheet(sheet_title("选项", {sheet.title}))
        choices.sheet_state = "hidden"
        for n, (column, values) in enumerate(sorted(lists.items()), start=1):
            if not values:
                continue
            for r, value in enumerate(values, start=1):
                cell = choices.cell(row=r, column=n)
                cell.value = safe_cell(value)
                cell.data_type = "s"
            source = f"{quote_sheetname(choices.title)}!${get_column_letter(n)}$1:${get_column_letter(n)}${len(values)}"
            validation = DataValidation(type="list", formula1=source, allow_blank=True, showDropDown=False,
                                        showErrorMessage=True, errorStyle="warning")
            letter = get_column_letter(column + 1)
            validation.add(f"{letter}2:{letter}{last}")
            sheet.add_data_validation(validation)
    if note and rows:
        column, text = note
        sheet.cell(row=2, column=column + 1).comment = Comment(text, "Gongjiang")
    workbook.active = 0
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
