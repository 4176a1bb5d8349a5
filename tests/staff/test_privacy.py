"""Personal data: organisers see ID and phone numbers masked, reveal one field at a time by an
audited POST; and no public page, board, API answer, /live snapshot or judge page ever carries
an ID number or a phone number, masked or not."""
import json
import re
import uuid

import pytest
import requests
import socketio as socketio_client
from sqlalchemy import select

from competition.accounts.services import find_user
from competition.audit.models import AuditEntry
from competition.entries.models import Contestant, Entry
from competition.contests.models import contest_by_slug
from competition.extensions import db
from competition.marking.services import submit_mark
from competition.privacy import mask_id_number, mask_phone

from ..factory import PASSWORD, PEOPLE, SLUG, ai_entries, judge_named
from ..helpers import isolated_client, login
from ..server import LiveServer


def person(name) -> Contestant:
    return db.session.scalar(select(Contestant).where(Contestant.name == name,
                                                      Contestant.contest_id == contest_by_slug(SLUG).id))


def test_the_organiser_sees_masked_values(organiser):
    zhao = person("赵一")
    response = organiser.get(f"/o/c/{SLUG}/contestants/{zhao.id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1101**********002X" in html and "138****5678" in html
    assert "11010519491231002X" not in html and "13812345678" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_revealing_is_a_post_recorded_in_the_audit_log_and_shown_once(organiser):
    zhao = person("赵一")
    response = organiser.post(f"/o/c/{SLUG}/contestants/{zhao.id}/reveal", data={"field": "id_number"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert "11010519491231002X" in html
    assert "13812345678" not in html and "138****5678" in html  # only the field asked for
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contestant.reveal"))
    assert entry.data == {"field": "id_number"} and entry.target == f"contestant:{zhao.id}"
    assert entry.user_id == find_user("org1").id and entry.at is not None
    again = organiser.get(f"/o/c/{SLUG}/contestants/{zhao.id}").get_data(as_text=True)
    assert "11010519491231002X" not in again  # once: the next visit is masked again
    phone = organiser.post(f"/o/c/{SLUG}/contestants/{zhao.id}/reveal", data={"field": "mobile"})
    assert "13812345678" in phone.get_data(as_text=True)


@pytest.mark.parametrize("field", ["email", "name", "", "password_hash"])
def test_only_id_and_phone_can_be_revealed(organiser, field):
    zhao = person("赵一")
    response = organiser.post(f"/o/c/{SLUG}/contestants/{zhao.id}/reveal", data={"field": field})
    assert response.status_code == 400
    assert not list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "contestant.reveal")))


def test_a_reveal_by_get_does_nothing(organiser):
    zhao = person("赵一")
    assert organiser.get(f"/o/c/{SLUG}/contestants/{zhao.id}/reveal?field=mobile").status_code == 405


def test_another_contests_contestant_is_404(organiser):
    foreign = db.session.scalar(select(Contestant).where(Contestant.contest_id == contest_by_slug("other-2026").id))
    assert organiser.get(f"/o/c/{SLUG}/contestants/{foreign.id}").status_code == 404
    assert organiser.post(f"/o/c/{SLUG}/contestants/{foreign.id}/reveal", data={"field": "mobile"}).status_code == 404
    assert organiser.get(f"/o/c/{SLUG}/contestants/999999").status_code == 404


# --- nothing personal leaves through the public, the API, /live or the judges ---------------------

SECRETS = [value for _name, _d, id_number, mobile, _s in PEOPLE for value in (id_number, mobile)]
MASKED = [mask_id_number(p[2]) for p in PEOPLE] + [mask_phone(p[3]) for p in PEOPLE]


@pytest.fixture
def judged(app, organiser):
    """Bibs, draw codes, a panel and assignments in the event with personal data, the iot
    contestants given IDs and phones too, and judges k1 (chief) and k2 able to log in."""
    SECRETS_EXTRA.clear()
    for i, contestant in enumerate(db.session.scalars(select(Contestant).where(
            Contestant.contest_id == contest_by_slug(SLUG).id, Contestant.id_number.is_(None)))):
        contestant.id_number, contestant.mobile = f"1101011990010{i:04d}", f"1370000{i:04d}"
        SECRETS_EXTRA.extend([contestant.id_number, contestant.mobile])
    for username in ("k1", "k2"):
        find_user(username).set_password(PASSWORD)
    db.session.commit()
    assert organiser.post(f"/o/c/{SLUG}/numbers/ai/bibs", data={"bibs-ai-order": "registration"}).status_code == 302
    assert organiser.post(f"/o/c/{SLUG}/numbers/ai/codes", data={"codes-ai-length": "3"}).status_code == 302
    k1, k2 = judge_named("k1"), judge_named("k2")
    organiser.post(f"/o/c/{SLUG}/judges/panels/ai", data={
        "seat": [str(k1.id), str(k2.id)], f"position-{k1.id}": "1", f"chief-{k1.id}": "on",
        f"position-{k2.id}": "2"})
    assert organiser.post(f"/o/c/{SLUG}/judges/panels/ai/assign").status_code == 200
    # A mark each, so the boards and snapshots carry the entries (results exist once marked).
    for entry in ai_entries().values():
        if entry.status == "approved":
            submit_mark(find_user("k1"), contest=SLUG, event="ai", entry=entry.bib, criterion="A1", value="5",
                        client_id=str(uuid.uuid4()))
    return app


SECRETS_EXTRA: list[str] = []


def assert_clean(text: str, where: str, *, masked_too: bool = True):
    for value in SECRETS + SECRETS_EXTRA:
        assert value not in text, (where, value)
    if masked_too:
        for value in MASKED:
            assert value not in text, (where, value)


