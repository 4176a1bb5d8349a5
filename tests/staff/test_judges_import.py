"""Whose accounts an organiser seats as judges (their own organisation's, or new ones; anybody
for an administrator), the judges' list imported from XLSX or a GBK CSV (checked whole, nothing
imported on any problem), and the address phones use, shown where QR codes are made."""
import io
import re

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from competition.accounts.services import find_user
from competition.audit.models import AuditEntry
from competition.contests.models import contest_by_slug, event_by_code
from competition.extensions import db
from competition.judges import importing
from competition.judges.models import Judge, PanelSeat

from ..factory import PASSWORD, SLUG, make_contest, make_user
from ..helpers import english, isolated_client, login

NOT_OURS = "No account of your organisation has this username."
GENERATED = re.compile(r"j[23456789abcdefghjkmnpqrstuvwxyz]{6}")
HEADER = ["姓名", "手机", "单位", "赛项", "是否主裁"]


@pytest.fixture
def app_config(tmp_path):
    return {"IMPORT_FOLDER": str(tmp_path / "imports")}


def judges_count() -> int:
    return db.session.scalar(select(func.count(Judge.id)).where(Judge.contest_id == contest_by_slug(SLUG).id))


def judge_of_spring(username: str, name: str):
    """An account judging in another contest of the staff contest's organisation."""
    spring = contest_by_slug("spring-2026") or make_contest(
        "spring-2026", organisation=contest_by_slug(SLUG).organisation.name)
    user = make_user(username, name=name)
    db.session.add(Judge(contest_id=spring.id, user_id=user.id))
    db.session.commit()
    return user


def add(client, username, name=""):
    return client.post(f"/o/c/{SLUG}/judges", data={"username": username, "name": name, "delegation": "0"})


# --- whose accounts -------------------------------------------------------------------------------

@pytest.mark.parametrize("username, secret", [
    ("admin", "平台管理员"),      # an administrator
    ("org2", "别家组织者"),       # another organisation's organiser
    ("xk2", "其他工会"),          # a judge of another organisation's contest (its name is k2's here)
    ("gone", "停用的外单位裁判"),  # another organisation's judge, disabled: not even that is said
])
def test_accounts_of_others_are_refused_without_saying_whose(organiser, username, secret):
    make_user("admin", name="平台管理员", is_admin=True)
    gone = judge_of_spring("gone", "停用的外单位裁判")
    db.session.execute(Judge.__table__.update().where(Judge.user_id == gone.id)
                       .values(contest_id=contest_by_slug("other-2026").id))
    gone.is_active_account = False
    db.session.commit()
    before = judges_count()
    response = add(organiser, username.upper(), "随便")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    error = re.search(r'id="username-error"[^>]*>([^<]*)<', html)
    assert error and error.group(1).strip() == NOT_OURS
    assert secret not in html and "其他工会" not in html and "disabled" not in html
    assert f'value="{username.upper()}"' in html  # what was typed stays
    assert judges_count() == before
    assert SLUG not in {j.contest.slug for j in find_user(username).judge_roles}


def test_a_judge_of_another_contest_of_the_organisation_is_seated_and_offered(organiser):
    judge_of_spring("alice", "爱丽丝")
    make_user("admin", name="平台管理员", is_admin=True)
    page = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    picker = re.search(r'<datalist id="judge-accounts">(.*?)</datalist>', page, re.S).group(1)
    assert 'value="alice"' in picker and "爱丽丝" in picker
    for other in ("admin", "org2", "xk1", "xk2", "k1", "org1"):
        assert f'value="{other}"' not in picker
    assert 'list="judge-accounts"' in page
    response = add(organiser, "alice")
    assert response.status_code == 302
    assert judges_count() == 8 and find_user("alice").judge_roles[-1].contest.slug == SLUG
    assert 'value="alice"' not in organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True).split(
        '<datalist id="judge-accounts">')[1].split("</datalist>")[0]


def test_a_judge_taken_off_by_mistake_can_be_seated_again(organiser):
    k9 = db.session.scalar(select(Judge).join(Judge.user).where(Judge.contest_id == contest_by_slug(SLUG).id)
                           .filter_by(username="k9"))
    assert organiser.post(f"/o/c/{SLUG}/judges/{k9.id}/remove").status_code == 302
    assert find_user("k9").judge_roles == []
    assert add(organiser, "k9").status_code == 302
    # …but not an account that never judged here (made by an administrator, say).
    make_user("stray", name="无主账号")
    assert add(organiser, "stray").status_code == 422


