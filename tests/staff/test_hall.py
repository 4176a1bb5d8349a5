"""The hall's console (competition/hall): screens named and set, what each shows resolved in one
payload, announcements made by organisers and chief judges and kept, sessions with their
countdown, and marking that closes with the last session. Refusals are by name and keep what
was typed; every change is audited."""
import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from competition.audit.models import AuditEntry
from competition.contests import sessions as clocks
from competition.contests.models import contest_by_slug, event_by_code
from competition.database import utcnow
from competition.errors import ActionRefused
from competition.extensions import db
from competition.hall import services as hall
from competition.hall.models import Announcement, Screen
from competition.marking.services import submit_mark

from competition.accounts.services import find_user

from ..factory import PASSWORD, SLUG
from ..helpers import english, isolated_client, login


def with_password(username: str) -> None:
    find_user(username).set_password(PASSWORD)
    db.session.commit()


def screen(name: str) -> Screen:
    db.session.expire_all()
    return db.session.scalar(select(Screen).where(Screen.name == name))


def add(client, name: str):
    return client.post(f"/o/c/{SLUG}/screens", data={"name": name})


def set_to(client, name: str, **data):
    s = screen(name)
    form = {f"s{s.id}-{k}": v for k, v in {"mode": "follow", "event": "", "scale": "100", "rows": "", **data}.items()}
    return client.post(f"/o/c/{SLUG}/screens/{s.id}", data=form)


