"""Paper fallback (issue 20): a judge's tablet fails, the chief judge or an organiser enters the
marks from the judge's signed sheet, a second person enters it again blind, and only when both
agree are the marks stored, through the one write path, as the judge's: source "paper", both
people on the revision, in the audit log and (as pseudonyms) in the ledger, which still
verifies. A mismatch stores nothing and says where; the same person twice, the judge
themself, a judge not assigned or in conflict and a locked entry are refused."""
import json
import re

from sqlalchemy import select

from competition.accounts.services import find_user
from competition.audit.models import AuditEntry
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.entries.models import Entry
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judges.models import Assignment
from competition.judging import services as judging
from competition.ledger import services as ledger
from competition.ledger.models import LedgerEntry
from competition.marking.models import Mark, MarkRevision
from competition.paper import services as paper
from competition.paper.models import PaperSheet

from . import ledger_check
from .factory import chief, judge_named, make_user, organiser
from .helpers import english, login

SLUG, EVENT = "sample-2026", "iot"
BOARD = f"/api/v1/contests/{SLUG}/events/{EVENT}/board"
INDEX = f"/paper/{SLUG}/{EVENT}"


def entry(bib: str) -> Entry:
    db.session.expire_all()
    return db.session.scalar(select(Entry).where(Entry.bib == bib))


def first_url(username: str, bib: str) -> str:
    return f"{INDEX}/new/{judge_named(username).id}/{bib}"


def sheet_of(username: str, bib: str) -> PaperSheet | None:
    db.session.expire_all()
    return db.session.scalar(select(PaperSheet).where(PaperSheet.judge_id == judge_named(username).id,
                                                      PaperSheet.entry_id == entry(bib).id))


def second_url(sheet: PaperSheet) -> str:
    return f"{INDEX}/sheets/{sheet.id}"


def marks_of(username: str, bib: str) -> dict[str, Mark]:
    db.session.expire_all()
    return {m.criterion.code: m for m in db.session.scalars(
        select(Mark).where(Mark.judge_id == judge_named(username).id, Mark.entry_id == entry(bib).id))}


def board_row(client, bib: str) -> tuple[int, dict]:
    body = client.get(BOARD).get_json()
    return body["seq"], next(r for r in body["rows"] if r["entry"] == bib)


def as_user(app, username: str):
    client = english(app.test_client())
    assert login(client, username).status_code == 302
    return client


def text_of(response) -> str:
    return response.get_data(as_text=True)