def test_an_administrator_seats_anybody(app, contest):
    make_user("admin", name="平台管理员", is_admin=True)
    admin = english(isolated_client(app))
    login(admin, "admin")
    assert add(admin, "xk1").status_code == 302
    assert {j.contest.slug for j in find_user("xk1").judge_roles} == {SLUG, "other-2026"}


# --- the import -----------------------------------------------------------------------------------

def rows_of_20():
    events = ["iot", "人工智能训练师", "ai、iot", "iot，ai", "ai;iot", "ai iot", ""]
    rows = []
    for i in range(20):
        phone = f"139{i:08d}"
        if i % 5 == 0:  # typed with a Chinese IME
            phone = phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        rows.append([f"导入裁判{i:02d}", phone, "裁判委员会" if i % 2 else "北汽集团工会", events[i % 7],
                     "是" if i in (0, 1) else ("否" if i % 3 else "")])
    return rows


def xlsx(header, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def gbk_csv(header, rows) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{c}"' for c in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("gbk")


def upload(client, content: bytes, filename: str):
    response = client.post(f"/o/c/{SLUG}/judges/import", data={"file": (io.BytesIO(content), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.mark.parametrize("kind", ["xlsx", "gbk-csv"])
def test_twenty_judges_are_imported_from_a_spreadsheet(organiser, kind):
    content = xlsx(HEADER, rows_of_20()) if kind == "xlsx" else gbk_csv(HEADER, rows_of_20())
    preview = upload(organiser, content, "裁判名单." + ("xlsx" if kind == "xlsx" else "csv"))
    page = organiser.get(preview).get_data(as_text=True)
    assert "All 20 rows are correct." in page and "导入裁判07" in page
    assert "139****0005" in page  # the full-width phone, read and masked
    before = judges_count()
    response = organiser.post(preview)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/o/c/{SLUG}/judges")
    db.session.expire_all()
    assert judges_count() == before + 20
    contest = contest_by_slug(SLUG)
    new = {j.user.name: j for j in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id))
           if j.user.name.startswith("导入裁判")}
    assert len(new) == 20
    for judge in new.values():
        assert GENERATED.fullmatch(judge.user.username) and judge.user.password_hash is None
    assert new["导入裁判01"].delegation.name == "裁判委员会" and new["导入裁判00"].delegation.name == "北汽集团工会"
    assert new["导入裁判05"].user.phone == "13900000005"  # kept, as 11 digits, for the organiser to call
    seats = {(s.judge.user.name, s.event.code): s.is_chief for s in db.session.scalars(
        select(PanelSeat).where(PanelSeat.judge_id.in_([j.id for j in new.values()])))}
    assert seats[("导入裁判00", "iot")] is True and ("导入裁判00", "ai") not in seats
    assert seats[("导入裁判01", "ai")] is True           # 人工智能训练师, by name
    for i in (2, 3, 4, 5):                                # 、 ， ; and a space between codes
        assert seats[(f"导入裁判{i:02d}", "ai")] is False and seats[(f"导入裁判{i:02d}", "iot")] is False
    assert not any(name == "导入裁判06" for name, _code in seats)
    # New seats come after the panel already there: k1…k6 keep their places.
    iot = [s.judge.user.username for s in sorted(event_by_code(contest, "iot").panel, key=lambda s: s.position)]
    assert iot[:6] == ["k1", "k2", "k3", "k4", "k5", "k6"] and len(iot) == 6 + 15
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "judges.import"))
    assert entry.data["rows"] == 20 and len(entry.data["created"]) == 20 and entry.user.username == "org1"
    judges_page = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    assert "导入裁判19" in judges_page and "139****0005" in judges_page and "13900000005" not in judges_page


