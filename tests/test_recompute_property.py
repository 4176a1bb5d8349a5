"""One recompute door, as a property: after any sequence of organiser and judge actions — marks
from a tablet or a whole form, send-backs, locks and unlocks, reviews of entries, assignments
regenerated, judges removed, bibs renumbered, criteria and sections deleted, names hidden — the
stored results are exactly what recomputing every event from its marks gives. So
`results-rebuild` changes no board, whatever happened, on SQLite and on PostgreSQL. A service
that wrote what results depend on without recomputing would leave a difference here."""
import itertools
import os
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from competition.accounts.models import User
from competition.accounts.services import find_user
from competition.boards import results
from competition.boards.models import Board, Result
from competition.contest_files.services import import_contest
from competition.contests import services as contests
from competition.contests.models import Criterion, Section, contest_by_slug, event_by_code
from competition.database import write_transaction
from competition.entries import services as entries
from competition.entries.models import Entry
from competition.errors import ActionRefused
from competition.extensions import db
from competition.judges import services as judges
from competition.judges.models import Assignment, Judge
from competition.judging import services as judging
from competition.marking.models import Mark, MarkRevision
from competition.marking.services import submit_mark, submit_marks
from competition.numbering.services import assign_bibs

from .factory import make_user, sample_contest

EVENT = "iot"
BIBS = ("S01", "S02", "S03", "S04")
JUDGES = ("k1", "k2", "k3", "k4", "k5", "k6")
VALUES = {"T1": ("0", "55", "82", "100", "101"), "P1": ("12", "24.5", "30", "30.5"), "P2": ("0", "2", "3", "2.5")}
slugs = itertools.count()

mark = st.tuples(st.just("mark"), st.sampled_from(JUDGES), st.sampled_from(BIBS), st.sampled_from(list(VALUES)),
                 st.integers(0, 3))
form = st.tuples(st.just("form"), st.sampled_from(JUDGES), st.sampled_from(BIBS), st.integers(0, 3),
                 st.booleans())
entry_action = st.tuples(st.sampled_from(["return", "lock", "unlock", "withdraw", "approve", "reject"]),
                         st.sampled_from(BIBS))
event_action = st.tuples(st.sampled_from(["lock_event", "unlock_event", "assign", "renumber", "hide_names"]))
scheme_action = st.tuples(st.sampled_from(["delete_criterion", "delete_section"]),
                          st.sampled_from(["T1", "P1", "P2", "T", "P"]))
remove = st.tuples(st.just("remove_judge"), st.sampled_from(JUDGES + ("k9",)))
actions = st.lists(st.one_of(mark, mark, form, entry_action, event_action, scheme_action, remove),
                   min_size=4, max_size=12)


def _event(slug):
    db.session.expire_all()
    return event_by_code(contest_by_slug(slug), EVENT)


def _entry(slug, bib) -> Entry | None:
    return db.session.scalar(select(Entry).where(Entry.event_id == _event(slug).id, Entry.name == f"选手{bib[-1]}"))


def _organiser(contest) -> User:
    return find_user("prop-org") or make_user("prop-org", organisation=contest.organisation)


