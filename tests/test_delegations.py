"""The organisers' delegations page: who belongs to each delegation, renaming (refused when the
name is another's apart from spaces and full-width forms), merging two names of one union
(entries, contestants and judges follow in one transaction, the boards and standings show one
delegation, a failed merge changes nothing), another organisation's organiser sees none of it;
and the registration form suggests no judges' committee and never splits a union in two."""
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from competition.accounts.services import find_user
from competition.audit.models import AuditEntry
from competition.boards import results
from competition.boards import services as boards
from competition.certificates.models import Certificate
from competition.contest_files.services import export_contest
from competition.contests.models import contest_by_slug
from competition.delegations import services
from competition.entries.models import Contestant, Delegation, Entry
from competition.extensions import db
from competition.judges.models import Assignment, Judge
from competition.judges.services import add_judge

from . import factory
from .factory import OTHER_SLUG, PASSWORD, SLUG, delegation, form_data, judge_named, make_contest
from .helpers import english, isolated_client, login

BASE = f"/o/c/{SLUG}/delegations"
WIDE = "京东方\u3000工会"  # 京东方工会 typed with an ideographic (full-width) space


@pytest.fixture
def organiser(app, staff):
    client = english(isolated_client(app))
    login(client, "org1")
    return client


@pytest.fixture
def patches():
    sent = []

    def keep(sender=None, patch=None, **_):
        sent.append(patch)
    results.board_changed.connect(keep)
    yield sent
    results.board_changed.disconnect(keep)


