"""The big screen stays legible on a real board: 104 teams with long names and bibs, 40 of them
marked (8 without their theory mark) and 64 not marked at all. At 1920×1080 and at a
projector's 1280×720: only ranked entries get rows and the unmarked ones are one line with
their count, names, bibs and delegations are never cut, a section without a mark shows "—"
(never 0.00), each row's status is in words, and the screen's font scale and rows per page
come from its address."""
import json
import math
import uuid

import pytest
import requests
from playwright.sync_api import expect

from ..server import LiveServer
from .conftest import SCREEN, shot

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
SLUG = "screen-legible-2026"
EVENT = "iot"
ENTRIES, MARKED, NO_THEORY = 104, 40, range(33, 41)  # entries 33–40 have no theory mark yet
TEAMS = ["亦庄开发区工会智能制造联合代表队", "北京经济技术开发区总工会工业互联网运维一队", "京东方科技集团工会",
         "国网北京市电力公司工会城区供电中心运维保障联合代表队", "北汽集团工会", "首钢集团工会数字化运维队"]
DELEGATIONS = ["亦庄开发区工会", "北京经济技术开发区总工会", "京东方科技集团工会", "国网北京市电力公司工会",
               "北汽集团工会", "首钢集团工会"]


def bib(n: int) -> str:
    # Most bibs as a team event numbers them, every seventh one longer still.
    return f"IOT-YZ-2026-T{n:03d}" if n % 7 == 0 else f"IOT-2026-T{n:03d}"


def contest_file() -> dict:
    entries = [{"event": EVENT, "bib": bib(n), "name": f"{TEAMS[n % len(TEAMS)]}{n}",
                "delegation": DELEGATIONS[n % len(DELEGATIONS)], "members": [f"队员{n}甲", f"队员{n}乙"]}
               for n in range(1, ENTRIES + 1)]
    marks = []
    for n in range(1, MARKED + 1):
        values = {"P1": str(10 + (n * 7) % 20), "P2": str((n * 3) % 7 + 2)}
        if n not in NO_THEORY:
            values["T1"] = str(60 + (n * 13) % 40)
        marks += [{"event": EVENT, "entry": bib(n), "criterion": code, "judge": "k1", "value": value}
                  for code, value in values.items()]
    return {
        "contest": {"slug": SLUG, "name": "2026年北京经济技术开发区职工数字技能竞赛", "organisation": "亦庄开发区工会",
                    "blind": False},
        "events": [{"code": EVENT, "name": "工业互联网运维员（团体）", "team": True, "places": 2,
                    "awards": [{"name": "一等奖", "count": 3}, {"name": "二等奖", "count": 5}],
                    "sections": [
                        {"code": "T", "name": "理论", "weight": "20", "criteria": [
                            {"code": "T1", "name": "理论考试", "max": "100", "kind": "measurement", "method": "single",
                             "judges": 1}]},
                        {"code": "P", "name": "实操", "weight": "80", "criteria": [
                            {"code": "P1", "name": "网络配置", "max": "30", "kind": "measurement", "method": "single",
                             "judges": 1},
                            {"code": "P2", "name": "故障排查", "max": "10", "kind": "measurement", "method": "single",
                             "judges": 1}]}]}],
        "judges": [{"username": "k1", "name": "裁判甲", "delegation": "裁判委员会", "events": [EVENT], "chief": True}],
        "entries": entries,
        "marks": marks,
    }


@pytest.fixture(scope="module")
def server():
    server = LiveServer().start()
    path = server.tmp / "contest.json"
    path.write_text(json.dumps(contest_file(), ensure_ascii=False), encoding="utf-8")
    server.flask("contest-import", str(path))
    yield server
    server.stop()


@pytest.fixture(autouse=True, scope="module")
def patient_expect():
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


def board(server) -> dict:
    response = requests.get(f"{server.url}/api/v1/contests/{SLUG}/events/{EVENT}/board", timeout=10)
    response.raise_for_status()
    return response.json()


