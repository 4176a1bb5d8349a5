"""Writes that change what results depend on go through the recompute, each in its own
transaction: removing a judge, deleting a criterion or a section, copying a scheme over an
event, renumbering. Every one of these left the stored results stale before (a board showing
progress [0, 3] with two assignments left, columns of a deleted section), which a rebuild
would then have changed. Also: a marking form is one transaction, stored whole or not at all."""
import uuid

import pytest
from sqlalchemy import func, select

from competition.accounts.services import find_user
from competition.boards import results
from competition.boards.models import Board, Result
from competition.contest_files.services import import_contest
from competition.contests import services as contests
from competition.contests.models import Criterion, contest_by_slug, event_by_code
from competition.database import write_transaction
from competition.entries.models import Entry
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judges import services as judges
from competition.judges.models import Assignment, Judge
from competition.marking.models import Mark, MarkRevision
from competition.marking.services import submit_mark, submit_marks

from .factory import make_user, sample_contest

SLUG, EVENT = "sample-2026", "iot"


@pytest.fixture
def published(monkeypatch):
    """The patches published after commit, in order."""
    sent = []
    monkeypatch.setattr(results.board_changed, "send", lambda sender=None, **kw: sent.append(kw["patch"]))
    return sent


def event():
    db.session.expire_all()
    return event_by_code(contest_by_slug(SLUG), EVENT)


def an_organiser():
    return make_user("org1", organisation=contest_by_slug(SLUG).organisation)


def stored_progress() -> dict[str, list[int]]:
    db.session.expire_all()
    return {bib: [marked, expected] for bib, marked, expected in db.session.execute(
        select(Entry.bib, Result.marked, Result.expected).join(Result, Result.entry_id == Entry.id)
        .where(Entry.event_id == event().id).order_by(Entry.bib))}


def assigned(bib: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Assignment).join(Entry, Entry.id == Assignment.entry_id)
                             .where(Entry.bib == bib)) or 0


def rebuild_changes_nothing() -> bool:
    with write_transaction():
        return results.recompute_event(event()) is None


def seq() -> int:
    return db.session.get(Board, event().id).seq


def test_removing_a_judge_drops_their_assignments_from_every_result(any_db_app, published):
    import_contest(sample_contest(marks=[]))
    assert stored_progress()["S01"] == [0, 9]  # T1 by one judge, P1 by five, P2 by three
    before = seq()
    k2 = db.session.scalar(select(Judge).join(Judge.user).where(Judge.user.has(username="k2")))
    judges.remove_judge(an_organiser(), k2)
    assert stored_progress()["S01"] == [0, assigned("S01")] == [0, 7]
    assert seq() == before + 1 and published[-1].seq == before + 1
    assert {row["entry"]: row["progress"] for row in published[-1].upsert}["S01"] == [0, 7]
    assert rebuild_changes_nothing()


def test_removing_a_judge_revokes_their_tokens_and_links(app):
    import_contest(sample_contest(marks=[]))
    from competition.accounts.services import issue_token, user_for_token
    token = issue_token(find_user("k9"), "tablet")
    k9 = db.session.scalar(select(Judge).join(Judge.user).where(Judge.user.has(username="k9")))
    link, _secret = judges.issue_link(None, k9.user, hours=2, contest=contest_by_slug(SLUG))
    judges.remove_judge(an_organiser(), k9)
    assert user_for_token(token) is None
    db.session.expire_all()
    assert judges.link_state(link) == "revoked"


def test_deleting_a_criterion_or_a_section_recomputes_progress_and_columns(any_db_app, published):
    import_contest(sample_contest(marks=[]))
    user = an_organiser()
    before = seq()
    p2 = db.session.scalar(select(Criterion).where(Criterion.code == "P2"))
    contests.delete_criterion(user, event(), p2)
    assert stored_progress()["S01"] == [0, assigned("S01")] == [0, 6]
    patch = published[-1]
    assert patch.seq == before + 1 and len(patch.upsert) == 4  # every row, with the columns
    assert [c["code"] for c in patch.as_dict()["columns"]] == ["T", "P"]
    section = next(s for s in event().sections if s.code == "T")
    contests.delete_section(user, event(), section)
    assert stored_progress()["S01"] == [0, 5]
    assert [c["code"] for c in published[-1].as_dict()["columns"]] == ["P"]
    assert seq() == before + 2
    assert rebuild_changes_nothing()


