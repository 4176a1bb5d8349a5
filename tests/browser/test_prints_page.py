"""The prints page /o/c/<slug>/prints in headless Chromium, on a real server whose print jobs run
in processes of their own: the organiser of the published sample contest finds the event's
result and score sheets, makes the certificates' ZIP and the results book, watches each box
move from queued/running to done without reloading (static/js/prints.js) and downloads the
file; a supervisor sees the results book but not the day's prints nor the certificates.
Screenshots in test-artifacts/prints-page-*.png."""
import io
import re
import shutil
import zipfile

import pytest
from playwright.sync_api import expect

from competition.extensions import db

from .. import factory
from ..conftest import _make_app
from ..server import LiveServer
from .conftest import SCREEN, TABLET, log_in, shot

pytestmark = pytest.mark.browser

SLUG = factory.SLUG
PRINTS = f"/o/c/{SLUG}/prints"
JOB_MS = 60_000


@pytest.fixture(scope="module")
def server(sqlite_template, tmp_path_factory):
    """The sample contest published (its 3 certificates issued), org1 and supervisor sup1, built
    in the server's SQLite file before the server starts."""
    path = tmp_path_factory.mktemp("prints-page") / "db.sqlite"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    app = _make_app(url, None)
    with app.app_context():
        factory.published()
        factory.supervisor("sup1")
        db.session.remove()
        db.engine.dispose()
    live = LiveServer(database_url=url).start()
    yield live
    live.stop()


def make(page, kind: str, name: str) -> bytes:
    """Click the box's "Make it"; the page reloads with the job under way; wait, without
    reloading, until prints.js shows it done; download the file through its link."""
    box = page.locator(f"[data-job-kind={kind}]")
    box.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*{re.escape(PRINTS)}#job-{kind}$"))
    page.wait_for_load_state()
    expect(box).to_have_attribute("data-job-status", re.compile("^(queued|running)$"))
    expect(box.locator("progress")).to_be_visible()
    expect(box.locator("a[data-job-file]")).to_be_hidden()
    page.evaluate("window.__same_page = true")  # gone if anything reloads the page
    # Catch it running if we can (polled each second); a shot of it under way, unless already done.
    try:
        expect(box).to_have_attribute("data-job-status", "running", timeout=5_000)
    except AssertionError:
        pass
    status = box.get_attribute("data-job-status")
    if status != "done":  # prints-page-<name>-queued-tablet or -running-tablet
        box.scroll_into_view_if_needed()
        expect(box.locator("[data-job-text]")).to_have_text(re.compile(r"^(等待开始……|正在生成：\d+ / \d+（\d+ %）|已完成。)$"))
        shot(page, f"prints-page-{name}-{status}-tablet")
    expect(box).to_have_attribute("data-job-status", "done", timeout=JOB_MS)
    link = box.locator("a[data-job-file]")
    expect(link).to_be_visible()
    expect(box.locator("[data-job-text]")).to_have_text("已完成。")
    expect(box.locator("progress")).to_have_attribute("value", "100")
    assert page.evaluate("window.__same_page === true"), "the page reloaded while the job ran"
    shot(page, f"prints-page-{name}-done-tablet")
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    with open(download.path(), "rb") as f:
        return f.read()


def test_the_organiser_makes_the_long_prints(server, page_at):
    base = server.url
    page = page_at(TABLET)
    log_in(page, base, "org1", factory.PASSWORD)
    page.goto(base + PRINTS)
    expect(page.locator("h2#results-prints-h")).to_be_visible()

    # The event, with its result sheet and its score sheets: every judge's and each judge's.
    row = page.locator("tr[data-event=iot]")
    expect(row).to_contain_text("工业互联网运维员")
    expect(row.locator(f"a[href$='{PRINTS}/events/iot/result-sheet.pdf']")).to_have_count(1)
    expect(row.get_by_role("link", name="全部裁判")).to_have_attribute(
        "href", f"{PRINTS}/events/iot/score-sheets.pdf")
    for name in ("裁判k1", "裁判k2", "裁判k3", "裁判k4", "裁判k5"):
        expect(row.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "href", re.compile(rf"{re.escape(PRINTS)}/events/iot/score-sheets\.pdf\?judge=\d+$"))
    # Neither box has a job yet.
    for kind in ("results_book", "certificates_zip"):
        box = page.locator(f"[data-job-kind={kind}]")
        expect(box).to_have_attribute("data-job-status", "none")
        expect(box.locator("a[data-job-file]")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "prints-page-tablet")

    # The certificates' ZIP: one PDF per certificate (the three prize winners).
    body = make(page, "certificates_zip", "certificates")
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        names = archive.namelist()
        assert len(names) == 3 and all(n.endswith(".pdf") for n in names), names
        assert all(archive.read(n).startswith(b"%PDF") for n in names)

    # The results book: one PDF.
    book = make(page, "results_book", "results-book")
    assert book.startswith(b"%PDF"), book[:20]
    # Both boxes done, and say "make it again".
    expect(page.locator("[data-job-kind=certificates_zip]")).to_have_attribute("data-job-status", "done")
    expect(page.locator("[data-job-kind=results_book] form button")).to_have_text("重新生成")

    # The hall's screen, once.
    screen = page_at(SCREEN)
    log_in(screen, base, "org1", factory.PASSWORD)
    screen.goto(base + PRINTS)
    expect(screen.locator("[data-job-kind=results_book]")).to_have_attribute("data-job-status", "done")
    assert screen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(screen, "prints-page-done-screen")


def test_a_supervisor_sees_the_results_book_only(server, page_at):
    page = page_at(TABLET)
    log_in(page, server.url, "sup1", factory.PASSWORD)
    page.goto(server.url + PRINTS)
    expect(page.locator("tr[data-event=iot]")).to_be_visible()
    expect(page.locator("[data-job-kind=results_book]")).to_be_visible()
    expect(page.locator("[data-job-kind=results_book] form button[type=submit]")).to_be_visible()
    expect(page.locator("[data-job-kind=certificates_zip]")).to_have_count(0)
    expect(page.locator("#day-prints-h, #cert-prints-h")).to_have_count(0)
    expect(page.locator("a[href*='/sign-in.pdf'], a[href*='/bibs.pdf'], form[action$='judge-cards.pdf']")
           ).to_have_count(0)
    shot(page, "prints-page-supervisor-tablet")
