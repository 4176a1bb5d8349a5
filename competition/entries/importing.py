"""Entrant lists from a union's spreadsheet: reading XLSX or CSV (UTF-8, UTF-8 with BOM, or
GBK/GB18030 as Chinese Excel saves it), matching the header row to our fields by its usual
names, and checking every row with the registration rules. In a team event each row is one
member, and the rows with the same team name (队名) make one team. Nothing here touches the database:
what is already entered comes in as an `ImportContext`, so the rules are tested on their own.

Row numbers are the spreadsheet's own: the header is row 1, the first entrant row 2."""
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from . import identity as ident
from .identity import Registrant

FIELDS = ("name", "gender", "id_type", "id_number", "mobile", "email", "delegation", "trade",
          "skill_level", "event", "team")
REQUIRED = ("name", "id_number", "mobile", "delegation")
NAME_MAX = 60
TEAM_NAME_MAX = 200  # Entry.name
MAX_ROWS = 5000
# A list is read within these bounds, checked while it is read and before any preview is built:
# a 65 KB XLSX can unpack to gigabytes, or hold one 64 MB cell or 20,000 columns.
MAX_COLUMNS = 60
MAX_CELL = 500  # characters; the longest field (a team's name) is 200
MAX_UNPACKED = 32 * 1024 * 1024  # bytes of an XLSX's parts once unzipped

# The canonical Chinese headers, in the order of the downloadable template.
CANONICAL_HEADERS = {
    "name": "姓名", "gender": "性别", "id_type": "证件类型", "id_number": "证件号码", "mobile": "手机号码",
    "email": "电子邮箱", "delegation": "工作单位", "trade": "工种", "skill_level": "技能等级", "event": "参赛项目",
    "team": "队名",
}
SYNONYMS = {
    "name": ("姓名", "选手姓名", "参赛选手", "名字", "name"),
    "gender": ("性别", "gender", "sex"),
    "id_type": ("证件类型", "证件种类", "idtype"),
    "id_number": ("证件号码", "身份证号", "身份证号码", "公民身份号码", "身份证", "证件号", "居民身份证号码",
                  "idnumber", "id"),
    "mobile": ("手机号码", "手机号", "手机", "联系电话", "电话", "联系方式", "移动电话", "mobile", "phone"),
    "email": ("电子邮箱", "邮箱", "电子邮件", "email", "e-mail"),
    "delegation": ("工作单位", "单位", "参赛单位", "代表队", "所在单位", "单位名称", "推荐单位", "选送单位",
                   "delegation"),
    "trade": ("工种", "职业", "职业工种", "trade"),
    "skill_level": ("技能等级", "职业技能等级", "等级", "技术等级", "skilllevel"),
    "event": ("参赛项目", "赛项", "比赛项目", "竞赛项目", "参赛赛项", "项目", "event"),
    "team": ("队名", "团队名称", "队伍名称", "参赛队", "参赛队名", "团队", "队伍", "team"),
}
_NOTE = re.compile(r"[（(【\[].*?[)）】\]]")

# The template's example row (a made-up person with a valid resident ID number): a row with its
# name is ignored by the import, and the preview says so.
EXAMPLE_NAME = "示例：张三"
EXAMPLE_ID_NUMBER = "11010519900307123" + ident.check_character("11010519900307123")
EXAMPLE = {"name": EXAMPLE_NAME, "gender": "男", "id_type": "居民身份证", "id_number": EXAMPLE_ID_NUMBER,
           "mobile": "13800138000", "email": "zhangsan@example.com", "delegation": "示例：某某区总工会",
           "trade": "电工", "skill_level": "三级/高级工"}
EXAMPLE_NOTE = "示例行：请删除此行后填写（原样保留时导入会忽略此行）。证件号码、手机号码列已设为文本格式。"

# What a re-imported row may change of a person already on file.
UPDATED_FIELDS = ("name", "gender", "mobile", "email", "delegation", "trade", "skill_level")
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


