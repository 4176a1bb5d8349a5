"""An organiser sets up a contest on an office laptop (1280×800) through the forms alone:
contest, event, section and criterion; a refused criterion keeps what was typed."""
import uuid

import pytest
from playwright.sync_api import expect

from competition.demo import DEMO_PASSWORD

from .conftest import shot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_an_organiser_creates_a_contest_event_section_and_criterion(demo_server, page_at):
    slug = f"setup-{uuid.uuid4().hex[:8]}"
    # English labels: the organiser pages' Chinese arrives with the catalogue, the flow is the same.
    page = page_at(LAPTOP, locale="en-US")
    page.goto(demo_server.url + "/login")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(demo_server.url + "/o/")
    page.get_by_role("link", name="New contest").click()

    page.get_by_label("Contest name").fill("朝阳区职工数字技能竞赛")
    page.get_by_label("Web address (slug)").fill(slug)
    page.get_by_label("Venue").fill("朝阳区职工之家")
    page.get_by_label("First day").fill("2026-05-01")
    page.get_by_label("Last day").fill("2026-05-02")
    assert no_horizontal_scroll(page)
    shot(page, "organiser-contest-new-laptop")
    page.get_by_role("button", name="Create contest").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("朝阳区职工数字技能竞赛")

    page.get_by_role("link", name="New event").click()
    page.get_by_label("Code", exact=True).fill("ai")
    page.get_by_label("Event name").fill("人工智能训练师")
    page.get_by_label("Award 1").fill("一等奖")
    page.get_by_label("How many 1").fill("1")
    page.get_by_label("Award 2").fill("二等奖")
    page.get_by_label("How many 2").fill("2")
    shot(page, "organiser-event-new-laptop")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Marking scheme of 人工智能训练师")

    page.get_by_role("link", name="Add a section").click()
    page.get_by_label("Code", exact=True).fill("P")
    page.get_by_label("Section name").fill("实操")
    page.get_by_role("button", name="Save section").click()

    page.get_by_role("link", name="Add a criterion to P").click()
    page.get_by_label("Code", exact=True).fill("P1")
    page.get_by_label("Criterion name").fill("模型训练")
    page.get_by_label("Maximum mark").fill("10")
    page.get_by_label("How the judges' marks combine").select_option("trimmed")
    page.get_by_label("Number of judges").fill("2")
    page.get_by_role("button", name="Save criterion").click()
    # Refused: trimming one highest and one lowest needs three judges. Nothing typed is lost.
    expect(page.get_by_role("alert").filter(has_text="At least 3 judges")).to_be_visible()
    expect(page.get_by_label("Criterion name")).to_have_value("模型训练")
    expect(page.get_by_label("How the judges' marks combine")).to_have_value("trimmed")
    assert no_horizontal_scroll(page)
    shot(page, "organiser-criterion-error-laptop")
    page.get_by_label("Number of judges").fill("5")
    page.get_by_role("button", name="Save criterion").click()

    table = page.locator("table.criteria-table")
    expect(table).to_contain_text("模型训练")
    expect(table).to_contain_text("Trimmed mean")
    expect(page.get_by_text("The scheme is complete: it can be scored.")).to_be_visible()
    assert no_horizontal_scroll(page)
    shot(page, "organiser-scheme-laptop")

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Open registration").click()
    expect(page.locator("#confirm-what")).to_contain_text("registration form opens")  # asked first
    page.locator("[data-confirm]").click()
    expect(page.locator(".status-steps li.current")).to_have_text("Registration open")
    assert no_horizontal_scroll(page)
    shot(page, "organiser-settings-laptop")

    page.get_by_role("link", name="Events & schemes").click()
    row = page.locator("table.events-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("人工智能训练师")
    assert no_horizontal_scroll(page)
    shot(page, "organiser-events-laptop")