def crawl(client, paths):
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        yield path, response.get_data(as_text=True)


def test_no_public_page_board_or_api_answer_carries_personal_data(judged):
    client = isolated_client(judged)
    paths = ["/", f"/c/{SLUG}", f"/c/{SLUG}/screen", f"/c/{SLUG}/standings",
             f"/api/v1/contests/{SLUG}/standings", "/api/v1/openapi.json"]
    for code in ("iot", "ai"):
        paths += [f"/c/{SLUG}/events/{code}/board", f"/api/v1/contests/{SLUG}/events/{code}/board",
                  f"/c/{SLUG}/screen?event={code}"]
    seen = dict(crawl(client, paths))
    assert "赵一" in seen[f"/c/{SLUG}/events/ai/board"]  # the entries are there, by name and bib
    for path, text in seen.items():
        assert_clean(text, path)


@pytest.mark.live
def test_no_live_snapshot_carries_personal_data(judged, sqlite_url):
    """Through a real server process and a real Socket.IO client, as the public and as the jury."""
    db.session.remove()
    server = LiveServer(database_url=sqlite_url).start()
    try:
        for who in (None, "org1"):  # the public, and the jury's live view
            http = requests.Session()
            if who:
                page = http.get(server.url + "/login", timeout=10).text
                token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
                assert http.post(server.url + "/login", data={"username": who, "password": PASSWORD,
                                                              "csrf_token": token},
                                 timeout=10, allow_redirects=False).status_code == 302
            live = socketio_client.Client(reconnection=False, http_session=http)
            live.connect(server.url, namespaces=["/live"], transports=["websocket"])
            try:
                for code in ("iot", "ai"):
                    snapshot = live.call("watch", {"contest": SLUG, "event": code}, namespace="/live", timeout=10)
                    assert snapshot["rows"], code
                    assert_clean(json.dumps(snapshot, ensure_ascii=False), f"/live {code} as {who}")
                standings = live.call("watch_standings", {"contest": SLUG}, namespace="/live", timeout=10)
                assert_clean(json.dumps(standings, ensure_ascii=False), f"/live standings as {who}")
                if who:
                    progress = live.call("watch_progress", {"contest": SLUG}, namespace="/live", timeout=10)
                    assert "error" not in progress
                    assert_clean(json.dumps(progress, ensure_ascii=False), "/live progress")
            finally:
                live.disconnect()
    finally:
        server.stop()


def test_no_judge_page_carries_personal_data(judged):
    contest = contest_by_slug(SLUG)
    client = isolated_client(judged)
    login(client, "k1")
    ai = ai_entries()
    iot_bibs = list(db.session.scalars(select(Entry.bib).join(Entry.event).where(
        Entry.contest_id == contest.id, Entry.bib.like("S%"))))
    paths = ["/j/", f"/j/{SLUG}", f"/j/{SLUG}/ai", f"/j/{SLUG}/iot", f"/j/{SLUG}/ai/chief", f"/j/{SLUG}/iot/chief",
             f"/j/{SLUG}/ai/chief/consistency", f"/j/{SLUG}/iot/chief/consistency"]
    paths += [f"/j/{SLUG}/ai/{e.bib}" for e in ai.values() if e.status == "approved"]
    paths += [f"/j/{SLUG}/ai/chief/{e.bib}" for e in ai.values() if e.status == "approved"]
    paths += [f"/j/{SLUG}/iot/chief/{bib}" for bib in iot_bibs]
    seen = dict(crawl(client, paths))
    assert any("赵一" in text for text in seen.values())
    for path, text in seen.items():
        assert_clean(text, path)
    # As a judge of the panel who is not chief: their own pages.
    other = isolated_client(judged)
    login(other, "k2")
    for path, text in crawl(other, ["/j/", f"/j/{SLUG}/ai"] + [f"/j/{SLUG}/ai/{e.bib}" for e in ai.values()
                                                                 if e.status == "approved"]):
        assert_clean(text, path)


def test_blind_judging_never_shows_an_entry_without_a_draw_code(judged):
    """Blind: judges see draw codes only. An entry approved after the draw has no code yet, and
    must not appear by name or bib on any judge page, nor be reachable by its bib."""
    contest = contest_by_slug(SLUG)
    contest.is_blind = True
    db.session.commit()
    entries = ai_entries()
    late = entries["钱二"]
    late.draw_code = None
    db.session.commit()
    client = isolated_client(judged)
    login(client, "k1")  # the event's chief judge, assigned to every entry
    shown = [e for e in entries.values() if e.status == "approved" and e.id != late.id]
    paths = [f"/j/{SLUG}/ai", f"/j/{SLUG}/ai/chief", f"/j/{SLUG}/ai/chief/consistency"]
    paths += [f"/j/{SLUG}/ai/{e.draw_code}" for e in shown] + [f"/j/{SLUG}/ai/chief/{e.draw_code}" for e in shown]
    for path, text in crawl(client, paths):
        assert "钱二" not in text and late.bib not in text, path
        for e in shown:
            assert e.name not in text, path  # blind: no names at all
    assert any(e.draw_code in text for e in shown for _p, text in crawl(client, [f"/j/{SLUG}/ai"]))
    assert client.get(f"/j/{SLUG}/ai/{late.bib}").status_code == 404
    assert client.get(f"/j/{SLUG}/ai/chief/{late.bib}").status_code == 404
    # Signing the event off names what is incomplete, still without the entry's name or bib.
    response = client.post(f"/j/{SLUG}/ai/chief/lock", data={"confirmed": "yes"})
    text = response.get_data(as_text=True)
    assert response.status_code == 409 and "钱二" not in text and late.bib not in text