class UnreadableFile(ValueError):
    """A file that is no spreadsheet we read, or one beyond the bounds: `code` is "not_a_table",
    "bad_encoding", "empty_file", "too_many_rows", "too_many_columns", "cell_too_long" or
    "unpacks_too_large", and `params` what its message says (the bound, the row and column)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


@dataclass(frozen=True)
class Problem:
    row: int          # as the spreadsheet shows it; 1 is the header
    code: str         # what is wrong (its words: competition.messages)
    column: str = ""  # our field, when one column is at fault
    value: str = ""   # the value in question, or the other row for a duplicate


@dataclass
class ImportRow:
    row: int
    person: Registrant
    event: str  # event code
    team: str = ""  # the team's name, in a team event
    # A re-import: NEW (a new entry, of a new person or of one on file), or the person's entry in
    # this event is on file already, UNCHANGED or CHANGED; `changes` (field → (on file, in the
    # row)) are what the row changes of a person on file, whatever its status.
    status: str = NEW
    changes: dict = field(default_factory=dict)
    known: bool = False  # the person is on file


@dataclass
class ImportContext:
    """What the database already holds, given to the pure checks."""

    events: dict[str, str]                 # event code → name, events that take imports
    team_events: dict[str, str] = field(default_factory=dict)
    default_event: str | None = None        # for files without an event column
    entered: set = field(default_factory=set)    # (id_type, id_number, event code)
    known_names: dict = field(default_factory=dict)  # (id_type, id_number) → name on file
    today: date | None = None
    room: dict = field(default_factory=dict)     # event code → places left (absent: no limit)
    team_sizes: dict = field(default_factory=dict)  # team event code → most members (absent: any)
    teams: set = field(default_factory=set)      # (event code, team name) already entered
    # A re-import (`updates`): a row of a person already entered in its event (not a team event)
    # is matched to that entry and may update the person's fields on file, instead of being refused.
    updates: bool = False
    on_file: dict = field(default_factory=dict)  # (id_type, id_number) → {field: value} of UPDATED_FIELDS
    marked: dict = field(default_factory=dict)   # (id_type, id_number) → event codes whose entry has marks

    def event_name(self, code: str) -> str:
        return self.events.get(code) or self.team_events.get(code) or code


@dataclass
class CheckedFile:
    rows: list[ImportRow]
    problems: list[Problem]
    examples: list[int] = field(default_factory=list)  # rows ignored: the template's example row

    @property
    def is_clean(self) -> bool:
        return not self.problems

    @property
    def entries(self) -> int:
        """How many new entries the rows make: a person each, or one per team."""
        return len({(row.event, row.team) if row.team else row.row for row in self.rows if row.status == NEW})

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def updated_people(self) -> int:
        """How many people on file the rows change."""
        return len({(r.person.id_type, r.person.id_number) for r in self.rows if r.changes})

    @property
    def has_known(self) -> bool:
        """Some rows are of people already on file (a re-import)."""
        return any(row.known for row in self.rows)

    @property
    def writes_anything(self) -> bool:
        return any(row.status == NEW or row.changes for row in self.rows)


# --- reading ---------------------------------------------------------------------------------

def decode_text(content: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without BOM) first, else GB18030 (a superset of GBK
    and GB2312, what Chinese Excel writes for "CSV")."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("bad_encoding")


class NumberCell(str):
    """The text of a cell that held a number, not text (an ID number Excel turned into one):
    `lossy` when the number is longer than the 15 digits Excel keeps, so its last digits are lost."""

    lossy = False


def _number_cell(text: str, lossy: bool = False) -> NumberCell:
    cell = NumberCell(text)
    cell.lossy = lossy
    return cell


def cell_text(value) -> str:
    """A spreadsheet cell as text: whole numbers without ".0" (phones typed as numbers), dates
    as YYYY-MM-DD. A number's text is a NumberCell; one of 16 digits or more reads as Excel shows
    it, 15 significant digits and zeros (1.10105199003071E+17 → 110105199003071000)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        if abs(value) >= 1e15:
            return _number_cell(format(Decimal(f"{value:.15g}"), "f"), lossy=True)
        return _number_cell(str(int(value)))
    if isinstance(value, (int, float)):
        return _number_cell(str(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def read_table(filename: str, content: bytes) -> list[list[str]]:
    """The first sheet (XLSX) or the CSV as rows of text, trailing empty rows dropped, within
    MAX_ROWS, MAX_COLUMNS, MAX_CELL and (XLSX) MAX_UNPACKED: UnreadableFile as soon as a bound is
    passed."""
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        rows = _bounded(_xlsx_rows(content))
    elif suffix in ("csv", "txt"):
        text = decode_text(content)
        try:
            rows = _bounded(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            raise UnreadableFile("not_a_table") from None
    else:
        raise UnreadableFile("not_a_table")
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise UnreadableFile("empty_file")
    width = max(len(r) for r in rows)
    return [list(r) + [""] * (width - len(r)) for r in rows]


def _bounded(rows) -> list[list[str]]:
    """The rows as text, trailing empty cells dropped, refused at the first row, column or cell
    past its bound."""
    table = []
    for number, row in enumerate(rows, start=1):
        cells = [cell_text(v) for v in row]
        while cells and not cells[-1].strip():
            cells.pop()
        if len(cells) > MAX_COLUMNS:
            raise UnreadableFile("too_many_columns", max=MAX_COLUMNS, row=number)
        for column, cell in enumerate(cells, start=1):
            if len(cell) > MAX_CELL:
                raise UnreadableFile("cell_too_long", max=MAX_CELL, row=number, column=column)
        table.append(cells)
        if len(table) > MAX_ROWS + 1 and any(c.strip() for c in cells):
            raise UnreadableFile("too_many_rows", max=MAX_ROWS)
    return table


def _xlsx_rows(content: bytes):
    """The first sheet's rows of values. The archive's parts are measured before any is unpacked
    (a part can unpack to no more than it declares), and no row is read past MAX_COLUMNS + 1
    cells, whatever width the sheet claims."""
    from openpyxl import load_workbook
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            unpacked = sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnreadableFile("not_a_table") from None
    if unpacked > MAX_UNPACKED:
        raise UnreadableFile("unpacks_too_large", max=MAX_UNPACKED // (1024 * 1024))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError):
        raise UnreadableFile("not_a_table") from None
    try:
        yield from workbook.worksheets[0].iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
    finally:
        workbook.close()


# --- the header ------------------------------------------------------------------------------

def header_key(text: str) -> str:
    """A header as compared: NFKC, notes in brackets dropped (（必填）), no spaces or asterisks."""
    text = _NOTE.sub("", unicodedata.normalize("NFKC", text or ""))
    return re.sub(r"[\s*＊:：_]", "", text).lower()


_BY_KEY = {header_key(s): f for f, names in SYNONYMS.items() for s in names}


def data_rows(table: list[list[str]], columns: dict[str, int]):
    """(row number as the spreadsheet shows it, the row's cell by field) for every row after
    the header that is not empty."""
    for offset, cells in enumerate(table[1:]):
        if any(c.strip() for c in cells):
            yield offset + 2, {f: (cells[i] if i < len(cells) else "") for f, i in columns.items()}.get


def match_headers(header: list[str], synonyms: dict[str, tuple[str, ...]] | None = None) -> list[str | None]:
    """Our field for each column, or None where no usual name matches; a field is given to the
    first column that names it. `synonyms` (field → its usual names) are the entrant list's
    unless another list (the judges') gives its own."""
    by_key = _BY_KEY if synonyms is None else {header_key(s): f for f, names in synonyms.items() for s in names}
    mapping, taken = [], set()
    for text in header:
        found = by_key.get(header_key(text))
        if found in taken:
            found = None
        if found:
            taken.add(found)
        mapping.append(found)
    return mapping


# --- the rows --------------------------------------------------------------------------------

def _event_code(value: str, context: ImportContext) -> tuple[str | None, str | None]:
    """(event code, problem code) for what a row says about its event."""
    text = ident.clean_text(value)
    if not text:
        return (context.default_event, None) if context.default_event else (None, "missing_event")
    key = header_key(text)
    for code, name in (*context.events.items(), *context.team_events.items()):
        if key in (header_key(code), header_key(name)):
            return code, None
    return None, "unknown_event"


def check_rows(table: list[list[str]], mapping: list[str | None], context: ImportContext) -> CheckedFile:
    """Every row checked: the good rows, and every problem with its row number. A required
    column that is not mapped is one problem on row 1."""
    problems: list[Problem] = []
    columns = {f: i for i, f in enumerate(mapping) if f}
    needed = REQUIRED + (() if context.default_event else ("event",))
    for missing in (f for f in needed if f not in columns):
        problems.append(Problem(1, "missing_column", missing))
    if problems:
        return CheckedFile([], problems)

    good: list[ImportRow] = []
    seen: dict[tuple, int] = {}
    names: dict[tuple, tuple[str, int]] = {}
    examples: list[int] = []
    for number, get in data_rows(table, columns):
        row_problems: list[Problem] = []
        if ident.clean_text(get("name")) == EXAMPLE_NAME:
            examples.append(number)  # the template's example row, left in
            continue

        def refuse(code: str, column: str = "", value: str = "", *, _into=row_problems, _row=number) -> None:
            _into.append(Problem(_row, code, column, value))

        name = ident.clean_text(get("name"))
        if not name:
            refuse("missing_name", "name")
        elif len(name) > NAME_MAX:
            refuse("name_too_long", "name", name)
        id_type = id_number = None
        try:
            id_type = ident.parse_id_type(get("id_type"))
        except ident.InvalidIdentity:
            refuse("id_type", "id_type", get("id_type"))
        gender = None
        if get("gender") and ident.clean_text(get("gender")):
            try:
                gender = ident.parse_gender(get("gender"))
            except ident.InvalidIdentity:
                refuse("bad_gender", "gender", get("gender"))
        if id_type:
            try:
                if id_type == ident.RESIDENT_ID:
                    resident = ident.parse_resident_id(get("id_number"), context.today)
                    id_number = resident.number
                    if gender and gender != resident.gender:
                        refuse("gender_mismatch", "gender", get("gender"))
                    gender = gender or resident.gender
                else:
                    id_number = ident.parse_id_number(id_type, get("id_number"), context.today)
                if id_type == ident.RESIDENT_ID and getattr(get("id_number"), "lossy", False):
                    id_number = None  # a number past 15 digits: whatever it reads now, its end is lost
                    refuse(ident.EXCEL_DAMAGE["digits_lost"], "id_number", get("id_number"))
            except ident.InvalidIdentity as invalid:
                damage = ident.excel_damage(get("id_number"), isinstance(get("id_number"), NumberCell)) \
                    if id_type == ident.RESIDENT_ID and invalid.code != "missing_value" else None
                refuse(ident.EXCEL_DAMAGE[damage] if damage else
                       "missing_id_number" if invalid.code == "missing_value" else invalid.code, "id_number",
                       get("id_number"))
        mobile = email = skill_level = ""
        try:
            mobile = ident.parse_mobile(get("mobile"))
        except ident.InvalidIdentity as invalid:
            refuse("missing_mobile" if invalid.code == "missing_value" else "bad_mobile", "mobile", get("mobile"))
        try:
            email = ident.parse_email(get("email"))
        except ident.InvalidIdentity:
            refuse("bad_email", "email", get("email"))
        delegation = ident.clean_text(get("delegation"))
        if not delegation:
            refuse("missing_delegation", "delegation")
        elif len(delegation) > 200:
            refuse("delegation_too_long", "delegation", delegation)
        try:
            skill_level = ident.parse_skill_level(get("skill_level"))
        except ident.InvalidIdentity:
            refuse("bad_skill_level", "skill_level", get("skill_level"))
        trade = ident.clean_text(get("trade"))
        if len(trade) > 120:
            refuse("trade_too_long", "trade", trade)
        event, event_problem = _event_code(get("event") or "", context)
        if event_problem:
            refuse(event_problem, "event", get("event"))
        team = ident.clean_text(get("team")) if event in context.team_events else ""
        if event in context.team_events:
            if not team:
                refuse("missing_team", "team", context.team_events[event])
            elif len(team) > TEAM_NAME_MAX:
                refuse("team_too_long", "team", team)
            elif (event, team) in context.teams:
                refuse("team_exists", "team", team)

        if id_number and name:
            person_key = (id_type, id_number)
            on_file = context.known_names.get(person_key)
            if on_file is not None and on_file != name and not context.updates:
                refuse("name_differs_on_file", "name", on_file)
            first = names.setdefault(person_key, (name, number))
            if first[0] != name:
                refuse("name_differs_in_file", "name", str(first[1]))
            if event:
                key = (id_type, id_number, event)
                if key in context.entered and not (context.updates and event not in context.team_events):
                    refuse("already_entered", "id_number", context.event_name(event))
                elif key in seen:
                    refuse("duplicate_in_file", "id_number", str(seen[key]))
                else:
                    seen[key] = number
        checked_row = ImportRow(number, Registrant(
            name=name, gender=gender, id_type=id_type, id_number=id_number, mobile=mobile, email=email,
            delegation=delegation, trade=trade, skill_level=skill_level), event, team)
        if context.updates and id_number and (id_type, id_number) in context.on_file:
            _match(checked_row, context, columns, refuse)
        if row_problems:
            problems.extend(row_problems)
        else:
            good.append(checked_row)
    later = _team_problems(good, context) + _capacity_problems(good, context) + _marked_problems(good, context)
    if later:
        refused = {p.row for p in later}
        good = [row for row in good if row.row not in refused]
        problems = sorted(problems + later, key=lambda p: p.row)
    if not good and not problems:
        problems.append(Problem(1, "no_rows"))
    return CheckedFile(good, problems, examples)


def _match(row: ImportRow, context: ImportContext, columns: dict, refuse) -> None:
    """A re-imported row of a person on file: what it changes of them (a field whose column the
    file lacks, or whose cell is empty, keeps what is on file), and whether their entry in the
    row's event is on file already. Once marking has begun for the person, their delegation
    stays."""
    person, key = row.person, (row.person.id_type, row.person.id_number)
    on_file = context.on_file[key]
    row.known = True
    for name in UPDATED_FIELDS:
        new = getattr(person, name) or ""
        if not new or (name != "gender" and name not in columns):
            continue
        old = on_file.get(name) or ""
        same = ident.name_key(old) == ident.name_key(new) if name == "delegation" else old == new
        if not same:
            row.changes[name] = (old, new)
    marked = context.marked.get(key)
    if "delegation" in row.changes and marked:
        refuse("marked_delegation_change", "delegation", _names(marked, context))
    if (key[0], key[1], row.event) in context.entered and not row.team:
        row.status = CHANGED if row.changes else UNCHANGED


def _names(codes, context: ImportContext) -> str:
    return "、".join(sorted(context.event_name(code) for code in codes))


def _marked_problems(rows: list[ImportRow], context: ImportContext) -> list[Problem]:
    """Marking has begun for a person in an event, and the re-imported list has them only in
    other events: that reads as moving them to another event, which is refused (to enter them in
    one more event, the list keeps their row of the marked event)."""
    if not context.updates or not context.marked:
        return []
    by_person: dict[tuple, list[ImportRow]] = {}
    for row in rows:
        by_person.setdefault((row.person.id_type, row.person.id_number), []).append(row)
    problems = []
    for key, its in by_person.items():
        marked = context.marked.get(key)
        if marked and not any(r.event in marked for r in its):
            problems.extend(Problem(r.row, "marked_event_change", "event", _names(marked, context)) for r in its)
    return problems


def _team_problems(rows: list[ImportRow], context: ImportContext) -> list[Problem]:
    """A team's members all come from one delegation, and a team has at most the event's
    number of members: the rows that break either are refused."""
    problems, teams = [], {}
    for row in rows:
        if not row.team:
            continue
        members = teams.setdefault((row.event, row.team), [])
        if members and row.person.delegation != members[0].person.delegation:
            problems.append(Problem(row.row, "team_delegation_differs", "delegation", str(members[0].row)))
            continue
        members.append(row)
        most = context.team_sizes.get(row.event)
        if most is not None and len(members) > most:
            problems.append(Problem(row.row, "team_too_big", "team", str(most)))
    return problems


def _capacity_problems(rows: list[ImportRow], context: ImportContext) -> list[Problem]:
    """An event's capacity holds for imports too: the rows of every entry (a person, or a
    team) past its last free place are refused."""
    problems, entries = [], {}
    for row in rows:
        if row.event not in context.room or row.status != NEW:
            continue
        entered = entries.setdefault(row.event, {})
        key = row.team or row.row
        entered.setdefault(key, len(entered) + 1)
        if entered[key] > context.room[row.event]:
            problems.append(Problem(row.row, "event_full", "event", context.event_name(row.event)))
    return problems
