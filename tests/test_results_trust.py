"""Results people can trust (DESIGN.md §2–4): every surface carries the event's result status;
no award reaches the public before the chief judge signs the event off; judging finishes only
with every event signed off; 公示 with objections and appeals; an upheld appeal reopens the
marks it names and records the placings before and after, equal to a rebuild from the marks;
publication waits for the window and every ruling."""
import io
import json
import re
import zipfile
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from competition.accounts.models import Organisation
from competition.appeals import services as appeals
from competition.appeals.models import Appeal, Objection
from competition.audit.models import AuditEntry
from competition.boards import results
from competition.boards import services as boards
from competition.contests import services as contests
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.entries.models import Contestant, Entry
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judges.models import Judge
from competition.judging import services as judging
from competition.marking.models import Mark, MarkRevision
from competition.marking.services import submit_marks

from .factory import (S03_ID, make_user, judging_sample, sample_event as event, announced_contest, chief, complete_marks, import_sample, judge_named, organiser,
                      s03_contestant, signed_off_contest, supervisor)
from .helpers import isolated_client, login

SLUG, EVENT = "sample-2026", "iot"


def placing(bib: str) -> tuple:
    row = next(r for r in results.board_rows(event()) if r["entry"] == bib)
    return row["rank"], row["total"], row["award"]


# --- awards only when decided ----------------------------------------------------------------

def test_no_award_on_any_public_surface_before_sign_off(app, client):
    judging_sample()
    judging.lock_entry(chief(), db.session.scalar(select(Entry).where(Entry.bib == "S01")))  # locked at rank 1
    assert placing("S01")[0] == 1 and db.session.get(results.Result, entry_id("S01")).award == "一等奖"

    board = client.get(f"/api/v1/contests/{SLUG}/events/{EVENT}/board").get_json()
    assert board["result_status"] == "live"
    assert [r["award"] for r in board["rows"]] == [None] * 4
    assert not any("provisional_award" in r for r in board["rows"])
    standings = client.get(f"/api/v1/contests/{SLUG}/standings").get_json()
    assert all(row["awards"] == {} for row in standings["rows"])
    # (The standings page names the awards as its columns; what it counts is the API's, above.)
    for path in (f"/c/{SLUG}/events/{EVENT}/board", f"/c/{SLUG}/screen"):
        html = client.get(path).get_data(as_text=True)
        # No award name anywhere: not in a cell, not in the data embedded for the scripts.
        assert "一等奖" not in html and "二等奖" not in html, path
    assert client.get(f"/c/{SLUG}/results").status_code == 404
    assert client.get(f"/api/v1/contests/{SLUG}/results").status_code == 404

    # The jury sees the provisional award, labelled as such, and no decided one.
    jury = isolated_client(app)
    organiser()
    db.session.commit()
    login(jury, "org1")
    live = jury.get(f"/api/v1/contests/{SLUG}/events/{EVENT}/board").get_json()
    s01 = next(r for r in live["rows"] if r["entry"] == "S01")
    assert live["view"] == "jury" and s01["award"] is None and s01["provisional_award"] == "一等奖"
    assert "一等奖 (provisional)" in jury.get(f"/o/c/{SLUG}/live", headers={"Accept-Language": "en"}).get_data(
        as_text=True) or "provisional" in jury.get(f"/o/c/{SLUG}/live").get_data(as_text=True)


def entry_id(bib: str) -> int:
    return db.session.scalar(select(Entry.id).where(Entry.bib == bib))


