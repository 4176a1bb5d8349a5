"""Completion times for an event whose ties go to the faster (contests.completion_times): typed
as seconds or h:mm:ss, all saved or none, audited, the board ranked again with them; refused
once the event is signed off. How the board's rule ranks by them: tests/unit/test_ranking.py."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.contests.models import contest_by_slug, event_by_code
from competition.entries.models import Entry
from competition.extensions import db

from .test_organiser_contests import SLUG, _people, client_for

URL = f"/o/c/{SLUG}/events/iot/times"


@pytest.fixture
def org1(app):
    """The sample contest's organiser (tests/test_organiser_contests.py's people)."""
    return client_for(_people(app), "org1")


def entries() -> dict[str, Entry]:
    db.session.expire_all()
    event = event_by_code(contest_by_slug(SLUG), "iot")
    return {e.bib: e for e in db.session.scalars(select(Entry).where(Entry.event_id == event.id))}


def uses_times():
    event = event_by_code(contest_by_slug(SLUG), "iot")
    event.tie_break = ["-completion_time", *event.tie_break]
    db.session.commit()


def test_times_are_saved_audited_and_read_back(org1):
    uses_times()
    page = org1.get(URL).get_data(as_text=True)
    assert "the faster first" in page and 'name="time-' in page
    people = entries()
    data = {f"time-{people['S01'].id}": "12:34", f"time-{people['S02'].id}": "７５４.５",
            f"time-{people['S03'].id}": "1:02:03"}
    response = org1.post(URL, data=data, follow_redirects=True)
    assert "3 completion times saved." in response.get_data(as_text=True)
    people = entries()
    assert (people["S01"].completion_time, people["S02"].completion_time, people["S03"].completion_time,
            people["S04"].completion_time) == (Decimal(754), Decimal("754.5"), Decimal(3723), None)
    again = org1.get(URL).get_data(as_text=True)
    assert 'value="12:34"' in again and 'value="12:34.5"' in again and 'value="1:02:03"' in again
    [audit] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "event.completion_times"))
    assert audit.data["after"] == {"S01": "754", "S02": "754.5", "S03": "3723"} and audit.user.username == "org1"


def test_one_bad_time_saves_nothing_and_keeps_what_was_typed(org1):
    uses_times()
    people = entries()
    response = org1.post(URL, data={f"time-{people['S01'].id}": "12:34", f"time-{people['S02'].id}": "12:75"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Minutes and seconds go up to 59." in html
    assert 'value="12:34"' in html and 'value="12:75"' in html
    assert entries()["S01"].completion_time is None


def test_signed_off_times_are_decided(org1):
    uses_times()
    event = event_by_code(contest_by_slug(SLUG), "iot")
    event.result_status = "signed_off"
    db.session.commit()
    people = entries()
    response = org1.post(URL, data={f"time-{people['S01'].id}": "600"}, follow_redirects=True)
    assert "its completion times are decided" in response.get_data(as_text=True)
    assert entries()["S01"].completion_time is None
