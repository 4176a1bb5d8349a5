"""Registration, review and import on SQLite and PostgreSQL: row locks, the unique constraints
and the one-transaction import behave the same on both."""
import csv
import io

import pytest
from sqlalchemy import select

from competition.entries.models import Contestant, Entry
from competition.extensions import db

from ..helpers import login
from ..factory import form_data, make_contest, make_organiser, resident_id


@pytest.fixture
def app_config(tmp_path):
    return {"IMPORT_FOLDER": str(tmp_path / "imports")}


def test_register_review_import_on_every_database(any_db_app):
    client = any_db_app.test_client()
    make_contest(capacity=2)
    assert client.post("/c/reg-2026/register", data=form_data(n=1)).status_code == 302
    assert client.post("/c/reg-2026/register", data=form_data(n=1)).status_code == 422  # duplicate
    assert client.post("/c/reg-2026/register", data=form_data(n=1, events=["iiot"])).status_code == 302
    assert client.post("/c/reg-2026/register", data=form_data(n=2)).status_code == 302
    assert client.post("/c/reg-2026/register", data=form_data(n=3)).status_code == 422  # full
    assert db.session.query(Contestant).count() == 2 and db.session.query(Entry).count() == 3

    make_organiser("org1")
    login(client, "org1")
    first = db.session.scalar(select(Entry).order_by(Entry.id))
    client.post(f"/o/c/reg-2026/entries/{first.id}/reject", data={"reason": "材料不全"})
    assert db.session.get(Entry, first.id).status == "rejected"

    out = io.StringIO()
    rows = [[f"导入{n}", resident_id(n), f"139{n:08d}", "新单位工会", "iiot"] for n in range(10, 40)]
    csv.writer(out).writerows([["姓名", "身份证号", "手机号", "单位", "赛项"], *rows])
    upload = {"file": (io.BytesIO(out.getvalue().encode("gb18030")), "l.csv")}
    response = client.post("/o/c/reg-2026/entries/import", data=upload, content_type="multipart/form-data")
    url = response.headers["Location"]
    client.post(url, data={"map_0": "name", "map_1": "id_number", "map_2": "mobile", "map_3": "delegation",
                           "map_4": "event"})
    assert db.session.query(Entry).filter_by(status="approved").count() == 30
    assert db.session.query(Contestant).count() == 32
