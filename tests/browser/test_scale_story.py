"""An organiser's contest at scale, in headless Chromium, through the pages: 500 entrants imported
from an XLSX file (the list pages them by 100), the same file again with 20 rows changed and 30
new, a contestant's name corrected (refused first without a reason), the waiting registrations
approved by a filter, a balanced assignment over four judges, and a judge's tablet (768×1024)
that jumps to a bib and goes on with "save and next". Only the contest (its scheme and judges,
no entries) and the organiser's account are made directly."""
import io
import json
import re

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from ..factory import resident_id
from ..server import LiveServer, in_app
from .conftest import TABLET, shot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 900}
SLUG = "scale-story-2026"
ORGANISATION = "海淀区总工会"
ORGANISER, PASSWORD = "scale-org", "scale-pass-2026"
EVENTS = {"ai": "人工智能训练师", "iiot": "工业互联网运维员"}
DELEGATIONS = ["首钢集团工会", "北京电力公司工会", "京东方科技集团工会", "海淀区环卫中心工会"]
JUDGES = [("s-zhao", "赵建国"), ("s-qian", "钱丽华"), ("s-sun", "孙卫东"), ("s-li", "李秀梅")]
HEADER = ["序号", "姓名", "性别", "公民身份号码", "联系电话", "参赛单位", "工种", "技能等级", "参赛项目"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平"]

CONTEST = {
    "contest": {"slug": SLUG, "name": "2026年海淀区职工数字技能竞赛", "organisation": ORGANISATION,
                "blind": False, "status": "registration"},
    "events": [
        {"code": "ai", "name": EVENTS["ai"], "team": False, "places": 2,
         "awards": [{"name": "一等奖", "count": 1}],
         "sections": [{"code": "P", "name": "实操", "criteria": [
             {"code": "P1", "name": "模型训练", "max": "20", "kind": "measurement", "method": "mean", "judges": 2},
             {"code": "P2", "name": "数据标注", "max": "10", "kind": "measurement", "method": "single",
              "judges": 1}]}]},
        {"code": "iiot", "name": EVENTS["iiot"], "team": False, "places": 2,
         "awards": [{"name": "一等奖", "count": 1}],
         "sections": [{"code": "P", "name": "实操", "criteria": [
             {"code": "P1", "name": "设备巡检", "max": "50", "kind": "measurement", "method": "single",
              "judges": 1}]}]},
    ],
    "judges": [{"username": u, "name": n, "events": []} for u, n in JUDGES],
}

SETUP = f"""
import json
from competition.accounts.models import Organisation
from competition.accounts.services import create_user
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug
from competition.extensions import db
import_contest(json.loads({json.dumps(json.dumps(CONTEST, ensure_ascii=False))}), passwords={{}})
contest = contest_by_slug({SLUG!r})
contest.privacy_notice = "您的信息仅用于本次竞赛的报名审核与赛务安排。"
organisation = db.session.query(Organisation).filter_by(name={ORGANISATION!r}).one()
create_user({ORGANISER!r}, "周敏", {PASSWORD!r}, organisation=organisation)
db.session.commit()
"""


def people(count: int, start: int = 0) -> list[list]:
    """Rows as test_entries.py's rows(): valid resident IDs, mobiles, delegations, events by name."""
    out = []
    for i in range(start, start + count):
        n = 1000 + i
        out.append([str(i + 1), SURNAMES[i % 20] + GIVEN[i // 20 % 20] + str(i), "男" if n % 2 else "女",
                    resident_id(n), f"139{n:08d}", DELEGATIONS[i % 4], "电工", "高级工",
                    EVENTS["ai"] if i % 2 == 0 else EVENTS["iiot"]])
    return out


def xlsx_file(rows: list[list]) -> bytes:
    workbook = Workbook()
    workbook.active.append(HEADER)
    for r in rows:
        workbook.active.append(r)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    in_app(server, SETUP)
    yield server
    server.stop()


def flash(page):
    return page.locator(".flash").last


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def upload(page, base: str, name: str, content: bytes) -> None:
    page.goto(f"{base}/o/c/{SLUG}/entries/import")
    page.get_by_label("参赛名单（XLSX 或 CSV）").set_input_files({
        "name": name, "buffer": content,
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()


def confirm_import(page) -> None:
    page.locator("main form[method=post] button.primary").filter(has_text=re.compile("^导入")).click()
    page.wait_for_load_state()


def test_an_organiser_handles_500_entrants_and_a_judge_marks_on(server, page_at):
    base = server.url
    office = page_at(LAPTOP)
    office.goto(base + "/login")
    office.get_by_label("用户名").fill(ORGANISER)
    office.get_by_label("密码").fill(PASSWORD)
    office.locator("main form button[type=submit]").click()
    expect(office.get_by_role("button", name="退出")).to_be_visible()

    # 1. 500 entrants from one spreadsheet.
    first = people(500)
    upload(office, base, "海淀区报名表.xlsx", xlsx_file(first))
    expect(office.locator(".flash-success")).to_contain_text("500 行全部正确")
    assert no_horizontal_scroll(office)
    shot(office, "scale-01-import-preview")
    confirm_import(office)
    expect(flash(office)).to_contain_text("500")
    office.goto(f"{base}/o/c/{SLUG}/entries")
    expect(office.locator("[data-total]")).to_have_attribute("data-total", "500")
    expect(office.locator("[data-total]")).to_contain_text("共 500 个参赛项符合条件")
    expect(office.locator("[data-total]")).to_contain_text("第 1 页，共 5 页")
    expect(office.locator("nav.pager")).to_have_attribute("data-pages", "5")
    expect(office.locator("table.entries tbody tr")).to_have_count(100)
    shot(office, "scale-02-entries-500")

    # 2. The file again, as the union sends it back: 20 rows changed (trade or mobile), 30 new
    # rows, and 30 rows left out (which withdraws nobody): new 30 · changed 20 · unchanged 450.
    second = [list(r) for r in first[:470]] + people(30, start=500)
    for i in range(20):
        r = second[i * 7]
        if i % 2:
            r[6] = "焊工"
        else:
            r[4] = f"137{1000 + i * 7:08d}"
    upload(office, base, "海淀区报名表（补报）.xlsx", xlsx_file(second))
    expect(office.locator(".flash-success")).to_contain_text("500 行全部正确")
    counts = office.locator("[data-counts]")
    expect(counts).to_have_attribute("data-counts", "30 20 450")
    text = counts.inner_text()
    assert re.search(r"新增\D*30", text) and re.search(r"有变更\D*20", text) and re.search(r"无变化\D*450", text), text
    expect(office.locator("table.changes tbody tr")).to_have_count(20)
    shot(office, "scale-03-reimport-preview")
    confirm_import(office)
    office.goto(f"{base}/o/c/{SLUG}/entries")
    expect(office.locator("[data-total]")).to_have_attribute("data-total", "530")
    expect(office.locator("nav.pager")).to_have_attribute("data-pages", "6")
    shot(office, "scale-04-entries-530")

    # 3. A name corrected: refused without a reason (the typed name kept), then saved.
    link = office.locator("table.entries tbody tr th a").first
    old_name = link.inner_text().strip()
    link.click()
    expect(office.get_by_role("heading", level=2)).to_have_text(old_name)
    office.get_by_role("link", name="更正信息").click()
    new_name = "欧阳" + old_name[1:]
    office.locator("form[data-correct] input[name=name]").fill(new_name)
    office.locator("form[data-correct] button[type=submit]").click()
    expect(office.locator("[role=alert]").first).to_be_visible()
    expect(office.locator("form[data-correct]")).to_contain_text("请说明更正的理由")
    expect(office.locator("form[data-correct] input[name=name]")).to_have_value(new_name)
    shot(office, "scale-05-correct-refused")
    office.locator("form[data-correct] input[name=reason]").fill("身份证复印件核对：姓氏录入错误")
    office.locator("form[data-correct] button[type=submit]").click()
    expect(office.get_by_role("heading", level=2)).to_have_text(new_name)
    shot(office, "scale-06-corrected")

    # 4. Three registrations through the public form wait; a filter approves them all.
    visitor = page_at(LAPTOP)
    for k in range(3):
        visitor.goto(f"{base}/c/{SLUG}/register")
        visitor.get_by_label("姓名").fill(["东方明", "上官云", "司马亮"][k])
        visitor.get_by_label("男" if k % 2 == 0 else "女", exact=True).check()
        visitor.get_by_label("证件号码").fill(resident_id(3000 + k * 2 + (0 if k % 2 else 1)))
        visitor.get_by_label("手机号码").fill(f"1380013800{k}")
        visitor.get_by_label("工作单位或区（街道）工会").fill(DELEGATIONS[1])
        visitor.get_by_label(EVENTS["ai"]).check()
        visitor.locator("#consent").check()
        visitor.get_by_role("button", name="提交报名").click()
        expect(visitor.locator("#reference")).to_be_visible()
    office.goto(f"{base}/o/c/{SLUG}/entries")
    office.locator("form.filters select[name=status]").select_option("pending")
    office.locator("form.filters button[type=submit]").click()
    expect(office.locator("[data-total]")).to_have_attribute("data-total", "3")
    button = office.locator("[data-approve-matching]")
    expect(button).to_have_attribute("data-approve-matching", "3")
    shot(office, "scale-07-pending-filtered")
    button.click()
    expect(flash(office)).to_contain_text("3")
    expect(office.locator("[data-total]")).to_have_attribute("data-total", "0")
    expect(office.locator("[data-approve-matching]")).to_have_count(0)
    shot(office, "scale-08-approved")

    # 5. Bibs, then a panel of four and a balanced assignment.
    office.goto(f"{base}/o/c/{SLUG}/numbers")
    office.locator("#event-ai [data-action=bibs]").click()
    expect(flash(office)).to_contain_text(EVENTS["ai"])
    office.goto(f"{base}/o/c/{SLUG}/judges/panels/ai")
    for place, (username, name) in enumerate(JUDGES, start=1):
        seat = office.locator(f"tr[data-judge={username}]")
        seat.locator("input[name=seat]").check()
        seat.locator("input[name^=position-]").fill(str(place))
        if place == 1:
            seat.locator("input[name^=chief-]").check()
    office.get_by_role("button", name="保存裁判组").click()
    expect(flash(office)).to_contain_text(EVENTS["ai"])
    office.get_by_role("button", name="生成评分分配").click()
    loads = office.locator("table[data-loads]")
    expect(loads).to_be_visible()
    expect(office.locator("[data-short]")).to_have_count(0)
    table = loads.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(c => parseInt(c.innerText)))")
    assert len(table) == 4
    ai_entries = 3 + sum(1 for r in first + second[470:] if r[8] == EVENTS["ai"])
    for column, needed in zip(range(2), (2, 1)):  # P1 by two judges, P2 by one
        given = [row[column] for row in table]
        assert max(given) - min(given) <= 1, given
        assert sum(given) == ai_entries * needed, (given, ai_entries)
    shot(office, "scale-09-assignments")

    # 6. Judging opens; a judge's tablet jumps to a bib and saves and goes on.
    office.goto(f"{base}/o/c/{SLUG}/settings")
    office.get_by_role("button", name="开始评分").click()
    office.locator("[data-confirm]").click()
    expect(office.locator(".status-steps li.current")).to_have_text("评分中")
    office.goto(f"{base}/o/c/{SLUG}/judges")
    office.locator("[data-link=s-qian]").click()
    url = office.locator("[data-login-url]").inner_text().strip()
    assert url.startswith(base + "/login/link/")
    shot(office, "scale-10-login-link")

    tablet = page_at(TABLET)
    tablet.goto(url)
    tablet.locator("main form button[type=submit]").click()
    tablet.wait_for_url(base + "/j/")
    tablet.goto(f"{base}/j/{SLUG}/ai")
    keys = tablet.locator("[data-list=left] .entry-key").all_inner_texts()
    assert len(keys) >= 3
    shot(tablet, "scale-11-judge-event-tablet")
    target = keys[1]
    tablet.locator("input[name=q]").fill(target)
    tablet.locator("form.jump-form button[type=submit]").click()
    tablet.wait_for_url(re.compile(rf"/j/{SLUG}/ai/{target}$"))
    expect(tablet.locator("h1 .entry-key")).to_have_text(target)
    inputs = tablet.locator("#marking-form input.mark-input")
    assert inputs.count() >= 1
    for i in range(inputs.count()):
        inputs.nth(i).fill("8")
    assert no_horizontal_scroll(tablet)
    shot(tablet, "scale-12-mark-form-tablet")
    next_button = tablet.locator("[data-submit-next]")
    expect(next_button).to_contain_text("保存并评下一个")
    following = next_button.get_attribute("data-next")
    next_button.click()
    tablet.wait_for_url(re.compile(rf"/j/{SLUG}/ai/(?!{target}$)[^/?#]+$"))
    assert tablet.url.endswith(following)
    expect(tablet.locator("h1 .entry-key")).not_to_have_text(target)
    shot(tablet, "scale-13-next-entry-tablet")
