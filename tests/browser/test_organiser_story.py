"""Issue 5, done when: one organiser's story from nothing to judging, in headless Chromium,
through the pages alone. On an office laptop (1280×800) the organiser builds a contest with two
events and their marking schemes and opens registration; a contestant registers on a phone
(375×667); the organiser imports 200 entrants from an XLSX file and a GBK-encoded CSV (a first
CSV with one bad ID number is refused whole), approves the pending registration, numbers the
entries, draws their codes, adds judges, seats the panels and generates the assignments (a
judge from the same union as some entrants is kept off them), and opens judging; a judge's
tablet (768×1024) logs in with a one-time link and sees exactly its entries. Only the
organisation and the organiser's account are made directly: there is no page for them."""
import csv
import io
import json
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from ..server import ROOT, LiveServer
from .conftest import TABLET, shot

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1280, "height": 800}
PHONE_SE = {"width": 375, "height": 667}
SLUG = "chaoyang-story-2026"
PASSWORD = "story-pass-2026"

SETUP = f"""
from competition import create_app
from competition.accounts.models import Organisation
from competition.accounts.services import create_user
from competition.extensions import db
app = create_app()
with app.app_context():
    organisation = Organisation(name="朝阳区总工会")
    db.session.add(organisation)
    db.session.flush()
    create_user("wangfang", "王芳", {PASSWORD!r}, organisation=organisation)
    db.session.commit()
"""

EVENTS = {"ai": "人工智能训练师", "iiot": "工业互联网运维员"}
DELEGATIONS = ["首钢集团工会", "北京电力公司工会", "京东方科技集团工会", "朝阳区环卫中心工会"]
OWN = DELEGATIONS[0]  # the delegation of one of the judges
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平"]
HEADER = ["姓名", "性别", "证件类型", "身份证号", "手机号码", "工作单位", "赛项"]
# (username, name, delegation or None): the third comes from the same union as some entrants.
JUDGES = [("j-zhao", "赵建国", None), ("j-qian", "钱丽华", None), ("j-sun", "孙卫东", OWN), ("j-li", "李秀梅", None)]