def test_screens_are_named_and_set_and_audited(organiser):
    assert add(organiser, "大屏一").status_code == 302
    assert add(organiser, "　大屏二 ").status_code == 302  # full-width spaces trimmed
    page = organiser.get(f"/o/c/{SLUG}/screens").get_data(as_text=True)
    assert "大屏一" in page and "大屏二" in page and "/c/sample-2026/screen?name=" in page
    response = set_to(organiser, "大屏一", mode="event", event="iot", scale="140", rows="12")
    assert response.status_code == 302
    s = screen("大屏一")
    assert (s.mode, s.event.code, s.scale, s.rows, s.seq) == ("event", "iot", 140, 12, 1)
    payload = hall.screen_payload(contest_by_slug(SLUG), s, s.name)
    assert payload["show"] == "board" and payload["event"] == "iot" and payload["scale"] == 1.4
    assert payload["rows"] == 12
    actions = [a.action for a in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions[-3:] == ["screen.add", "screen.add", "screen.set"]


def test_a_screen_refused_keeps_what_was_typed(organiser):
    add(organiser, "大屏一")
    response = add(organiser, "大屏一")
    assert response.status_code == 409 and "A screen named “大屏一” is already set up." in response.get_data(as_text=True)
    response = set_to(organiser, "大屏一", mode="event", scale="130")  # a fixed event, but which?
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose the event this screen shows." in html and 'value="130"' in html
    response = set_to(organiser, "大屏一", scale="900")
    assert response.status_code == 422
    assert screen("大屏一").mode == "follow" and screen("大屏一").scale == 100


def test_a_winners_card_waits_for_the_awards(organiser):
    add(organiser, "大屏一")
    response = set_to(organiser, "大屏一", mode="winners", event="iot")
    assert response.status_code == 409 and "not decided yet" in response.get_data(as_text=True)


def test_an_unknown_screen_follows_the_event_being_marked(organiser):
    contest = contest_by_slug(SLUG)
    payload = hall.screen_payload(contest, None, "门口大屏")
    assert payload["known"] is False and payload["mode"] == "follow" and payload["show"] == "board"
    assert payload["event"] == "iot"  # the sample's marks changed its board last


def test_the_status_says_what_each_screen_shows(organiser):
    add(organiser, "大屏一")
    set_to(organiser, "大屏一", mode="standings")
    status = organiser.get(f"/o/c/{SLUG}/screens/status").get_json()
    assert status["screens"]["大屏一"]["mode"] == "standings"
    assert status["screens"]["大屏一"]["connected"] == 0


def test_other_organisations_and_judges_cannot_reach_the_console(app, contest):
    other = english(isolated_client(app))
    login(other, "org2")
    assert other.get(f"/o/c/{SLUG}/screens").status_code == 404
    judge = english(isolated_client(app))
    with_password("k2")
    login(judge, "k2")
    assert judge.get(f"/o/c/{SLUG}/screens").status_code == 404
    assert judge.post(f"/o/c/{SLUG}/announcements", data={"text": "集合"}).status_code == 404


# --- announcements ------------------------------------------------------------------------------

def test_an_announcement_replaces_the_last_and_every_one_is_kept(organiser):
    assert organiser.post(f"/o/c/{SLUG}/announcements", data={"text": "第二场 14:00 开始"}).status_code == 302
    assert organiser.post(f"/o/c/{SLUG}/announcements", data={"text": "请选手到 B 区候场"}).status_code == 302
    contest = contest_by_slug(SLUG)
    assert hall.announcement_payload(contest)["announcement"]["text"] == "请选手到 B 区候场"
    assert [a.text for a in hall.announcements(contest)] == ["请选手到 B 区候场", "第二场 14:00 开始"]
    assert organiser.post(f"/o/c/{SLUG}/announcements/clear").status_code == 302
    assert hall.announcement_payload(contest)["announcement"] is None
    assert db.session.scalar(select(Announcement).where(Announcement.cleared_at.is_(None))) is None


def test_an_announcement_too_long_is_refused_and_kept_in_the_form(organiser):
    text = "长" * 201
    response = organiser.post(f"/o/c/{SLUG}/announcements", data={"text": text})
    assert response.status_code == 422 and text in response.get_data(as_text=True)
    assert hall.current_announcement(contest_by_slug(SLUG)) is None


def test_a_chief_judge_announces_from_their_page(app, contest):
    chief = english(isolated_client(app))
    with_password("k1")
    login(chief, "k1")  # the sample's chief judge of iot
    response = chief.post(f"/o/c/{SLUG}/announcements", data={"text": "裁判长：P2 暂停五分钟", "back": "/j/"})
    assert response.status_code == 302 and response.headers["Location"] == "/j/"
    assert hall.current_announcement(contest_by_slug(SLUG)).text == "裁判长：P2 暂停五分钟"


# --- sessions -------------------------------------------------------------------------------------

def local(moment: datetime) -> str:
    """A moment typed in the contest's zone (Asia/Shanghai, UTC+8), as the form sends it."""
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def add_session(client, name, starts, ends, code="iot"):
    return client.post(f"/o/c/{SLUG}/sessions/{code}", data={
        f"e-{code}-name": name, f"e-{code}-starts": local(starts), f"e-{code}-ends": local(ends)})


def test_sessions_count_down_and_refuse_overlaps(organiser):
    now = utcnow().replace(second=0, microsecond=0)
    assert add_session(organiser, "第一场", now - timedelta(hours=1), now + timedelta(hours=1)).status_code == 302
    assert add_session(organiser, "第二场", now + timedelta(hours=2), now + timedelta(hours=3)).status_code == 302
    response = add_session(organiser, "第三场", now + timedelta(hours=2, minutes=30), now + timedelta(hours=4))
    assert response.status_code == 409 and "overlaps the session “第二场”" in response.get_data(as_text=True)
    response = add_session(organiser, "第四场", now + timedelta(hours=6), now + timedelta(hours=5))
    assert response.status_code == 422 and "A session ends after it starts." in response.get_data(as_text=True)
    contest = contest_by_slug(SLUG)
    clock = hall.countdown(contest, event_by_code(contest, "iot"), now)
    assert clock["state"] == "running" and clock["session"] == "第一场"
    assert clock["until"].endswith("+08:00")
    later = hall.countdown(contest, event_by_code(contest, "iot"), now + timedelta(minutes=90))
    assert later["state"] == "next" and later["session"] == "第二场"
    assert hall.countdown(contest, event_by_code(contest, "iot"), now + timedelta(hours=5)) is None
    page = organiser.get(f"/o/c/{SLUG}/sessions").get_data(as_text=True)
    assert "第一场" in page and "第二场" in page


def test_marking_closes_with_the_last_session_when_the_event_says_so(organiser):
    now = utcnow()
    add_session(organiser, "第一场", now - timedelta(hours=3), now - timedelta(hours=1))
    event = event_by_code(contest_by_slug(SLUG), "iot")
    assert hall.measurement_closed(event) is False  # the event has not chosen to close
    assert organiser.post(f"/o/c/{SLUG}/sessions/iot/closes", data={"c-iot-closes": "y"}).status_code == 302
    db.session.expire_all()
    assert hall.measurement_closed(event_by_code(contest_by_slug(SLUG), "iot")) is True
    # The theory mark (measurement) is refused by the clock; the practical (judgement) is not.
    with pytest.raises(ActionRefused) as refused:
        submit_mark(find_user("k1"), contest=SLUG, event="iot", entry="S03", criterion="T1", value="50",
                    client_id=str(uuid.uuid4()))
    assert (refused.value.status, refused.value.code) == (409, "session_closed")
    stored = submit_mark(find_user("k1"), contest=SLUG, event="iot", entry="S03", criterion="P2", value="2",
                         client_id=str(uuid.uuid4()))
    assert stored.created


def test_the_clock_rule():
    t = datetime(2026, 12, 9, 9)
    a = clocks.Slot("上午", t, t + timedelta(hours=3))
    b = clocks.Slot("下午", t + timedelta(hours=5), t + timedelta(hours=8))
    assert clocks.clock([], t).state == "none"
    assert clocks.clock([a, b], t - timedelta(minutes=1)) == clocks.Clock("next", a, a.starts_at)
    assert clocks.clock([a, b], t) == clocks.Clock("running", a, a.ends_at)
    assert clocks.clock([a, b], a.ends_at) == clocks.Clock("next", b, b.starts_at)  # the end is not in it
    assert clocks.clock([a, b], b.ends_at).state == "over"
    assert not clocks.marking_closed([], t) and not clocks.marking_closed([a, b], a.ends_at)
    assert clocks.marking_closed([a, b], b.ends_at)
    assert clocks.overlaps([a], clocks.Slot("x", a.ends_at, b.starts_at)) is None
    assert clocks.overlaps([a, b], clocks.Slot("x", a.ends_at - timedelta(minutes=1), b.starts_at)) == a


def test_the_announcement_and_the_countdown_are_on_the_pages_at_once(app, organiser):
    now = utcnow()
    add_session(organiser, "第一场", now - timedelta(hours=1), now + timedelta(hours=1))
    organiser.post(f"/o/c/{SLUG}/announcements", data={"text": "午餐 12:00 在二楼"})
    public = english(isolated_client(app))
    board = public.get(f"/c/{SLUG}/events/iot/board").get_data(as_text=True)
    assert "午餐 12:00 在二楼" in board and "data-announcement" in board
    assert public.get(f"/api/v1/contests/{SLUG}/announcement").get_json()["announcement"]["text"] == "午餐 12:00 在二楼"
    assert "午餐 12:00 在二楼" in public.get(f"/c/{SLUG}/standings").get_data(as_text=True)
    judge = english(isolated_client(app))
    with_password("k1")
    login(judge, "k1")
    home = judge.get(f"/j/{SLUG}").get_data(as_text=True)
    assert "午餐 12:00 在二楼" in home and "data-countdown-until" in home and "第一场 ends in" in home
    chief = judge.get(f"/j/{SLUG}/iot/chief").get_data(as_text=True)
    assert "Make an announcement" in chief and "午餐 12:00 在二楼" in chief


# --- rehearsals ----------------------------------------------------------------------------------

def test_a_rehearsal_copies_the_contest_with_made_up_names_and_marks(organiser):
    from competition.boards import results
    from competition.boards.models import Board
    from competition.ledger.services import verify
    response = organiser.post(f"/o/c/{SLUG}/rehearsal")
    assert response.status_code == 302 and response.headers["Location"] == f"/o/c/{SLUG}-rehearsal/live"
    db.session.expire_all()
    copy, real = contest_by_slug(f"{SLUG}-rehearsal"), contest_by_slug(SLUG)
    assert copy.rehearsal_of_id == real.id and copy.name.startswith("【演练】")
    event = event_by_code(copy, "iot")
    assert event.result_status == "signed_off"  # awards decided: the reveal by award can run
    board = db.session.get(Board, event.id)
    assert board.frozen_at is not None and all(r["rank"] is None for r in board.public_rows)
    rows = results.board_rows(event)
    assert rows and all(r["rank"] is not None for r in rows) and any(r["award"] for r in rows)
    real_names = {e.name for e in real.events[0].entries}
    assert not real_names & {r["name"] for r in rows}  # nobody of the real contest appears
    assert sorted(r["entry"] for r in rows) == sorted(e.bib for e in event_by_code(real, "iot").entries if e.bib)
    assert f"/c/{SLUG}-rehearsal" not in organiser.get("/").get_data(as_text=True)  # never listed
    assert verify(copy).ok, verify(copy).problems  # its own ledger, consistent
    # The real contest is untouched; a second rehearsal replaces the first.
    assert db.session.get(Board, event_by_code(real, "iot").id).frozen_at is None
    assert organiser.post(f"/o/c/{SLUG}/rehearsal").headers["Location"] == f"/o/c/{SLUG}-rehearsal-2/live"
    db.session.expire_all()
    assert hall.rehearsal_of(real).slug == f"{SLUG}-rehearsal-2"
    assert contest_by_slug(f"{SLUG}-rehearsal").archived_at is not None
