"""Helpers shared by the integration tests: users, CSRF tokens from rendered pages, and the
sample contest of the shared contract as a Python dict (tests never read ../shared)."""
import copy
import re

from flask import g
from flask.testing import FlaskClient

from competition.accounts.services import create_user
from competition.extensions import db

PASSWORD = "secret-pass-1"

_CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class IsolatedClient(FlaskClient):
    """A test client whose every request starts afresh, as in production.

    The `app` fixtures keep one app context pushed for the whole test, and a request reuses
    it: `g` would carry Flask-Login's cached user, Flask-Babel's locale and Flask-WTF's CSRF
    token from one request (or one client) into the next, and the request would share the
    test's database transaction, so it could read a snapshot older than what other threads
    committed. Each request here gets an empty `g` and a new transaction (the test's own
    objects stay attached and reload on access)."""

    def open(self, *args, **kwargs):
        self._fresh()
        try:
            return super().open(*args, **kwargs)
        finally:
            self._fresh()

    @staticmethod
    def _fresh():
        for name in list(g):
            g.pop(name, None)
        session = db.session()
        if not (session.new or session.dirty or session.deleted):
            session.rollback()  # nothing unsaved: just end the read transaction


def isolated_client(app) -> IsolatedClient:
    app.test_client_class = IsolatedClient
    return app.test_client()


def make_user(username: str, password: str | None = PASSWORD, *, name: str | None = None,
              commit: bool = True, **kwargs):
    """A user with a scrypt-hashed password, committed."""
    user = create_user(username, name or username, password, **kwargs)
    if commit:
        db.session.commit()
    return user


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a rendered page."""
    found = _CSRF_INPUT.search(html)
    assert found, "no csrf_token field on the page"
    return found.group(1)


def page_csrf(client, path: str = "/login") -> str:
    """GET a page and return its CSRF token (the session cookie now holds its secret)."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return csrf_from(response.get_data(as_text=True))


def login(client, username: str, password: str = PASSWORD, *, csrf: bool = False, **extra):
    data = {"username": username, "password": password, **extra}
    if csrf:
        data["csrf_token"] = page_csrf(client)
    return client.post("/login", data=data)


# The contract's sample contest (../shared/contract/sample-contest.json), plus judge "k6" on
# the iot panel whose delegation is entry S04's: the conflict-of-interest case.
SAMPLE_CONTEST = {
    "contest": {"slug": "sample-2026", "name": "示例职工数字技能竞赛", "organisation": "示例区总工会",
                "blind": False},
    "events": [{
        "code": "iot", "name": "工业互联网运维员", "team": False, "places": 2,
        "tie_break": ["section:P", "section:T"],
        "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1},
                   {"name": "三等奖", "count": 1}],
        "sections": [
            {"code": "T", "name": "理论", "weight": "20", "criteria": [
                {"code": "T1", "name": "理论考试", "max": "100", "kind": "measurement",
                 "method": "single", "judges": 1}]},
            {"code": "P", "name": "实操", "weight": "80", "criteria": [
                {"code": "P1", "name": "网络配置", "max": "30", "kind": "judgement",
                 "method": "trimmed", "trim": 1, "judges": 5},
                {"code": "P2", "name": "故障排查", "max": "10", "kind": "judgement",
                 "method": "judgement", "judges": 3, "spread": "1"}]},
        ],
    }],
    "judges": [
        {"username": "k1", "name": "裁判k1", "delegation": "裁判委员会", "events": ["iot"], "chief": True},
        {"username": "k2", "name": "裁判k2", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k3", "name": "裁判k3", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k4", "name": "裁判k4", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k5", "name": "裁判k5", "delegation": "裁判委员会", "events": ["iot"], "chief": False},
        {"username": "k9", "name": "其他赛项裁判", "delegation": "裁判委员会", "events": [], "chief": False},
        {"username": "k6", "name": "裁判k6", "delegation": "首钢集团工会", "events": ["iot"], "chief": False},
    ],
    "entries": [
        {"event": "iot", "bib": "S01", "name": "选手1", "delegation": "亦庄开发区工会"},
        {"event": "iot", "bib": "S02", "name": "选手2", "delegation": "京东方工会"},
        {"event": "iot", "bib": "S03", "name": "选手3", "delegation": "北汽集团工会"},
        {"event": "iot", "bib": "S04", "name": "选手4", "delegation": "首钢集团工会"},
    ],
    "marks": [
        {"event": "iot", "entry": "S01", "criterion": "T1", "judge": "k1", "value": "82"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k1", "value": "24"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k2", "value": "25"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k3", "value": "26"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k4", "value": "22"},
        {"event": "iot", "entry": "S01", "criterion": "P1", "judge": "k5", "value": "27"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k1", "value": "2"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k2", "value": "3"},
        {"event": "iot", "entry": "S01", "criterion": "P2", "judge": "k3", "value": "2"},
        {"event": "iot", "entry": "S02", "criterion": "T1", "judge": "k1", "value": "90"},
    ],
}


def sample_contest(**changes) -> dict:
    """A fresh deep copy of the sample contest; `changes` replace top-level keys."""
    data = copy.deepcopy(SAMPLE_CONTEST)
    data.update(changes)
    return data


def apply_patch(board: dict, patch: dict) -> dict:
    """What a client does with a patch (DESIGN.md §4): removals, then upserts; the board is
    then at the patch's seq (and frozen or not, when the patch says)."""
    rows = {r["entry"]: r for r in board["rows"]}
    for bib in patch["remove"]:
        rows.pop(bib, None)
    for row in patch["upsert"]:
        rows[row["entry"]] = row
    after = dict(board, seq=patch["seq"], rows=list(rows.values()))
    if "frozen" in patch:
        after["frozen"] = patch["frozen"]
    return after
