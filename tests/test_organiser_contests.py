"""The organiser's contest, event and marking-scheme pages through the test client: a contest
with two events and a scheme from nothing, bad input kept and explained, status changes allowed
and refused, schemes frozen once marked, copy, download and upload, and another organisation's
organiser meeting 404 on every page."""
import io
import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo
from decimal import Decimal
from html import escape

import pytest
from sqlalchemy import func, select

from competition.accounts.models import Organisation
from competition.audit.models import AuditEntry
from competition.contest_files.services import import_contest
from competition.contests.models import Contest, Criterion, Event, Section
from competition.contests.models import contest_by_slug, event_by_code
from competition.database import utcnow
from competition.extensions import db

from .factory import make_user, sample_contest
from .helpers import isolated_client, login

SLUG = "sample-2026"  # the sample contest, owned by 示例区总工会


def _people(app):
    import_contest(sample_contest())
    home = db.session.scalar(select(Organisation).where(Organisation.name == "示例区总工会"))
    make_user("org1", organisation=home)
    make_user("org2", organisation=Organisation(name="其他工会"))
    make_user("admin", is_admin=True)
    return app


@pytest.fixture
def organisations(app):
    return _people(app)


@pytest.fixture
def organisations_any_db(any_db_app):
    """The same people on SQLite and PostgreSQL."""
    return _people(any_db_app)