def test_patches_carry_no_award_until_sign_off_and_then_every_award(app):
    judging_sample()
    sent = []
    with results.board_changed.connected_to(lambda sender=None, patch=None, **_: sent.append(patch)):
        complete_marks()
        public = [p.as_dict(jury=False) for p in sent]
        assert public and all(row["award"] is None and "provisional_award" not in row
                              for p in public for row in p["upsert"])
        assert all(p["result_status"] == "live" for p in public)
        jury = [p.as_dict(jury=True) for p in sent]
        assert any(row.get("provisional_award") for p in jury for row in p["upsert"])
        sent.clear()
        judging.lock_event(chief(), event())
    (patch,) = sent
    body = patch.as_dict(jury=False)
    assert body["result_status"] == "signed_off"
    assert {r["entry"]: r["award"] for r in body["upsert"]} == {"S01": "一等奖", "S02": "二等奖", "S03": "三等奖",
                                                                 "S04": None}
    assert boards.standings(contest_by_slug(SLUG))["rows"][0]["awards"]  # counted once decided


# --- gates ------------------------------------------------------------------------------------

def test_finishing_is_refused_with_an_event_not_signed_off_and_says_why(app):
    judging_sample()
    user = organiser()
    with pytest.raises(ActionRefused) as refused:
        contests.change_status(user, contest_by_slug(SLUG), "finished")
    (reason,) = refused.value.params["reasons"]
    assert (reason.code, reason.params) == ("event_not_signed_off", {"event": "工业互联网运维员", "num": 4})
    assert contest_by_slug(SLUG).status == "judging"
    complete_marks()
    with pytest.raises(ActionRefused) as refused:
        judging.lock_entry(chief(), db.session.scalar(select(Entry).where(Entry.bib == "S01")))
        contests.change_status(user, contest_by_slug(SLUG), "finished")
    assert refused.value.params["reasons"][0].params["num"] == 3
    judging.lock_event(chief(), event())
    contests.change_status(user, contest_by_slug(SLUG), "finished")
    assert contest_by_slug(SLUG).status == "finished"


def test_the_chief_signs_off_only_a_complete_event_and_an_unlock_takes_the_awards_back(app):
    judging_sample()
    with pytest.raises(ActionRefused) as refused:
        judging.lock_event(chief(), event())
    assert refused.value.code == "event_incomplete" and event().result_status == "live"
    complete_marks()
    judging.lock_event(chief(), event())
    assert event().result_status == "signed_off" and placing("S01")[2] == "一等奖"
    judging.unlock_entry(chief(), db.session.scalar(select(Entry).where(Entry.bib == "S02")), "抄录错误")
    assert event().result_status == "live" and placing("S01")[2] is None


def test_publishing_is_refused_while_the_window_is_open_or_a_case_is_pending(app):
    announced_contest()
    user = organiser()
    contest = contest_by_slug(SLUG)
    assert event().result_status == "announced"
    with pytest.raises(ActionRefused) as refused:
        contests.change_status(user, contest, "published")
    assert [r.code for r in refused.value.params["reasons"]] == ["window_open"]
    appeal = appeals.file_appeal(contest, s03_contestant(), db.session.scalar(select(Entry).where(Entry.bib == "S03")),
                                 criteria=["P1"], reasons="P1 评分偏低", files=[])
    objections = appeals.file_objection(contest_by_slug(SLUG), name="王五", phone="13900001111", text="S02 成绩有疑问")
    assert event().result_status == "protested"
    contest = contest_by_slug(SLUG)
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(ActionRefused) as refused:
        contests.change_status(user, contest_by_slug(SLUG), "published")
    assert [r.code for r in refused.value.params["reasons"]] == ["objections_pending", "appeals_pending"]
    sup = supervisor()
    appeals.rule_objection(sup, objections, "dismissed", "经核查无误")
    appeals.rule_appeal(sup, db.session.get(Appeal, appeal.id), "dismissed", "评分符合标准")
    assert event().result_status == "announced"
    contests.change_status(user, contest_by_slug(SLUG), "published")
    assert contest_by_slug(SLUG).status == "published" and event().result_status == "official"
    body = isolated_client(app).get(f"/api/v1/contests/{SLUG}/results").get_json()
    assert body["status"] == "official" and body["events"][0]["result_status"] == "official"


# --- 公示, objections and appeals -----------------------------------------------------------------

