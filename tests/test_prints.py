"""Prints (competition/printing/), read back as the person holding them would: every PDF rendered
to PNGs (kept in test-artifacts/), its text searched for the Chinese names it must carry, its QR
codes scanned and followed; who may print what; and the print jobs' states (here run inside the
request; test_prints_live.py runs one in its own process, as the server does)."""
import io
import re
import zipfile
from datetime import timedelta

import pytest
from flask import url_for
from sqlalchemy import func, select

from competition.accounts.models import Organisation
from competition.audit.models import AuditEntry
from competition.boards import exports, results
from competition.certificates.models import Certificate
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.extensions import db
from competition.judges import services as judges
from competition.ledger import services as ledger
from competition.messages import message
from competition.printing.models import PrintJob

from . import pdfs
from .factory import (SLUG, announced_contest, import_sample, judge_named, make_user, organiser, published,
                      s03_contestant, sample_contest, sample_event, supervisor)
from .helpers import isolated_client, login

PRINTS = f"/o/c/{SLUG}/prints"
SHEETS = f"{PRINTS}/events/iot"
CONTEST, EVENT, CHIEF = "示例职工数字技能竞赛", "工业互联网运维员", "裁判k1"
JSON = {"Accept": "application/json"}


@pytest.fixture
def app_config():
    return {"PRINT_JOBS_INLINE": True}


@pytest.fixture
def org(app):
    """The organiser's client, on the sample contest published (its certificates issued)."""
    published()
    client = isolated_client(app)
    login(client, "org1")
    return client


def pdf_of(response, tmp_path, name: str, mimetype: str = "application/pdf"):
    assert response.status_code == 200, response.status_code
    assert response.mimetype == mimetype
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "private, no-store"  # it carries names and marks
    path = tmp_path / name
    path.write_bytes(response.data)
    return path


def start_job(client, kind: str):
    response = client.post(f"{PRINTS}/jobs/{kind}", headers=JSON)
    assert response.status_code == 202, response.status_code
    return response.get_json()


def test_every_sheet_of_an_event_prints_its_chinese_names_on_a4(org, tmp_path):
    pdfs.need_tools("pdftoppm", "pdftotext")
    s03_contestant()  # S03 has an ID number: the sign-in sheet shows it masked
    everyone = [f"选手{n}" for n in range(1, 5)] + ["亦庄开发区工会", "京东方工会", "北汽集团工会", "首钢集团工会"]
    wanted = {
        "score-sheets.pdf": [CONTEST, EVENT, "裁判长", *(f"裁判k{n}（k{n}）" for n in range(1, 7)), "选手1",
                             "理论考试", "满分 100"],
        "result-sheet.pdf": [CONTEST, f"{EVENT} 成绩表", f"裁判长签字：{CHIEF}", "一等奖", "81.96", *everyone],
        "sign-in.pdf": [CONTEST, "选手签到表", "1101**********0011", "共 4 人（队）", *everyone],
        "bibs.pdf": [CONTEST, EVENT, "S01", "S04", *everyone],
    }
    for name, words in wanted.items():
        pdf = pdf_of(org.get(f"{SHEETS}/{name}"), tmp_path, name)
        text = pdfs.text(pdf)
        for word in words:
            assert word in text, (name, word)
        pdfs.pages(pdf, f"prints-{pdf.stem}")
    assert "110105199003070011" not in pdfs.text(tmp_path / "sign-in.pdf")  # only masked
    # One page per panel judge; four bib cards, two to a page.
    assert pdfs.page_count(tmp_path / "score-sheets.pdf") == 6
    assert pdfs.page_count(tmp_path / "bibs.pdf") == 2
    # k1's sheet holds k1's marks as the judge gave them, in the order of the bibs.
    k1 = re.findall(r"^\s*(S0\d)\s+选手\d\s+(.*)$", pdfs.text(tmp_path / "score-sheets.pdf", page=1), re.M)
    assert [(bib, cells.split()) for bib, cells in k1] == [
        ("S01", ["82", "24", "2"]), ("S02", ["90", "20", "1"]), ("S03", ["70", "15", "1"]), ("S04", ["60", "10", "1"])]