def _audits(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _state(slug: str = SLUG):
    """Everything a delegation change could touch: the contest file (entries' and judges'
    delegations), every delegation, contestants' delegations, assignments and the audit."""
    db.session.expire_all()
    contest = contest_by_slug(slug)
    return (export_contest(contest),
            sorted(db.session.execute(select(Delegation.id, Delegation.name, Delegation.leader,
                                             Delegation.contact)).all()),
            sorted(db.session.execute(select(Contestant.id, Contestant.delegation_id)).all()),
            sorted(db.session.execute(select(Entry.id, Entry.delegation_id)).all()),
            sorted(db.session.execute(select(Judge.id, Judge.delegation_id)).all()),
            db.session.scalar(select(func.count(Assignment.id))),
            db.session.scalar(select(func.count(AuditEntry.id))))


def _row(html: str, delegation_id: int) -> str:
    found = re.search(rf'<tr data-delegation="{delegation_id}">(.*?)</tr>', html, re.S)
    assert found, f"no row of delegation {delegation_id}"
    return found.group(1)


def _split_union() -> Delegation:
    """京东方工会 typed a second way, with entry S03, its contestant 钱二 and judge k9 in it."""
    contest = contest_by_slug(SLUG)
    wide = Delegation(contest_id=contest.id, name=WIDE, leader="王领队", contact="13900000000")
    db.session.add(wide)
    db.session.flush()
    db.session.scalar(select(Entry).where(Entry.contest_id == contest.id, Entry.bib == "S03")).delegation_id = wide.id
    db.session.scalar(select(Contestant).where(Contestant.name == "钱二")).delegation_id = wide.id
    judge_named("k9").delegation_id = wide.id
    db.session.commit()
    return wide


def _standings_names() -> list[str]:
    db.session.expire_all()
    return [row["delegation"] for row in boards.standings(contest_by_slug(SLUG), staff=True)["rows"]]


# --- the page -----------------------------------------------------------------------------------

def test_the_page_lists_every_delegation_with_its_entries_judges_leader_and_contact(organiser):
    committee, jdf = delegation("裁判委员会"), delegation("京东方工会")
    jdf.leader, jdf.contact = "张领队", "13811112222"
    db.session.commit()
    html = organiser.get(BASE).get_data(as_text=True)
    assert f'href="{BASE}"' in html and ">Delegations</a>" in html  # the tab in the organiser's navigation
    row = unescape(_row(html, jdf.id))
    assert "京东方工会" in row and "张领队" in row and "13811112222" in row
    assert re.search(r"data-entries>3<", row) and re.search(r"data-contestants>3<", row)  # S02, 赵一, 孙三
    row = _row(html, committee.id)
    assert re.search(r"data-judges>6<", row) and re.search(r"data-entries>0<", row) and "judges only" in row
    assert "Certificates already issued keep the delegation they were printed with" in html
    other = contest_by_slug(OTHER_SLUG).delegations[0]
    assert f'data-delegation="{other.id}"' not in html  # another contest's delegations are not listed
    assert organiser.get(f"{BASE}/{other.id}").status_code == 404


def test_another_organisations_organiser_gets_404_and_changes_nothing(app, staff):
    jdf, bq = delegation("京东方工会"), delegation("北汽集团工会")
    client = isolated_client(app)
    login(client, "org2")
    before = _state()
    assert client.get(BASE).status_code == 404
    assert client.get(f"{BASE}/{jdf.id}").status_code == 404
    assert client.post(BASE, data={"name": "新单位"}).status_code == 404
    assert client.post(f"{BASE}/{jdf.id}", data={"name": "别名"}).status_code == 404
    assert client.post(f"{BASE}/{bq.id}/merge", data={"into": jdf.id}).status_code == 404
    assert _state() == before


# --- rename -------------------------------------------------------------------------------------

def test_rename_with_leader_and_contact_shows_on_the_board_at_once(organiser, patches):
    bq = delegation("北汽集团工会")
    response = organiser.post(f"{BASE}/{bq.id}", data={"name": "  北京汽车  集团工会 ", "leader": "李领队",
                                                       "contact": "13700001111"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (bq.name, bq.leader, bq.contact) == ("北京汽车 集团工会", "李领队", "13700001111")
    board = results.snapshot(factory.sample_event())
    assert next(r for r in board["rows"] if r["entry"] == "S03")["delegation"] == "北京汽车 集团工会"
    # Clients were told: the patch carries the row under its new name, at the board's new seq.
    patch = next(p for p in patches if p.event == "iot")
    assert patch.seq == board["seq"]
    assert next(r for r in patch.upsert if r["entry"] == "S03")["delegation"] == "北京汽车 集团工会"
    audit, = _audits("delegation.edited")
    assert audit.data["changed"]["name"] == ["北汽集团工会", "北京汽车 集团工会"]
    assert "北京汽车 集团工会" in _standings_names()


@pytest.mark.parametrize("name", [WIDE, "京东方工会", " 京 东 方 工 会 "])
def test_rename_to_another_delegations_name_is_refused_and_suggests_merging(organiser, name):
    bq = delegation("北汽集团工会")
    before = _state()
    response = organiser.post(f"{BASE}/{bq.id}", data={"name": name, "leader": "李领队"})
    assert response.status_code == 422
    html = unescape(response.get_data(as_text=True))
    assert "“京东方工会” is already a delegation of this contest" in html and "merge them instead" in html
    assert f'value="{name}"' in html and 'value="李领队"' in html  # what was typed stays
    assert _state() == before


def test_full_width_letters_are_the_same_name(organiser):
    abc = Delegation(contest_id=contest_by_slug(SLUG).id, name="ABC公司工会")
    db.session.add(abc)
    db.session.commit()
    bq = delegation("北汽集团工会")
    response = organiser.post(f"{BASE}/{bq.id}", data={"name": "ＡＢＣ公司　工会"})
    assert response.status_code == 422 and "merge them instead" in response.get_data(as_text=True)


def test_an_empty_name_is_refused_and_a_delegation_may_respace_its_own_name(organiser):
    bq = delegation("北汽集团工会")
    before = _state()
    response = organiser.post(f"{BASE}/{bq.id}", data={"name": " \u3000 "})
    assert response.status_code == 422 and "Enter the delegation&#39;s name." in response.get_data(as_text=True)
    assert _state() == before
    assert organiser.post(f"{BASE}/{bq.id}", data={"name": "北汽 集团工会"}).status_code == 302  # its own key
    db.session.expire_all()
    assert bq.name == "北汽 集团工会"


def test_adding_a_delegation_refuses_a_name_that_exists_written_otherwise(organiser):
    before = _state()
    response = organiser.post(BASE, data={"name": WIDE})
    assert response.status_code == 422 and "merge them instead" in response.get_data(as_text=True)
    assert _state() == before
    assert organiser.post(BASE, data={"name": "石景山区总工会", "leader": "赵领队"}).status_code == 302
    assert delegation("石景山区总工会").leader == "赵领队"


# --- merge --------------------------------------------------------------------------------------

def test_similar_names_are_flagged_and_one_click_merges_everything_into_one(organiser, patches):
    wide, jdf = _split_union(), delegation("京东方工会")
    assert _standings_names().count("京东方工会") == 1 and WIDE in _standings_names()
    html = organiser.get(BASE).get_data(as_text=True)
    assert "Probably the same" in html and f'data-similar="{wide.id}-{jdf.id}"' in html
    form = re.search(rf'<li data-similar="{wide.id}-{jdf.id}">.*?</li>', html, re.S).group(0)
    assert f'action="{BASE}/{wide.id}/merge"' in form and f'name="into" value="{jdf.id}"' in form

    response = organiser.post(f"{BASE}/{wide.id}/merge", data={"into": jdf.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Delegation, wide.id) is None
    s03 = db.session.scalar(select(Entry).where(Entry.contest_id == jdf.contest_id, Entry.bib == "S03"))
    assert s03.delegation_id == jdf.id
    assert db.session.scalar(select(Contestant).where(Contestant.name == "钱二")).delegation_id == jdf.id
    assert judge_named("k9").delegation_id == jdf.id
    assert (jdf.leader, jdf.contact) == ("王领队", "13900000000")  # 京东方工会 had none: the merged one's
    # The standings show the union once, with both its entries on the board.
    rows = boards.standings(contest_by_slug(SLUG), staff=True)["rows"]
    assert [r["delegation"] for r in rows].count("京东方工会") == 1 and WIDE not in [r["delegation"] for r in rows]
    assert next(r for r in rows if r["delegation"] == "京东方工会")["entries"] == 2
    board = results.snapshot(factory.sample_event())
    assert next(r for r in board["rows"] if r["entry"] == "S03")["delegation"] == "京东方工会"
    patch = next(p for p in patches if p.event == "iot")
    assert patch.seq == board["seq"] and next(r for r in patch.upsert if r["entry"] == "S03")["delegation"] == "京东方工会"
    audit, = _audits("delegation.merged")
    assert audit.data["source"] == WIDE and audit.data["into"] == "京东方工会"
    assert (audit.data["entries"], audit.data["contestants"], audit.data["judges"]) == (1, 1, 1)
    page = organiser.get(BASE).get_data(as_text=True)
    assert "Probably the same" not in page and re.search(r"data-entries>4<", _row(page, jdf.id))


def test_merge_and_rename_on_every_database(any_db_app, staff):
    client = english(isolated_client(any_db_app))
    login(client, "org1")
    wide, jdf = _split_union(), delegation("京东方工会")
    assert client.post(f"{BASE}/{wide.id}/merge", data={"into": wide.id}).status_code == 422
    assert client.post(f"{BASE}/{wide.id}/merge", data={"into": jdf.id}).status_code == 302
    assert client.post(f"{BASE}/{jdf.id}", data={"name": "北汽集团　工会"}).status_code == 422
    assert client.post(f"{BASE}/{jdf.id}", data={"name": "京东方科技集团工会"}).status_code == 302
    names = _standings_names()
    assert names.count("京东方科技集团工会") == 1 and WIDE not in names and "京东方工会" not in names
    assert db.session.get(Delegation, wide.id) is None


def test_merge_keeps_the_kept_delegations_own_leader_and_contact(organiser):
    wide, jdf = _split_union(), delegation("京东方工会")
    jdf.leader = "张领队"
    db.session.commit()
    assert organiser.post(f"{BASE}/{wide.id}/merge", data={"into": jdf.id}).status_code == 302
    db.session.expire_all()
    assert (jdf.leader, jdf.contact) == ("张领队", "13900000000")


def test_merge_into_itself_is_refused(organiser):
    jdf = delegation("京东方工会")
    before = _state()
    response = organiser.post(f"{BASE}/{jdf.id}/merge", data={"into": jdf.id})
    assert response.status_code == 422
    assert "cannot be merged into itself" in response.get_data(as_text=True)
    assert _state() == before


@pytest.mark.parametrize("into", ["other-contest", "missing", "junk"])
def test_merge_into_another_contests_delegation_is_refused(organiser, into):
    jdf = delegation("京东方工会")
    other = db.session.scalar(select(Delegation).where(Delegation.contest_id == contest_by_slug(OTHER_SLUG).id,
                                                       Delegation.name == "北汽集团工会"))
    value = {"other-contest": other.id, "missing": 999999, "junk": "x"}[into]
    before, other_before = _state(), _state(OTHER_SLUG)
    response = organiser.post(f"{BASE}/{jdf.id}/merge", data={"into": value})
    assert response.status_code == 422
    if into != "junk":
        assert "Choose a delegation of this contest." in response.get_data(as_text=True)
    assert _state() == before and _state(OTHER_SLUG) == other_before


def test_a_merge_that_fails_half_way_changes_nothing(app, staff, monkeypatch):
    wide, jdf = _split_union(), delegation("京东方工会")
    before = _state()

    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")
    monkeypatch.setattr(results, "recompute", broken)  # after entries, contestants and judges moved
    with pytest.raises(RuntimeError):
        services.merge(find_user("org1"), wide, jdf.id)
    db.session.rollback()
    assert _state() == before


def test_merging_judges_into_a_delegation_they_marked_needs_a_reason(organiser):
    """The judges' committee's judges marked S01 of 亦庄开发区工会: merged, they would have marked
    their own delegation. Refused (nothing changes) until the organiser says why."""
    committee, yz = delegation("裁判委员会"), delegation("亦庄开发区工会")
    before = _state()
    response = organiser.post(f"{BASE}/{committee.id}/merge", data={"into": yz.id})
    assert response.status_code == 409
    html = unescape(response.get_data(as_text=True))
    assert "has marked entry S01 (亦庄开发区工会)" in html and "say why" in html
    assert _state() == before
    response = organiser.post(f"{BASE}/{committee.id}/merge", data={"into": yz.id, "reason": "裁判长已知悉"})
    assert response.status_code == 302
    audit, = _audits("delegation.merged")
    assert audit.data["reason"] == "裁判长已知悉" and audit.data["marked_by_own_delegation"] is True
    assert audit.data["judges"] == 6


def test_unmarked_assignments_a_merge_makes_a_conflict_of_are_removed(organiser):
    """The committee's judges k1–k5 are to mark S03 (北汽集团工会), nothing marked yet: merged into
    one delegation, they could not mark it any more, so those assignments go."""
    bq, committee = delegation("北汽集团工会"), delegation("裁判委员会")
    s03 = db.session.scalar(select(Entry).where(Entry.contest_id == bq.contest_id, Entry.bib == "S03"))
    on_s03 = db.session.scalar(select(func.count(Assignment.id)).where(Assignment.entry_id == s03.id))
    assert on_s03 == 9
    response = organiser.post(f"{BASE}/{bq.id}/merge", data={"into": committee.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.scalar(select(func.count(Assignment.id)).where(Assignment.entry_id == s03.id)) == 0
    assert _audits("delegation.merged")[0].data["assignments_removed"] == 9
    assert db.session.get(results.Result, s03.id).expected == 0  # its progress follows the assignments
    assert "generate the assignments of 工业互联网运维员 again" in organiser.get(BASE).get_data(as_text=True)


def test_once_published_a_merge_needs_a_reason_and_certificates_keep_their_delegation(app):
    factory.published()
    client = english(isolated_client(app))
    login(client, "org1")
    bq, jdf = delegation("北汽集团工会"), delegation("京东方工会")
    printed = db.session.scalar(select(Certificate.delegation).join(Entry, Entry.id == Certificate.entry_id)
                                .where(Entry.bib == "S03"))
    assert printed == "北汽集团工会"
    html = client.get(BASE).get_data(as_text=True)
    assert "Results are announced" in html
    before = _state()
    response = client.post(f"{BASE}/{bq.id}/merge", data={"into": jdf.id})
    assert response.status_code == 422 and "say why the delegations are merged" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/{bq.id}", data={"name": "北京汽车集团工会"})
    assert response.status_code == 422 and "say why the delegation is renamed" in response.get_data(as_text=True)
    assert _state() == before
    response = client.post(f"{BASE}/{bq.id}/merge", data={"into": jdf.id, "reason": "同一工会，报名时写法不同"})
    assert response.status_code == 302
    assert _audits("delegation.merged")[0].data["reason"] == "同一工会，报名时写法不同"
    db.session.expire_all()
    assert db.session.scalar(select(Certificate.delegation).join(Entry, Entry.id == Certificate.entry_id)
                             .where(Entry.bib == "S03")) == "北汽集团工会"  # history is not rewritten
    assert "北汽集团工会" not in _standings_names()


# --- the registration form ------------------------------------------------------------------------

def _suggested(client) -> list[str]:
    html = client.get("/c/reg-2026/register").get_data(as_text=True)
    datalist = re.search(r'<datalist id="delegations">(.*?)</datalist>', html, re.S).group(1)
    return [unescape(v) for v in re.findall(r'<option value="([^"]*)">', datalist)]


def test_registration_suggests_delegations_with_entries_or_made_by_organisers_never_the_judges(app, client):
    contest = make_contest()  # 首钢集团工会 and 京东方科技集团工会, made by the organisers
    committee = Delegation(contest_id=contest.id, name="裁判委员会")
    refused = Delegation(contest_id=contest.id, name="乱填的单位")
    twice = Delegation(contest_id=contest.id, name="首钢集团\u3000工会")  # a second spelling, newer
    db.session.add_all([committee, refused, twice])
    db.session.commit()
    add_judge(None, contest, username="cj1", name="裁判甲", delegation_id=committee.id, password=PASSWORD)
    db.session.commit()
    assert client.post("/c/reg-2026/register", data=form_data(1, delegation="乱填的单位")).status_code == 302
    db.session.scalar(select(Entry).where(Entry.delegation_id == refused.id)).status = "rejected"
    db.session.commit()
    assert _suggested(client) == sorted(["京东方科技集团工会", "首钢集团工会"])

    # Typed with other spaces or full-width forms, a registration joins the union it names.
    assert client.post("/c/reg-2026/register",
                       data=form_data(2, delegation=" 京东方科技集团　工会")).status_code == 302
    entry = db.session.scalar(select(Entry).join(Contestant).where(factory.has_id_number(factory.resident_id(2))))
    assert entry.delegation.name == "京东方科技集团工会"
    assert db.session.scalar(select(func.count(Delegation.id)).where(Delegation.contest_id == contest.id)) == 5

    # The committee is suggested once people register for it: then it is more than the judges'.
    assert client.post("/c/reg-2026/register", data=form_data(3, delegation="裁判委员会")).status_code == 302
    assert "裁判委员会" in _suggested(client)
