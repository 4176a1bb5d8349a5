"""Resident ID numbers sealed at rest (competition/sealing.py): the database holds no number in
the clear, a person is still found again (duplicates refused, status lookup, the organisers'
search by the last four characters), and the keys rotate without losing anyone."""
import pytest
from sqlalchemy import select, text

from competition.entries.models import Contestant
from competition.extensions import db
from competition.sealing import UnreadableIdNumber, blind_index

from .factory import form_data, has_id_number, make_contest, make_organiser, resident_id
from .helpers import login

KEY_A = "Tuvl1SkbY3Y2yWq3qXW8ntKn4TT4m8a0lQmpr1BB0Hk="
KEY_B = "m7l3S0Uv6PD4VWpN0mH7Y8HfhTP6ZrZ8b1m5n8aC2cQ="


@pytest.fixture
def app_config():
    return {"ID_NUMBER_KEYS": (KEY_A,), "ID_INDEX_KEY": "i" * 64}


def stored(column: str) -> list:
    return [row[0] for row in db.session.execute(text(f"SELECT {column} FROM contestant ORDER BY id"))]


def register(client, n: int, **changes):
    return client.post("/c/reg-2026/register", data=form_data(n=n, **changes))


def test_the_database_holds_no_id_number_in_the_clear(app, client):
    make_contest()
    for n in (1, 2):
        assert register(client, n).status_code == 302
    raw = stored("id_number")
    assert all(resident_id(n) not in value for n in (1, 2) for value in raw)
    assert all(value.startswith("gAAAA") for value in raw)  # Fernet tokens
    assert stored("id_tail") == [resident_id(1)[-4:], resident_id(2)[-4:]]
    assert stored("id_index") == [blind_index("resident_id", resident_id(n)) for n in (1, 2)]
    person = db.session.scalar(select(Contestant).where(has_id_number(resident_id(2))))
    assert person.id_number == resident_id(2)  # read back open


def test_the_same_person_is_still_refused_twice(app, client):
    make_contest()
    assert register(client, 1).status_code == 302
    again = register(client, 1)
    assert again.status_code in (409, 422) and len(stored("id")) == 1


def test_status_lookup_and_search_by_the_last_four(app, client):
    make_contest()
    assert register(client, 1).status_code == 302
    person = db.session.scalar(select(Contestant))
    found = client.post("/c/reg-2026/register/status", data={"reference": person.reference,
                                                              "id_last4": resident_id(1)[-4:]})
    assert found.status_code == 200
    make_organiser("org1")
    login(client, "org1")
    for q in (resident_id(1)[-4:], resident_id(1)):
        html = client.get("/o/c/reg-2026/entries", query_string={"q": q}).get_data(as_text=True)
        assert person.name in html, q
    assert person.name not in client.get("/o/c/reg-2026/entries", query_string={"q": "0000"}).get_data(as_text=True)


def test_a_new_key_reseals_everyone_and_the_old_one_can_go(app, client):
    make_contest()
    for n in (1, 2, 3):
        assert register(client, n).status_code == 302
    before = stored("id_number")
    app.config["ID_NUMBER_KEYS"] = (KEY_B, KEY_A)  # the new key first; the old one still opens
    db.session.expire_all()
    assert db.session.scalar(select(Contestant).where(has_id_number(resident_id(3)))).id_number == resident_id(3)
    result = app.test_cli_runner().invoke(args=["id-numbers-reseal"])
    assert result.exit_code == 0 and "resealed 3 ID number(s)" in result.output
    after = stored("id_number")
    assert all(a != b for a, b in zip(before, after))
    app.config["ID_NUMBER_KEYS"] = (KEY_B,)
    db.session.expire_all()
    assert [p.id_number for p in db.session.scalars(select(Contestant).order_by(Contestant.id))] == [
        resident_id(n) for n in (1, 2, 3)]


def test_a_missing_key_is_said_and_changes_nothing(app, client):
    make_contest()
    assert register(client, 1).status_code == 302
    before = stored("id_number")
    app.config["ID_NUMBER_KEYS"] = (KEY_B,)  # the key it was sealed with is gone
    db.session.expire_all()
    with pytest.raises(UnreadableIdNumber):
        db.session.scalar(select(Contestant)).id_number
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["id-numbers-reseal"])
    assert result.exit_code == 1 and "Put the old key back" in result.output
    assert stored("id_number") == before


def test_a_new_index_key_needs_a_reseal_to_find_people_again(app, client):
    make_contest()
    assert register(client, 1).status_code == 302
    app.config["ID_INDEX_KEY"] = "j" * 64
    assert db.session.scalar(select(Contestant).where(has_id_number(resident_id(1)))) is None
    assert app.test_cli_runner().invoke(args=["id-numbers-reseal"]).exit_code == 0
    db.session.expire_all()
    assert db.session.scalar(select(Contestant).where(has_id_number(resident_id(1)))) is not None