def test_one_judges_score_sheet(org, tmp_path):
    pdfs.need_tools("pdftotext")
    k2 = judge_named("k2")
    pdf = pdf_of(org.get(f"{SHEETS}/score-sheets.pdf?judge={k2.id}"), tmp_path, "k2.pdf")
    text = pdfs.text(pdf)
    assert pdfs.page_count(pdf) == 1 and "裁判k2（k2）" in text and "裁判k1（k1）" not in text
    assert "理论考试" not in text  # k2 marks P1 and P2 only
    # Not on the panel (k9), or not a judge of this contest at all: no sheet.
    assert org.get(f"{SHEETS}/score-sheets.pdf?judge={judge_named('k9').id}").status_code == 404
    assert org.get(f"{SHEETS}/score-sheets.pdf?judge=999999").status_code == 404
    assert org.get(f"{PRINTS}/events/nope/score-sheets.pdf").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "print.score_sheets")) == 1


def test_the_result_sheet_has_the_boards_rows_in_rank_order(org, tmp_path, client):
    pdfs.need_tools("pdftotext")
    event = sample_event()
    rows = exports.event_rows(event)
    api = client.get(f"/api/v1/contests/{SLUG}/results").get_json()["events"][0]["rows"]
    keys = ("rank", "entry", "name", "delegation", "total", "award")
    assert [[r[k] for k in keys] for r in rows] == [[r[k] for k in keys] for r in api]
    assert [r["award"] for r in rows] == ["一等奖", "二等奖", "三等奖", None]  # the sheet has something to show
    codes = [c["code"] for c in results.columns(event)]
    expected = [[str(r["rank"]), r["entry"], r["name"], r["delegation"], *(r["sections"][c] for c in codes),
                 r["total"], *([r["award"]] if r["award"] else [])] for r in rows]
    text = pdfs.text(pdf_of(org.get(f"{SHEETS}/result-sheet.pdf"), tmp_path, "result-sheet.pdf"))
    printed = [line.split() for line in text.splitlines() if re.search(r"\bS0\d\b", line)]
    assert printed == expected
    assert "仅供核对" not in text  # signed off: a sheet to sign


def test_a_draft_result_sheet_says_so_on_every_page(app, tmp_path):
    """Before the chief judge's sign-off a result sheet is only to check, and every page says
    so (the prints page promises it), not only the first: page 2 gets read on its own."""
    pdfs.need_tools("pdftotext")
    many = [{"event": "iot", "bib": f"S{n:02d}", "name": f"选手{n}", "delegation": "京东方工会"} for n in range(5, 61)]
    import_sample(sample_contest(entries=sample_contest()["entries"] + many))
    organiser()
    client = isolated_client(app)
    login(client, "org1")
    pdf = pdf_of(client.get(f"{SHEETS}/result-sheet.pdf"), tmp_path, "draft.pdf")
    pages = pdfs.page_count(pdf)
    assert pages >= 2
    for page in range(1, pages + 1):
        assert "仅供核对" in pdfs.text(pdf, page=page), page
    pdfs.pages(pdf, "prints-result-sheet-draft")


def test_judge_cards_carry_a_qr_code_that_logs_each_judge_in_once(org, app, tmp_path):
    pdfs.need_tools("pdftoppm", "pdftotext", "zbarimg")
    assert org.post(f"{PRINTS}/judge-cards.pdf", data={"hours": "0"}).status_code == 302  # 1 to 72 hours
    pdf = pdf_of(org.post(f"{PRINTS}/judge-cards.pdf", data={"hours": "8"}), tmp_path, "judge-cards.pdf")
    text = pdfs.text(pdf)
    for word in (CONTEST, "裁判登录卡", CHIEF, "裁判k6", "其他赛项裁判", f"{EVENT}（裁判"):
        assert word in text, word
    pdfs.pages(pdf, "prints-judge-cards")
    urls = [url for png in pdfs.pages(pdf, "prints-judge-cards-150", dpi=150) for url in pdfs.qr_codes(png)]
    tokens = [re.fullmatch(r"http://localhost/login/link/([A-Za-z0-9_-]{20,})", url) for url in urls]
    assert all(tokens), urls
    holders = sorted(judges.find_link(t.group(1)).user.username for t in tokens)
    assert holders == ["k1", "k2", "k3", "k4", "k5", "k6", "k9"]  # every judge, one card each

    # Scanned on k1's tablet: a page to confirm (a prefetch spends nothing), then logged in, once.
    k1_url = next(url for url, t in zip(urls, tokens) if judges.find_link(t.group(1)).user.username == "k1")
    path = k1_url.removeprefix("http://localhost")
    tablet = isolated_client(app)
    confirm = tablet.get(path)
    assert confirm.status_code == 200 and CHIEF in confirm.get_data(as_text=True)
    assert tablet.get(path).status_code == 200  # still usable
    logged_in = tablet.post(path)
    assert logged_in.status_code == 302 and logged_in.location == url_for("judging.home", _external=False)
    with tablet.session_transaction() as session:
        assert session["_user_id"] == judge_named("k1").user.get_id()
    assert isolated_client(app).post(path).status_code == 410  # used