def client_for(app, username, lang="en"):
    client = isolated_client(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    if username:
        login(client, username)
    return client


@pytest.fixture
def org1(organisations):
    return client_for(organisations, "org1")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


CONTEST = {"name": "朝阳区职工数字技能竞赛", "slug": "chaoyang-2026", "starts_on": "2026-05-01", "ends_on": "2026-05-02",
           "venue": "朝阳区职工之家", "is_blind": "y", "standings_best_n": "2",
           "bib_pattern": "{event}-{n:02}", "privacy_notice": "我们仅将您的信息用于本次竞赛。"}
EVENT = {"code": "ai", "name": "人工智能训练师", "position": "1", "places": "2", "capacity": "30",
         "registration_deadline": "2026-04-20T18:00", "awards-0-name": "一等奖", "awards-0-basis": "count",
         "awards-0-amount": "1", "awards-1-name": "二等奖", "awards-1-basis": "count", "awards-1-amount": "2",
         "awards-2-name": "优秀奖", "awards-2-basis": "share", "awards-2-amount": "12.5"}
SECTION = {"code": "P", "name": "实操", "weight": "70", "pass_mark": "60", "position": "1"}
CRITERION = {"code": "P1", "name": "模型训练", "max": "10", "kind": "judgement", "method": "trimmed", "judges": "5",
             "trim": "1", "spread": "1", "position": "1"}


def test_an_organiser_sets_up_a_contest_with_two_events_and_a_scheme_from_nothing(organisations_any_db):
    org1 = client_for(organisations_any_db, "org1")
    assert "/o/contests/new" in page(org1.get("/o/"))
    response = org1.post("/o/contests/new", data=CONTEST)
    assert response.status_code == 302 and response.headers["Location"].endswith("/o/c/chaoyang-2026/events")
    contest = contest_by_slug("chaoyang-2026")
    assert contest.organisation.name == "示例区总工会" and contest.status == "draft"
    assert (contest.starts_on, contest.ends_on, contest.is_blind, contest.is_names_hidden,
            contest.standings_best_n, contest.bib_pattern) == (date(2026, 5, 1), date(2026, 5, 2), True,
                                                               False, 2, "{event}-{n:02}")
    base = "/o/c/chaoyang-2026"
    assert org1.post(f"{base}/events/new", data=EVENT).status_code == 302
    assert org1.post(f"{base}/events/new", data={"code": "iot", "name": "工业互联网运维员", "position": "2",
                                                 "places": "1", "is_team": "y", "team_size": "3"}).status_code == 302
    assert org1.post(f"{base}/events/ai/sections/new", data={**SECTION, "code": "T", "name": "理论", "weight": "30",
                                                             "pass_mark": ""}).status_code == 302
    assert org1.post(f"{base}/events/ai/sections/new", data={**SECTION, "position": "2"}).status_code == 302
    assert org1.post(f"{base}/events/ai/sections/T/criteria/new", data={
        "code": "T1", "name": "理论考试", "max": "100", "kind": "measurement", "method": "single", "judges": "1",
        "position": "1", "step": "0.5"}).status_code == 302
    assert org1.post(f"{base}/events/ai/sections/P/criteria/new", data=CRITERION).status_code == 302
    assert org1.post(f"{base}/events/ai/sections/P/criteria/new", data={
        **CRITERION, "code": "P2", "name": "演示", "method": "judgement", "judges": "3", "position": "2",
        "descriptor_0": "未完成", "descriptor_1": "基本完成", "descriptor_2": "良好", "descriptor_3": "优秀"}).status_code == 302
    # The tie-break names sections, so it is set once they exist.
    edit = {**EVENT, "tie_break-0": "section:P", "tie_break-1": "-completion_time"}
    assert org1.post(f"{base}/events/ai/edit", data=edit).status_code == 302
    assert org1.post(f"{base}/events/iot/sections/new", data={"code": "S", "name": "综合", "position": "1"}).status_code == 302
    assert org1.post(f"{base}/events/iot/sections/S/criteria/new", data={
        "code": "S1", "name": "故障排查", "max": "20", "kind": "measurement", "method": "mean", "judges": "2",
        "position": "1"}).status_code == 302

    db.session.rollback()
    ai = event_by_code(contest, "ai")
    assert ai.capacity == 30 and ai.places == 2 and ai.tie_break == ["section:P", "-completion_time"]
    assert ai.awards == [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2}, {"name": "优秀奖", "share": "12.5"}]
    assert ai.registration_deadline.isoformat() == "2026-04-20T10:00:00"  # 18:00 in Beijing, stored as UTC
    assert [(s.code, s.weight, s.pass_mark) for s in ai.sections] == [("T", Decimal(30), None),
                                                                      ("P", Decimal(70), Decimal(60))]
    p1, p2 = ai.sections[1].criteria
    assert (p1.method, p1.judges, p1.trim, p1.max) == ("trimmed", 5, 1, Decimal(10))
    assert p2.descriptors == ["未完成", "基本完成", "良好", "优秀"]
    assert ai.sections[0].criteria[0].step == Decimal("0.5")
    iot = event_by_code(contest, "iot")
    assert (iot.is_team, iot.team_size, iot.places) == (True, 3, 1)

    scheme = page(org1.get(f"{base}/events/ai/scheme"))
    assert "模型训练" in scheme and "The scheme is complete" in scheme
    assert org1.post(f"{base}/status", data={"confirmed": "yes", "target": "registration"}).status_code == 302
    assert org1.post(f"{base}/status", data={"confirmed": "yes", "target": "judging"}).status_code == 302
    db.session.rollback()
    assert contest_by_slug("chaoyang-2026").status == "judging"
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.contest_id == contest.id)).all()
    assert actions.count("contest.status") == 2 and "contest.create" in actions and actions.count("criterion.create") == 4


def _contest_with_event(org1, sections=True):
    org1.post("/o/contests/new", data=CONTEST)
    org1.post("/o/c/chaoyang-2026/events/new", data=EVENT)
    if sections:
        org1.post("/o/c/chaoyang-2026/events/ai/sections/new", data=SECTION)
    return "/o/c/chaoyang-2026"


def test_a_bib_pattern_is_checked_as_it_is_saved(org1):
    # A space typed after the pattern is trimmed, as the bibs page trims it, not refused.
    response = org1.post("/o/contests/new", data={**CONTEST, "bib_pattern": "{event}{n:03} "})
    assert response.status_code == 302
    assert contest_by_slug(CONTEST["slug"]).bib_pattern == "{event}{n:03}"


