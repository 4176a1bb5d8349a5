"""The public registration form and the status lookup, through the test client."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.entries.models import Contestant, Delegation, Entry
from competition.extensions import db

from ..factory import PRIVACY, form_data, has_id_number, make_contest, resident_id

URL = "/c/reg-2026/register"


EN = {"Accept-Language": "en"}


def register(client, **changes):
    return client.post(URL, data=form_data(**changes), headers=EN)


def test_form_shows_privacy_notice_and_open_events(app, client):
    make_contest()
    html = client.get(URL).get_data(as_text=True)
    assert PRIVACY in html
    assert "人工智能训练师" in html and "工业互联网运维员" in html
    assert '<option value="首钢集团工会">' in html


def test_good_registration_creates_pending_entry_and_shows_reference(app, client):
    contest = make_contest()
    response = register(client, events=["ai", "iiot"])
    assert response.status_code == 302
    done = client.get(response.headers["Location"]).get_data(as_text=True)
    contestant = db.session.scalar(select(Contestant))
    assert re.fullmatch(r"GJ-[2-9A-HJKMNP-Z]{6}", contestant.reference)
    assert contestant.reference in done
    assert contestant.name == "张𠈌䶮"  # rare characters kept exactly
    assert contestant.source == "form" and contestant.consented_at is not None
    assert contestant.mobile == "13800138000" and contestant.gender == "male"
    entries = db.session.scalars(select(Entry).order_by(Entry.event_id)).all()
    assert [(e.status, e.bib, e.name) for e in entries] == [("pending", None, "张𠈌䶮")] * 2
    assert {e.delegation.name for e in entries} == {"首钢集团工会"}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.submit"))
    assert audit.contest_id == contest.id and audit.data["events"] == ["ai", "iiot"]


def test_full_width_input_and_new_delegation(app, client):
    make_contest()
    number = resident_id(3)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in number)
    response = register(client, n=3, id_number=full_width, mobile="+86 138 0013 8000",
                        delegation="  朝阳区\u3000望京街道总工会 ")
    assert response.status_code == 302
    contestant = db.session.scalar(select(Contestant))
    assert contestant.id_number == number and contestant.mobile == "13800138000"
    assert contestant.delegation.name == "朝阳区 望京街道总工会"
    assert db.session.scalar(select(Delegation).where(Delegation.name == "朝阳区 望京街道总工会")) is not None


BAD = [
    ("name", "  ", "Enter your name."),
    ("gender", None, "Choose your gender."),
    ("id_number", resident_id(1)[:-1] + ("0" if resident_id(1)[-1] != "0" else "1"), "The check digit does not match"),
    ("id_number", "12345", "18 characters"),
    ("gender", "female", "The gender does not match the ID number."),
    ("mobile", "12345678901", "11-digit mainland mobile number"),
    ("email", "not-an-email", "Enter an e-mail address"),
    ("delegation", "", "Enter your employer or district union."),
    ("events", None, "Choose at least one event."),
    ("events", ["nope"], "does not take registrations now"),
    ("consent", None, "Registration needs your consent"),
    ("id_type", "passport", "A passport number has 5 to 17"),  # a resident number is not a passport number: too long
]


@pytest.mark.parametrize("field,value,message", BAD)
def test_every_bad_input_keeps_what_was_typed(app, client, field, value, message):
    make_contest()
    data = form_data(**{field: value})
    if field == "id_type":
        data["id_number"] = "E1234567890123456789"
    response = client.post(URL, data=data, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    if message:
        assert message in html, html
    assert 'role="alert"' in html
    # Everything typed is still there.
    for name in ("name", "id_number", "mobile", "email", "delegation", "trade"):
        typed = data.get(name, "")
        if typed.strip():
            assert f'value="{typed}"' in html, name
    if "events" in data and data["events"] == ["ai"]:
        assert re.search(r'value="ai"[^>]*checked|checked[^>]*value="ai"', html)
    assert db.session.scalar(select(Contestant)) is None


def test_english_messages(app, client):
    make_contest()
    response = client.post(URL, data=form_data(mobile="123"), headers={"Accept-Language": "en"})
    assert "Enter an 11-digit mainland mobile number" in response.get_data(as_text=True)


def test_same_person_same_event_twice_is_refused_clearly(app, client):
    make_contest()
    assert register(client).status_code == 302
    response = register(client, mobile="13900139000")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "already entered in: 人工智能训练师" in html
    assert 'value="13900139000"' in html
    assert db.session.query(Entry).count() == 1


def test_same_person_other_event_reuses_contestant(app, client):
    make_contest()
    assert register(client).status_code == 302
    first = db.session.scalar(select(Contestant)).reference
    assert register(client, events=["iiot"]).status_code == 302
    assert db.session.query(Contestant).count() == 1
    assert db.session.query(Entry).count() == 2
    assert db.session.scalar(select(Contestant)).reference == first


def test_closed_contest(app, client):
    make_contest(status="judging")
    html = client.get(URL, headers=EN).get_data(as_text=True)
    assert "Registration for this contest is closed." in html
    response = register(client)
    assert response.status_code == 200
    assert db.session.query(Entry).count() == 0


def test_draft_contest_is_not_found(app, client):
    make_contest(status="draft")
    assert client.get(URL).status_code == 404


def test_deadline_passed(app, client):
    make_contest(deadline_in=timedelta(minutes=-1))
    html = client.get(URL).get_data(as_text=True)
    assert "人工智能训练师" not in html.split("<form", 1)[-1]  # only iiot is offered
    response = register(client)
    assert response.status_code == 422
    assert "The registration deadline has passed for: 人工智能训练师." in response.get_data(as_text=True)
    assert db.session.query(Entry).count() == 0


def test_deadline_reached_between_page_and_submit(app, client, monkeypatch):
    """The service checks the deadline again in its transaction."""
    from competition.entries import services
    contest = make_contest(deadline_in=timedelta(hours=1))
    from competition.entries.identity import Registrant
    person = Registrant(name="李四", gender="male", id_type="resident_id", id_number=resident_id(1),
                        mobile="13800138000")
    from competition.database import utcnow
    from competition.errors import ActionRefused
    with pytest.raises(ActionRefused) as refused:
        services.register(contest, person, ["ai"], now=utcnow() + timedelta(hours=2))
    assert refused.value.code == "deadline_passed" and refused.value.params == {"events": ["人工智能训练师"]}


def test_capacity_counts_pending_and_approved(app, client):
    make_contest(capacity=2)
    assert register(client, n=1).status_code == 302
    assert register(client, n=2).status_code == 302
    form = client.get(URL, headers=EN).get_data(as_text=True).split("<form", 1)[-1]
    assert 'value="ai"' not in form and 'value="iiot"' in form
    # Someone whose page still offered the event is told why, by name, and keeps the form.
    response = register(client, n=3, events=["ai", "iiot"])
    assert response.status_code == 422
    assert "No places are left in: 人工智能训练师." in response.get_data(as_text=True)
    assert db.session.query(Entry).count() == 2
    # A rejected entry frees its place.
    entry = db.session.scalars(select(Entry)).first()
    entry.status = "rejected"
    db.session.commit()
    assert register(client, n=3).status_code == 302


def _registered(client, n=1, **changes):
    register(client, n=n, **changes)
    return db.session.scalar(select(Contestant).where(has_id_number(resident_id(n))))


def test_status_lookup_shows_status_and_bib_never_id_or_phone(app, client):
    make_contest()
    contestant = _registered(client, n=1, events=["ai", "iiot"])
    ref = contestant.reference
    number = contestant.id_number
    html = client.post("/c/reg-2026/register/status",
                       data={"reference": ref.lower(), "id_last4": number[-4:]}, headers=EN).get_data(as_text=True)
    assert "Pending review" in html
    assert number not in html and "13800138000" not in html and number[:6] not in html
    entries = db.session.scalars(select(Entry).order_by(Entry.event_id)).all()
    entries[0].status, entries[0].bib = "approved", "AI007"
    entries[1].status, entries[1].review_note = "rejected", "工种不符"
    db.session.commit()
    html = client.post("/c/reg-2026/register/status",
                       data={"reference": ref, "id_last4": number[-4:]}, headers=EN).get_data(as_text=True)
    assert "AI007" in html and "Approved" in html and "Rejected" in html and "工种不符" in html


@pytest.mark.parametrize("which", ["reference", "digits"])
def test_status_lookup_wrong_details_say_nothing(app, client, which):
    make_contest()
    contestant = _registered(client)
    data = {"reference": contestant.reference, "id_last4": contestant.id_number[-4:]}
    data["id_last4" if which == "digits" else "reference"] = "0000" if which == "digits" else "GJ-ZZZZZZ"
    response = client.post("/c/reg-2026/register/status", data=data, headers=EN)
    assert response.status_code == 404
    assert "No registration matches" in response.get_data(as_text=True)


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "REGISTRATION_STATUS_RATE_LIMIT": "3 per minute"}])
def test_status_lookup_is_rate_limited(app, client):
    make_contest()
    codes = [client.post("/c/reg-2026/register/status",
                         data={"reference": "GJ-ABCDEF", "id_last4": "1234"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True, "REGISTRATION_RATE_LIMIT": "2 per minute"}])
def test_registering_is_rate_limited_and_keeps_what_was_typed(app, client):
    make_contest()
    codes = [client.post("/c/reg-2026/register", data=form_data(n=n)).status_code for n in (1, 2)]
    assert codes == [302, 302]
    response = client.post("/c/reg-2026/register", data=form_data(n=3, name="王𠈌五"), headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 429 and int(response.headers["Retry-After"]) <= 60
    assert "Too many attempts" in html and 'value="王𠈌五"' in html and ">Name<" in html
    assert 'action="/c/reg-2026/register"' in html  # sent again from here once the minute is over


def test_public_contest_page_links_to_registration(app, client):
    make_contest()
    html = client.get("/c/reg-2026").get_data(as_text=True)
    assert "/c/reg-2026/register" in html