def test_the_results_book_is_one_pdf_with_the_ledger_head_and_every_part(org, tmp_path):
    pdfs.need_tools("pdftoppm", "pdftotext")
    job = start_job(org, "results_book")
    assert job["status"] == "done" and job["done"] == job["total"] == 4 and job["percent"] == 100
    response = org.get(job["file"])
    pdf = pdf_of(response, tmp_path, "results-book.pdf")
    assert response.headers["Content-Disposition"].endswith(f"{SLUG}-results-book.pdf")
    text = pdfs.text(pdf)
    _seq, head = ledger.head(contest_by_slug(SLUG))
    for word in (CONTEST, "成 绩 册", "示例区总工会", f"{EVENT} 成绩表", "代表队总成绩", "选手1", "亦庄开发区工会",
                 f"裁判长签字：{CHIEF}", "一等奖", head):
        assert word in text, word
    # The parts' page numbers run on through the book.
    assert pdfs.page_count(pdf) == 3
    assert [f"第{n}页" in re.sub(r"\s", "", pdfs.text(pdf, page=n)) for n in (1, 2, 3)] == [True] * 3
    pdfs.pages(pdf, "prints-results-book")
    download = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "print.download"))
    assert download.user.username == "org1" and download.data == {"kind": "results_book", "job": job["id"]}


def test_every_certificate_in_the_zip_has_its_own_verify_qr_code(org, tmp_path):
    pdfs.need_tools("pdftoppm", "pdftotext", "zbarimg")
    job = start_job(org, "certificates_zip")
    assert job["status"] == "done" and job["done"] == job["total"] == 3
    archive = zipfile.ZipFile(io.BytesIO(pdf_of(org.get(job["file"]), tmp_path, "c.zip", "application/zip")
                                         .read_bytes()))
    issued = list(db.session.scalars(select(Certificate).order_by(Certificate.rank)))
    assert archive.namelist() == [f"iot-{EVENT}/{c.number}-{c.name}.pdf" for c in issued]
    for certificate in issued:
        pdf = tmp_path / f"{certificate.number}.pdf"
        pdf.write_bytes(archive.read(f"iot-{EVENT}/{certificate.number}-{certificate.name}.pdf"))
        text = pdfs.text(pdf)
        for word in (CONTEST, certificate.name, certificate.entry.delegation.name, certificate.award, EVENT,
                     certificate.number):
            assert word in text, (certificate.number, word)
        pdfs.pages(pdf, f"prints-certificate-{certificate.rank}", landscape=True)
        [png] = pdfs.pages(pdf, f"prints-certificate-{certificate.rank}-150", dpi=150, landscape=True)
        assert pdfs.qr_codes(png) == [f"http://localhost/verify/{certificate.number}"]
        assert org.get(f"/verify/{certificate.number}").status_code == 200


def _urls(app, job_ids: dict) -> list[tuple[str, str, str]]:
    """Every prints URL of the URL map, as (endpoint, method, URL): a new route is covered the
    day it is written."""
    out = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("printing."):
                continue
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                values = {"slug": SLUG, "code": "iot"}
                kinds = job_ids if {"kind", "job_id"} & rule.arguments else {None: None}
                for kind, job_id in kinds.items():
                    values.update(kind=kind, job_id=job_id)
                    url = url_for(rule.endpoint, **{k: v for k, v in values.items() if k in rule.arguments})
                    out.append((rule.endpoint, method, url))
    return out