# (page, form data, what was typed and must come back, the message)
BAD_INPUT = [
    ("/o/contests/new", {**CONTEST, "slug": "Chaoyang 2026"}, "Chaoyang 2026", "Use 2 to 64 lowercase letters"),
    ("/o/contests/new", {**CONTEST, "slug": SLUG}, SLUG, "is already taken by another contest"),
    ("/o/contests/new", {**CONTEST, "ends_on": "2026-04-30"}, "朝阳区职工数字技能竞赛", "The last day cannot be before the first day."),
    ("/o/contests/new", {**CONTEST, "bib_pattern": "{event} {n:03}"}, "{event} {n:03}", "may not contain spaces"),
    ("/o/contests/new", {**CONTEST, "bib_pattern": "{event}{no}"}, "{event}{no}", "may only use {event} and {n}"),
    ("/o/contests/new", {**CONTEST, "bib_pattern": "{event}{n:x3}"}, "{event}{n:x3}", "check its braces and the format"),
    ("/o/contests/new", {**CONTEST, "bib_pattern": "{event{n}"}, "{event{n}", "check its braces and the format"),
    ("/o/contests/new", {**CONTEST, "name": ""}, "chaoyang-2026", "Required."),
    ("{base}/settings", {**CONTEST, "standings_best_n": "0", "venue": "新场地"}, "新场地", "Number must be between 1 and 1000."),
    ("{base}/events/new", {**EVENT, "code": "a i"}, "a i", "Use 1 to 32 letters, digits, hyphens or underscores"),
    ("{base}/events/new", {**EVENT, "name": "重复"}, "重复", "already has an event with the code"),
    ("{base}/events/new", {**EVENT, "code": "x", "team_size": "3"}, "人工智能训练师", "A team size is only for team events"),
    ("{base}/events/new", {**EVENT, "code": "x", "awards-1-amount": "two"}, "two", "Enter a whole number of entries"),
    ("{base}/events/new", {**EVENT, "code": "x", "awards-2-amount": "150"}, "150", "Must be at most 100."),
    ("{base}/events/new", {**EVENT, "code": "x", "awards-1-name": "一等奖"}, "一等奖", "is listed twice"),
    ("{base}/events/new", {**EVENT, "code": "x", "awards-1-amount": ""}, "二等奖", "How many entries get this award?"),
    ("{base}/events/ai/edit", {**EVENT, "tie_break-0": "section:P", "tie_break-1": "section:P", "name": "改名"},
     "改名", "already earlier in the chain"),
    ("{base}/events/ai/sections/new", {**SECTION, "code": "T", "weight": "-3"}, "-3", "Must be greater than 0."),
    ("{base}/events/ai/sections/new", {**SECTION, "code": "T", "weight": "abc"}, "abc", "Enter a number such as 7.5."),
    ("{base}/events/ai/sections/new", {**SECTION, "code": "T", "pass_mark": "150"}, "150", "Must be at most 100."),
    ("{base}/events/ai/sections/new", {**SECTION, "name": "又一个"}, "又一个", "already has a section with the code"),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "judges": "2"}, "模型训练",
     "At least 3 judges are needed to drop the 1 highest and the 1 lowest marks."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "method": "tolerance"}, "模型训练",
     "The tolerance method needs a tolerance."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "method": "single"}, "模型训练",
     "A single-judge criterion takes exactly 1 judge."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "method": "judgement", "step": "0.5"}, "0.5",
     "Judgement marks are whole numbers from 0 to 3"),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "method": "judgement", "descriptor_1": "还行"}, "还行",
     "Say what each of 0, 1, 2 and 3 means"),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "descriptor_0": "差", "descriptor_1": "中",
                                                   "descriptor_2": "良", "descriptor_3": "优"}, "良",
     "Descriptors are only for the judgement method."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "method": "judgement", "kind": "measurement"},
     "模型训练", "The judgement method needs the kind"),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "max": "0"}, "模型训练", "Must be greater than 0."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "max": "7.12345"}, "7.12345", "Use at most 3 decimals."),
    ("{base}/events/ai/sections/P/criteria/new", {**CRITERION, "judges": "many"}, "many", "Not a valid integer value."),
]