def open_screen(page_at, server, size: dict, query: str = "", locale: str = "zh-CN"):
    page = page_at(size, locale=locale)
    page.goto(f"{server.url}/c/{SLUG}/screen?event={EVENT}&interval=300{query}")
    expect(page.locator("[data-live-indicator]")).to_have_attribute("data-state", "live")
    page.wait_for_timeout(800)  # the first page slides in
    return page


SHOWN = """() => {
  const frame = document.querySelector('[data-frame]').getBoundingClientRect();
  const rows = [...document.querySelectorAll('[data-screen-board] tbody tr')];
  const cut = [];
  for (const td of document.querySelectorAll('[data-screen-board] th, [data-screen-board] td:not(.empty)')) {
    const box = td.querySelector('.fit');
    if (!box) { cut.push(td.className + ': no .fit'); continue; }
    const style = getComputedStyle(box);
    if (td.scrollWidth > td.clientWidth || box.scrollWidth > box.clientWidth
        || style.textOverflow === 'ellipsis' || getComputedStyle(td).textOverflow === 'ellipsis'
        || box.getBoundingClientRect().bottom > td.getBoundingClientRect().bottom + 1
        || box.getBoundingClientRect().right > td.getBoundingClientRect().right + 1) {
      cut.push(td.className + ': ' + td.textContent);
    }
  }
  const sizes = [...document.querySelectorAll('[data-screen-board] tbody td.name .fit')]
    .map((box) => parseFloat(getComputedStyle(box).fontSize));
  const d = document.documentElement;
  return {
    page: +document.querySelector('[data-frame]').dataset.page,
    pages: +document.querySelector('[data-frame]').dataset.pages,
    perPage: +document.querySelector('[data-frame]').dataset.rows,
    rows: rows.map((tr) => ({ entry: tr.dataset.entry, rank: tr.querySelector('td.rank').textContent,
                              sections: [...tr.querySelectorAll('td.section')].map((td) => td.textContent),
                              state: tr.querySelector('td.state').textContent })),
    cut,
    fitsFrame: rows.every((tr) => tr.getBoundingClientRect().bottom <= frame.bottom + 1),
    noScrollbars: d.scrollWidth <= innerWidth && d.scrollHeight <= innerHeight,
    smallestName: Math.min(...sizes),
  };
}"""


def every_page(page) -> list[dict]:
    """What each page of the board shows, page 1 to the last (keys turn the pages)."""
    pages = [page.evaluate(SHOWN)]
    for number in range(2, pages[0]["pages"] + 1):
        page.keyboard.press("ArrowRight")
        expect(page.locator("[data-frame]")).to_have_attribute("data-page", str(number))
        page.wait_for_timeout(700)
        pages.append(page.evaluate(SHOWN))
    return pages


@pytest.mark.parametrize("size", [SCREEN, PROJECTOR], ids=["1920x1080", "1280x720"])
def test_a_long_team_board_is_legible_on_every_page(server, page_at, size):
    snapshot = board(server)
    ranked = [r for r in snapshot["rows"] if r["rank"] is not None]
    assert len(snapshot["rows"]) == ENTRIES and len(ranked) == MARKED
    no_theory = {bib(n) for n in NO_THEORY}
    assert all(r["sections"]["T"] == "0.00" for r in ranked if r["entry"] in no_theory)  # what the row says

    page = open_screen(page_at, server, size)
    words = json.loads(page.locator("#gj-i18n").text_content())
    # The 64 unmarked entries are one line, with their count, under the board.
    pending = page.locator("[data-pending]")
    expect(pending).to_be_visible()
    expect(pending).to_have_attribute("data-count", str(ENTRIES - MARKED))
    expect(pending).to_have_text(words["pending"].replace("{count}", str(ENTRIES - MARKED)))
    name = f'{size["width"]}x{size["height"]}'
    shot(page, f"screen-legible-{name}-page-1")
    page.screenshot(path=f"/tmp/screen-legible-{name}-page-1.png")

    pages = every_page(page)
    per_page = pages[0]["perPage"]
    assert per_page >= 6
    assert pages[0]["pages"] == len(pages) == math.ceil(MARKED / per_page)
    shown = [row for p in pages for row in p["rows"]]
    # Only ranked rows, each once, in the board's order: the cycle is never pages of "–".
    assert [row["entry"] for row in shown] == [r["entry"] for r in ranked]
    assert all(row["rank"].isdigit() for row in shown)
    for p in pages:
        assert p["cut"] == [], p["cut"]
        assert p["fitsFrame"] and p["noScrollbars"]
        assert p["smallestName"] >= size["height"] * 0.035 * 0.35 - 0.5  # smaller, never unreadable
    # A section without its mark is "—", never 0.00; a scored one shows its score.
    for row in shown:
        theory, practice = row["sections"]
        if row["entry"] in no_theory:
            assert theory == "—", row
        else:
            assert theory not in ("—", "0.00") and "." in theory, row
        assert practice != "—", row
        assert row["state"] == words["provisional"], row  # the status in words
    page.screenshot(path=f"/tmp/screen-legible-{name}-page-last.png")
    shot(page, f"screen-legible-{name}-page-last")