def test_existing_accounts_named_in_the_file_must_be_the_organisations(organiser):
    judge_of_spring("alice", "爱丽丝")
    header = HEADER + ["用户名"]
    rows = [["爱丽丝", "13900000001", "", "iot", "否", "ALICE"],
            ["新人", "13900000002", "", "ai", "1", "newbie.one"]]
    preview = upload(organiser, gbk_csv(header, rows), "judges.csv")
    page = organiser.get(preview).get_data(as_text=True)
    assert "(existing account)" in page and "(new account)" in page
    assert organiser.post(preview).status_code == 302
    assert {j.contest.slug for j in find_user("alice").judge_roles} == {"spring-2026", SLUG}
    newbie = find_user("newbie.one")
    assert newbie.name == "新人" and newbie.password_hash is None


def test_a_file_with_two_bad_rows_imports_nothing_and_says_where(organiser):
    make_user("admin", name="平台管理员", is_admin=True)
    header = HEADER + ["用户名"]
    rows = [[f"裁判{i}", f"1390000000{i}", "裁判委员会", "iot", "否", ""] for i in range(6)]
    rows[1][1] = "1390000001"             # row 3: ten digits
    rows[3][5] = "org2"                   # row 5: another organisation's organiser
    preview = upload(organiser, xlsx(header, rows), "judges.xlsx")
    before, audits = judges_count(), db.session.scalar(select(func.count(AuditEntry.id)))
    for response in (organiser.get(preview), organiser.post(preview)):
        html = response.get_data(as_text=True)
        assert response.status_code == (200 if response.request.method == "GET" else 422)
        assert "2 problems: nothing has been imported." in html
        assert 'data-problem-row="3" data-problem-column="phone"' in html
        assert 'data-problem-row="5" data-problem-column="username"' in html
        assert "Enter an 11-digit mainland mobile number" in html and NOT_OURS in html
        assert "别家组织者" not in html and "其他工会" not in html
        assert "Import 6 judges" not in html
    db.session.expire_all()
    assert judges_count() == before and db.session.scalar(select(func.count(AuditEntry.id))) == audits
    assert not any(find_user(u) for u in ("裁判0",)) and find_user("org2").judge_roles == []


def test_more_row_problems_are_named(organiser):
    header = HEADER + ["用户名"]
    rows = [["", "", "", "iot", "否", ""],                        # 2: no name
            ["甲", "", "", "焊接", "否", ""],                      # 3: unknown event
            ["乙", "", "", "", "是", ""],                          # 4: chief of nothing
            ["丙", "", "", "iot", "也许", ""],                     # 5: chief neither yes nor no
            ["丁", "", "", "iot", "否", "k2"],                     # 6: already a judge here
            ["戊", "", "", "iot", "否", "has space"],              # 7: no username
            ["己", "", "", "iot", "否", "dup"],
            ["庚", "", "", "iot", "否", "DUP"]]                    # 9: the same username as row 8
    preview = upload(organiser, gbk_csv(header, rows), "judges.csv")
    html = organiser.get(preview).get_data(as_text=True)
    for row, column in ((2, "name"), (3, "events"), (4, "chief"), (5, "chief"), (6, "username"), (7, "username"),
                        (9, "username")):
        assert f'data-problem-row="{row}" data-problem-column="{column}"' in html, (row, column)
    assert 'data-problem-row="8"' not in html
    assert "k2 is already a judge of this contest." in html and "The same username is already in row 8." in html


def test_unreadable_files_and_missing_columns(organiser):
    response = organiser.post(f"/o/c/{SLUG}/judges/import", data={"file": (io.BytesIO(b"PK\x03\x04junk"), "a.xlsx")},
                              content_type="multipart/form-data")
    assert response.status_code == 422 and "This is not a readable XLSX or CSV file." in response.get_data(as_text=True)
    preview = upload(organiser, gbk_csv(["手机", "赛项"], [["13900000000", "iot"]]), "judges.csv")
    html = organiser.get(preview).get_data(as_text=True)
    assert 'data-problem-row="1" data-problem-column="name"' in html
    # The organiser says which column holds the name (here, wrongly, the phones'): checked again.
    html = organiser.get(preview + "?map_0=name&map_1=events").get_data(as_text=True)
    assert "1 row is correct." in html and 'name="map_0" value="name"' in html