@pytest.mark.parametrize("url,data,kept,message", BAD_INPUT, ids=[f"{i}-{b[3][:30]}" for i, b in enumerate(BAD_INPUT)])
def test_bad_input_keeps_what_was_typed_and_says_why(organisations, org1, url, data, kept, message):
    base = _contest_with_event(org1)
    before = {model: count(model) for model in (Contest, Event, Section, Criterion)}
    audit_before = count(AuditEntry)
    response = org1.post(url.format(base=base), data=data)
    html = page(response)
    assert escape(message, quote=False) in html or message in html, html
    assert f'value="{escape(kept)}"' in html or f">{escape(kept)}<" in html or escape(kept) in html
    assert 'role="alert"' in html
    assert {model: count(model) for model in before} == before
    assert count(AuditEntry) == audit_before


def test_bad_input_is_explained_in_chinese(organisations):
    org1 = client_for(organisations, "org1", lang="zh-CN")
    html = page(org1.post("/o/contests/new", data={**CONTEST, "starts_on": "2026-13-01", "standings_best_n": "x"}))
    assert "朝阳区职工数字技能竞赛" in html
    assert "无效的日期" in html or "不是有效的日期" in html or "日期" in html
    assert "整数" in html  # WTForms' own messages come translated


def test_status_changes_allowed_and_refused(organisations, org1):
    org1.post("/o/contests/new", data=CONTEST)
    base = "/o/c/chaoyang-2026"

    def go(target):
        response = org1.post(f"{base}/status", data={"confirmed": "yes", "target": target}, follow_redirects=True)
        db.session.rollback()
        return page(response), contest_by_slug("chaoyang-2026").status

    html, status = go("registration")
    assert status == "draft" and "Add at least one event first." in html
    html, status = go("published")
    assert status == "draft" and "one step at a time" in html
    org1.post(f"{base}/events/new", data=EVENT)
    assert go("registration")[1] == "registration"
    html, status = go("judging")
    assert status == "registration" and "no criterion in their marking scheme yet: ai" in html
    settings = page(org1.get(f"{base}/settings"))
    assert "no criterion in their marking scheme yet: ai" in settings  # said before the button is pressed
    org1.post(f"{base}/events/ai/sections/new", data={**SECTION, "weight": ""})
    org1.post(f"{base}/events/ai/sections/new", data={**SECTION, "code": "T", "name": "理论", "weight": "30"})
    org1.post(f"{base}/events/ai/sections/P/criteria/new", data=CRITERION)
    html, status = go("judging")
    assert status == "registration" and "cannot be scored yet: ai" in html
    assert "Give this section a weight too" in page(org1.get(f"{base}/events/ai/scheme"))
    org1.post(f"{base}/events/ai/sections/T/delete")
    assert go("judging")[1] == "judging"
    assert go("draft")[1] == "judging"
    assert go("finished")[1] == "finished"
    assert go("judging")[1] == "judging"
    assert go("finished")[1] == "finished"
    # DESIGN.md §2: published only once announced, the window closed and every case ruled.
    html, status = go("published")
    assert status == "finished" and "Announce the results" in html
    soon = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    html = page(org1.post(f"{base}/announce", data={"objections_until": soon}, follow_redirects=True))
    db.session.rollback()
    assert contest_by_slug("chaoyang-2026").objections_until is not None
    html, status = go("published")
    assert status == "finished" and "The objection and appeal window is open until" in html
    html, status = go("judging")
    assert status == "finished" and "change only through an upheld appeal" in html
    contest = contest_by_slug("chaoyang-2026")
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(minutes=1)
    db.session.commit()
    html, status = go("published")
    assert status == "published" and "Results published" in html
    assert all(e.result_status == "official" for e in contest_by_slug("chaoyang-2026").events)
    response = org1.post(f"{base}/status", data={"confirmed": "yes", "target": "finished"})
    assert response.status_code == 422 and "needs a reason" in response.get_data(as_text=True)
    db.session.rollback()
    assert contest_by_slug("chaoyang-2026").status == "published"
    response = org1.post(f"{base}/status", data={"confirmed": "yes", "target": "finished", "reason": "名单有误"}, follow_redirects=True)
    db.session.rollback()
    contest = contest_by_slug("chaoyang-2026")
    assert contest.status == "finished" and all(e.result_status == "announced" for e in contest.events)
    withdrawn = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.status")
                                  .order_by(AuditEntry.id.desc()))
    assert withdrawn.data["reason"] == "名单有误" and withdrawn.data["before"] == "published"