def test_the_screen_takes_its_rows_and_font_scale_from_its_address(server, page_at):
    page = open_screen(page_at, server, SCREEN, "&rows=８&scale=1.3")  # full-width digits too
    frame = page.locator("[data-frame]")
    expect(frame).to_have_attribute("data-rows", "8")
    expect(frame).to_have_attribute("data-pages", str(math.ceil(MARKED / 8)))
    assert page.locator("[data-screen-board] tbody tr").count() == 8
    bigger = page.evaluate(SHOWN)
    assert bigger["cut"] == [] and bigger["fitsFrame"] and bigger["noScrollbars"]
    page.screenshot(path="/tmp/screen-legible-rows8-scale1.3.png")

    normal = open_screen(page_at, server, SCREEN)
    auto_rows = int(normal.locator("[data-frame]").get_attribute("data-rows"))
    assert normal.locator("[data-frame]").get_attribute("data-scale") == "1"
    # Bad values are ignored; numbers out of range are held to the range.
    bad = open_screen(page_at, server, SCREEN, "&rows=abc&scale=-2")
    assert bad.locator("[data-frame]").get_attribute("data-rows") == str(auto_rows)
    assert bad.locator("[data-frame]").get_attribute("data-scale") == "1"
    # 500 rows a page are held to 40 (fewer when a text at its smallest still needs a taller row).
    huge = open_screen(page_at, server, SCREEN, "&rows=500")
    assert 28 <= int(huge.locator("[data-frame]").get_attribute("data-rows")) <= 40
    tiny = huge.evaluate(SHOWN)
    assert tiny["fitsFrame"] and tiny["cut"] == []
    huge.screenshot(path="/tmp/screen-legible-rows40.png")
    large = open_screen(page_at, server, SCREEN, "&scale=1.5")
    assert int(large.locator("[data-frame]").get_attribute("data-rows")) < auto_rows
    assert large.evaluate(SHOWN)["cut"] == []
    large.screenshot(path="/tmp/screen-legible-scale1.5.png")


def test_the_screen_in_english_is_legible_too(server, page_at):
    page = open_screen(page_at, server, PROJECTOR, locale="en-US")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.locator("[data-pending]")).to_have_text(f"{ENTRIES - MARKED} still to be marked")
    shown = page.evaluate(SHOWN)
    assert shown["cut"] == [] and shown["fitsFrame"] and shown["noScrollbars"]
    assert {row["state"] for row in shown["rows"]} == {"Provisional"}
    page.screenshot(path="/tmp/screen-legible-english-1280x720.png")


