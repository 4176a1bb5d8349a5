"""Issue 12, done when: the end of a contest in headless Chromium, through the pages. The last
mark is given on a tablet, the chief judge signs the event off, the organiser finishes judging
and announces the results (公示); a contestant files an appeal on a phone (390×844) with a photo
as evidence; a supervisor upholds it naming three marks; the judges re-mark them, the chief
judge locks the entry again, and the ruling shows the change of ranks; the window closes and
the organiser publishes the official results. Screenshots in test-artifacts/results-*.png."""
import re
from datetime import datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from ..server import LiveServer, in_app
from . import conftest
from .conftest import PHONE, SCREEN, TABLET, shot

pytestmark = pytest.mark.browser

SLUG, EVENT = "sample-2026", "iot"
PASSWORD = "results-pass-2026"
LAPTOP = {"width": 1280, "height": 800}
S03_ID = "110105199003070011"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82")

# Everything but the last mark (k2's P1 of S04), given through the marking service; people.
SETUP = f"""
import uuid
from sqlalchemy import select
from competition.accounts.services import create_user, find_user
from competition.contests.models import contest_by_slug
from competition.entries.models import Contestant, Entry
from competition.extensions import db
from competition.judges.models import Assignment
from competition.judges.services import add_judge
from competition.marking.models import Mark
from competition.marking.services import submit_marks

VALUES = {{"S02": {{"P1": "20", "P2": "1"}}, "S03": {{"T1": "70", "P1": "15", "P2": "1"}},
          "S04": {{"T1": "60", "P1": "10", "P2": "1"}}}}
contest = contest_by_slug({SLUG!r})
contest.status = "judging"
for username in ("k1", "k2", "k3", "k4", "k5"):
    find_user(username).set_password({PASSWORD!r})
create_user("org1", "组织者", {PASSWORD!r}, organisation=contest.organisation)
db.session.commit()
add_judge(None, contest, username="sup1", name="监督员甲", password={PASSWORD!r}, role="supervisor")
s03 = db.session.scalar(select(Entry).where(Entry.bib == "S03"))
person = Contestant(contest_id=contest.id, name=s03.name, delegation_id=s03.delegation_id, id_type="resident_id",
                    id_number={S03_ID!r}, reference="GJ-S03ABC", source="organiser")
db.session.add(person)
db.session.flush()
s03.contestant_id = person.id
db.session.commit()
for a in db.session.scalars(select(Assignment).order_by(Assignment.id)).all():
    done = db.session.scalar(select(Mark.id).where(Mark.entry_id == a.entry_id, Mark.criterion_id == a.criterion_id,
                                                   Mark.judge_id == a.judge_id))
    if done is None and not (a.entry.bib == "S04" and a.criterion.code == "P1" and a.judge.user.username == "k2"):
        assert submit_marks(a.judge.user, a.entry, {{a.criterion.code: VALUES[a.entry.bib][a.criterion.code]}},
                            client_id=str(uuid.uuid4())).is_stored
"""


@pytest.fixture(scope="module")
def server():
    live = LiveServer().start()
    live.flask("contest-import", "tests/data/sample-contest.json")
    in_app(live, SETUP)
    yield live
    live.stop()


def log_in(page, base: str, username: str) -> None:
    conftest.log_in(page, base, username, PASSWORD)


