"""The promotion list (晋升名单) and participation certificates: the organiser sets an event's
promotion rule on its form; once the event is signed off the results export lists exactly the
entries the rule names (the JSON's "promotions" and the "Promotion list" sheet), the rule is
fixed, and it travels in the contest file. A contest that gives participation certificates
issues one, with no award, at publication to every other entry with a total."""
import io
import json
import re
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from competition.certificates.models import Certificate
from competition.contest_files.services import ContestFileInvalid, export_contest, import_contest
from competition.contests import services as contests
from competition.contests.models import contest_by_slug, event_by_code
from competition.database import utcnow
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judging import services as judging

from .factory import chief, complete_marks, import_sample, organiser, sample_contest, sample_event
from .helpers import english, isolated_client, login

SLUG = "sample-2026"
EDIT = f"/o/c/{SLUG}/events/iot/edit"
WEIGHTS = {"T": Decimal(20), "P": Decimal(80)}  # the sample's sections; a row's section score is out of its weight

# The sample event's form as it stands (any other value would change its ranking, refused once marked).
EVENT_FORM = {"code": "iot", "name": "工业互联网运维员", "position": "0", "places": "2",
              "tie_break-0": "section:P", "tie_break-1": "section:T",
              "awards-0-name": "一等奖", "awards-0-basis": "count", "awards-0-amount": "1",
              "awards-1-name": "二等奖", "awards-1-basis": "count", "awards-1-amount": "1",
              "awards-2-name": "三等奖", "awards-2-basis": "count", "awards-2-amount": "1"}


def with_pass_marks(**marks: str) -> dict:
    """The sample contest with pass marks (percent of the section's maximum) by section code."""
    data = sample_contest()
    for section in data["events"][0]["sections"]:
        if section["code"] in marks:
            section["pass"] = marks[section["code"]]
    return data


def judging_contest(data: dict | None = None):
    import_sample(data)
    contest = contest_by_slug(SLUG)
    contest.status = "judging"
    db.session.commit()
    organiser()
    db.session.commit()


def sign_off_and_announce() -> None:
    complete_marks()
    judging.lock_event(chief(), sample_event())
    user = organiser()
    contests.change_status(user, contest_by_slug(SLUG), "finished")
    contests.announce(user, contest_by_slug(SLUG), utcnow() + timedelta(days=3))


def publish() -> None:
    contest = contest_by_slug(SLUG)
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")


def typed(html: str, name: str) -> str:
    """The value of the form's text input `name` as the page renders it."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert found, name
    value = re.search(r'\bvalue="([^"]*)"', found.group(0))
    return value.group(1) if value else ""


def organiser_client(app):
    client = english(isolated_client(app))
    login(client, "org1")
    return client


def expected_promotion(rows: list[dict], pass_marks: dict[str, str], basis: str, amount: str) -> list[str]:
    """The rule said again over the results API's rows: the ranked rows with every section at
    or above its pass mark, best rank first; the first k of them (a count, or a share of them
    rounded half up) and whoever shares the k-th's rank."""
    passed = sorted((r for r in rows if r["rank"] is not None and all(
        Decimal(r["sections"][code]) * 100 / WEIGHTS[code] >= Decimal(mark) for code, mark in pass_marks.items())),
        key=lambda r: r["rank"])
    n = len(passed)
    k = int(amount) if basis == "count" else int((Decimal(amount) * n / 100).quantize(Decimal(1), ROUND_HALF_UP))
    k = min(k, n)
    if k == 0:
        return []
    return [r["entry"] for r in passed if r["rank"] <= passed[k - 1]["rank"]]


# --- the rule on the event form ------------------------------------------------------------------

