"""The ledger (DESIGN.md §2, §4; docs/ledger.md): written with every change that decides a
result, append-only, one chain; `ledger-verify` catches a mark, a result or a ledger row changed
behind the application's back, by name; an outsider's verifier (tests/ledger_check.py, written
from docs/ledger.md alone) checks the published export and recomputes the published results."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from competition.appeals import services as appeals
from competition.contests import services as contests
from competition.contests.models import contest_by_slug
from competition.database import utcnow
from competition.entries.models import Entry
from competition.extensions import db
from competition.ledger.models import LedgerEntry
from competition.ledger.services import verify
from competition.marking.models import MarkRevision

from . import ledger_check
from .factory import announced_contest, import_sample, organiser, s03_contestant, signed_off_contest, supervisor

SLUG = "sample-2026"


def verified(runner, *args) -> tuple[int, str]:
    out = runner.invoke(args=["ledger-verify", *args])
    return out.exit_code, out.output


def test_every_decision_is_in_the_chain_and_verify_passes(app, runner):
    announced_contest()
    kinds = [e.kind for e in db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.seq))]
    # Every revision of every mark (the sample's 10 imported, then the 26 given): one entry each.
    assert kinds.count("mark") == db.session.scalar(select(func.count(MarkRevision.id))) == 36
    assert {"lock", "sign_off", "announce"} <= set(kinds)
    code, output = verified(runner, SLUG)
    assert code == 0, output
    assert re.fullmatch(r"ledger ok: \d+ entries, head [0-9a-f]{64}", output.strip().splitlines()[-1])
    # No personal data: judges by pseudonym, entries by bib.
    dumped = json.dumps([e.body for e in db.session.scalars(select(LedgerEntry))], ensure_ascii=False)
    assert "k1" not in dumped and "裁判" not in dumped and "选手" not in dumped and '"J1"' in dumped


def test_the_demo_verifies(app, runner):
    assert runner.invoke(args=["demo-load"]).exit_code == 0
    code, output = verified(runner)
    assert code == 0, output
    assert output.strip().splitlines()[-1].startswith("ledger ok: ")


def _tamper(sql: str, **params) -> None:
    """Behind the application's back: the append-only triggers dropped first, as someone with
    the database's keys could."""
    connection = db.session.connection()
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS ledger_entry_no_update")
    connection.exec_driver_sql("DROP TRIGGER IF EXISTS ledger_entry_no_delete")
    db.session.execute(text(sql), params)
    db.session.commit()


def test_a_mark_edited_in_the_database_is_caught_by_name(app, runner):
    signed_off_contest()
    s02 = db.session.scalar(select(Entry.id).where(Entry.bib == "S02"))
    _tamper("UPDATE mark SET value = value + 1000 WHERE entry_id = :e AND criterion_id = "
            "(SELECT id FROM criterion WHERE code = 'P1') AND judge_id = "
            "(SELECT j.id FROM judge j JOIN user_account u ON u.id = j.user_id WHERE u.username = 'k3')", e=s02)
    code, output = verified(runner, SLUG)
    assert code == 1
    assert re.search(r"mark iot/S02/P1/J\d+: stored 21 \(revision 1, submitted\), the ledger gives 20", output), output


def test_a_result_edited_in_the_database_is_caught_by_name(app, runner):
    signed_off_contest()
    _tamper("UPDATE result SET rank = 1 WHERE entry_id = (SELECT id FROM entry WHERE bib = 'S04')")
    code, output = verified(runner, SLUG)
    assert code == 1 and "result iot/S04: stored rank 1 (the ledger gives 4)" in output, output