def _act(slug: str, action: tuple, n: int) -> None:
    contest = contest_by_slug(slug)
    organiser, chief = _organiser(contest), find_user("k1")
    kind = action[0]
    entry = (_entry(slug, action[2]) if kind in ("mark", "form")
             else _entry(slug, action[1]) if kind in ("return", "lock", "unlock", "withdraw", "approve", "reject")
             else None)
    if kind == "mark":
        _, judge, bib, criterion, pick = action
        if entry.bib is None:
            return
        submit_mark(find_user(judge), contest=slug, event=EVENT, entry=entry.bib, criterion=criterion,
                    value=VALUES[criterion][pick % len(VALUES[criterion])], client_id=str(uuid.uuid4()),
                    reason="re-marked")
    elif kind == "form":
        _, judge, _bib, pick, with_reason = action
        values = {code: options[pick % len(options)] for code, options in VALUES.items()}
        judge_row = db.session.scalar(select(Judge).join(User).where(User.username == judge,
                                                                      Judge.contest_id == contest.id))
        if judge_row is None:
            return
        mine = {c.code for c in db.session.scalars(select(Criterion).join(Assignment)
                                                   .where(Assignment.entry_id == entry.id,
                                                          Assignment.judge_id == judge_row.id))}
        revisions = db.session.scalar(select(func.count(MarkRevision.id)))
        outcome = submit_marks(find_user(judge), entry, {c: v for c, v in values.items() if c in mine},
                               reason="checked again" if with_reason else "", client_id=str(uuid.uuid4()))
        if outcome.refusals:  # a form is stored whole or not at all
            assert db.session.scalar(select(func.count(MarkRevision.id))) == revisions
    elif kind == "return":
        returnable = db.session.scalars(select(Mark).where(Mark.entry_id == entry.id).order_by(Mark.id)).all()
        if returnable:
            judging.return_mark(chief, returnable[n % len(returnable)], "look again")
    elif kind == "lock":
        judging.lock_entry(chief, entry)
    elif kind == "unlock":
        judging.unlock_entry(chief, entry, "a correction")
    elif kind in ("withdraw", "approve", "reject"):
        entries.review(contest, kind, [entry.id], user=organiser, reason="by the rules")
    elif kind == "lock_event":
        judging.lock_event(chief, _event(slug))
    elif kind == "unlock_event":
        judging.unlock_event(chief, _event(slug), "a correction")
    elif kind == "assign":
        judges.generate_assignments(organiser, _event(slug))
    elif kind == "renumber":
        assign_bibs(organiser, _event(slug), order="random", seed=n, renumber=True)
    elif kind == "hide_names":
        values = {key: getattr(contest, key) for key in contests.CONTEST_FIELDS}
        contests.update_contest(organiser, contest, dict(values, is_names_hidden=not contest.is_names_hidden))
    elif kind == "delete_criterion":
        criterion = db.session.scalar(select(Criterion).where(Criterion.event_id == _event(slug).id,
                                                              Criterion.code == action[1]))
        if criterion is not None:
            contests.delete_criterion(organiser, _event(slug), criterion)
    elif kind == "delete_section":
        section = db.session.scalar(select(Section).where(Section.event_id == _event(slug).id,
                                                          Section.code == action[1]))
        if section is not None:
            contests.delete_section(organiser, _event(slug), section)
    elif kind == "remove_judge":
        judge = db.session.scalar(select(Judge).join(User).where(User.username == action[1],
                                                                  Judge.contest_id == contest.id))
        if judge is not None:
            judges.remove_judge(organiser, judge)


def _stored(slug) -> tuple:
    """What the boards of the contest show and count, as stored."""
    event = _event(slug)
    rows = db.session.execute(
        select(Result.entry_id, Result.total, Result.rank, Result.award, Result.marked, Result.expected,
               Result.status, Result.sections).where(Result.event_id == event.id).order_by(Result.entry_id)).all()
    return [tuple(r[:7]) + (sorted((r[7] or {}).items()),) for r in rows], db.session.get(Board, event.id).seq


def _check(slug) -> None:
    event = _event(slug)
    for result in db.session.scalars(select(Result).where(Result.event_id == event.id)):
        assert result.expected == db.session.scalar(select(func.count()).select_from(Assignment)
                                                    .where(Assignment.entry_id == result.entry_id))
        assert result.marked == db.session.scalar(select(func.count(Mark.id)).where(Mark.entry_id == result.entry_id))
    before = _stored(slug)
    with write_transaction():
        patch = results.recompute_event(_event(slug))
    assert patch is None, f"the rebuild changed the board: {patch}"
    assert _stored(slug) == before


def _run(sequence, with_marks: bool) -> str:
    slug = f"prop-{next(slugs)}"
    data = sample_contest() if with_marks else sample_contest(marks=[])
    data["contest"] = dict(data["contest"], slug=slug)
    import_contest(data)
    db.session.commit()
    for n, action in enumerate(sequence):
        try:
            _act(slug, action, n)
        except ActionRefused:
            pass  # a refusal changes nothing: still checked below
        db.session.rollback()
        db.session.expire_all()
    return slug


@settings(max_examples=int(os.environ.get("PROPERTY_EXAMPLES", "25")), suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(sequence=actions, with_marks=st.booleans())
def test_no_sequence_of_actions_leaves_a_result_that_a_rebuild_would_change(any_db_app, sequence, with_marks):
    _check(_run(sequence, with_marks))


class _NoRecompute:
    """The recompute door, with its recompute left out (everything else as it is)."""

    def __getattr__(self, name):
        return (lambda *args, **kwargs: None) if name == "recompute" else getattr(results, name)


def test_the_check_is_not_vacuous(app, monkeypatch):
    """A service that skips its recompute is caught: here, removing a judge with assignments."""
    monkeypatch.setattr(judges, "results", _NoRecompute())
    slug = _run([("remove_judge", "k2")], with_marks=False)
    with pytest.raises(AssertionError):
        _check(slug)