def test_a_bad_promotion_amount_is_refused_on_the_form_keeping_what_was_typed(app):
    judging_contest()
    org = organiser_client(app)
    assert 'name="promotion_title"' in org.get(EDIT).get_data(as_text=True)
    cases = [({"promotion_title": "技师", "promotion_basis": "count", "promotion_amount": "abc"},
              "Enter a whole number of entries, such as 3."),
             ({"promotion_title": "技师", "promotion_basis": "share", "promotion_amount": "abc"},
              "Enter a number such as 7.5."),
             ({"promotion_title": "技师", "promotion_basis": "share", "promotion_amount": "150"}, "Must be at most 100."),
             ({"promotion_title": "技师", "promotion_basis": "share", "promotion_amount": "0"}, "Must be greater than 0."),
             ({"promotion_title": "技师", "promotion_basis": "count", "promotion_amount": ""},
              "How many entries are promoted?"),
             ({"promotion_title": "", "promotion_basis": "count", "promotion_amount": "3"}, "Must not be empty.")]
    for fields, says in cases:
        response = org.post(EDIT, data={**EVENT_FORM, **fields})
        html = response.get_data(as_text=True)
        assert response.status_code == 200, (fields, response.status_code)  # re-rendered with its errors
        assert says in html, fields
        for name in ("promotion_title", "promotion_amount"):  # what was typed is still there
            assert typed(html, name) == fields[name], (fields, name)
        db.session.expire_all()
        assert sample_event().promotion is None, fields
    assert org.post(EDIT, data={**EVENT_FORM, "promotion_title": "技师", "promotion_basis": "count",
                                "promotion_amount": "2"}).status_code == 302
    db.session.expire_all()
    assert sample_event().promotion == {"title": "技师", "count": 2}
    # The form shows the stored rule; emptying both fields removes it.
    html = org.get(EDIT).get_data(as_text=True)
    assert (typed(html, "promotion_title"), typed(html, "promotion_amount")) == ("技师", "2")
    assert org.post(EDIT, data={**EVENT_FORM, "promotion_title": "", "promotion_amount": ""}).status_code == 302
    db.session.expire_all()
    assert sample_event().promotion is None


# --- the list in the results export --------------------------------------------------------------

@pytest.mark.parametrize("pass_marks, basis, amount, want", [
    ({"T": "65"}, "share", "80", ["S01", "S02"]),  # S04 fails theory (60 %): 80 % of 3 is 2.4 → 2
    ({"T": "65"}, "count", "10", ["S01", "S02", "S03"]),  # more than passed: everyone who did
    ({"T": "85"}, "count", "1", ["S02"]),  # only S02 passes theory (90 %): S01, first, is passed over
    ({}, "share", "50", ["S01", "S02"]),  # no pass marks: 50 % of 4
], ids=["share", "count-above-field", "first-fails", "no-pass-marks"])
def test_the_results_export_lists_exactly_the_promoted_entries(app, pass_marks, basis, amount, want):
    from openpyxl import load_workbook
    judging_contest(with_pass_marks(**pass_marks))
    org = organiser_client(app)
    response = org.post(EDIT, data={**EVENT_FORM, "promotion_title": "技师", "promotion_basis": basis,
                                    "promotion_amount": amount})
    assert response.status_code == 302
    sign_off_and_announce()

    api = isolated_client(app).get(f"/api/v1/contests/{SLUG}/results").get_json()
    rows = api["events"][0]["rows"]
    assert expected_promotion(rows, pass_marks, basis, amount) == want
    by_bib = {r["entry"]: r for r in rows}

    data = json.loads(org.get(f"/o/c/{SLUG}/results/export.json").data)
    (promotion,) = data["promotions"]
    assert {k: promotion[k] for k in ("event", "name", "title", "result_status")} == {
        "event": "iot", "name": "工业互联网运维员", "title": "技师", "result_status": "announced"}
    assert promotion["rows"] == [{"rank": by_bib[bib]["rank"], "entry": bib, "name": by_bib[bib]["name"],
                                  "delegation": by_bib[bib]["delegation"], "total": by_bib[bib]["total"]}
                                 for bib in want]

    book = load_workbook(io.BytesIO(org.get(f"/o/c/{SLUG}/results/export.xlsx").data), read_only=True)
    assert book.sheetnames == ["工业互联网运维员", "Delegation standings", "Promotion list", "Marks"]
    sheet = [tuple("" if v is None else str(v) for v in row) for row in book["Promotion list"].iter_rows(values_only=True)]
    assert sheet[0] == ("Event", "Title", "Rank", "Bib", "Name", "Delegation", "Total", "Result status")
    assert [row[:7] for row in sheet[1:]] == [
        ("工业互联网运维员", "技师", str(by_bib[bib]["rank"]), bib, by_bib[bib]["name"], by_bib[bib]["delegation"],
         by_bib[bib]["total"]) for bib in want]
    assert all(row[7].startswith("Announced, objections until") for row in sheet[1:])


