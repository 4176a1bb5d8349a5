"""Headless Debian Chromium through Playwright (never `playwright install`: no internet).
Screenshots land in test-artifacts/ for a person to look at."""
import os
import shutil
from pathlib import Path

import pytest

from ..conftest import IN_CI
from ..server import LiveServer

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TABLET = {"width": 768, "height": 1024}
SCREEN = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM} (make browser-deps installs Debian's chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, timeout=120_000, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def demo_server():
    """A real server with the demo contest loaded, shared by the browser tests."""
    server = LiveServer().start()
    server.flask("demo-load")
    yield server
    server.stop()


@pytest.fixture
def page_at(browser):
    """page_at(size, locale="zh-CN") → a fresh page in its own context at that viewport."""
    contexts, refused = [], []

    def make(size: dict, locale: str = "zh-CN"):
        # No service worker: the judges' offline worker has its own tests (test_tablet_offline);
        # here it would only add each judge page's background fetches of the event's forms.
        context = browser.new_context(viewport=size, locale=locale, device_scale_factor=1,
                                      service_workers="block")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        # Whatever the Content-Security-Policy blocks (an inline style or script) fails the test.
        page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not refused, "blocked by the Content-Security-Policy:\n" + "\n".join(refused)


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


DEMO_PASSWORD = "gongjiang2026"


def log_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the login page (Chinese labels) and wait until the page says so."""
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="退出").is_visible()