def test_the_results_page_and_api_show_awards_and_the_window_in_the_contests_zone(app, client):
    announced_contest()
    contest = contest_by_slug(SLUG)
    body = client.get(f"/api/v1/contests/{SLUG}/results").get_json()
    assert body["status"] == "announced" and re.fullmatch("[0-9a-f]{64}", body["ledger_head"])
    assert body["objections_until"].endswith("+08:00")
    (ev,) = body["events"]
    assert ev["result_status"] == "announced"
    assert [(r["entry"], r["rank"], r["award"]) for r in ev["rows"]] == [
        ("S01", 1, "一等奖"), ("S02", 2, "二等奖"), ("S03", 3, "三等奖"), ("S04", 4, None)]
    assert ev["rows"][0]["sections"] == {"T": "16.40", "P": "65.56"}
    html = client.get(f"/c/{SLUG}/results", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    local = (contest.objections_until + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")
    assert f"公示中，截至 {local}" in html and "一等奖" in html and 'name="phone"' in html


def test_an_objection_gets_a_reference_and_is_refused_after_the_window(app, client):
    announced_contest()
    page = client.post(f"/c/{SLUG}/objections/new", data={"name": "王五", "phone": "13900001111",
                                                          "text": "S02 的实操成绩有疑问"}, follow_redirects=True)
    objection = db.session.scalar(select(Objection))
    assert page.status_code == 200 and objection.reference in page.get_data(as_text=True)
    assert client.get(f"/c/{SLUG}/objections/{objection.reference}").status_code == 200
    assert client.get(f"/c/{SLUG}/objections/YNOTHING1").status_code == 404
    contest = contest_by_slug(SLUG)
    contest.objections_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = client.post(f"/c/{SLUG}/objections/new", data={"name": "赵六", "phone": "13900002222", "text": "晚了"},
                       headers={"Accept-Language": "en"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409 and "objection window is closed" in html
    assert "赵六" in html and "晚了" in html  # what was typed is kept
    assert db.session.scalar(select(Objection.id).where(Objection.name == "赵六")) is None


def _appeal_client(app, reference="GJ-S03ABC", last4=S03_ID[-4:]):
    client = isolated_client(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    client.post(f"/c/{SLUG}/appeals/new", data={"who-reference": reference, "who-id_last4": last4})
    return client


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_an_appeal_is_filed_with_evidence_and_bad_input_keeps_what_was_typed(app, monkeypatch):
    announced_contest()
    s03_id = s03_contestant().id
    wrong = isolated_client(app)
    refused = wrong.post(f"/c/{SLUG}/appeals/new", data={"who-reference": "GJ-S03ABC", "who-id_last4": "9999"},
                         headers={"Accept-Language": "en"})
    assert refused.status_code == 404 and "No registration matches" in refused.get_data(as_text=True)

    client = _appeal_client(app)
    url = f"/c/{SLUG}/appeals/new?entry=S03"
    form = client.get(url)
    assert form.status_code == 200 and 'value="P1"' in form.get_data(as_text=True)
    not_evidence = client.post(url, data={"criteria": ["P1"], "reasons": "网络配置评分偏低",
                                          "files": [(io.BytesIO(b"MZ\x90\x00 not a picture"), "virus.exe")]},
                               content_type="multipart/form-data")
    html = not_evidence.get_data(as_text=True)
    assert not_evidence.status_code == 422 and "is not an image (PNG, JPEG) or a PDF" in html
    assert "网络配置评分偏低" in html and db.session.scalar(select(Appeal.id)) is None
    # Over the size limit: the service's limit is 5 MB, the page's refusal tested at 2 KB (a
    # test client body of 5 MB would spool to a temporary file the test cannot close).
    with pytest.raises(ActionRefused) as refused:
        appeals.file_appeal(contest_by_slug(SLUG), db.session.get(Contestant, s03_id),
                            db.session.scalar(select(Entry).where(Entry.bib == "S03")), criteria=["P1"], reasons="x",
                            files=[appeals.Evidence("big.png", PNG + b"\x00" * appeals.EVIDENCE_MAX_BYTES)])
    assert (refused.value.code, refused.value.params["size"]) == ("evidence_too_large", 5)
    monkeypatch.setattr(appeals, "EVIDENCE_MAX_BYTES", 2048)
    big = client.post(url, data={"criteria": ["P1"], "reasons": "网络配置评分偏低",
                                 "files": [(io.BytesIO(PNG + b"\x00" * 4096), "big.png")]},
                      content_type="multipart/form-data")
    assert big.status_code == 422 and "“big.png” is larger than" in big.get_data(as_text=True)
    assert "网络配置评分偏低" in big.get_data(as_text=True)
    monkeypatch.undo()
    none = client.post(url, data={"reasons": "x"}, content_type="multipart/form-data")
    assert none.status_code == 422 and "Choose the criteria" in none.get_data(as_text=True)
    done = client.post(url, data={"criteria": ["P1"], "reasons": "网络配置评分偏低",
                                  "files": [(io.BytesIO(PNG), "photo.png")]},
                       content_type="multipart/form-data", follow_redirects=True)
    appeal = db.session.scalar(select(Appeal))
    assert done.status_code == 200 and appeal.reference in done.get_data(as_text=True)
    assert appeal.criteria == ["P1"] and [f.content_type for f in appeal.files] == ["image/png"]
    assert event().result_status == "protested"
    # Another contest's entry, or one not the filer's, is not found.
    assert client.get(f"/c/{SLUG}/appeals/new?entry=S02").status_code == 404
    # After the deadline: refused, what was typed kept.
    contest = contest_by_slug(SLUG)
    contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    late = client.post(url, data={"criteria": ["P1"], "reasons": "第二次申诉"}, content_type="multipart/form-data")
    assert late.status_code == 409 and "第二次申诉" in late.get_data(as_text=True)
    assert len(db.session.scalars(select(Appeal)).all()) == 1


def test_an_upheld_appeal_reopens_named_marks_and_the_ruling_equals_a_rebuild(app):
    announced_contest()
    contestant = s03_contestant()
    contest = contest_by_slug(SLUG)
    s03 = db.session.scalar(select(Entry).where(Entry.bib == "S03"))
    appeal = appeals.file_appeal(contest, contestant, s03, criteria=["P1"], reasons="P1 评分偏低", files=[])
    sup = supervisor()
    marks = {m.judge.user.username: m for m in db.session.scalars(
        select(Mark).where(Mark.entry_id == s03.id, Mark.criterion_id == _criterion("P1")))}
    named = [marks[u].id for u in ("k2", "k3", "k4")]
    with pytest.raises(ActionRefused) as refused:  # only marks of the criteria it names
        t1 = db.session.scalar(select(Mark.id).where(Mark.entry_id == s03.id, Mark.criterion_id == _criterion("T1")))
        appeals.rule_appeal(sup, appeal, "upheld", "复核", [t1])
    assert refused.value.code == "review_mark_unknown"
    with pytest.raises(ActionRefused) as refused:  # a judge never rules
        appeals.rule_appeal(judge_named("k2").user, appeal, "upheld", "复核", named)
    assert refused.value.status == 403
    appeals.rule_appeal(sup, appeal, "upheld", "P1 三名裁判复评", named)
    appeal = db.session.get(Appeal, appeal.id)
    assert appeal.status == "upheld" and event().result_status == "protested"
    assert appeal.before["S03"] == {"rank": 3, "total": "50.67", "award": "三等奖"}
    # A supervisor changes no mark; k5's P1 mark and S03's T1 are not reopened.
    with pytest.raises(ActionRefused) as refused:
        submit_marks(sup, s03, {"P1": "30"}, client_id=str(uuid.uuid4()))
    assert refused.value.code == "supervisor_never_marks"
    with pytest.raises(ActionRefused) as refused:  # judging is over for marks no appeal reopened
        submit_marks(judge_named("k1").user, s03, {"T1": "99"}, client_id=str(uuid.uuid4()))
    assert refused.value.code == "not_judging"
    refused = submit_marks(judge_named("k2").user, s03, {"P1": "30", "P2": "3"}, client_id=str(uuid.uuid4()))
    assert refused.refusals["P2"].code == "not_reopened" and "P1" not in refused.refusals
    for username in ("k2", "k3", "k4"):
        outcome = submit_marks(judge_named(username).user, db.session.get(Entry, s03.id), {"P1": "30"},
                               client_id=str(uuid.uuid4()))
        assert outcome.is_stored, outcome.refusals
    revision = db.session.get(Mark, named[0]).revisions[-1]
    assert revision.reason == f"#{appeal.reference}" and revision.value == 30
    judging.lock_entry(chief(), db.session.get(Entry, s03.id))
    appeal = db.session.get(Appeal, appeal.id)
    assert appeal.status == "resolved" and event().result_status == "announced"
    assert appeal.changes == [
        {"entry": "S02", "before": {"rank": 2, "total": "64.67", "award": "二等奖"},
         "after": {"rank": 3, "total": "64.67", "award": "三等奖"}},
        {"entry": "S03", "before": {"rank": 3, "total": "50.67", "award": "三等奖"},
         "after": {"rank": 2, "total": "70.67", "award": "二等奖"}}]
    # The ruling's "after" is what a rebuild from the marks gives.
    results.recompute_event(event())
    db.session.commit()
    rebuilt = appeals.placings(event())
    assert all(rebuilt[c["entry"]] == c["after"] for c in appeal.changes)
    assert {bib: p for bib, p in rebuilt.items() if bib not in ("S02", "S03")} == {
        bib: p for bib, p in appeal.before.items() if bib not in ("S02", "S03")}
    actions = [a.action for a in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert {"appeal.file", "appeal.rule", "appeal.resolve", "contest.announce", "event.lock"} <= set(actions)


def _criterion(code: str) -> int:
    return next(c.id for c in event().criteria if c.code == code)


@pytest.mark.postgres
def test_two_supervisors_ruling_at_once_store_one_ruling(any_db_app):
    announced_contest()
    contest = contest_by_slug(SLUG)
    appeal = appeals.file_appeal(contest, s03_contestant(), db.session.scalar(select(Entry).where(Entry.bib == "S03")),
                                 criteria=["P1"], reasons="P1", files=[])
    ids = [supervisor("sup1").id, supervisor("sup2").id]
    appeal_id = appeal.id
    db.session.commit()
    barrier, outcomes = threading.Barrier(2), []

    def rule(user_id, decision):
        with any_db_app.app_context():
            from competition.accounts.models import User
            user = db.session.get(User, user_id)
            barrier.wait()
            try:
                appeals.rule_appeal(user, db.session.get(Appeal, appeal_id), decision, f"{decision} 理由")
                outcomes.append("stored")
            except ActionRefused as refused:
                outcomes.append(refused.code)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=rule, args=(i, "dismissed")) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["ruled_meanwhile", "stored"]
    db.session.expire_all()
    assert db.session.get(Appeal, appeal_id).status == "dismissed"
    assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "appeal.rule")).all()) == 1


def test_a_judge_sees_no_appeals_and_a_supervisor_is_seated_on_no_panel(app):
    announced_contest()
    supervisor()
    db.session.commit()
    judge = isolated_client(app)
    login(judge, "k2")
    assert judge.get(f"/o/c/{SLUG}/cases").status_code == 404
    sup = isolated_client(app)
    login(sup, "sup1")
    assert sup.get(f"/o/c/{SLUG}/cases").status_code == 200
    seat = db.session.scalar(select(Judge).where(Judge.role == "supervisor"))
    from competition.judges.services import SeatChoice, save_panel
    with pytest.raises(ActionRefused) as refused:
        save_panel(None, event(), [SeatChoice(seat.id, 1, False, [])])
    assert refused.value.code == "supervisor_never_marks"


def test_contestants_see_their_own_results_and_judges_by_pseudonym(app):
    announced_contest()
    s03_contestant()
    client = isolated_client(app)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.post(f"/c/{SLUG}/register/status", data={"reference": "gj-s03abc", "id_last4": S03_ID[-4:]}
                       ).get_data(as_text=True)
    assert "三等奖" in html and "50.67" in html and "J2" not in html
    contest = contest_by_slug(SLUG)
    contest.shows_judge_marks = True
    db.session.commit()
    html = client.get(f"/c/{SLUG}/register/status").get_data(as_text=True)
    assert "J1 15" in html and "J2 15" in html and "裁判k2" not in html


def test_a_ruling_through_the_page_keeps_what_was_typed_and_a_second_is_told(app):
    announced_contest()
    objection = appeals.file_objection(contest_by_slug(SLUG), name="王五", phone="13900001111", text="有疑问")
    supervisor()
    db.session.commit()
    sup = isolated_client(app)
    sup.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(sup, "sup1")
    url = f"/o/c/{SLUG}/objections/{objection.id}"
    page = sup.get(url).get_data(as_text=True)
    assert "13900001111" in page and "有疑问" in page  # supervisors see who objected
    no_reasons = sup.post(url + "/rule", data={"decision": "dismissed", "reasons": ""})
    assert no_reasons.status_code == 422
    typed = sup.post(url + "/rule", data={"decision": "maybe", "reasons": "经核查"})
    assert typed.status_code == 422 and "经核查" in typed.get_data(as_text=True)
    done = sup.post(url + "/rule", data={"decision": "dismissed", "reasons": "经核查，评分无误"})
    assert done.status_code == 302
    again = sup.post(url + "/rule", data={"decision": "upheld", "reasons": "另一裁决"})
    assert again.status_code == 409 and "Another supervisor ruled" in again.get_data(as_text=True)
    db.session.expire_all()
    assert (db.session.get(Objection, objection.id).status, db.session.get(Objection, objection.id).ruling) == (
        "dismissed", "经核查，评分无误")
    # The public reads the ruling by reference, never the filer's phone.
    public = isolated_client(app).get(f"/c/{SLUG}/objections/{objection.reference}").get_data(as_text=True)
    assert "经核查，评分无误" in public and "13900001111" not in public
    # An organiser of the contest reads, and cannot rule.
    organiser()
    db.session.commit()
    org = isolated_client(app)
    login(org, "org1")
    assert org.get(url).status_code == 200
    assert org.post(url + "/rule", data={"decision": "upheld", "reasons": "x"}).status_code == 403


def test_a_supervisor_survives_export_and_import_and_sits_on_no_panel_in_a_file(app):
    from competition.contest_files.services import ContestFileInvalid, export_contest, import_contest
    import_sample()
    supervisor()
    data = export_contest(contest_by_slug(SLUG))
    assert {"username": "sup1", "name": "监督sup1", "events": [], "chief": False, "supervisor": True} in data["judges"]
    data["contest"]["slug"] = "copy-2026"
    data["marks"] = []
    copy = import_contest(data)
    assert db.session.scalar(select(Judge.role).join(Judge.user).where(Judge.contest_id == copy.id,
                                                                     Judge.user.has(username="sup1"))) == "supervisor"
    data["contest"]["slug"] = "copy-2027"
    next(j for j in data["judges"] if j["username"] == "sup1")["events"] = ["iot"]
    with pytest.raises(ContestFileInvalid) as invalid:
        import_contest(data)
    assert [p.code for p in invalid.value.problems] == ["supervisor_never_marks"]


def test_frozen_boards_lose_awards_an_unlock_takes_back_and_announcing_reveals_them(app):
    judging_sample()
    complete_marks()
    judging.lock_event(chief(), event())
    boards.freeze_board(event(), None)
    assert boards.board_snapshot(event(), jury=False)["rows"][0]["award"] == "一等奖"
    judging.unlock_entry(chief(), db.session.scalar(select(Entry).where(Entry.bib == "S04")), "复核")
    public = boards.board_snapshot(event(), jury=False)
    assert public["frozen"] and public["result_status"] == "live" and all(r["award"] is None for r in public["rows"])
    judging.lock_event(chief(), event())
    user = organiser()
    contests.change_status(user, contest_by_slug(SLUG), "finished")
    contests.announce(user, contest_by_slug(SLUG), utcnow() + timedelta(days=1))
    public = boards.board_snapshot(event(), jury=False)
    assert not public["frozen"] and public["rows"][0]["award"] == "一等奖"


def test_entries_of_a_signed_off_event_are_not_reviewed(app):
    from competition.entries.services import review
    signed_off_contest()
    s04 = db.session.scalar(select(Entry).where(Entry.bib == "S04"))
    s04.status = "pending"
    with pytest.raises(ActionRefused) as refused:
        review(contest_by_slug(SLUG), "approve", [s04.id], user=organiser())
    assert refused.value.code == "field_decided"


# --- what a contest leaves behind: the results exports (issue 14, first part) ---------------------

def _export(client, fmt):
    response = client.get(f"/o/c/{SLUG}/results/export.{fmt}")
    assert response.status_code == 200, response.status_code
    return response


def test_the_results_export_equals_the_results_api_row_for_row(app):
    from openpyxl import load_workbook
    announced_contest()
    supervisor()
    db.session.commit()
    api = isolated_client(app).get(f"/api/v1/contests/{SLUG}/results").get_json()
    staff = isolated_client(app)
    staff.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(staff, "sup1")  # supervisors download it too, read-only
    book = load_workbook(io.BytesIO(_export(staff, "xlsx").data), read_only=True)
    assert book.sheetnames == ["工业互联网运维员", "Delegation standings", "Marks"]
    sheet = list(book["工业互联网运维员"].iter_rows(values_only=True))
    assert sheet[0] == ("Rank", "Bib", "Name", "Delegation", "理论", "实操", "Total", "Award", "Result status")
    want = [(str(r["rank"]), r["entry"], r["name"], r["delegation"], r["sections"]["T"], r["sections"]["P"],
             r["total"], r["award"] or "", sheet[1][8]) for r in api["events"][0]["rows"]]
    assert [tuple("" if v is None else v for v in row) for row in sheet[1:]] == want
    assert sheet[1][8].startswith("Announced, objections until")
    marks = list(book["Marks"].iter_rows(values_only=True))
    assert len(marks) - 1 == db.session.scalar(select(func.count(MarkRevision.id)))
    data = json.loads(_export(staff, "json").data)
    assert [{k: r[k] for k in ("entry", "rank", "total", "award")} for r in data["events"][0]["rows"]] == [
        {k: r[k] for k in ("entry", "rank", "total", "award")} for r in api["events"][0]["rows"]]
    archive = zipfile.ZipFile(io.BytesIO(_export(staff, "csv").data))
    assert sorted(archive.namelist()) == ["Delegation standings.csv", "Marks.csv", "工业互联网运维员.csv"]
    assert archive.read("工业互联网运维员.csv").startswith("\ufeffRank,Bib".encode("utf-8"))
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "results.export")) == 3


def test_the_results_export_is_formula_safe_and_refused_to_outsiders(app):
    from openpyxl import load_workbook
    signed_off_contest()
    entry = db.session.scalar(select(Entry).where(Entry.bib == "S01"))
    entry.delegation.name = '=HYPERLINK("http://x","y")'
    db.session.commit()
    organiser()
    make_user("org9", organisation=Organisation(name="别的工会"))
    db.session.commit()
    own = isolated_client(app)
    login(own, "org1")
    rows = list(load_workbook(io.BytesIO(_export(own, "xlsx").data)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][3] == "'=HYPERLINK(\"http://x\",\"y\")"
    for username in ("org9", "k2"):
        other = isolated_client(app)
        login(other, username)
        assert other.get(f"/o/c/{SLUG}/results/export.xlsx").status_code == 404, username