def test_an_event_without_a_rule_has_no_promotion_list(app):
    judging_contest()
    sign_off_and_announce()
    org = organiser_client(app)
    assert json.loads(org.get(f"/o/c/{SLUG}/results/export.json").data)["promotions"] == []
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(org.get(f"/o/c/{SLUG}/results/export.xlsx").data), read_only=True)
    assert "Promotion list" not in book.sheetnames


def test_the_promotion_cannot_change_once_the_event_is_signed_off(app):
    judging_contest(with_pass_marks(T="65"))
    org = organiser_client(app)
    rule = {"promotion_title": "技师", "promotion_basis": "count", "promotion_amount": "2"}
    assert org.post(EDIT, data={**EVENT_FORM, **rule}).status_code == 302
    complete_marks()
    judging.lock_event(chief(), sample_event())
    for change in ({"promotion_amount": "3"}, {"promotion_title": "高级技师"}, {"promotion_basis": "share"},
                   {"promotion_title": "", "promotion_amount": ""}):
        html = org.post(EDIT, data={**EVENT_FORM, **rule, **change}).get_data(as_text=True)
        assert "This event is signed off: its promotion list is decided with its results and can no longer change." \
            in html, change
    with pytest.raises(ActionRefused) as refused:
        contests.update_event(organiser(), sample_event(), {
            **{k: getattr(sample_event(), k) for k in contests.EVENT_FIELDS}, "promotion": {"title": "技师", "count": 3}})
    assert (refused.value.status, refused.value.code) == (409, "promotion_decided")
    db.session.expire_all()
    assert sample_event().promotion == {"title": "技师", "count": 2}
    # What is not the promotion may still change, and the same rule sent again is no change.
    assert org.post(EDIT, data={**EVENT_FORM, **rule, "name": "工业互联网运维员（决赛）"}).status_code == 302
    db.session.expire_all()
    assert (sample_event().name, sample_event().promotion) == ("工业互联网运维员（决赛）", {"title": "技师", "count": 2})


# --- the contest file ----------------------------------------------------------------------------

@pytest.mark.parametrize("promotion", [{"title": "技师", "count": 3}, {"title": "高级技师", "share": "12.5"}])
def test_the_promotion_survives_export_and_import(app, promotion):
    judging_contest()
    event = sample_event()
    event.promotion = promotion
    db.session.commit()
    data = export_contest(contest_by_slug(SLUG))
    assert data["events"][0]["promotion"] == promotion
    data["contest"]["slug"] = "copy-2026"
    copy = import_contest(data)
    db.session.commit()
    assert event_by_code(copy, "iot").promotion == promotion
    assert export_contest(copy)["events"][0]["promotion"] == promotion
    # Without one, the file has none and the import none.
    event = sample_event()
    event.promotion = None
    db.session.commit()
    data = export_contest(contest_by_slug(SLUG))
    assert "promotion" not in data["events"][0]
    data["contest"]["slug"] = "copy-2027"
    assert event_by_code(import_contest(data), "iot").promotion is None


@pytest.mark.parametrize("promotion, problems", [
    ({"count": 3}, [(("events", 0, "promotion", "title"), "required")]),
    ({"title": "技师", "count": 3, "share": "10"}, [(("events", 0, "promotion"), "count_or_share")]),
    ({"title": "技师", "share": "0"}, [(("events", 0, "promotion", "share"), "not_positive")]),
    ({"title": "技师", "share": "150"}, [(("events", 0, "promotion", "share"), "too_big")]),
    ({"title": "技师"}, [(("events", 0, "promotion"), "count_or_share")]),
    ({"title": "", "count": 2}, [(("events", 0, "promotion", "title"), "blank")]),
    ({"title": "技师", "count": 0}, [(("events", 0, "promotion", "count"), "too_small")]),
    ({"title": "技师", "count": 2, "rank": 1}, [(("events", 0, "promotion", "rank"), "unknown_key")]),
], ids=["no-title", "count-and-share", "share-0", "share-150", "neither", "blank-title", "count-0", "unknown-key"])
def test_an_invalid_promotion_in_a_contest_file_is_reported_at_its_path(app, promotion, problems):
    data = sample_contest()
    data["events"][0]["promotion"] = promotion
    with pytest.raises(ContestFileInvalid) as invalid:
        import_contest(data)
    assert [(p.path, p.code) for p in invalid.value.problems] == problems
    assert contest_by_slug(SLUG) is None