def test_a_ledger_row_changed_or_deleted_is_caught_by_name(app, runner):
    signed_off_contest()
    row = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "mark").order_by(LedgerEntry.seq.desc()))
    seq, body = row.seq, dict(row.body, value="30")
    _tamper("UPDATE ledger_entry SET body = :b WHERE id = :i", b=json.dumps(body), i=row.id)
    code, output = verified(runner, SLUG)
    assert code == 1 and f"ledger entry {seq} (mark): its hash does not match its content" in output, output
    _tamper("DELETE FROM ledger_entry WHERE id = :i", i=row.id)
    code, output = verified(runner, SLUG)
    assert code == 1 and f"ledger entry {seq} is missing" in output, output


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_a_ledger_row(any_db_app):
    import_sample()
    row_id = db.session.scalar(select(LedgerEntry.id).limit(1))
    for statement in ("UPDATE ledger_entry SET kind = 'x' WHERE id = :i", "DELETE FROM ledger_entry WHERE id = :i"):
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text(statement), {"i": row_id})
            db.session.flush()
        db.session.rollback()
    assert verify(contest_by_slug(SLUG)).ok


@pytest.mark.postgres
def test_the_database_moves_the_head_and_refuses_an_entry_that_does_not_follow_it(any_db_app):
    """The head is the database's to move (migration cl0ledger0021): an entry inserted behind
    the application's back that repeats a seq or starts from another hash is refused, and a
    real append moves the head without the application writing it."""
    from competition.ledger.models import LedgerHead
    from competition.ledger.services import append, chain_hash
    import_sample()
    contest = contest_by_slug(SLUG)
    seq, hash_ = db.session.execute(select(LedgerHead.seq, LedgerHead.hash)
                                    .where(LedgerHead.contest_id == contest.id)).one()
    forged = "INSERT INTO ledger_entry (contest_id, seq, kind, body, prev_hash, hash, created_at)" \
             " VALUES (:c, :s, 'x', '{}', :p, :h, CURRENT_TIMESTAMP)"
    # A repeated seq meets the unique constraint first; the others, the trigger.
    for wrong_seq, wrong_prev, refusal in ((seq, hash_, "unique|UNIQUE"), (seq + 1, "0" * 64, "must follow the head"),
                                           (seq + 2, hash_, "must follow the head")):
        with pytest.raises(Exception, match=refusal):
            db.session.execute(text(forged), {"c": contest.id, "s": wrong_seq, "p": wrong_prev,
                                              "h": chain_hash(wrong_prev, {})})
            db.session.flush()
        db.session.rollback()
    entry = append(contest_by_slug(SLUG), "note", text="测试")
    db.session.commit()
    db.session.expire_all()
    assert db.session.execute(select(LedgerHead.seq, LedgerHead.hash)
                              .where(LedgerHead.contest_id == contest.id)).one() == (seq + 1, entry.hash)
    assert verify(contest_by_slug(SLUG)).ok


def test_an_outsider_checks_the_export_and_recomputes_the_published_results(app, client):
    announced_contest()
    contest = contest_by_slug(SLUG)
    person = s03_contestant()
    appeal = appeals.file_appeal(contest, person, db.session.scalar(select(Entry).where(Entry.bib == "S03")),
                                 criteria=["P1"], reasons="P1", files=[])
    appeals.rule_appeal(supervisor(), appeal, "dismissed", "无误")
    assert client.get(f"/api/v1/contests/{SLUG}/ledger").status_code == 404  # not before publication
    contest = contest_by_slug(SLUG)
    contest.objections_until = contest.appeals_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    contests.change_status(organiser(), contest_by_slug(SLUG), "published")

    export = client.get(f"/api/v1/contests/{SLUG}/ledger")
    assert export.status_code == 200 and export.mimetype == "application/x-ndjson"
    lines = export.get_data(as_text=True).splitlines()
    checked = ledger_check.check(lines)
    published = client.get(f"/api/v1/contests/{SLUG}/results").get_json()
    assert checked.head == published["ledger_head"]
    api = {ev["event"]: [{k: r[k] for k in ("entry", "rank", "total", "award")} for r in ev["rows"]]
           for ev in published["events"]}
    assert checked.results == api == checked.published
    # One changed character anywhere breaks the chain at that line.
    broken = list(lines)
    line = json.loads(broken[3])
    line["entry"]["at"] = line["entry"]["at"].replace("Z", "1Z")
    broken[3] = json.dumps(line, ensure_ascii=False)
    with pytest.raises(ledger_check.LedgerBroken, match="line 4"):
        ledger_check.check(broken)