def test_who_may_print_what(org, app):
    sup = supervisor()
    done = {kind: start_job(org, kind)["id"] for kind in ("results_book", "certificates_zip")}
    urls = _urls(app, done)
    assert {endpoint for endpoint, _m, _u in urls} == {
        "printing.prints", "printing.score_sheets", "printing.result_sheet", "printing.sign_in", "printing.bibs",
        "printing.judge_cards", "printing.job_start", "printing.job_state", "printing.job_file"}

    def call(client, method, url):
        return client.open(url, method=method, data={"hours": "8"} if method == "POST" else None, headers=JSON)

    make_user("org9", organisation=Organisation(name="别的工会"))
    for who in ("org9", "k2"):  # another organisation's organiser; a judge of this contest
        client = isolated_client(app)
        login(client, who)
        for endpoint, method, url in urls:
            assert call(client, method, url).status_code == 404, (who, method, url)
    anonymous = isolated_client(app)
    for endpoint, method, url in urls:
        response = call(anonymous, method, url)
        assert response.status_code == 302 and "/login" in response.location, (method, url)

    # The supervisors: the results, read-only; not the day's prints, nor the certificates.
    client = isolated_client(app)
    login(client, sup.username)
    page = client.get(PRINTS)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "result-sheet.pdf" in html and 'id="job-results_book"' in html
    assert "sign-in.pdf" not in html and "judge-cards.pdf" not in html and "job-certificates_zip" not in html
    for path in ("result-sheet.pdf", "score-sheets.pdf"):
        assert client.get(f"{SHEETS}/{path}").mimetype == "application/pdf", path
    job = start_job(client, "results_book")
    assert job["status"] == "done" and client.get(job["file"]).mimetype == "application/pdf"
    assert client.get(f"{PRINTS}/jobs/{done['results_book']}").status_code == 200
    refused = [("GET", f"{SHEETS}/sign-in.pdf"), ("GET", f"{SHEETS}/bibs.pdf"),
               ("POST", f"{PRINTS}/judge-cards.pdf"), ("POST", f"{PRINTS}/jobs/certificates_zip"),
               ("GET", f"{PRINTS}/jobs/{done['certificates_zip']}"),
               ("GET", f"{PRINTS}/jobs/{done['certificates_zip']}/file")]
    for method, url in refused:
        assert call(client, method, url).status_code == 404, (method, url)
    assert db.session.scalar(select(func.count()).select_from(PrintJob)
                             .where(PrintJob.kind == "certificates_zip")) == 1


def test_no_certificates_zip_before_the_results_are_published(app):
    announced_contest()
    client = isolated_client(app)
    login(client, "org1")
    job = start_job(client, "certificates_zip")
    with app.test_request_context("/"):  # what the job says, in the language it ran in
        says = message("no_certificates")
    assert job["status"] == "failed" and job["error"] == says and "file" not in job
    assert client.get(f"{PRINTS}/jobs/{job['id']}/file").status_code == 404
    page = client.post(f"{PRINTS}/jobs/certificates_zip", follow_redirects=True).get_data(as_text=True)
    assert says in page  # flashed to a browser without JSON


def test_a_job_under_way_is_joined_a_dead_one_restarted_an_old_file_dropped(org, app):
    contest = contest_by_slug(SLUG)
    running = PrintJob(contest_id=contest.id, kind="results_book", status="running", done=1, total=4,
                       heartbeat_at=utcnow())
    db.session.add(running)
    db.session.commit()
    again = start_job(org, "results_book")
    assert (again["id"], again["status"], again["done"], again["percent"]) == (running.id, "running", 1, 25)
    assert db.session.scalar(select(func.count()).select_from(PrintJob)) == 1
    page = org.get(PRINTS).get_data(as_text=True)
    assert 'data-job-status="running"' in page and f"/prints/jobs/{running.id}" in page

    # Its process stopped reporting ten minutes ago: it has died, and a new POST starts afresh.
    running.heartbeat_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    dead = org.get(f"{PRINTS}/jobs/{running.id}").get_json()
    assert dead["status"] == "failed" and dead["error"]
    first = start_job(org, "results_book")
    assert first["id"] != running.id and first["status"] == "done"
    assert org.get(first["file"]).status_code == 200

    # A newer book supersedes it: only the latest file is kept.
    second = start_job(org, "results_book")
    assert second["id"] > first["id"] and second["status"] == "done"
    assert org.get(first["file"]).status_code == 404
    assert org.get(second["file"]).status_code == 200
    downloads = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "print.download")
                                   .order_by(AuditEntry.id)).all()
    assert [d.data["job"] for d in downloads] == [first["id"], second["id"]]  # the refused one is not
    assert all(d.user.username == "org1" and d.contest_id == contest.id for d in downloads)
    assert org.post(f"{PRINTS}/jobs/nonsense", headers=JSON).status_code == 404
