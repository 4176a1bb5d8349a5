"""A print job as the server really runs it: `flask print-job ID` in a process of its own, its
progress read back from the job's row through the server while it works, its file downloaded."""
import re
import time

import pytest

from competition.extensions import db

from . import pdfs
from .factory import SLUG, published
from .helpers import logged_in
from .server import LiveServer

pytestmark = pytest.mark.live
ORDER = ("queued", "running", "done")


def test_the_results_book_is_made_in_a_process_of_its_own(app, sqlite_url, tmp_path):
    pdfs.need_tools("pdftotext")
    published()
    db.session.remove()
    server = LiveServer(database_url=sqlite_url).start()
    try:
        base, prints = server.url, f"{server.url}/o/c/{SLUG}/prints"
        http = logged_in(base, "org1")
        page = http.get(prints, timeout=10).text
        csrf = re.search(r'id="job-results_book".*?name="csrf_token"[^>]*value="([^"]+)"', page, re.S).group(1)
        started = http.post(f"{prints}/jobs/results_book", data={"csrf_token": csrf},
                            headers={"Accept": "application/json"}, timeout=30)
        assert started.status_code == 202, started.text
        seen = [started.json()]
        deadline = time.monotonic() + 120
        while seen[-1]["status"] in ("queued", "running"):
            assert time.monotonic() < deadline, f"the job did not finish: {seen[-1]}\n{server_log(server)}"
            time.sleep(0.05)
            seen.append(http.get(f"{prints}/jobs/{seen[0]['id']}", timeout=10).json())
        final = seen[-1]
        assert final["status"] == "done", (final, server_log(server))
        assert {s["id"] for s in seen} == {final["id"]}
        statuses = [ORDER.index(s["status"]) for s in seen]
        assert statuses == sorted(statuses)  # queued → running → done, nothing skipped back
        dones = [s["done"] for s in seen]
        assert dones == sorted(dones) and final["done"] == final["total"] == 4

        response = http.get(base + final["file"], timeout=30)
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/pdf"
        assert int(final["size"]) == len(response.content)
        pdf = tmp_path / "book.pdf"
        pdf.write_bytes(response.content)
        text = pdfs.text(pdf)
        for word in ("示例职工数字技能竞赛", "成 绩 册", "工业互联网运维员 成绩表", "选手1", "亦庄开发区工会",
                     "裁判长签字：裁判k1", "代表队总成绩"):
            assert word in text, word
    finally:
        server.stop()


def server_log(server: LiveServer) -> str:
    path = server.tmp / "server.log"
    return path.read_text()[-4000:] if path.exists() else ""