def test_judging_cannot_go_back_to_registration_once_marks_exist(organisations, org1):
    html = page(org1.post(f"/o/c/{SLUG}/status", data={"confirmed": "yes", "target": "registration"}, follow_redirects=True))
    assert "Judges have already given marks" in html
    db.session.rollback()
    assert contest_by_slug(SLUG).status == "judging"


def test_a_marked_scheme_is_read_only(organisations_any_db):
    org1 = client_for(organisations_any_db, "org1")
    base = f"/o/c/{SLUG}/events/iot"
    scheme = page(org1.get(f"{base}/scheme"))
    assert "the scheme is read-only" in scheme and "/criteria/P1/edit" not in scheme
    before = {model: count(model) for model in (Section, Criterion)}
    html = page(org1.post(f"{base}/criteria/P1/edit", data={**CRITERION, "code": "P1", "judges": "7", "trim": "2"}))
    assert "would silently change results and ranks" in html
    html = page(org1.post(f"{base}/sections/new", data={**SECTION, "code": "X"}))
    assert "would silently change results and ranks" in html
    html = page(org1.post(f"{base}/sections/T/delete", follow_redirects=True))
    assert "would silently change results and ranks" in html
    html = page(org1.post(f"{base}/criteria/T1/delete", follow_redirects=True))
    assert "would silently change results and ranks" in html
    assert {model: count(model) for model in before} == before
    # Places, tie-break and awards rank the event too; its name and capacity may still change.
    event = {"code": "iot", "name": "工业互联网运维员", "position": "0", "places": "2", "tie_break-0": "section:P",
             "tie_break-1": "section:T", "awards-0-name": "一等奖", "awards-0-amount": "1", "awards-1-name": "二等奖",
             "awards-1-amount": "1", "awards-2-name": "三等奖", "awards-2-amount": "1"}
    html = page(org1.post(f"{base}/edit", data={**event, "places": "1"}))
    assert "would silently change results and ranks" in html
    assert org1.post(f"{base}/edit", data={**event, "capacity": "40"}).status_code == 302
    db.session.rollback()
    iot = event_by_code(contest_by_slug(SLUG), "iot")
    assert (iot.places, iot.capacity) == (2, 40)
    html = page(org1.post(f"{base}/delete", follow_redirects=True))
    assert "has entries or marks and cannot be deleted" in html
    assert event_by_code(contest_by_slug(SLUG), "iot") is not None


def test_events_without_entries_can_be_deleted(organisations, org1):
    base = _contest_with_event(org1)
    assert org1.post(f"{base}/events/ai/delete").status_code == 302
    assert event_by_code(contest_by_slug("chaoyang-2026"), "ai") is None


