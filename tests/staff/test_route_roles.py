"""Every page × every role gets the status the policy says, read from the app's URL map: a page
added later is checked the day it is written, and one that fits no rule below fails the test
until somebody says who may see it.

Roles: anonymous, a platform admin, the contest's organiser (org1), another organisation's
organiser (org2), the chief judge of iot (k1), a judge on its panel (k2) and a supervisor of
the contest (sup1). Public pages answer every role alike (what they show depends on the
contest, never on who asks); the staff pages follow competition/policy.py. Writes (POST) are
checked by tests/staff/test_isolation.py and each feature's tests."""
import pytest
from flask import url_for
from sqlalchemy import select
from werkzeug.routing import AnyConverter

from competition.accounts.services import find_user
from competition.extensions import db
from competition.judges.models import Judge

from ..factory import PASSWORD, make_user
from ..helpers import isolated_client, login
from .test_isolation import _values

ROLES = ("anonymous", "admin", "org1", "org2", "k1", "k2", "sup1")
LOGGED_IN = ROLES[1:]
LOGIN = "→login"  # a redirect to the login page

# Organisers' pages of a contest that its supervisors see too (policy.cases_contest): the cases,
# the result sheets and exports they sign, the prints page.
SUPERVISORS_TOO = {"appeals.cases", "appeals.appeal_case", "appeals.appeal_file", "appeals.objection_case",
                   "printing.prints", "printing.result_sheet", "printing.score_sheets", "printing.job_state",
                   "printing.job_file", "boards.results_export"}
# Pages that need a one-time token the test does not have: 404 for the contest's managers too.
TOKEN_PAGES = {"entries.import_preview", "judges.import_preview"}


def _expected(endpoint: str, rule: str) -> dict[str, object] | str | None:
    """{role: status} for a staff page, "public" for a page that answers every role alike, or
    None for a page no rule covers."""
    def only(*allowed, allowed_status=200, others=404):
        return {"anonymous": LOGIN, **{r: (allowed_status if r in allowed else others) for r in LOGGED_IN}}

    if rule.startswith("/admin/"):
        return only("admin")
    if rule.startswith("/account"):
        return only(*LOGGED_IN)
    if rule.startswith("/o/c/"):
        if endpoint in TOKEN_PAGES:
            return only()
        if endpoint == "boards.organiser_live":
            return only("admin", "org1", "k1")  # the chief judge watches judging live too
        return only("admin", "org1", *(("sup1",) if endpoint in SUPERVISORS_TOO else ()))
    if endpoint in ("contests.dashboard", "contests.contest_new", "contest_files.upload"):
        return only("admin", "org1", "org2", others=403)  # staff create contests; judges may not
    if endpoint.startswith("admin.team"):
        return only("org1", "org2")  # each organiser's own organisation; an admin has none
    if endpoint in ("judging.home", "judging.offline"):  # the offline page: whoever may keep judging pages
        return only(*LOGGED_IN)
    if endpoint in ("judging.session_state", "judging.service_worker"):
        return "public"  # who is signed in (nobody: null) and the worker's script answer everyone
    if endpoint == "judging.contest_home":
        return only("k1", "k2", "sup1")
    if endpoint in ("judging.event_home", "judging.mark"):
        return only("k1", "k2")  # the panel's judges; a supervisor marks nothing
    if endpoint.startswith("judging.chief"):
        return {**only("k1"), "k2": 403, "sup1": 403}  # judges of the contest are told it is the chief's
    if endpoint.startswith("paper."):  # the event's chief judge and the contest's organisers
        allowed = {**only("admin", "org1", "k1"), "k2": 403, "sup1": 403}
        if endpoint == "paper.second":  # no sheet waits in the staff contest
            allowed.update(admin=404, org1=404, k1=404)
        return allowed
    if rule.startswith(("/o/", "/j/", "/paper/")):
        return None
    return "public"


@pytest.fixture
def everyone(any_db_app, staff):
    for username in ("k1", "k2"):
        find_user(username).set_password(PASSWORD)
    make_user("admin", is_admin=True)
    db.session.add(Judge(contest_id=staff.id, user=make_user("sup1", commit=False), role="supervisor"))
    db.session.commit()
    values = _values(staff)
    values.update(contest=staff.slug, event="iot", key="S01", reference="Y00000001", lang="en", mark_id=1,
                  organisation_id=staff.organisation_id, user_id=find_user("org1").id, filename="css/app.css",
                  judge_id=db.session.scalar(select(Judge.id).where(Judge.user_id == find_user("k2").id,
                                                                    Judge.contest_id == staff.id)), sheet_id=1)
    clients = {}
    for role in ROLES:
        clients[role] = isolated_client(any_db_app)
        if role != "anonymous":
            assert login(clients[role], role).status_code == 302, role
    return any_db_app, values, clients


def _gets(app, values):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods:
            continue
        args = {name: sorted(converter.items)[0] if isinstance(converter, AnyConverter) else values[name]
                for name, converter in rule._converters.items()}
        with app.test_request_context():
            yield rule.endpoint, rule.rule, url_for(rule.endpoint, **args)


def _status(client, url, role: str, undefended: list):
    response = client.get(url)
    response.close()  # a static file's stays open otherwise
    _check_headers(response, role, url, undefended)
    if response.status_code == 302 and "/login" in response.headers["Location"]:
        return LOGIN
    return response.status_code


def _check_headers(response, role: str, url: str, undefended: list) -> None:
    """The browser's defences on every answer (competition/security.py), and no copy kept of a
    page a signed-in person sees."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    problems = [name for name, ok in (
        ("CSP", "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp),
        ("nosniff", headers.get("X-Content-Type-Options") == "nosniff"),
        ("Referrer-Policy", headers.get("Referrer-Policy") == "same-origin"),
        # A signed-in person's page is not kept, unless the page says it is public (a QR code).
        ("no-store", role == "anonymous" or "/static/" in url
         or any(word in headers.get("Cache-Control", "") for word in ("no-store", "public"))),
    ) if not ok]
    if problems:
        undefended.append(f"{url} as {role}: {', '.join(problems)}")


def test_every_page_answers_every_role_as_the_policy_says_with_its_headers(everyone):
    app, values, clients = everyone
    wrong, unclassified, undefended, checked = [], [], [], 0
    for endpoint, rule, url in _gets(app, values):
        expected = _expected(endpoint, rule)
        if expected is None:
            unclassified.append(f"{endpoint} {rule}")
            continue
        got = {role: _status(clients[role], url, role, undefended) for role in ROLES}
        checked += 1
        if expected == "public":
            if len(set(got.values())) != 1 or any(s == LOGIN or (isinstance(s, int) and s >= 500)
                                                  for s in got.values()):
                wrong.append(f"{url} ({endpoint}) is public but answers {got}")
        elif got != expected:
            differ = {role: f"{got[role]} (expected {expected[role]})" for role in ROLES if got[role] != expected[role]}
            wrong.append(f"{url} ({endpoint}): {differ}")
    assert not unclassified, "pages no rule covers (say who may see them in _expected):\n" + "\n".join(unclassified)
    assert not wrong, "\n".join(wrong)
    assert not undefended, "answers without their headers:\n" + "\n".join(undefended)
    assert checked > 70  # the URL map really was read