def test_copying_a_scheme_over_an_event_recomputes_it(any_db_app, published):
    data = sample_contest(marks=[])
    other = dict(data["events"][0], code="iot2", name="另一个赛项", tie_break=["section:T"])
    other["sections"] = [other["sections"][0]]  # only the theory section
    data["events"].append(other)
    import_contest(data)
    source = event_by_code(contest_by_slug(SLUG), "iot2")
    contests.copy_scheme(an_organiser(), event(), source)
    assert [s.code for s in event().sections] == ["T"]
    assert stored_progress()["S01"] == [0, assigned("S01")] == [0, 0]  # its assignments went with P1, P2, T1
    assert [c["code"] for c in published[-1].as_dict()["columns"]] == ["T"]
    assert rebuild_changes_nothing()


def test_a_scheme_change_is_refused_once_a_mark_is_in_and_nothing_changes(app):
    import_contest(sample_contest())  # with marks
    p2 = db.session.scalar(select(Criterion).where(Criterion.code == "P2"))
    with pytest.raises(ActionRefused) as refused:
        contests.delete_criterion(an_organiser(), event(), p2)
    assert refused.value.code == "scheme_locked"
    assert db.session.get(Criterion, p2.id) is not None


# --- a marking form is one transaction ------------------------------------------------------------

def test_a_form_is_stored_whole_or_not_at_all(any_db_app):
    import_contest(sample_contest(marks=[]))
    k1 = find_user("k1")
    s03 = db.session.scalar(select(Entry).where(Entry.bib == "S03"))
    # The judge's other tablet stores P1 meanwhile; this form still shows no mark for it.
    submit_mark(k1, contest=SLUG, event=EVENT, entry="S03", criterion="P1", value="20",
                client_id=str(uuid.uuid4()))
    revisions = db.session.scalar(select(func.count(MarkRevision.id)))
    outcome = submit_marks(k1, s03, {"T1": "80", "P1": "25", "P2": "2"}, client_id=str(uuid.uuid4()),
                           seen={"T1": 0, "P1": 0, "P2": 0})
    # Before, T1 (first in the form) was stored and P1 refused: a half-saved form.
    assert set(outcome.refusals) == {"P1"} and outcome.refusals["P1"].code == "marked_meanwhile"
    assert db.session.scalar(select(func.count(MarkRevision.id))) == revisions
    assert db.session.scalar(select(func.count(Mark.id)).where(Mark.entry_id == s03.id)) == 1
    # With the mark in view and a reason, the whole form goes in, in one revision each.
    done = submit_marks(k1, s03, {"T1": "80", "P1": "25", "P2": "2"}, client_id=str(uuid.uuid4()),
                        reason="re-checked", seen={"T1": 0, "P1": 1, "P2": 0})
    assert done.is_stored and done.stored == 3
    assert db.session.scalar(select(func.count(MarkRevision.id))) == revisions + 3
    assert rebuild_changes_nothing()


def test_a_form_with_one_bad_value_stores_none_and_says_each_field(app):
    import_contest(sample_contest(marks=[]))
    s03 = db.session.scalar(select(Entry).where(Entry.bib == "S03"))
    outcome = submit_marks(find_user("k1"), s03, {"T1": "80", "P1": "31", "P2": "2.5"}, client_id=str(uuid.uuid4()))
    assert {field: r.code for field, r in outcome.refusals.items()} == {"P1": "over_max", "P2": "not_a_whole_mark"}
    assert db.session.scalar(select(func.count(Mark.id))) == 0


# --- found by tests/test_recompute_property.py ------------------------------------------------------

def test_a_rebuild_after_a_withdrawal_changes_no_board(app):
    """A rebuild names every entry: one off the board already is no row to remove again."""
    import_contest(sample_contest())
    from competition.entries.services import review
    s02 = db.session.scalar(select(Entry).where(Entry.bib == "S02"))
    db.session.execute(MarkRevision.__table__.delete().where(
        MarkRevision.mark_id.in_(select(Mark.id).where(Mark.entry_id == s02.id))))
    db.session.execute(Mark.__table__.delete().where(Mark.entry_id == s02.id))
    db.session.commit()
    with write_transaction():
        results.recompute_event(event())
    review(contest_by_slug(SLUG), "withdraw", [s02.id], user=an_organiser(), reason="moved away")
    assert rebuild_changes_nothing()


def test_no_mark_is_taken_while_the_scheme_cannot_be_scored(app):
    """The organiser deleted the only criterion of a section (allowed before any mark): a mark
    is refused in words rather than failing in the scoring."""
    import_contest(sample_contest(marks=[]))
    t1 = db.session.scalar(select(Criterion).where(Criterion.code == "T1"))
    contests.delete_criterion(an_organiser(), event(), t1)
    with pytest.raises(ActionRefused) as refused:
        submit_mark(find_user("k1"), contest=SLUG, event=EVENT, entry="S01", criterion="P1", value="20",
                    client_id=str(uuid.uuid4()))
    assert (refused.value.status, refused.value.code) == (409, "scheme_not_scorable")
    assert db.session.scalar(select(func.count(Mark.id))) == 0
