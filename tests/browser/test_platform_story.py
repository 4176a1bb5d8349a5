"""The platform's story from the administrator's side, in headless Chromium, through the pages
alone: the administrator (demo account) creates an organisation and invites its first organiser;
the invitee sets a password on the one-time link (a common one is refused first); the organiser
creates a contest with one event, imports 20 judges from an XLSX file, merges two delegations
that are one union, and a judge changes their password on a tablet (768×1024).

It runs on the shared demo server: it only adds an organisation, its organiser, a contest and
its own judges, and touches no demo account but reads the admin's."""
import io
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from .conftest import DEMO_PASSWORD, TABLET, shot

pytestmark = pytest.mark.browser

OFFICE = {"width": 1280, "height": 900}
ORGANISATION = "朝阳区总工会测试"
ORGANISER = ("李晓燕", "lixiaoyan-platform")
ORGANISER_PASSWORD = "Gongjiang-2026!"
SLUG = "platform-story-2026"
CONTEST = "2026年朝阳区职工技能竞赛（平台测试）"
EVENT = ("ai", "人工智能训练师")
# Two names of one union, typed differently by two clerks: not the same apart from spaces, so
# the import keeps them apart and the organiser merges them by hand.
UNION, UNION_LONG = "朝阳区总工会", "北京市朝阳区总工会"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建华", "秀英", "志强", "丽娟", "海涛"]
PW_JUDGE = ("judge-pw-platform", "欧阳文静")
PW_JUDGE_START, PW_JUDGE_NEW = "Caipan-Start-2026", "Caipan-Xin-2026!"


def judge_rows() -> list[list]:
    rows = []
    for i in range(20):
        rows.append([SURNAMES[i] + GIVEN[i % 5], f"137{i:08d}", UNION if i % 2 == 0 else UNION_LONG,
                     EVENT[0] if i % 3 else EVENT[1], "是" if i == 0 else "否"])
    return rows