def test_a_status_change_and_an_overwritten_scheme_are_asked_first(organisations, org1):
    """Without the "yes" of the page that asks, a POST changes nothing: it shows what would
    happen, with the same POST ready to send again."""
    base = _contest_with_event(org1)
    asked = org1.post(f"{base}/status", data={"target": "registration"}, headers={"Accept-Language": "en"})
    html = page(asked)
    assert asked.status_code == 200 and "The public registration form opens" in html
    assert 'name="target" value="registration"' in html and 'name="confirmed" value="yes"' in html
    db.session.rollback()
    assert contest_by_slug("chaoyang-2026").status == "draft"
    source = event_by_code(contest_by_slug(SLUG), "iot")
    before = [s.code for s in event_by_code(contest_by_slug("chaoyang-2026"), "ai").sections]
    asked = org1.post(f"{base}/events/ai/scheme/copy", data={"source": source.id}, headers={"Accept-Language": "en"})
    assert asked.status_code == 200 and "Its sections and criteria are deleted" in page(asked)
    db.session.rollback()
    assert [s.code for s in event_by_code(contest_by_slug("chaoyang-2026"), "ai").sections] == before and before
    assert org1.post(f"{base}/events/ai/scheme/copy", data={"source": source.id, "confirmed": "yes"}).status_code == 302
    db.session.rollback()
    assert [s.code for s in event_by_code(contest_by_slug("chaoyang-2026"), "ai").sections] == ["T", "P"]


def test_copy_a_scheme_from_another_contest_of_the_organisation(organisations_any_db):
    people = organisations_any_db
    org1 = client_for(people, "org1")
    base = _contest_with_event(org1, sections=False)
    source = event_by_code(contest_by_slug(SLUG), "iot")
    scheme = page(org1.get(f"{base}/events/ai/scheme"))
    assert "示例职工数字技能竞赛 · 工业互联网运维员 (iot)" in scheme
    assert org1.post(f"{base}/events/ai/scheme/copy", data={"source": source.id, "confirmed": "yes"}).status_code == 302
    db.session.rollback()
    ai = event_by_code(contest_by_slug("chaoyang-2026"), "ai")
    assert [(s.code, s.weight, [(c.code, c.method, c.judges) for c in s.criteria]) for s in ai.sections] == [
        ("T", Decimal(20), [("T1", "single", 1)]),
        ("P", Decimal(80), [("P1", "trimmed", 5), ("P2", "judgement", 3)])]
    # Another organisation's scheme is not on offer.
    other = client_for(people, "org2")
    other.post("/o/contests/new", data={**CONTEST, "slug": "other-2026"})
    other.post("/o/c/other-2026/events/new", data=EVENT)
    assert other.post("/o/c/other-2026/events/ai/scheme/copy", data={"source": source.id, "confirmed": "yes"}).status_code == 302
    assert not event_by_code(contest_by_slug("other-2026"), "ai").sections