# --- participation certificates ------------------------------------------------------------------

def certificates() -> dict[str, Certificate]:
    db.session.expire_all()
    return {c.entry.bib: c for c in db.session.scalars(select(Certificate).where(Certificate.status == "valid"))}


def settings_form(contest, **changes) -> dict:
    data = {"name": contest.name, "slug": contest.slug, "venue": contest.venue or "",
            "standings_best_n": str(contest.standings_best_n), "bib_pattern": contest.bib_pattern,
            "privacy_notice": contest.privacy_notice or "", "time_zone": contest.time_zone}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_a_contest_that_gives_them_issues_participation_certificates_to_the_others(app, client):
    judging_contest()
    org = organiser_client(app)
    response = org.post(f"/o/c/{SLUG}/settings", data=settings_form(contest_by_slug(SLUG),
                                                                    gives_participation_certificates="y"))
    assert response.status_code == 302
    db.session.expire_all()
    assert contest_by_slug(SLUG).gives_participation_certificates is True
    sign_off_and_announce()
    assert certificates() == {}  # nothing before publication
    publish()
    issued = certificates()
    assert {bib: (c.kind, c.award, c.rank) for bib, c in issued.items()} == {
        "S01": ("award", "一等奖", 1), "S02": ("award", "二等奖", 2), "S03": ("award", "三等奖", 3),
        "S04": ("participation", None, 4)}
    s04 = issued["S04"]
    body = client.get(f"/api/v1/certificates/{s04.number}").get_json()
    assert body == {"number": s04.number, "contest": "示例职工数字技能竞赛", "event": "工业互联网运维员", "name": "选手4",
                    "delegation": "首钢集团工会", "award": None, "rank": 4, "total": "38.67", "status": "valid",
                    "issued_at": body["issued_at"]}
    page = client.get(f"/verify/{s04.number}", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Valid" in html and "Participation certificate" in html and "选手4" in html
    zh = client.get(f"/verify/{s04.number}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "Participation certificate" in zh or "参赛证书" in zh
    award_page = client.get(f"/verify/{issued['S01'].number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "一等奖" in award_page and "Participation certificate" not in award_page
    # The organiser's list names it too.
    assert "Participation certificate" in org.get(f"/o/c/{SLUG}/certificates").get_data(as_text=True)

    # Published again with nothing changed: the same certificates stand.
    numbers = {bib: c.number for bib, c in issued.items()}
    contests.change_status(organiser(), contest_by_slug(SLUG), "finished", reason="核对名单")
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")
    assert {bib: c.number for bib, c in certificates().items()} == numbers
    # Published again without participation certificates: S04's is revoked, the awards stand.
    contests.change_status(organiser(), contest_by_slug(SLUG), "finished", reason="不再颁发参赛证书")
    contest = contest_by_slug(SLUG)
    contest.gives_participation_certificates = False
    db.session.commit()
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")
    assert {bib: c.number for bib, c in certificates().items()} == {b: n for b, n in numbers.items() if b != "S04"}
    assert client.get(f"/api/v1/certificates/{numbers['S04']}").get_json()["status"] == "revoked"


def test_without_the_setting_only_the_awarded_get_certificates(app):
    judging_contest()
    assert contest_by_slug(SLUG).gives_participation_certificates is False
    sign_off_and_announce()
    publish()
    assert {bib: (c.kind, c.award) for bib, c in certificates().items()} == {
        "S01": ("award", "一等奖"), "S02": ("award", "二等奖"), "S03": ("award", "三等奖")}
    assert db.session.scalar(select(Certificate.id).where(Certificate.kind == "participation")) is None