def test_a_preview_is_its_organisers_only(app, organiser):
    preview = upload(organiser, gbk_csv(HEADER, rows_of_20()), "judges.csv")
    make_user("org1b", organisation=contest_by_slug(SLUG).organisation)
    colleague = isolated_client(app)
    login(colleague, "org1b")
    assert colleague.get(preview).status_code == 404 and colleague.post(preview).status_code == 404
    # Nor is a judges' list an entrant list: its token opens no entrant preview.
    token = preview.rsplit("/", 1)[1]
    assert organiser.get(f"/o/c/{SLUG}/entries/import/{token}").status_code == 404
    assert organiser.get(preview).status_code == 200


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_template_has_the_header_row(organiser, fmt):
    response = organiser.get(f"/o/c/{SLUG}/judges/import/template.{fmt}")
    assert response.status_code == 200
    if fmt == "xlsx":
        header = [c.value for c in next(load_workbook(io.BytesIO(response.data)).active.iter_rows())]
    else:
        header = response.data.decode("utf-8-sig").strip().split(",")
    assert header == ["姓名", "手机", "单位", "赛项", "是否主裁", "用户名"]
    assert importing.judge_headers(header) == list(importing.FIELDS)


def test_the_rules_alone():
    context = importing.JudgeImportContext(events={"ai": "人工智能 训练师", "iot": "工业互联网运维员"})
    table = [["裁判姓名", "手机号码", "赛项", "主裁"],
             ["甲", "+86 139-0000-0000", "人工智能 训练师", "yes"],   # a name with a space is one event
             ["乙", "", "ai；IOT", "0"]]
    checked = importing.check_rows(table, importing.judge_headers(table[0]), context)
    assert checked.is_clean, checked.problems
    assert [(r.phone, r.events, r.is_chief) for r in checked.rows] == [("13900000000", ("ai",), True),
                                                                      ("", ("ai", "iot"), False)]
    empty = importing.check_rows([["姓名"], [""]], ["name"], context)
    assert [p.code for p in empty.problems] == ["no_judge_rows"]


# --- the address phones use ------------------------------------------------------------------------

def client_at(app, username, base):
    """A client logged in at `base` (the address the browser opened)."""
    client = english(isolated_client(app))
    assert client.post("/login", data={"username": username, "password": PASSWORD}, base_url=base).status_code == 302
    return client


@pytest.mark.parametrize("base", ["http://localhost", "http://127.0.0.1:5000"])
def test_a_loopback_address_is_warned_about(app, contest, base):
    app.config["PUBLIC_URL"] = None
    app.config["SERVER_NAME"] = None
    organiser = client_at(app, "org1", base)
    html = organiser.get(f"/o/c/{SLUG}/judges", base_url=base).get_data(as_text=True)
    assert "data-loopback-warning" in html
    assert f'data-public-address>{base}<' in html
    assert "HOST=0.0.0.0" in html and "/admin/settings" not in html  # an organiser asks the administrator
    live = organiser.get(f"/o/c/{SLUG}/live", base_url=base).get_data(as_text=True)
    assert "data-loopback-warning" in live
    judge = db.session.scalar(select(Judge).join(Judge.user).where(Judge.contest_id == contest.id)
                              .filter_by(username="k2"))
    link = organiser.post(f"/o/c/{SLUG}/judges/{judge.id}/link", data={"hours": "2"}, base_url=base)
    assert "data-loopback-warning" in link.get_data(as_text=True)
    make_user("admin", name="平台管理员", is_admin=True)
    admin = client_at(app, "admin", base)
    html = admin.get(f"/o/c/{SLUG}/judges", base_url=base).get_data(as_text=True)
    assert "data-loopback-warning" in html and 'href="/admin/settings"' in html


def test_a_lan_address_is_shown_without_a_warning(app, organiser, contest):
    app.config["PUBLIC_URL"] = "http://192.168.1.20:5000"
    html = organiser.get(f"/o/c/{SLUG}/judges").get_data(as_text=True)
    assert "data-public-address>http://192.168.1.20:5000<" in html and "data-loopback-warning" not in html
    judge = db.session.scalar(select(Judge).join(Judge.user).where(Judge.contest_id == contest.id)
                              .filter_by(username="k2"))
    link = organiser.post(f"/o/c/{SLUG}/judges/{judge.id}/link", data={"hours": "2"}).get_data(as_text=True)
    assert "http://192.168.1.20:5000/login/link/" in link and "data-loopback-warning" not in link
    assert "data-loopback-warning" not in organiser.get(f"/o/c/{SLUG}/live").get_data(as_text=True)
