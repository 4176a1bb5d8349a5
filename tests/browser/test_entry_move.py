"""An entrant registered in the wrong event is moved, in headless Chromium, while two public
boards are open on a phone: the old board drops the row and the new one gains it over /live,
under a bib of the new event, without a reload. An entrant whose marking has begun cannot be
moved: the page says why and keeps the reason typed."""
import json

import pytest
from playwright.sync_api import expect

from ..server import LiveServer, in_app
from .conftest import shot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
SLUG = "move-story-2026"
ORGANISATION = "丰台区总工会"
ORGANISER, PASSWORD = "move-org", "move-pass-2026"


def event(code: str, name: str) -> dict:
    return {"code": code, "name": name, "team": False, "places": 2, "awards": [{"name": "一等奖", "count": 1}],
            "sections": [{"code": "P", "name": "实操", "criteria": [
                {"code": "P1", "name": "实操考核", "max": "100", "kind": "measurement", "method": "single",
                 "judges": 1}]}]}


CONTEST = {
    "contest": {"slug": SLUG, "name": "2026年丰台区职工数字技能竞赛", "organisation": ORGANISATION, "blind": False},
    "events": [event("ai", "人工智能训练师"), event("iiot", "工业互联网运维员")],
    "judges": [{"username": "mv-judge", "name": "高建华", "delegation": "区总工会", "events": ["ai", "iiot"]}],
    "entries": [{"event": "ai", "bib": "AI001", "name": "欧阳明月", "delegation": "首钢集团工会"},
                {"event": "ai", "bib": "AI002", "name": "司马云飞", "delegation": "北京电力公司工会"},
                {"event": "iiot", "bib": "IIOT001", "name": "上官婉清", "delegation": "首钢集团工会"}],
    "marks": [{"event": "ai", "entry": "AI001", "criterion": "P1", "judge": "mv-judge", "value": "88"}],
}

SETUP = f"""
import json
from competition.accounts.models import Organisation
from competition.accounts.services import create_user
from competition.contest_files.services import import_contest
from competition.extensions import db
import_contest(json.loads({json.dumps(json.dumps(CONTEST, ensure_ascii=False))}), passwords={{"mv-judge": "x-pass-2026"}})
organisation = db.session.query(Organisation).filter_by(name={ORGANISATION!r}).one()
create_user({ORGANISER!r}, "陈静", {PASSWORD!r}, organisation=organisation)
db.session.commit()
"""


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    in_app(server, SETUP)
    yield server
    server.stop()


def test_a_moved_entry_leaves_one_live_board_for_the_other(server, page_at):
    base = server.url
    ai_board, iiot_board = page_at(PHONE), page_at(PHONE)
    ai_board.goto(f"{base}/c/{SLUG}/events/ai/board")
    iiot_board.goto(f"{base}/c/{SLUG}/events/iiot/board")
    for board in (ai_board, iiot_board):
        expect(board.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    expect(ai_board.locator("tr[data-entry=AI002]")).to_contain_text("司马云飞")

    office = page_at(LAPTOP)
    office.goto(base + "/login")
    office.get_by_label("用户名").fill(ORGANISER)
    office.get_by_label("密码").fill(PASSWORD)
    office.locator("main form button[type=submit]").click()
    office.goto(f"{base}/o/c/{SLUG}/entries?q=司马云飞")
    row = office.locator("table.entries tbody tr").filter(has_text="司马云飞")
    row.locator("details.more-actions summary").click()
    row.get_by_role("link", name="更改赛项").click()
    expect(office.get_by_role("heading", level=2)).to_contain_text("司马云飞")
    office.get_by_label("赛项").select_option("iiot")
    office.locator("form[data-correct-entry] input[name=reason]").fill("报名时选错项目，本人申请改报工业互联网运维员")
    shot(office, "move-01-form")
    office.locator("form[data-correct-entry] button[type=submit]").click()
    expect(office.locator(".flash-success")).to_contain_text("IIOT002")
    shot(office, "move-02-moved")

    # Both phones follow without a reload.
    expect(ai_board.locator("tr[data-entry=AI002]")).to_have_count(0)
    expect(iiot_board.locator("tr[data-entry=IIOT002]")).to_contain_text("司马云飞")
    shot(iiot_board, "move-03-new-board-phone")

    # Marking has begun for 欧阳明月: refused, with the reason kept.
    office.goto(f"{base}/o/c/{SLUG}/entries?q=欧阳明月")
    row = office.locator("table.entries tbody tr").filter(has_text="欧阳明月")
    row.locator("details.more-actions summary").click()
    row.get_by_role("link", name="更改赛项").click()
    office.get_by_label("赛项").select_option("iiot")
    office.locator("form[data-correct-entry] input[name=reason]").fill("改报")
    office.locator("form[data-correct-entry] button[type=submit]").click()
    expect(office.locator("form[data-correct-entry]")).to_contain_text("评分已经开始")
    expect(office.locator("form[data-correct-entry] input[name=reason]")).to_have_value("改报")
    shot(office, "move-04-refused")
    expect(ai_board.locator("tr[data-entry=AI001]")).to_contain_text("欧阳明月")