def judges_xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机", "单位", "赛项", "是否主裁"])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def flash(page):
    return page.locator(".flash").last


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_platform_from_an_organisation_to_a_judge_s_new_password(demo_server, page_at):
    base = demo_server.url

    # 1. The administrator creates an organisation and invites its first organiser.
    admin = page_at(OFFICE)
    log_in(admin, base, "admin", DEMO_PASSWORD)
    expect(admin.get_by_role("button", name="退出")).to_be_visible()
    admin.goto(base + "/admin/")
    expect(admin.get_by_role("heading", name="组织", exact=True)).to_be_visible()
    admin.get_by_label("组织名称").fill(ORGANISATION)
    admin.get_by_role("button", name="创建组织").click()
    admin.wait_for_url(re.compile(r"/admin/organisations/\d+$"))
    expect(flash(admin)).to_contain_text(f"已创建 {ORGANISATION}")
    expect(admin.get_by_role("heading", level=2).first).to_have_text(ORGANISATION)
    shot(admin, "platform-01-organisation-created")
    organisation_url = admin.url
    admin.get_by_label("姓名").fill(ORGANISER[0])
    admin.get_by_label("用户名").fill(ORGANISER[1])
    admin.get_by_role("button", name="邀请", exact=True).click()
    expect(admin.get_by_role("heading", level=1)).to_contain_text(ORGANISER[0])
    invite_url = admin.locator("[data-invite-url]").inner_text().strip()
    assert re.fullmatch(re.escape(base) + r"/invite/[\w-]+", invite_url), invite_url
    expect(admin.locator(".qr-box svg")).to_be_visible()
    shot(admin, "platform-02-invite-link")
    admin.goto(organisation_url)
    expect(admin.locator("main")).to_contain_text("已邀请：尚未设置密码")

    # 2. The invitee opens the link in their own browser and sets a password.
    organiser = page_at(OFFICE)
    organiser.goto(invite_url)
    expect(organiser.get_by_role("heading", level=1)).to_have_text("设置密码")
    expect(organiser.locator("main")).to_contain_text(ORGANISER[1])
    expect(organiser.locator("main")).to_contain_text(ORGANISATION)
    organiser.get_by_label("新密码", exact=True).fill("12345678")
    organiser.get_by_label("再次输入新密码").fill("12345678")
    organiser.get_by_role("button", name="设置密码并登录").click()
    refusal = organiser.locator("main [role=alert]")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("常见")  # 这是最常见的密码之一，请换一个。
    assert "/invite/" in organiser.url
    # Passwords are never echoed back (by design): the fields come back empty, the link still works.
    assert organiser.get_by_label("新密码", exact=True).input_value() == ""
    shot(organiser, "platform-03-invite-weak-password")
    organiser.get_by_label("新密码", exact=True).fill(ORGANISER_PASSWORD)
    organiser.get_by_label("再次输入新密码").fill(ORGANISER_PASSWORD)
    organiser.get_by_role("button", name="设置密码并登录").click()
    organiser.wait_for_url(base + "/o/")
    expect(flash(organiser)).to_contain_text(f"欢迎，{ORGANISER[0]}")
    shot(organiser, "platform-04-organiser-home")
    # The link worked once.
    assert page_at(OFFICE).goto(invite_url).status >= 400

    # 3. The organiser creates a contest; it is their organisation's.
    organiser.get_by_role("link", name="新建竞赛").click()
    expect(organiser.get_by_label("主办单位")).to_have_count(0)  # no choice: their own organisation
    organiser.get_by_label("竞赛名称").fill(CONTEST)
    organiser.get_by_label("网址标识（slug）").fill(SLUG)
    organiser.get_by_label("地点").fill("朝阳区职工之家")
    organiser.get_by_label("开始日期").fill("2026-06-01")
    organiser.get_by_label("结束日期").fill("2026-06-02")
    organiser.get_by_role("button", name="创建竞赛").click()
    expect(organiser.get_by_role("heading", level=1)).to_contain_text(CONTEST)
    assert f"/o/c/{SLUG}" in organiser.url
    shot(organiser, "platform-05-contest-created")
    admin.goto(organisation_url)
    expect(admin.locator("main")).to_contain_text(CONTEST)

    # 4. One event, for the judges to be seated on.
    organiser.goto(f"{base}/o/c/{SLUG}/events")
    organiser.get_by_role("link", name="新建赛项").click()
    organiser.get_by_label("代码", exact=True).fill(EVENT[0])
    organiser.get_by_label("赛项名称").fill(EVENT[1])
    organiser.get_by_role("button", name="保存赛项").click()
    organiser.goto(f"{base}/o/c/{SLUG}/events")
    expect(organiser.locator("table.events-table tbody tr")).to_have_count(1)
    expect(organiser.locator("table.events-table")).to_contain_text(EVENT[1])
    shot(organiser, "platform-06-event")

    # 5. 20 judges from a spreadsheet.
    rows = judge_rows()
    organiser.goto(f"{base}/o/c/{SLUG}/judges")
    organiser.get_by_role("link", name="从表格导入裁判").click()
    organiser.wait_for_url(f"{base}/o/c/{SLUG}/judges/import")
    organiser.get_by_label("裁判名单（XLSX 或 CSV）").set_input_files(
        {"name": "朝阳区裁判名单.xlsx", "buffer": judges_xlsx(rows),
         "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    organiser.get_by_role("button", name="检查文件").click()
    expect(organiser.locator(".flash-success")).to_have_text("20 行全部正确。")
    preview = organiser.locator("main table").first
    expect(preview).to_contain_text(rows[0][0])
    expect(preview).to_contain_text(UNION_LONG)
    expect(preview).to_contain_text("裁判长")  # row 2 is the chief judge
    shot(organiser, "platform-07-judges-preview")
    organiser.get_by_role("button", name="导入 20 名裁判").click()
    organiser.wait_for_url(f"{base}/o/c/{SLUG}/judges")
    expect(flash(organiser)).to_contain_text("已导入 20 名裁判。")
    judges = organiser.locator("tr[data-judge]")
    expect(judges).to_have_count(20)
    for name, *_ in (rows[0], rows[19]):
        expect(organiser.locator("main")).to_contain_text(name)
    shot(organiser, "platform-08-judges")

    # 6. The two names of one union become one delegation.
    organiser.goto(f"{base}/o/c/{SLUG}/delegations")
    table = organiser.locator("table#delegations tbody tr")
    expect(table).to_have_count(2)
    long_row = table.filter(has=organiser.get_by_role("link", name=UNION_LONG, exact=True))
    short_row = table.filter(has=organiser.get_by_role("link", name=UNION, exact=True))
    expect(long_row.locator("[data-judges]")).to_have_text("10")
    expect(short_row.locator("[data-judges]")).to_have_text("10")
    shot(organiser, "platform-09-delegations-before")
    long_row.get_by_role("link", name=UNION_LONG, exact=True).click()
    organiser.wait_for_url(re.compile(rf"/o/c/{SLUG}/delegations/\d+$"))
    expect(organiser.locator("ul#judges li")).to_have_count(10)
    organiser.get_by_label("合并到", exact=True).select_option(label=UNION)
    shot(organiser, "platform-10-delegation-merge")
    organiser.locator("#merge-form").get_by_role("button", name="合并", exact=True).click()
    expect(flash(organiser)).to_contain_text(f"“{UNION_LONG}”已合并到“{UNION}”")
    organiser.goto(f"{base}/o/c/{SLUG}/delegations")
    expect(table).to_have_count(1)
    expect(table.first).to_contain_text(UNION)
    expect(table.first.locator("[data-judges]")).to_have_text("20")
    shot(organiser, "platform-11-delegations-after")
    organiser.goto(f"{base}/o/c/{SLUG}/judges")
    expect(organiser.locator("main")).not_to_contain_text(UNION_LONG)

    # 7a. An imported judge logs in on a tablet by link: with no password there is none to change.
    linked = judges.filter(has_text=rows[1][0])
    linked.locator("[data-link]").click()
    link_url = organiser.locator("[data-login-url]").inner_text().strip()
    assert link_url.startswith(base + "/login/link/")
    shot(organiser, "platform-12-login-link")
    tablet = page_at(TABLET)
    tablet.goto(link_url)
    confirm = tablet.locator("main form button[type=submit]")
    expect(confirm).to_contain_text(rows[1][0])
    confirm.click()
    tablet.wait_for_load_state()
    expect(tablet.get_by_role("button", name="退出")).to_be_visible()
    shot(tablet, "platform-13-judge-by-link-tablet")
    tablet.goto(base + "/account/password")
    expect(tablet.locator("main")).to_contain_text("此账号没有密码：用组织者提供的登录链接登录。")
    expect(tablet.get_by_label("当前密码")).to_have_count(0)
    assert no_horizontal_scroll(tablet)
    shot(tablet, "platform-14-judge-no-password-tablet")

    # 7b. A judge given a password changes it on a tablet, and only the new one works.
    organiser.goto(f"{base}/o/c/{SLUG}/judges")
    organiser.get_by_label("用户名").fill(PW_JUDGE[0])
    organiser.get_by_label("姓名").fill(PW_JUDGE[1])
    organiser.get_by_label("裁判所属单位").select_option(label=UNION)
    organiser.get_by_label("密码（可选）").fill(PW_JUDGE_START)
    organiser.get_by_role("button", name="添加裁判").click()
    expect(flash(organiser)).to_contain_text(PW_JUDGE[1])
    expect(judges).to_have_count(21)

    judge = page_at(TABLET)
    log_in(judge, base, PW_JUDGE[0], PW_JUDGE_START)
    expect(judge.get_by_role("button", name="退出")).to_be_visible()
    judge.goto(base + "/account/password")
    judge.get_by_label("当前密码").fill(PW_JUDGE_START)
    judge.get_by_label("新密码", exact=True).fill(PW_JUDGE_NEW)
    judge.get_by_label("再次输入新密码").fill(PW_JUDGE_NEW)
    assert no_horizontal_scroll(judge)
    shot(judge, "platform-15-change-password-tablet")
    judge.get_by_role("button", name="修改密码").click()
    expect(flash(judge)).to_contain_text("密码已修改")
    shot(judge, "platform-16-password-changed-tablet")
    judge.get_by_role("button", name="退出").click()
    judge.wait_for_load_state()
    expect(judge.get_by_role("button", name="退出")).to_have_count(0)

    log_in(judge, base, PW_JUDGE[0], PW_JUDGE_START)
    expect(judge.locator("main [role=alert]")).to_contain_text("用户名或密码错误。")
    expect(judge.get_by_role("button", name="退出")).to_have_count(0)
    assert judge.get_by_label("用户名").input_value() == PW_JUDGE[0]  # the username is kept
    shot(judge, "platform-17-old-password-refused-tablet")
    log_in(judge, base, PW_JUDGE[0], PW_JUDGE_NEW)
    expect(judge.get_by_role("button", name="退出")).to_be_visible()
    expect(judge.locator(".who")).to_have_text(PW_JUDGE[1])
    assert no_horizontal_scroll(judge)
    shot(judge, "platform-18-new-password-judge-home-tablet")
