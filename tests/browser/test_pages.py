"""The public pages and the login in a real browser, at phone, tablet and big-screen sizes."""
import pytest

from competition.demo import SLUG

from .conftest import PHONE, SCREEN, TABLET, shot

pytestmark = pytest.mark.browser


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("size,label", [(PHONE, "phone"), (TABLET, "tablet"), (SCREEN, "screen")])
def test_home_contest_and_board_render_in_chinese(demo_server, page_at, size, label):
    page = page_at(size)
    page.goto(demo_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == "竞赛"
    assert no_horizontal_scroll(page)
    shot(page, f"home-{label}")
    # The spring contest, open for registration, comes first (it starts later): open the judging one.
    assert page.locator(".cards a").count() >= 2
    page.locator(f".cards a[href='/c/{SLUG}']").click()
    page.wait_for_load_state()
    assert page.locator("table tbody tr").count() == 3  # the demo's three events
    assert no_horizontal_scroll(page)
    shot(page, f"contest-{label}")
    page.locator("table tbody tr").first.get_by_role("link").click()
    page.wait_for_load_state()
    rows = page.locator("table.board tbody tr")
    assert rows.count() >= 8
    assert rows.first.locator("td.rank").inner_text() == "1"
    assert no_horizontal_scroll(page)
    shot(page, f"board-{label}")


def test_login_keeps_username_on_error_and_logs_in(demo_server, page_at):
    page = page_at(TABLET)
    page.goto(demo_server.url + "/login")
    page.get_by_label("用户名").fill("judge01")
    page.get_by_label("密码").fill("wrong password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_label("用户名").input_value() == "judge01"
    assert page.get_by_label("密码").input_value() == ""
    assert page.get_by_role("alert").count() >= 1
    shot(page, "login-error-tablet")
    page.get_by_label("密码").fill("gongjiang2026")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="退出").is_visible()


def test_language_switch_to_english_and_back(demo_server, page_at):
    page = page_at(TABLET)
    page.goto(demo_server.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Contests"
    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "竞赛"


def test_english_browser_gets_english(demo_server, page_at):
    page = page_at(TABLET, locale="en-US")
    page.goto(demo_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Contests"