def check_character(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2), worked out here
    on its own rather than borrowed from the code under test."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def person(n: int) -> dict:
    """Entrant n: a valid ID number (men have an odd 17th digit), a mobile, a union and an event."""
    born = date(1980, 1, 1) + timedelta(days=37 * n)
    sequence = f"{n % 100:02d}{n % 2}"  # odd: a man
    first17 = f"110105{born:%Y%m%d}{sequence}"
    return {"name": SURNAMES[n % 20] + GIVEN[n // 20 % 20], "gender": "男" if n % 2 else "女",
            "id_number": first17 + check_character(first17), "mobile": f"139{n:08d}",
            "delegation": DELEGATIONS[n // 2 % 4], "event": "ai" if n % 2 == 0 else "iiot"}


def row(p: dict) -> list:
    return [p["name"], p["gender"], "居民身份证", p["id_number"], p["mobile"], p["delegation"], EVENTS[p["event"]]]


def xlsx_file(people: list[dict]) -> bytes:
    """As a union's clerk types it: ID numbers as text, mobiles as numbers."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for p in people:
        values = row(p)
        values[4] = int(values[4])
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def gbk_csv(people: list[dict]) -> bytes:
    """What Chinese Excel writes for "CSV (逗号分隔)": GBK, CRLF, no BOM."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(row(p) for p in people)
    return out.getvalue().encode("gbk")


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=server.env, check=True, timeout=120)
    yield server
    server.stop()


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def tab(page, name: str) -> None:
    page.locator("nav.tabs").get_by_role("link", name=name, exact=True).click()


def flash(page):
    return page.locator(".flash").last


def add_section(page, code: str, name: str, weight: str = "") -> None:
    page.get_by_role("link", name="添加部分").click()
    page.get_by_label("代码", exact=True).fill(code)
    page.get_by_label("部分名称").fill(name)
    if weight:
        page.get_by_label("权重").fill(weight)
    page.get_by_role("button", name="保存部分").click()
    expect(page.locator(f"#section-{code}")).to_contain_text(name)


def add_criterion(page, section: str, code: str, name: str, maximum: str, method: str, judges: int,
                  kind: str = "measurement") -> None:
    page.get_by_role("link", name=f"向 {section} 添加评分项").click()
    page.get_by_label("代码", exact=True).fill(code)
    page.get_by_label("评分项名称").fill(name)
    page.get_by_label("满分").fill(maximum)
    page.get_by_label("类型").select_option(kind)
    page.get_by_label("裁判评分的合成方式").select_option(method)
    page.get_by_label("裁判人数").fill(str(judges))
    page.get_by_role("button", name="保存评分项").click()
    expect(page.locator(f"#section-{section}").locator("xpath=ancestor::section[1]")
           .locator("table.criteria-table")).to_contain_text(name)


def upload(page, name: str, content: bytes, mime: str) -> None:
    page.get_by_label("参赛名单（XLSX 或 CSV）").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    page.get_by_role("button", name="检查文件").click()
    page.wait_for_load_state()


def numbers_table(page, code: str) -> list[dict]:
    """The entries of one event as the bibs & draw codes page lists them."""
    return page.locator(f"#event-{code} table tbody tr").evaluate_all(
        """rows => rows.map(r => { const c = r.querySelectorAll('td');
             return {bib: c[0].innerText.trim(), code: c[1].innerText.trim(), name: c[2].innerText.trim(),
                     delegation: c[3].innerText.trim(), status: c[4].innerText.trim()}; })""")


def test_an_organiser_goes_from_nothing_to_judging(server, page_at):
    base = server.url
    office = page_at(LAPTOP)

    # 1. The organiser logs in and builds the contest, its two events and their schemes.
    office.goto(base + "/login")
    office.get_by_label("用户名").fill("wangfang")
    office.get_by_label("密码").fill(PASSWORD)
    office.locator("main form button[type=submit]").click()
    office.goto(base + "/o/")
    office.get_by_role("link", name="新建竞赛").click()
    office.get_by_label("竞赛名称").fill("2026年朝阳区职工数字技能竞赛")
    office.get_by_label("网址标识（slug）").fill(SLUG)
    office.get_by_label("地点").fill("朝阳区职工之家")
    office.get_by_label("开始日期").fill("2026-05-01")
    office.get_by_label("结束日期").fill("2026-05-02")
    office.get_by_label("盲评：裁判只看到加密号，看不到姓名和参赛号").check()
    office.get_by_label("报名隐私告知").fill("您的信息仅用于本次竞赛的报名审核、赛务安排和成绩公布，赛后一年删除。")
    office.get_by_role("button", name="创建竞赛").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("2026年朝阳区职工数字技能竞赛")

    schemes = {
        "ai": [("T", "理论", "30", [("T1", "理论知识", "100", "single", 1, "measurement")]),
               ("P", "实操", "70", [("P1", "模型训练", "10", "judgement", 3, "judgement"),
                                   ("P2", "数据标注", "20", "mean", 2, "measurement")])],
        "iiot": [("P", "实操", "", [("P1", "设备巡检", "50", "mean", 2, "measurement"),
                                   ("P2", "故障排除", "50", "trimmed", 3, "measurement")])],
    }
    for code, name in EVENTS.items():
        tab(office, "赛项与评分标准")
        office.get_by_role("link", name="新建赛项").click()
        office.get_by_label("代码", exact=True).fill(code)
        office.get_by_label("赛项名称").fill(name)
        for i, (award, count) in enumerate((("一等奖", "1"), ("二等奖", "3"), ("三等奖", "6")), start=1):
            office.get_by_label(f"奖项 {i}").fill(award)
            office.get_by_label(f"数量 {i}").fill(count)
        if code == "ai":
            shot(office, "story-01-event-laptop")
        office.get_by_role("button", name="保存赛项").click()
        for section, section_name, weight, criteria in schemes[code]:
            add_section(office, section, section_name, weight)
            for criterion in criteria:
                add_criterion(office, section, *criterion[:5], kind=criterion[5])
        expect(office.get_by_text("评分标准已完整，可以计分。")).to_be_visible()
        assert no_horizontal_scroll(office)
    shot(office, "story-02-scheme-laptop")
    tab(office, "赛项与评分标准")
    expect(office.locator("table.events-table tbody tr")).to_have_count(2)
    expect(office.locator("table.events-table")).not_to_contain_text("未完成")

    # 2. Registration opens.
    tab(office, "设置")
    office.get_by_role("button", name="开放报名").click()
    expect(office.locator("#confirm-what")).to_contain_text("报名")  # asked first, with what it does
    shot(office, "organiser-status-confirm")
    office.locator("[data-confirm]").click()
    expect(office.locator(".status-steps li.current")).to_have_text("报名中")
    shot(office, "story-03-status-laptop")

    # 3. A contestant registers on a phone.
    phone = page_at(PHONE_SE)
    me = {"name": "欧阳晓明", "id_number": None}
    first17 = "11010519900307123"
    me["id_number"] = first17 + check_character(first17)  # 17th digit 3: a man
    phone.goto(f"{base}/c/{SLUG}/register")
    phone.get_by_label("姓名").fill(me["name"])
    phone.get_by_label("男", exact=True).check()
    phone.get_by_label("证件号码").fill(me["id_number"])
    phone.get_by_label("手机号码").fill("138 0013 8000")
    phone.get_by_label("工作单位或区（街道）工会").fill(OWN)
    phone.get_by_label(EVENTS["ai"]).check()
    phone.locator("#consent").check()
    assert no_horizontal_scroll(phone)
    shot(phone, "story-04-register-phone")
    phone.get_by_role("button", name="提交报名").click()
    reference = phone.locator("#reference").inner_text().strip()
    assert re.fullmatch(r"GJ-[0-9A-Z]{6}", reference)
    assert no_horizontal_scroll(phone)
    shot(phone, "story-05-registered-phone")

    # 4. 200 more entrants from two union spreadsheets: 100 in XLSX, 100 in a GBK CSV.
    from_xlsx = [person(n) for n in range(100)]
    from_csv = [person(n) for n in range(100, 200)]
    tab(office, "报名管理")
    office.get_by_role("link", name="导入参赛名单").click()
    upload(office, "首钢等单位报名表.xlsx", xlsx_file(from_xlsx),
           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    expect(office.locator(".flash-success")).to_contain_text("100")
    shot(office, "story-06-import-preview-laptop")
    office.get_by_role("button", name=re.compile("导入 100")).click()
    expect(flash(office)).to_contain_text("100")

    bad = [dict(p) for p in from_csv]
    wrong = "0" if bad[36]["id_number"][-1] != "0" else "1"
    bad[36]["id_number"] = bad[36]["id_number"][:-1] + wrong  # a typing error on spreadsheet row 38
    office.get_by_role("link", name="导入参赛名单").click()
    upload(office, "电力等单位报名表.csv", gbk_csv(bad), "text/csv")
    problems = office.locator("table.problems tbody tr")
    expect(problems).to_have_count(1)
    expect(problems.locator("td").first).to_have_text("38")
    expect(problems).to_contain_text(bad[36]["id_number"])
    expect(office.locator("h3[role=alert]")).to_contain_text("未导入")
    expect(office.locator("h3[role=alert]")).to_be_in_viewport()  # what went wrong comes first
    expect(office.get_by_role("button", name=re.compile("^导入"))).to_have_count(0)
    assert no_horizontal_scroll(office)
    shot(office, "story-07-import-refused-laptop")
    office.get_by_role("link", name="上传修改后的文件").click()
    upload(office, "电力等单位报名表.csv", gbk_csv(from_csv), "text/csv")
    expect(office.locator(".flash-success")).to_contain_text("100")
    expect(office.locator(".flash-success")).to_be_in_viewport()
    preview = office.locator("main table").first
    expect(preview).to_contain_text(from_csv[0]["name"])
    expect(preview).to_contain_text(from_csv[0]["delegation"])  # GBK read as Chinese, not mojibake
    office.get_by_role("button", name=re.compile("导入 100")).click()
    expect(flash(office)).to_contain_text("100")

    # 5. Review, numbers, judges, panels and assignments.
    counts = office.locator("main p.meta").first
    expect(counts).to_contain_text("待审核 1")
    expect(counts).to_contain_text("已通过 200")
    pending = office.locator("table.entries tbody tr").filter(has_text=me["name"])
    expect(pending).to_contain_text(reference)
    expect(pending).not_to_contain_text(me["id_number"])  # masked
    shot(office, "story-08-entries-laptop")
    pending.get_by_role("button", name="通过").click()
    expect(flash(office)).to_contain_text(me["name"])
    expect(counts).to_contain_text("待审核 0")
    expect(counts).to_contain_text("已通过 201")

    tab(office, "参赛号与加密号")
    for code, name in EVENTS.items():
        office.locator(f"#event-{code} [data-action=bibs]").click()
        expect(flash(office)).to_contain_text(name)
        office.locator(f"#event-{code} [data-action=codes]").click()
        expect(flash(office)).to_contain_text(name)
    entries = {code: numbers_table(office, code) for code in EVENTS}
    everyone = [person(n) for n in range(200)] + [{**me, "delegation": OWN, "event": "ai"}]
    for code in EVENTS:
        rows = entries[code]
        assert len(rows) == sum(p["event"] == code for p in everyone)
        assert all(r["status"] == "已通过" for r in rows)
        assert sorted(r["bib"] for r in rows) == [f"{code.upper()}{n:03d}" for n in range(1, len(rows) + 1)]
        assert len({r["code"] for r in rows}) == len(rows) and "—" not in {r["code"] for r in rows}
    assert no_horizontal_scroll(office)
    shot(office, "story-09-numbers-laptop")

    # The tab reads 裁判 (judges), not 裁判人数 (number of judges): the msgid "Judges" was once
    # shared with the scheme table's column and translated for it.
    tab(office, "裁判")
    for username, name, delegation in JUDGES:
        office.get_by_label("用户名").fill(username)
        office.get_by_label("姓名").fill(name)
        if delegation:
            office.get_by_label("裁判所属单位").select_option(label=delegation)
        office.get_by_role("button", name="添加裁判").click()
        expect(flash(office)).to_contain_text(name)
    expect(office.locator("tr[data-judge]")).to_have_count(len(JUDGES))
    expect(office.locator("tr[data-judge=j-sun]")).to_contain_text(OWN)
    assert no_horizontal_scroll(office)
    shot(office, "story-10-judges-laptop")

    # Everybody sits on both panels: four judges, so the one who must stand aside is replaced.
    orders = {"ai": ["j-zhao", "j-qian", "j-sun", "j-li"], "iiot": ["j-qian", "j-sun", "j-li", "j-zhao"]}
    loads = {}
    names = {username: name for username, name, _ in JUDGES}
    for code, name in EVENTS.items():
        tab(office, "裁判")
        office.get_by_role("link", name=name).click()
        for place, username in enumerate(orders[code], start=1):
            seat = office.locator(f"tr[data-judge={username}]")
            # Its label is the judge's name, with their union when they have one.
            seat.get_by_role("checkbox", name=re.compile(rf"^{names[username]}( \(.+\))?$")).check()
            seat.get_by_label(f"{names[username]} 的序号").fill(str(place))
            if place == 1:
                seat.get_by_label(f"{names[username]} 为裁判长").check()
        office.get_by_role("button", name="保存裁判组").click()
        expect(flash(office)).to_contain_text(name)
        office.get_by_role("button", name="生成评分分配").click()
        report = office.locator("[data-report]")
        expect(report).to_be_visible()
        own = [r for r in entries[code] if r["delegation"] == OWN]
        conflicts = report.locator("[data-conflicts] li")
        expect(conflicts).to_have_count(len(own))
        expect(conflicts.first).to_contain_text("孙卫东")
        expect(conflicts.first).to_contain_text(OWN)
        expect(report.locator("[data-short]")).to_have_count(0)
        # Spread evenly: per criterion the judges' counts differ by at most one (conflicts allowing).
        loads[code] = {username: int(office.locator(f"tr[data-load={username}] [data-total]").inner_text())
                       for username in orders[code]}
        if code == "ai":
            assert no_horizontal_scroll(office)
            shot(office, "story-11-assignments-laptop")
    tab(office, "裁判")
    expect(office.locator("tr[data-judge=j-zhao]")).to_contain_text("裁判长")

    # 6. Judging opens; the judge from 首钢 logs in on a tablet with a one-time link.
    tab(office, "设置")
    office.get_by_role("button", name="开始评分").click()
    office.locator("[data-confirm]").click()
    expect(office.locator(".status-steps li.current")).to_have_text("评分中")
    tab(office, "裁判")
    office.locator("[data-link=j-sun]").click()
    url = office.locator("[data-login-url]").inner_text().strip()
    assert url.startswith(base + "/login/link/")
    shot(office, "story-12-login-link-laptop")

    tablet = page_at(TABLET)
    tablet.goto(url)
    confirm = tablet.locator("main form button[type=submit]")
    expect(confirm).to_contain_text("孙卫东")
    confirm.click()
    tablet.wait_for_url(base + "/j/")
    expect(tablet.locator(".who")).to_have_text("孙卫东")
    # What the panel page said j-sun was given, and never an entry of 首钢 (their own).
    others = {code: [r for r in entries[code] if r["delegation"] != OWN] for code in EVENTS}
    expect(tablet.locator(".event-card")).to_have_count(2)
    for code in EVENTS:
        expect(tablet.locator(f".event-card[data-event={code}] [data-to-mark]")).to_have_attribute(
            "data-to-mark", str(loads[code]["j-sun"]))
    assert no_horizontal_scroll(tablet)
    shot(tablet, "story-13-judge-home-tablet")
    tablet.locator(".event-card[data-event=ai] a.event-link").click()
    keys = tablet.locator(".entry-item .entry-key")
    expect(keys.first).to_be_visible()
    # Blind judging: the judge sees draw codes, never a name or a bib, and no 首钢 entry.
    codes = keys.all_inner_texts()
    assert codes and len(set(codes)) == len(codes) and set(codes) <= {r["code"] for r in others["ai"]}
    listing = tablet.locator("main").inner_text()
    assert not any(r["name"] in listing or r["bib"] in listing for r in entries["ai"])
    assert no_horizontal_scroll(tablet)
    shot(tablet, "story-14-judge-entries-tablet")

    # The public boards and the API list every approved entry with its bib.
    for code, name in EVENTS.items():
        response = office.request.get(f"{base}/api/v1/contests/{SLUG}/events/{code}/board")
        assert response.status == 200
        board = json.loads(response.text())
        assert sorted(r["entry"] for r in board["rows"]) == sorted(r["bib"] for r in entries[code])
        # Nothing marked yet, and each entry expects the marks its assignments call for.
        expected = sum(c[4] for section in schemes[code] for c in section[3])
        assert {tuple(r["progress"]) for r in board["rows"]} == {(0, expected)}
        assert all(r["rank"] is None and r["total"] is None for r in board["rows"])
        office.goto(f"{base}/c/{SLUG}/events/{code}/board")
        expect(office.get_by_role("heading", level=1)).to_contain_text(name)
        for r in (entries[code][0], entries[code][-1]):
            expect(office.locator("main")).to_contain_text(r["bib"])
    assert me["name"] in office.request.get(f"{base}/api/v1/contests/{SLUG}/events/ai/board").text()
    shot(office, "story-15-board-laptop")