def test_download_and_upload_the_contest_file(organisations, org1):
    response = org1.get(f"/o/c/{SLUG}/contest.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["contest"]["slug"] == SLUG and data["events"][0]["code"] == "iot" and data["marks"]
    data["contest"]["organisation"] = "某个别的工会"  # an organiser's upload stays in their organisation
    upload = {"file": (io.BytesIO(json.dumps(data).encode()), "last-year.json"), "slug": "sample-2027",
              "name": "示例竞赛 2027", "scheme_only": "y"}
    response = org1.post("/o/contests/import", data=upload, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.rollback()
    copy = contest_by_slug("sample-2027")
    assert copy.name == "示例竞赛 2027" and copy.status == "draft" and copy.organisation.name == "示例区总工会"
    assert [s.code for s in copy.events[0].sections] == ["T", "P"] and not copy.events[0].entries


def test_an_invalid_upload_lists_every_problem_and_changes_nothing(organisations, org1):
    data = sample_contest()
    data["events"][0]["sections"][0]["weight"] = "-1"
    data["events"][0]["sections"][1]["criteria"][0]["judges"] = 2
    contests = count(Contest)
    response = org1.post("/o/contests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(json.dumps(data).encode()), "bad.json"), "slug": "bad-2027"})
    html = page(response)
    assert "events[0].sections[0].weight: Must be greater than 0." in html
    assert "events[0].sections[1].criteria[0].judges: At least 3 judges are needed" in html
    assert 'value="bad-2027"' in html and count(Contest) == contests
    html = page(org1.post("/o/contests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(b"{not json"), "bad.json")}))
    assert "line 1, column 2" in html and count(Contest) == contests
    html = page(org1.post("/o/contests/import", content_type="multipart/form-data", data={"scheme_only": "y"}))
    assert "Choose a contest file to upload." in html


def test_an_upload_cannot_seat_another_organisations_accounts(organisations, org1):
    """A contest file naming org2 (an organiser of another union) or the administrator as a
    judge is refused, without saying whose account it is; a new username is fine."""
    data = sample_contest()
    data["judges"][0]["username"] = "org2"
    data["judges"][1]["username"] = "admin"
    contests = count(Contest)
    html = page(org1.post("/o/contests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(json.dumps(data).encode()), "theirs.json"), "slug": "theirs-2027"}))
    assert "judges[0].username: No account of your organisation has this username." in html
    assert "judges[1].username: No account of your organisation has this username." in html
    assert "其他工会" not in html and count(Contest) == contests
    original = sample_contest()["judges"]
    renamed = {original[0]["username"]: "new-judge-1", original[1]["username"]: "new-judge-2"}
    data["judges"][0]["username"], data["judges"][1]["username"] = "new-judge-1", "new-judge-2"
    for mark in data.get("marks", []):
        mark["judge"] = renamed.get(mark["judge"], mark["judge"])
    response = org1.post("/o/contests/import", content_type="multipart/form-data", data={
        "file": (io.BytesIO(json.dumps(data).encode()), "ours.json"), "slug": "ours-2027"})
    assert response.status_code == 302
    assert count(Contest) == contests + 1


def test_archive_and_unarchive(organisations, org1):
    assert org1.post(f"/o/c/{SLUG}/archive").status_code == 302
    db.session.rollback()
    assert contest_by_slug(SLUG).archived_at is not None
    assert "Unarchive" in page(org1.get(f"/o/c/{SLUG}/settings"))
    assert org1.post(f"/o/c/{SLUG}/unarchive").status_code == 302
    db.session.rollback()
    assert contest_by_slug(SLUG).archived_at is None
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("contest.%archive"))).all()
    assert actions == ["contest.archive", "contest.unarchive"]


def test_the_slug_changes_only_while_a_draft(organisations, org1):
    html = page(org1.post(f"/o/c/{SLUG}/settings", data={**CONTEST, "slug": "renamed"}))
    assert "can only change while the contest is a draft" in html and 'value="renamed"' in html
    assert contest_by_slug(SLUG) is not None


def test_an_admin_without_organisation_chooses_one(organisations):
    admin = client_for(organisations, "admin")
    home = db.session.scalar(select(Organisation).where(Organisation.name == "其他工会"))
    html = page(admin.get("/o/contests/new"))
    assert "其他工会" in html and "示例区总工会" in html
    # Nothing is chosen for the admin: the first organisation would silently become the host.
    unchosen = admin.post("/o/contests/new", data=CONTEST)
    assert unchosen.status_code == 200 and "Choose the organisation that hosts the contest." in page(unchosen)
    assert contest_by_slug("chaoyang-2026") is None
    assert admin.post("/o/contests/new", data={**CONTEST, "organisation": str(home.id)}).status_code == 302
    db.session.rollback()
    assert contest_by_slug("chaoyang-2026").organisation_id == home.id


def test_an_admin_with_no_organisation_to_choose_is_told(app):
    make_user("admin", is_admin=True)
    admin = client_for(app, "admin")
    html = page(admin.post("/o/contests/new", data=CONTEST))
    assert "There is no organisation yet" in html and count(Contest) == 0


def test_judges_and_anonymous_people_cannot_create_contests(organisations):
    make_user("nobody")
    assert client_for(organisations, "nobody").get("/o/contests/new").status_code == 403
    assert client_for(organisations, "nobody").post("/o/contests/import").status_code == 403
    response = client_for(organisations, None).get("/o/contests/new")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
