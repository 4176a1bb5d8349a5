"""Registering on a phone (375×667) in headless Chromium: a mistyped ID number is explained next
to its field with everything else kept, the corrected form gives a reference, and the status
page finds the registration with it."""
import subprocess
import sys

import pytest

from ..server import ROOT, LiveServer
from ..factory import resident_id
from .conftest import shot

pytestmark = pytest.mark.browser
PHONE_SE = {"width": 375, "height": 667}

SETUP = """
from competition import create_app
from competition.accounts.models import Organisation
from competition.contests.models import Contest, Event
from competition.entries.models import Delegation
from competition.extensions import db
app = create_app()
with app.app_context():
    contest = Contest(slug="phone-2026", name="朝阳区职工数字技能竞赛", status="registration",
                      organisation=Organisation(name="朝阳区总工会"),
                      privacy_notice="您的信息仅用于本次竞赛的报名审核、赛务安排和成绩公布。")
    contest.events = [Event(code="ai", name="人工智能训练师", position=1),
                      Event(code="iiot", name="工业互联网运维员", position=2)]
    contest.delegations = [Delegation(name="首钢集团工会"), Delegation(name="北京电力公司工会")]
    db.session.add(contest)
    db.session.commit()
"""


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=server.env, check=True, timeout=120)
    yield server
    server.stop()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_register_on_a_phone(server, page_at):
    page = page_at(PHONE_SE)
    page.goto(server.url + "/c/phone-2026")
    page.locator("main a[href$='/c/phone-2026/register']").click()
    page.wait_for_load_state()
    assert no_horizontal_scroll(page)
    number = resident_id(41)
    page.locator("#name").fill("李䶮𠈌")
    page.locator("input[name=gender][value=male]").check()
    page.locator("#id_number").fill(number[:-1] + ("0" if number[-1] != "0" else "1"))  # a typing error
    page.locator("#mobile").fill("138 0013 8000")
    page.locator("#delegation").fill("首钢集团工会")
    page.locator("#trade").fill("电工")
    page.locator("input[name=events][value=ai]").check()
    page.locator("#consent").check()
    page.locator("#consent").scroll_into_view_if_needed()
    shot(page, "register-consent-phone")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    error = page.locator("#id_number-error")
    assert error.is_visible()
    assert page.locator("#name").input_value() == "李䶮𠈌"
    assert page.locator("#mobile").input_value() == "138 0013 8000"
    assert page.locator("input[name=events][value=ai]").is_checked()
    assert page.locator("#consent").is_checked()
    assert no_horizontal_scroll(page)
    error.scroll_into_view_if_needed()
    shot(page, "register-error-phone")

    page.locator("#id_number").fill(number.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    reference = page.locator("#reference").inner_text().strip()
    assert reference.startswith("GJ-") and len(reference) == 9
    assert no_horizontal_scroll(page)
    shot(page, "register-done-phone")

    page.goto(server.url + "/c/phone-2026/register/status")
    page.locator("#reference").fill(reference.lower())
    page.locator("#id_last4").fill(number[-4:].lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    body = page.locator("main").inner_text()
    assert "人工智能训练师" in body and number not in body and "13800138000" not in body
    assert no_horizontal_scroll(page)
    shot(page, "register-status-phone")