LAYOUTS = [
    ({"scale": "1.2", "rows": "12"}, {"scale": 1.2, "rows": 12}),
    ({"scale": "１．５", "rows": "１０"}, {"scale": 1.5, "rows": 10}),
    ({"scale": " 0.8 ", "rows": "4"}, {"scale": 0.8, "rows": 4}),
    ({"scale": "9", "rows": "100"}, {"scale": 2.5, "rows": 40}),
    ({"scale": "0.1", "rows": "1"}, {"scale": 0.5, "rows": 4}),
    ({"scale": 1.5, "rows": 8}, {"scale": 1.5, "rows": 8}),  # as the screens console sends them
    ({"scale": "abc", "rows": "12.5"}, {"scale": 1, "rows": None}),
    ({"scale": "0", "rows": "0"}, {"scale": 1, "rows": None}),
    ({"scale": "-1", "rows": "-4"}, {"scale": 1, "rows": None}),
    ({"scale": "1e3", "rows": "0x10"}, {"scale": 1, "rows": None}),
    ({}, {"scale": 1, "rows": None}),
]


def test_the_layout_settings_are_validated_in_one_place(server, page_at):
    page = page_at(SCREEN)
    page.goto(server.url + "/healthz")
    got = page.evaluate("""async (cases) => {
        const m = await import('/static/js/screen_layout.js');
        return cases.map((c) => [m.screenLayout(c), m.screenLayout(new URLSearchParams(c))]);
    }""", [given for given, _ in LAYOUTS])
    for (given, wanted), (from_object, from_query) in zip(LAYOUTS, got):
        assert from_object == wanted == from_query, given


SECTIONS = [  # (sections, progress) -> what the screen shows for section T
    ({"T": "27.00"}, [3, 3], "27.00"),
    ({"T": "0.00", "P": "60.00"}, [2, 3], "—"),  # the theory mark is still to come
    ({"T": "0.00", "P": "60.00"}, [3, 3], "0.00"),  # every mark in: a real zero
    ({}, [0, 3], "—"),
    ({"P": "60.00"}, [2, 3], "—"),
    ({"T": None}, [1, 3], "—"),
]


def test_a_section_without_a_mark_is_a_dash_and_a_real_zero_is_zero(server, page_at):
    page = page_at(SCREEN)
    page.goto(server.url + "/healthz")
    got = page.evaluate("""async (cases) => {
        const m = await import('/static/js/screen.js');
        return cases.map(([sections, progress]) => m.sectionText({ sections, progress }, 'T'));
    }""", [[sections, progress] for sections, progress, _ in SECTIONS])
    assert got == [wanted for _, _, wanted in SECTIONS]


def test_a_new_mark_takes_an_entry_off_the_pending_line(server, page_at):
    page = open_screen(page_at, server, PROJECTOR)
    pending = page.locator("[data-pending]")
    before = int(pending.get_attribute("data-count"))
    target = next(r for r in board(server)["rows"] if r["rank"] is None)
    token = server.token("k1")
    response = requests.post(f"{server.url}/api/v1/marks", timeout=10, headers={"Authorization": f"Bearer {token}"},
                             json={"contest": SLUG, "event": EVENT, "entry": target["entry"], "criterion": "P1",
                                   "value": "30", "client_id": str(uuid.uuid4())})
    assert response.status_code == 201, response.text + (server.tmp / "server.log").read_text()[-3000:]
    expect(pending).to_have_attribute("data-count", str(before - 1))
    ranked = [r["entry"] for r in board(server)["rows"] if r["rank"] is not None]
    per_page = int(page.locator("[data-frame]").get_attribute("data-rows"))
    for _ in range(ranked.index(target["entry"]) // per_page):  # to the page of its rank
        page.keyboard.press("ArrowRight")
    row = page.locator(f'[data-screen-board] tbody tr[data-entry="{target["entry"]}"]')
    expect(row).to_be_visible()
    page.wait_for_timeout(700)
    # Ranked now on its practical mark; its theory is still to be marked.
    expect(row.locator("td.section").first).to_have_text("—")
    assert page.evaluate(SHOWN)["cut"] == []
    page.screenshot(path="/tmp/screen-legible-after-mark.png")
