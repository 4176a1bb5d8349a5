"""A judge's tablet reports itself (POST /j/<contest>/tablet) and the chief judge's tablet view
lists the panel's tablets: what a report may carry, what it refuses, who may see the view, and
the warning for one judge with two tablets on one entry. The browser side (the outbox, the
service worker) is in tests/browser/test_tablet_offline.py."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from competition.database import utcnow
from competition.extensions import db
from competition.judging.models import Tablet
from .test_judging import SLUG, log_in, url

REPORT = f"/j/{SLUG}/tablet"
pytestmark = pytest.mark.usefixtures("sample")


def csrf(client) -> str:
    return client.get("/j/session").get_json()["csrf_token"]


def report(client, **body):
    payload = {"device": "tab-0001-aaaa", "version": "abc", "waiting": 0, "refused": 0, **body}
    return client.post(REPORT, json=payload, headers={"X-CSRFToken": csrf(client), "Accept": "application/json"})


def test_the_session_says_who_is_signed_in_with_a_fresh_token(app):
    k4 = log_in(app, "k4")
    answer = k4.get("/j/session")
    body = answer.get_json()
    assert body["user"] and body["csrf_token"] and body["version"]
    assert answer.headers["Cache-Control"] == "no-store"
    anonymous = app.test_client().get("/j/session").get_json()
    assert anonymous["user"] is None and anonymous["csrf_token"] is None


def test_a_report_is_kept_as_the_tablets_last_word(app):
    k4 = log_in(app, "k4")
    answer = report(k4, event="iot", entry="S03", waiting=4, refused=1, battery=63, charging=False,
                    offline_pages=True)
    assert answer.status_code == 200 and answer.get_json()["twin"] is False
    answer = report(k4, event="iot", entry="S04", waiting=0, battery=62)
    with app.app_context():
        tablets = db.session.scalars(select(Tablet)).all()
        assert len(tablets) == 1
        t = tablets[0]
        assert (t.waiting, t.refused, t.battery, t.charging, t.entry.bib) == (0, 0, 62, None, "S04")


def test_a_report_refuses_what_it_cannot_read_and_keeps_nothing_of_it(app):
    k4 = log_in(app, "k4")
    headers = {"X-CSRFToken": csrf(k4), "Accept": "application/json"}
    answer = k4.post(REPORT, data="not json", headers=dict(headers, **{"Content-Type": "application/json"}))
    assert answer.status_code == 400 and answer.get_json()["error"]["code"] == "bad_json"
    assert k4.post(REPORT, json={"device": "x"}, headers=headers).status_code == 400  # too short
    # Nonsense values are dropped, not stored: a battery of 300 %, a negative outbox, an entry of no event.
    assert report(k4, battery=300, waiting=-5, entry="S03").status_code == 200
    assert report(k4, event="nope", entry="S03", device="tab-0002-bbbb").status_code == 200
    with app.app_context():
        rows = {t.device: t for t in db.session.scalars(select(Tablet))}
        assert rows["tab-0001-aaaa"].battery is None and rows["tab-0001-aaaa"].waiting == 0
        assert rows["tab-0001-aaaa"].entry_id is None and rows["tab-0002-bbbb"].event_id is None


def test_only_a_judge_of_the_contest_reports_and_only_its_chief_sees_the_view(app):
    k1 = log_in(app, "k1")
    k2 = log_in(app, "k2")
    assert app.test_client().post(REPORT, json={"device": "tab-0001-aaaa"}).status_code in (302, 401)
    assert k1.get(url("chief", "tablets")).status_code == 200
    assert k2.get(url("chief", "tablets")).status_code == 403


def test_two_tablets_of_one_judge_on_one_entry_warn_the_judge_and_the_chief(app):
    k1 = log_in(app, "k1")
    k4 = log_in(app, "k4")
    assert report(k4, event="iot", entry="S03").get_json()["twin"] is False
    assert report(k4, event="iot", entry="S03", device="tab-0002-bbbb").get_json()["twin"] is True
    page = k1.get(url("chief", "tablets")).get_data(as_text=True)
    assert "open on two tablets" in page and page.count('data-device="') == 2
    # One put away a while ago: no warning any more, and it shows offline.
    with app.app_context():
        first = db.session.scalar(select(Tablet).where(Tablet.device == "tab-0001-aaaa"))
        first.last_seen = utcnow() - timedelta(minutes=5)
        db.session.commit()
    page = k1.get(url("chief", "tablets")).get_data(as_text=True)
    assert "open on two tablets" not in page and 'data-connected="no"' in page and 'data-connected="yes"' in page


def test_the_service_worker_is_served_for_the_judges_pages(app):
    k4 = log_in(app, "k4")
    answer = app.test_client().get("/j/sw.js?v=1")
    assert answer.status_code == 200 and "javascript" in answer.headers["Content-Type"]
    assert answer.headers["Cache-Control"] == "public, no-cache"
    answer.close()
    assert k4.get("/j/offline").status_code == 200