def board(base: str) -> dict:
    return requests.get(f"{base}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10).json()


def status_button(page, target: str):
    return page.locator(f"form:has(input[name=target][value={target}]) button[type=submit]")


def test_from_the_last_mark_to_the_official_results(server, page_at):
    base = server.url
    # The last mark, on k2's tablet: marking is complete; the public sees no award yet.
    judge = page_at(TABLET)
    log_in(judge, base, "k2")
    judge.goto(f"{base}/j/{SLUG}/{EVENT}/S04")
    judge.locator("fieldset[data-criterion=P1] input.mark-input").fill("10")
    judge.locator(".submit-marks").click()
    judge.wait_for_url(f"**/j/{SLUG}/{EVENT}?saved=S04*")
    live = board(base)
    assert live["result_status"] == "live" and all(r["award"] is None for r in live["rows"])

    # The chief judge signs the event off: the awards are decided.
    chief = page_at(TABLET)
    log_in(chief, base, "k1")
    chief.goto(f"{base}/j/{SLUG}/{EVENT}/chief")
    chief.locator("[data-lock-event]").click()
    chief.locator("[data-confirm]").click()  # the page that asks first
    chief.wait_for_load_state()
    expect(chief.locator("[data-result-status]")).to_have_text("已签字确认")
    shot(chief, "results-chief-signed-off-tablet")
    signed = board(base)
    assert signed["result_status"] == "signed_off"
    assert [r["award"] for r in signed["rows"]] == ["一等奖", "二等奖", "三等奖", None]

    # The organiser finishes judging and announces the results until a moment three days on.
    organiser = page_at(LAPTOP)
    log_in(organiser, base, "org1")
    organiser.goto(f"{base}/o/c/{SLUG}/settings")
    status_button(organiser, "finished").click()
    organiser.locator("[data-confirm]").click()  # asked first: what the change does
    organiser.wait_for_load_state()
    until = (datetime.now() + timedelta(days=3)).replace(hour=17, minute=0)
    organiser.locator("input[name=objections_until]").fill(until.strftime("%Y-%m-%dT%H:%M"))
    shot(organiser, "results-announce-form-laptop")
    organiser.locator("form.announce-form button[type=submit]").click()
    organiser.wait_for_load_state()
    expect(organiser.locator(".flash, .flashes, [role=status]").first).to_contain_text("公示")
    # Publishing is refused while the window is open; the page says until when.
    expect(organiser.locator("#why-published")).to_contain_text(until.strftime("%Y-%m-%d"))

    # The public results page (phone) names the window in the contest's time zone.
    phone = page_at(PHONE)
    phone.goto(f"{base}/c/{SLUG}/results")
    expect(phone.locator("[data-result-status]").first).to_contain_text("公示中，截至")
    shot(phone, "results-announced-phone")

    # The contestant of S03 (rank 3) looks up their results and appeals P1 with a photo.
    phone.goto(f"{base}/c/{SLUG}/register/status")
    phone.locator("input[name=reference]").fill("gj-s03abc")
    phone.locator("input[name=id_last4]").fill(S03_ID[-4:])
    phone.locator("main form button[type=submit]").click()
    own = phone.locator("[data-own-results]")
    expect(own).to_contain_text("三等奖")
    expect(own).to_contain_text("50.67")
    shot(phone, "results-own-results-phone")
    own.get_by_role("link").click()
    phone.wait_for_url(re.compile(r".*/appeals/new\?entry=S03"))
    phone.locator("input[name=criteria][value=P1]").check()
    phone.locator("textarea[name=reasons]").fill("网络配置一项的评分与现场操作不符，请复核。")
    phone.locator("input[name=files]").set_input_files([{"name": "现场照片.png", "mimeType": "image/png",
                                                         "buffer": PNG}])
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "results-appeal-form-phone")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_url(re.compile(r".*/appeals/S[A-Z0-9]{8}$"))
    reference = phone.locator("#reference").inner_text().strip()
    expect(phone.locator("[data-case-status]")).to_have_text("待裁决")
    shot(phone, "results-appeal-filed-phone")
    assert board(base)["result_status"] == "protested"

    # A supervisor reads the marks and upholds the appeal, naming the P1 marks of J2–J4.
    sup = page_at(LAPTOP)
    log_in(sup, base, "sup1")
    sup.goto(f"{base}/j/")
    sup.get_by_role("link", name=re.compile("监督仲裁")).click()
    sup.get_by_role("link", name=reference).click()
    for name in ("裁判k2", "裁判k3", "裁判k4"):
        sup.locator(f"tr.named:has-text('{name}') input[name=marks]").check()
    sup.locator("input[name=decision][value=upheld]").check()
    sup.locator("textarea[name=reasons]").fill("经调阅录像，网络配置一项由三名裁判复评。")
    shot(sup, "results-supervisor-ruling-laptop")
    sup.locator("#ruling-form button[type=submit]").click()
    sup.wait_for_load_state()
    expect(sup.locator("[data-case-status]").first).to_have_text("成立")

    # k2 re-marks on the tablet (told why), k3 and k4 from theirs through the API.
    judge.goto(f"{base}/j/")
    expect(judge.locator(".return-box")).to_contain_text("申诉")
    judge.goto(f"{base}/j/{SLUG}/{EVENT}/S03")
    expect(judge.locator("fieldset[data-criterion=P1] .return-note")).to_contain_text(reference)
    shot(judge, "results-remark-tablet")
    judge.locator("fieldset[data-criterion=P1] input.mark-input").fill("30")
    judge.locator(".submit-marks").click()
    judge.wait_for_url(f"**/j/{SLUG}/{EVENT}?saved=S03*")
    for username in ("k3", "k4"):
        answer = requests.post(f"{base}/api/v1/marks", timeout=10, json={
            "contest": SLUG, "event": EVENT, "entry": "S03", "criterion": "P1", "value": "30",
            "client_id": f"appeal-{username}"}, headers={"Authorization": f"Bearer {server.token(username)}"})
        assert answer.status_code == 201, answer.text

    # The chief judge locks S03 again: the appeal is resolved, the event announced again.
    chief.goto(f"{base}/j/{SLUG}/{EVENT}/chief")
    chief.locator("[data-lock-entry=S03]").click()
    chief.locator("[data-confirm]").click()
    chief.wait_for_load_state()
    after = board(base)
    assert after["result_status"] == "announced"
    assert [(r["entry"], r["rank"], r["award"]) for r in after["rows"]][:3] == [
        ("S01", 1, "一等奖"), ("S03", 2, "二等奖"), ("S02", 3, "三等奖")]

    # The contestant reads the ruling and the change of ranks.
    phone.reload()
    expect(phone.locator("[data-case-status]")).to_have_text("成立，已复评")
    changes = phone.locator("[data-changes]")
    expect(changes.locator("tr[data-entry=S03]")).to_contain_text("70.67")
    expect(changes.locator("tr[data-entry=S02]")).to_contain_text("三等奖")
    shot(phone, "results-ruling-phone")

    # The window closes; the organiser publishes: every event official.
    in_app(server, f"""
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.extensions import db
from datetime import timedelta
contest = contest_by_slug({SLUG!r})
contest.objections_until = contest.appeals_until = utcnow() - timedelta(minutes=1)
db.session.commit()
""")
    organiser.goto(f"{base}/o/c/{SLUG}/settings")
    status_button(organiser, "published").click()
    expect(organiser.locator("#confirm-what")).to_contain_text("正式")
    shot(organiser, "results-publish-confirm-laptop")
    organiser.locator("[data-confirm]").click()
    organiser.wait_for_load_state()
    shot(organiser, "results-published-laptop")
    official = requests.get(f"{base}/api/v1/contests/{SLUG}/results", timeout=10).json()
    assert official["status"] == "official" and official["events"][0]["result_status"] == "official"
    hall = page_at(SCREEN)
    hall.goto(f"{base}/c/{SLUG}/results")
    expect(hall.locator("h1")).to_have_text("正式成绩")
    shot(hall, "results-official-screen")
    hall.goto(f"{base}/c/{SLUG}/screen")
    expect(hall.locator("[data-result-status]")).to_have_text("✓ 正式成绩".replace("✓ ", ""))
    shot(hall, "results-big-screen-official")
