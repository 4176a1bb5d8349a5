"""Judges' lists from a union's spreadsheet: the header row matched to our fields by its usual
names, and every row checked. Reading the file (XLSX, or CSV in UTF-8, UTF-8 with BOM or GBK
as Chinese Excel saves it) is the entrant import's (entries.importing), and so are the rules of
names and mobile numbers (entries.identity). Nothing here touches the database: what the
contest holds comes in as a `JudgeImportContext`, so the rules are tested on their own.

Row numbers are the spreadsheet's own: the header is row 1, the first judge row 2."""
import re
from dataclasses import dataclass, field

from ..entries import identity as ident
from ..entries.importing import Problem, data_rows, header_key, match_headers

FIELDS = ("name", "phone", "delegation", "events", "chief", "username")
REQUIRED = ("name",)
NAME_MAX = 120        # User.name
USERNAME_MAX = 80     # User.username
DELEGATION_MAX = 200  # Delegation.name

# The Chinese headers of the downloadable template, in its order.
CANONICAL_HEADERS = {"name": "姓名", "phone": "手机", "delegation": "单位", "events": "赛项", "chief": "是否主裁",
                     "username": "用户名"}
SYNONYMS = {
    "name": ("姓名", "裁判姓名", "裁判员姓名", "名字", "name"),
    "phone": ("手机", "手机号", "手机号码", "联系电话", "电话", "移动电话", "联系方式", "mobile", "phone"),
    "delegation": ("单位", "工作单位", "所在单位", "单位名称", "推荐单位", "选送单位", "代表队", "delegation"),
    "events": ("赛项", "执裁赛项", "裁判赛项", "比赛项目", "竞赛项目", "项目", "events", "event"),
    "chief": ("是否主裁", "主裁", "是否裁判长", "裁判长", "chief"),
    "username": ("用户名", "账号", "帐号", "登录名", "username"),
}
YES = frozenset({"是", "y", "yes", "1", "true", "√", "主裁", "裁判长"})
NO = frozenset({"", "否", "n", "no", "0", "false", "×"})
_SEPARATORS = re.compile(r"[、,，;；\s]+")
USERNAME = re.compile(r"[A-Za-z0-9_.@-]+")  # as the judges page's form takes it


@dataclass
class JudgeImportContext:
    """What the database already holds, given to the pure checks."""

    events: dict[str, str]  # event code → name
    # Existing accounts named in the file, by lower-cased username: None when the organiser may
    # seat the account, else the problem's code (already_judge, not_of_organisation,
    # account_disabled).
    accounts: dict[str, str | None] = field(default_factory=dict)


@dataclass
class JudgeRow:
    row: int
    name: str
    phone: str = ""
    delegation: str = ""
    events: tuple[str, ...] = ()  # event codes, in the file's order
    is_chief: bool = False
    username: str = ""            # "" → a new account with a generated username
    existing: bool = False        # the username is an existing account's


@dataclass
class CheckedJudges:
    rows: list[JudgeRow]
    problems: list[Problem]

    @property
    def is_clean(self) -> bool:
        return not self.problems

    @property
    def new_accounts(self) -> int:
        return sum(not row.existing for row in self.rows)


def judge_headers(header: list[str]) -> list[str | None]:
    return match_headers(header, SYNONYMS)


def usernames_in(table: list[list[str]], mapping: list[str | None]) -> set[str]:
    """The usernames the file names (lower-cased), for the context to look up."""
    if "username" not in mapping:
        return set()
    i = mapping.index("username")
    return {name.lower() for cells in table[1:] if i < len(cells) and (name := ident.normalise(cells[i]))}


def _event_codes(value: str, events: dict[str, str]) -> tuple[list[str], list[str]]:
    """(codes, unknown parts) of a cell naming events by code or name, separated by 、,，; or
    spaces; a name with a space in it is still one event."""
    keys = {}
    for code, name in events.items():
        keys.setdefault(header_key(name), code)
        keys.setdefault(header_key(code), code)
    whole = header_key(value)
    if not whole:
        return [], []
    if whole in keys:
        return [keys[whole]], []
    codes, unknown = [], []
    for part in _SEPARATORS.split(ident.normalise(value)):
        if not part:
            continue
        code = keys.get(header_key(part))
        if code is None:
            unknown.append(part)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def check_rows(table: list[list[str]], mapping: list[str | None], context: JudgeImportContext) -> CheckedJudges:
    """Every row checked: the good rows, and every problem with its row and column. A required
    column that is not mapped is one problem on row 1."""
    columns = {f: i for i, f in enumerate(mapping) if f}
    problems = [Problem(1, "missing_column", f) for f in REQUIRED if f not in columns]
    if problems:
        return CheckedJudges([], problems)
    good: list[JudgeRow] = []
    seen: dict[str, int] = {}
    for number, get in data_rows(table, columns):
        row_problems: list[Problem] = []

        def refuse(code: str, column: str = "", value: str = "") -> None:
            row_problems.append(Problem(number, code, column, value))

        name = ident.clean_text(get("name"))
        if not name:
            refuse("missing_name", "name")
        elif len(name) > NAME_MAX:
            refuse("name_too_long", "name", name)
        phone = ""
        if ident.normalise(get("phone")):
            try:
                phone = ident.parse_mobile(get("phone"))
            except ident.InvalidIdentity:
                refuse("bad_mobile", "phone", get("phone"))
        delegation = ident.clean_text(get("delegation"))
        if len(delegation) > DELEGATION_MAX:
            refuse("delegation_too_long", "delegation", delegation)
        codes, unknown = _event_codes(get("events") or "", context.events)
        for part in unknown:
            refuse("unknown_event", "events", part)
        chief_text = ident.normalise(get("chief")).lower()
        is_chief = chief_text in YES
        if not is_chief and chief_text not in NO:
            refuse("bad_chief", "chief", get("chief"))
        elif is_chief and not codes and not unknown:
            refuse("chief_without_event", "chief", get("chief"))
        username = ident.normalise(get("username"))
        existing = False
        if username:
            key = username.lower()
            if key in seen:
                refuse("duplicate_username_in_file", "username", str(seen[key]))
            else:
                seen[key] = number
                if key in context.accounts:
                    existing = True
                    if context.accounts[key]:
                        refuse(context.accounts[key], "username", username)
                elif len(username) > USERNAME_MAX or not USERNAME.fullmatch(username):
                    refuse("judge_username_invalid", "username", username)
        if row_problems:
            problems.extend(row_problems)
        else:
            good.append(JudgeRow(number, name, phone, delegation, tuple(codes), is_chief, username, existing))
    if not good and not problems:
        problems.append(Problem(1, "no_judge_rows"))
    return CheckedJudges(good, problems)
