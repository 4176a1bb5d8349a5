"""A judge's tablet (768×1024) in headless Chromium: the organiser issues a one-time login link
on the judges page, the tablet opens it, confirms, and lands on the judge's home; opening the
same link again is refused."""
import pytest

from .conftest import TABLET, shot

pytestmark = pytest.mark.browser
SLUG = "chaoyang-2026"
PASSWORD = "gongjiang2026"


def test_a_tablet_logs_in_with_a_one_time_link(demo_server, page_at):
    base = demo_server.url
    office = page_at({"width": 1280, "height": 900})
    office.goto(base + "/login")
    office.get_by_label("用户名").fill("organiser")
    office.get_by_label("密码").fill(PASSWORD)
    office.locator("main form button[type=submit]").click()
    office.wait_for_load_state()
    office.goto(f"{base}/o/c/{SLUG}/judges")
    office.locator("[data-link=judge03]").click()
    office.wait_for_load_state()
    url = office.locator("[data-login-url]").inner_text().strip()
    assert office.locator(".qr-box svg").is_visible()
    shot(office, "login-link-issued")
    assert url.startswith(base + "/login/link/")

    tablet = page_at(TABLET)
    tablet.goto(url)
    confirm = tablet.locator("main form button[type=submit]")
    assert "张伟东" in confirm.inner_text()
    box = confirm.bounding_box()
    assert box["height"] >= 44  # a touch target
    shot(tablet, "login-link-confirm-tablet")
    confirm.click()
    tablet.wait_for_url(base + "/j/")
    assert tablet.locator(".who").inner_text() == "张伟东"
    assert tablet.locator(".event-card").count() >= 1
    assert tablet.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(tablet, "login-link-judge-home-tablet")

    second = page_at(TABLET)
    response = second.goto(url)
    assert response.status == 410
    assert second.locator("main [role=alert]").is_visible()
    shot(second, "login-link-used-tablet")


def test_the_organisers_staff_pages_render(demo_server, page_at):
    base = demo_server.url
    office = page_at({"width": 1280, "height": 900})
    office.goto(base + "/login")
    office.get_by_label("用户名").fill("organiser")
    office.get_by_label("密码").fill(PASSWORD)
    office.locator("main form button[type=submit]").click()
    office.wait_for_load_state()
    for path, name in ((f"/o/c/{SLUG}/numbers", "organiser-numbers"), (f"/o/c/{SLUG}/judges", "organiser-judges"),
                       (f"/o/c/{SLUG}/judges/panels/ai", "organiser-panel")):
        response = office.goto(base + path)
        assert response.status == 200, path
        current = office.locator("nav.tabs [aria-current=page]")  # a panel is one of the judges' pages
        assert current.count() == 1 and current.inner_text() == ("裁判" if "judges" in path else "参赛号与加密号")
        shot(office, name)
    office.locator("[data-action=assign]").click()
    office.wait_for_load_state()
    assert office.locator("[data-report]").is_visible()
    shot(office, "organiser-panel-report")