def input_value(html: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert found, f"no input {name}"
    value = re.search(r'value="([^"]*)"', found.group(0))
    return value.group(1) if value else None


def audit(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --- the story ------------------------------------------------------------------------------------

def test_two_people_enter_the_sheet_and_the_marks_are_stored_once_as_the_judges(any_db_app, sample):
    app = any_db_app
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    public = app.test_client()
    seq_before, row_before = board_row(public, "S02")

    # The chief judge finds the sheet from the progress page and enters k2's sheet for S02.
    assert f'href="{INDEX}"' in text_of(k1.get(f"/j/{SLUG}/{EVENT}/chief"))
    picked = k1.get(INDEX, query_string={"judge": judge_named("k2").id, "entry": "ｓ０２"})  # typed full-width
    assert picked.status_code == 302 and picked.headers["Location"].endswith(first_url("k2", "S02"))
    page = k1.get(first_url("k2", "S02"))
    assert page.status_code == 200
    html = text_of(page)
    assert 'name="c_P1"' in html and 'name="c_P2"' in html and 'name="c_T1"' not in html  # k2 marks P1, P2 only
    saved = k1.post(first_url("k2", "S02"), data={"c_P1": "２５", "c_P2": "２"})  # full-width, as an IME gives
    assert saved.status_code == 302, text_of(saved)
    sheet = sheet_of("k2", "S02")
    assert sheet.entered == {"P1": "25", "P2": "2"} and sheet.transcribed_by.username == "k1"
    assert marks_of("k2", "S02") == {}  # nothing counts yet
    assert board_row(public, "S02") == (seq_before, row_before)

    # The organiser enters it again, blind: the first entry is not on the page.
    blind = text_of(org1.get(second_url(sheet)))
    assert input_value(blind, "c_P1") in (None, "") and input_value(blind, "c_P2") in (None, "")
    assert "data-differ" not in blind and "first entry 25" not in blind
    stored = org1.post(second_url(sheet), data={"c_P1": "25", "c_P2": "2"})
    assert stored.status_code == 302, text_of(stored)
    assert "stored" in text_of(org1.get(stored.headers["Location"]))

    marks = marks_of("k2", "S02")
    assert {code: m.value for code, m in marks.items()} == {"P1": 25, "P2": 2}
    for mark in marks.values():
        assert mark.revision == 1 and len(mark.revisions) == 1
        revision = mark.revisions[0]
        assert revision.source == "paper" and revision.author.username == "k2"
        assert (revision.transcribed_by.username, revision.verified_by.username) == ("k1", "org1")
    assert sheet_of("k2", "S02") is None
    assert db.session.scalar(select(MarkRevision.id).where(MarkRevision.source == "paper").offset(2)) is None

    seq_after, row_after = board_row(public, "S02")
    assert seq_after > seq_before and row_after["progress"][0] == row_before["progress"][0] + 2

    # Every step audited, by whom.
    entered, verified = audit("paper.enter"), audit("paper.verify")
    assert [a.user.username for a in entered] == ["k1"] and entered[0].data["values"] == {"P1": "25", "P2": "2"}
    assert [a.user.username for a in verified] == ["org1"] and verified[0].data["transcribed_by"] == "k1"
    submitted = [a for a in audit("mark.submit") if a.target.startswith(f"{EVENT}/S02/")]
    assert {(a.data["transcribed_by"], a.data["verified_by"]) for a in submitted} == {("k1", "org1")}

    # The chief judge's history of the entry says where the marks came from.
    history = text_of(k1.get(f"/j/{SLUG}/{EVENT}/chief/S02"))
    assert history.count("data-paper-revision") == 2
    assert "from the paper sheet, entered by 裁判k1, checked by" in history
    # The organisers' live view leads to the sheets too.
    assert f'href="{INDEX}"' in text_of(org1.get(f"/o/c/{SLUG}/live"))

    # Sent again (a double tap, a back button): nothing is stored twice.
    again = org1.post(second_url(sheet), data={"c_P1": "25", "c_P2": "2"})
    assert again.status_code == 404
    assert len(marks_of("k2", "S02")["P1"].revisions) == 1


def test_a_mismatch_is_refused_and_shown_and_nothing_counts_until_both_agree(app, sample):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    assert k1.post(first_url("k3", "S03"), data={"c_P1": "18.5", "c_P2": "1"}).status_code == 302
    sheet = sheet_of("k3", "S03")
    public = app.test_client()
    seq_before, _row = board_row(public, "S03")

    refused = org1.post(second_url(sheet), data={"c_P1": "15.8", "c_P2": "１"})
    assert refused.status_code == 409
    html = text_of(refused)
    assert "data-differ-summary" in html and "P1" in html
    differ = re.findall(r'data-differ="([^"]+)"', html)
    assert differ == ["P1"]  # P2 agreed: its values are not shown
    assert "first entry 18.5, second entry 15.8" in html
    assert input_value(html, "c_P1") == "15.8"  # what the second person typed stays
    assert marks_of("k3", "S03") == {} and board_row(public, "S03")[0] == seq_before
    assert sheet_of("k3", "S03") is not None  # waiting for another try
    mismatch = audit("paper.mismatch")
    assert len(mismatch) == 1 and mismatch[0].data["criteria"] == ["P1"]
    assert mismatch[0].data["first"] == {"P1": "18.5"} and mismatch[0].data["second"] == {"P1": "15.8"}

    # The organiser reads the sheet again: now they agree, and the marks count.
    assert org1.post(second_url(sheet), data={"c_P1": "18.50", "c_P2": "1"}).status_code == 302
    assert {c: m.value for c, m in marks_of("k3", "S03").items()} == {"P1": 18.5, "P2": 1}
    assert board_row(public, "S03")[0] > seq_before


def test_a_first_entry_can_be_discarded_and_entered_anew(app, sample):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    assert k1.post(first_url("k4", "S02"), data={"c_P1": "9"}).status_code == 302
    sheet = sheet_of("k4", "S02")
    # A second first entry is sent to the one waiting.
    assert k1.get(first_url("k4", "S02")).headers["Location"].endswith(second_url(sheet))
    url = f"{second_url(sheet)}/discard"
    asked = org1.post(url)
    assert asked.status_code == 200 and sheet_of("k4", "S02") is not None  # asked first
    assert org1.post(url, data={"confirmed": "yes"}).status_code == 302
    assert sheet_of("k4", "S02") is None and marks_of("k4", "S02") == {}
    discarded = audit("paper.discard")
    assert len(discarded) == 1 and discarded[0].user.username == "org1"
    assert discarded[0].data["values"] == {"P1": "9"} and discarded[0].data["transcribed_by"] == "k1"
    assert k1.post(first_url("k4", "S02"), data={"c_P1": "19"}).status_code == 302
    assert sheet_of("k4", "S02").entered == {"P1": "19"}


# --- who may -----------------------------------------------------------------------------------------

def test_the_same_person_cannot_make_both_entries(app, sample):
    organiser()
    k1 = as_user(app, "k1")
    assert k1.post(first_url("k2", "S03"), data={"c_P1": "20", "c_P2": "2"}).status_code == 302
    sheet = sheet_of("k2", "S03")
    page = text_of(k1.get(second_url(sheet)))
    assert "must be made by someone else" in page and 'name="c_P1"' not in page
    assert k1.post(second_url(sheet), data={"c_P1": "20", "c_P2": "2"}).status_code == 403
    try:
        paper.enter_second(chief(), sheet, {"P1": "20", "P2": "2"})
    except ActionRefused as refused:
        assert (refused.status, refused.code) == (403, "paper_same_person")
    else:
        raise AssertionError("the same person entered the sheet twice")
    assert marks_of("k2", "S03") == {} and sheet_of("k2", "S03") is not None


def test_only_the_events_chief_judge_and_the_contests_organisers_enter_sheets_never_their_own(app, sample):
    organiser()
    make_user("stranger", organisation=None)
    from competition.accounts.models import Organisation
    make_user("org9", organisation=Organisation(name="别的工会"))
    assert as_user(app, "k3").get(INDEX).status_code == 403  # a judge of the event, not its chief
    assert as_user(app, "k3").get(first_url("k2", "S01")).status_code == 403
    assert as_user(app, "stranger").get(INDEX).status_code == 404
    assert as_user(app, "org9").get(INDEX).status_code == 404  # another organisation's contest
    assert app.test_client().get(INDEX).status_code == 302  # to the login page
    # The chief judge's own sheet: entered by someone else.
    own = as_user(app, "k1").get(first_url("k1", "S02"))
    assert own.status_code == 403 and "your own paper score sheet" in text_of(own)
    assert as_user(app, "org1").get(first_url("k1", "S02")).status_code == 200
    # Writes too: nothing entered, nothing discarded by those who may not.
    assert as_user(app, "org9").post(first_url("k2", "S02"), data={"c_P1": "1", "c_P2": "1"}).status_code == 404
    assert as_user(app, "k3").post(first_url("k2", "S02"), data={"c_P1": "1", "c_P2": "1"}).status_code == 403
    assert sheet_of("k2", "S02") is None
    assert as_user(app, "org1").post(first_url("k2", "S02"), data={"c_P1": "1", "c_P2": "1"}).status_code == 302
    sheet = sheet_of("k2", "S02")
    for username, status in (("k3", 403), ("org9", 404), ("k2", 403)):
        assert as_user(app, username).post(f"{second_url(sheet)}/discard", data={"confirmed": "yes"}
                                           ).status_code == status
        assert as_user(app, username).post(second_url(sheet), data={"c_P1": "1", "c_P2": "1"}).status_code == status
    assert sheet_of("k2", "S02") is not None and marks_of("k2", "S02") == {}
    try:
        paper.enter_first(find_user("k3"), entry("S03"), judge_named("k3"), {"P1": "1", "P2": "1"})
    except ActionRefused as refused:
        assert refused.status == 403
    else:
        raise AssertionError("a judge entered their own sheet")
    assert sheet_of("k3", "S03") is None


def test_a_judge_not_assigned_or_in_conflict_is_refused(app, sample):
    organiser()
    k1 = as_user(app, "k1")
    unassigned = k1.get(first_url("k9", "S01"))
    assert unassigned.status_code == 403 and "not assigned" in text_of(unassigned)
    # k6 comes from S04's delegation: even assigned, k6 never marks S04.
    s04, k6 = entry("S04"), judge_named("k6")
    db.session.add(Assignment(entry_id=s04.id, criterion_id=next(c.id for c in s04.event.criteria
                                                                 if c.code == "P1"), judge_id=k6.id))
    db.session.commit()
    conflict = k1.get(first_url("k6", "S04"))
    assert conflict.status_code == 403 and "own delegation" in text_of(conflict)
    assert k1.post(first_url("k6", "S04"), data={"c_P1": "10"}).status_code == 403
    assert db.session.scalar(select(PaperSheet.id)) is None

    # The checks apply again when the marks are stored: an assignment taken away meanwhile.
    assert k1.post(first_url("k5", "S03"), data={"c_P1": "12"}).status_code == 302
    sheet = sheet_of("k5", "S03")
    db.session.execute(Assignment.__table__.delete().where(Assignment.judge_id == judge_named("k5").id,
                                                           Assignment.entry_id == entry("S03").id))
    db.session.commit()
    refused = as_user(app, "org1").post(second_url(sheet), data={"c_P1": "12"})
    assert refused.status_code == 403
    assert marks_of("k5", "S03") == {} and sheet_of("k5", "S03") is not None


def test_a_locked_entry_is_refused(app, sample):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    judging.lock_entry(chief(), entry("S01"))  # complete in the sample
    locked = k1.get(first_url("k2", "S01"))
    assert locked.status_code == 409 and "locked" in text_of(locked)

    # Locked between the two entries: nothing stored, what was typed kept, the sheet waits.
    assert k1.post(first_url("k2", "S04"), data={"c_P1": "7", "c_P2": "0"}).status_code == 302
    sheet = sheet_of("k2", "S04")
    s04 = entry("S04")
    s04.locked_at = utcnow()
    db.session.commit()
    refused = org1.post(second_url(sheet), data={"c_P1": "7", "c_P2": "0"})
    assert refused.status_code == 409
    html = text_of(refused)
    assert "locked" in html and input_value(html, "c_P1") == "7"
    assert marks_of("k2", "S04") == {} and sheet_of("k2", "S04") is not None


def test_a_rejected_form_keeps_what_was_typed(app, sample):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    refused = k1.post(first_url("k2", "S03"), data={"c_P1": "２５.５５５", "c_P2": "七"})
    assert refused.status_code == 422
    html = text_of(refused)
    assert input_value(html, "c_P1") == "２５.５５５" and input_value(html, "c_P2") == "七"
    assert "Use at most 2 decimals." in html and "Enter a plain number such as 7.5" in html
    assert sheet_of("k2", "S03") is None

    assert k1.post(first_url("k2", "S03"), data={"c_P1": "25.5", "c_P2": "3"}).status_code == 302
    sheet = sheet_of("k2", "S03")
    refused = org1.post(second_url(sheet), data={"c_P1": "31", "c_P2": "3"})
    assert refused.status_code == 422
    html = text_of(refused)
    assert input_value(html, "c_P1") == "31" and "at most 30" in html
    assert "data-differ" not in html  # an invalid value is not compared, and nothing is shown of the first entry
    assert marks_of("k2", "S03") == {} and sheet_of("k2", "S03") is not None


def test_a_sheet_that_changes_a_given_mark_needs_a_reason(app, sample):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    # k2 gave S01 P1 25 and P2 3 on the tablet before it failed; the signed sheet says 26.
    refused = k1.post(first_url("k2", "S01"), data={"c_P1": "26", "c_P2": "3"})
    assert refused.status_code == 422 and "needs a reason" in text_of(refused)
    assert k1.post(first_url("k2", "S01"), data={"c_P1": "26", "c_P2": "3", "reason": "纸质评分表为准"}
                   ).status_code == 302
    assert org1.post(second_url(sheet_of("k2", "S01")), data={"c_P1": "26", "c_P2": "3"}).status_code == 302
    marks = marks_of("k2", "S01")
    assert marks["P1"].value == 26 and marks["P1"].revision == 2
    assert marks["P1"].revisions[-1].reason == "纸质评分表为准" and marks["P1"].revisions[-1].source == "paper"
    assert marks["P2"].revision == 1  # the same value: left alone


# --- the ledger --------------------------------------------------------------------------------------

def test_the_ledger_records_both_people_and_still_verifies(app, sample, runner):
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    assert k1.post(first_url("k2", "S02"), data={"c_P1": "20", "c_P2": "1"}).status_code == 302
    assert org1.post(second_url(sheet_of("k2", "S02")), data={"c_P1": "20", "c_P2": "1"}).status_code == 302
    # Then the other way round, for k3: the same two people keep their pseudonyms.
    assert org1.post(first_url("k3", "S02"), data={"c_P1": "21", "c_P2": "1"}).status_code == 302
    assert k1.post(second_url(sheet_of("k3", "S02")), data={"c_P1": "21", "c_P2": "1"}).status_code == 302

    db.session.expire_all()
    bodies = [e.body for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "mark")
                                                 .order_by(LedgerEntry.seq))]
    on_paper = [b for b in bodies if b["source"] == "paper"]
    assert len(on_paper) == 4
    assert {(b["criterion"], b["transcribed_by"], b["verified_by"]) for b in on_paper[:2]} == {
        ("P1", "T1", "T2"), ("P2", "T1", "T2")}
    assert {(b["transcribed_by"], b["verified_by"]) for b in on_paper[2:]} == {("T2", "T1")}
    assert all("transcribed_by" not in b for b in bodies if b["source"] != "paper")
    dumped = json.dumps(bodies, ensure_ascii=False)
    assert "k1" not in dumped and "org1" not in dumped and "组织者" not in dumped  # pseudonyms only

    out = runner.invoke(args=["ledger-verify", SLUG])
    assert out.exit_code == 0, out.output
    assert out.output.strip().splitlines()[-1].startswith("ledger ok: ")
    checked = ledger_check.check(list(ledger.export_lines(contest_by_slug(SLUG))))
    assert checked.entries == len(list(db.session.scalars(select(LedgerEntry.id))))


def test_a_tablet_that_came_back_meanwhile_is_not_overwritten_without_a_reason(app, sample):
    import uuid

    from competition.marking.services import submit_marks
    organiser()
    k1, org1 = as_user(app, "k1"), as_user(app, "org1")
    assert k1.post(first_url("k2", "S03"), data={"c_P1": "20", "c_P2": "2"}).status_code == 302
    # k2's tablet works again and k2 gives P1 before the second entry.
    assert submit_marks(find_user("k2"), entry("S03"), {"P1": "19"}, client_id=str(uuid.uuid4())).is_stored
    refused = org1.post(second_url(sheet_of("k2", "S03")), data={"c_P1": "20", "c_P2": "2"})
    assert refused.status_code == 422 and "needs a reason" in text_of(refused)
    marks = marks_of("k2", "S03")
    assert set(marks) == {"P1"} and marks["P1"].value == 19  # the form is stored whole or not at all
    assert sheet_of("k2", "S03") is not None
