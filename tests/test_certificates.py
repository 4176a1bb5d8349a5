"""Certificates (DESIGN.md §2, §4): one per award, issued when the results are published,
verifiable by anyone at /verify/<number> and through the API; revoked with a reason, never
deleted; publishing again after a withdrawal reissues only what changed."""
from datetime import timedelta

from sqlalchemy import select

from competition.certificates.models import Certificate
from competition.contests import services as contests
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.extensions import db
from competition.ledger.services import verify

from .browser.conftest import ARTIFACTS
from .factory import S03_ID, announced_contest, organiser, published, s03_contestant
from .helpers import isolated_client, login

SLUG = "sample-2026"


def test_publication_issues_one_certificate_per_award_that_anyone_can_verify(app, client):
    announced_contest()
    assert db.session.scalar(select(Certificate.id)) is None  # nothing before the results are official
    contest = contest_by_slug(SLUG)
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")
    certificates = {c.entry.bib: c for c in db.session.scalars(select(Certificate))}
    assert {bib: c.award for bib, c in certificates.items()} == {"S01": "一等奖", "S02": "二等奖", "S03": "三等奖"}
    first = certificates["S01"]
    body = client.get(f"/api/v1/certificates/{first.number}").get_json()
    assert body == {"number": first.number, "contest": "示例职工数字技能竞赛", "event": "工业互联网运维员",
                    "name": "选手1", "delegation": "亦庄开发区工会", "award": "一等奖", "rank": 1, "total": "81.96",
                    "status": "valid", "issued_at": body["issued_at"]}
    assert body["issued_at"].endswith("+08:00")
    page = client.get(f"/verify/{first.number.lower()}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Valid" in page.get_data(as_text=True)
    for unknown in ("GJ2026-AAAAAAAAAA", "not-a-number", "x" * 300):
        assert client.get(f"/api/v1/certificates/{unknown}").get_json()["error"]["code"] == "not_found"
        assert client.get(f"/verify/{unknown}").status_code == 404
    assert verify(contest_by_slug(SLUG)).ok  # issues are ledgered


def test_a_revoked_certificate_says_so_and_republication_reissues_only_what_changed(app, client):
    published()
    s01 = db.session.scalar(select(Certificate).join(Certificate.entry).where(Certificate.award == "一等奖"))
    org = isolated_client(app)
    org.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(org, "org1")
    page = org.get(f"/o/c/{SLUG}/certificates").get_data(as_text=True)
    assert s01.number in page
    missing = org.post(f"/o/c/{SLUG}/certificates/{s01.number}/revoke", data={"reason": ""}, follow_redirects=True)
    assert "Say why the certificate is revoked" in missing.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Certificate, s01.id).status == "valid"
    org.post(f"/o/c/{SLUG}/certificates/{s01.number}/revoke", data={"reason": "证书信息有误"})
    db.session.expire_all()
    body = client.get(f"/api/v1/certificates/{s01.number}").get_json()
    assert body["status"] == "revoked" and body["revoked_at"].endswith("+08:00")
    page = client.get(f"/verify/{s01.number}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "revoked" in page and "证书信息有误" in page
    # Withdraw and publish again: the revoked one is reissued, the others are kept.
    kept = {c.number for c in db.session.scalars(select(Certificate).where(Certificate.status == "valid"))}
    contests.change_status(organiser(), contest_by_slug(SLUG), "finished", reason="核对名单")
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")
    valid = list(db.session.scalars(select(Certificate).where(Certificate.status == "valid")))
    assert len(valid) == 3 and kept <= {c.number for c in valid}
    assert db.session.scalar(select(Certificate).where(Certificate.number == s01.number)).status == "revoked"
    assert verify(contest_by_slug(SLUG)).ok


def test_another_organisation_cannot_see_or_revoke_certificates(app):
    from competition.accounts.models import Organisation
    from .factory import make_user
    published()
    number = db.session.scalar(select(Certificate.number))
    make_user("org9", organisation=Organisation(name="别的工会"))
    db.session.commit()
    other = isolated_client(app)
    login(other, "org9")
    assert other.get(f"/o/c/{SLUG}/certificates").status_code == 404
    assert other.post(f"/o/c/{SLUG}/certificates/{number}/revoke", data={"reason": "x"}).status_code == 404
    assert db.session.scalar(select(Certificate.status).where(Certificate.number == number)) == "valid"


def test_the_certificate_pdf_has_real_chinese_text_and_a_qr_code_of_its_verify_url(app, tmp_path):
    import subprocess
    published()
    certificate = db.session.scalar(select(Certificate).where(Certificate.award == "一等奖"))
    app.config["PUBLIC_URL"] = "https://jingsai.example.cn"
    org = isolated_client(app)
    login(org, "org1")
    response = org.get(f"/o/c/{SLUG}/certificates/{certificate.number}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = tmp_path / "certificate.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for wanted in ("荣誉证书", "选手1", "亦庄开发区工会", "工业互联网运维员", "一等奖", "81.96", "示例区总工会",
                   certificate.number):
        assert wanted in text, wanted
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(pdf), str(tmp_path / "page")], check=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "certificate-pdf.png").write_bytes((tmp_path / "page.png").read_bytes())
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", str(tmp_path / "page.png")], capture_output=True,
                             text=True, check=True).stdout.strip()
    assert decoded == f"https://jingsai.example.cn/verify/{certificate.number}"
    # The contestant downloads their own, in the browser that looked their results up; nobody else.
    assert isolated_client(app).get(f"/c/{SLUG}/certificates/{certificate.number}.pdf").status_code == 404
    s03_contestant()
    own = db.session.scalar(select(Certificate).where(Certificate.award == "三等奖"))
    person = isolated_client(app)
    page = person.post(f"/c/{SLUG}/register/status", data={"reference": "GJ-S03ABC", "id_last4": S03_ID[-4:]})
    assert own.number in page.get_data(as_text=True)
    assert person.get(f"/c/{SLUG}/certificates/{own.number}.pdf").mimetype == "application/pdf"
    assert person.get(f"/c/{SLUG}/certificates/{certificate.number}.pdf").status_code == 404  # not theirs
