"""The write path and the rebuild: results kept up to date mark by mark equal the results
recomputed from the marks, on a randomly generated contest, on SQLite and PostgreSQL."""
import random
import uuid
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select

from competition.accounts.services import find_user
from competition.contest_files.services import import_contest
from competition.contests.models import Criterion, Event
from competition.entries.models import Entry
from competition.judges.models import Assignment, Judge
from competition.extensions import db
from competition.marking.models import Mark, MarkRevision
from competition.marking.services import submit_mark
from competition.boards.models import Board, Result
from competition.boards.results import snapshot

METHODS = [
    {"kind": "measurement", "method": "single", "judges": 1, "max": "100"},
    {"kind": "measurement", "method": "mean", "judges": 2, "max": "20", "step": "0.5"},
    {"kind": "measurement", "method": "median", "judges": 3, "max": "10"},
    {"kind": "judgement", "method": "trimmed", "judges": 5, "trim": 1, "max": "30"},
    {"kind": "judgement", "method": "judgement", "judges": 3, "max": "10", "spread": "1"},
    {"kind": "measurement", "method": "tolerance", "judges": 5, "trim": 1, "max": "10", "tolerance": "1.5"},
]


def random_contest(rng: random.Random) -> dict:
    delegations = [f"单位{i}" for i in range(6)]
    events, entries, judges = [], [], []
    for e in range(2):
        code = f"e{e}"
        weighted = e == 0
        sections = []
        for s, section_code in enumerate(("T", "P")):
            criteria = []
            for c in range(rng.randint(1, 3)):
                spec = dict(rng.choice(METHODS))
                criteria.append({"code": f"{section_code}{c + 1}", "name": f"评分项{c + 1}", **spec})
            section = {"code": section_code, "name": "理论" if s == 0 else "实操", "criteria": criteria}
            if weighted:
                section["weight"] = "30" if s == 0 else "70"
            sections.append(section)
        events.append({"code": code, "name": f"赛项{e}", "team": False, "places": rng.choice([1, 2, 3]),
                       "tie_break": ["-completion_time", "section:P"],
                       "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 2},
                                  {"name": "三等奖", "count": 3}],
                       "sections": sections})
        for n in range(12):
            entries.append({"event": code, "bib": f"{code.upper()}{n:03d}", "name": f"选手{e}-{n}",
                            "delegation": rng.choice(delegations),
                            "completion_time": str(rng.randint(3000, 3600))})
    for j in range(7):
        judges.append({"username": f"j{j}", "name": f"裁判{j}", "delegation": "裁判委员会" if j < 5 else delegations[j - 5],
                       "events": ["e0", "e1"], "chief": j == 0})
    return {"contest": {"slug": "random-contest", "name": "随机竞赛", "organisation": "测试工会", "blind": False},
            "events": events, "judges": judges, "entries": entries, "marks": []}


def random_value(rng: random.Random, criterion: Criterion) -> str:
    if criterion.method == "judgement":
        return str(rng.randint(0, 3))
    step = criterion.step or 0
    if step:
        return str(rng.randint(0, int(criterion.max / step)) * step)
    return f"{rng.uniform(0, float(criterion.max)):.2f}"


def stored_results() -> dict:
    return {r.entry_id: (r.criteria, r.sections, r.flags, r.total, r.rank, r.award, r.marked, r.expected,
                         r.status, r.is_passed)
            for r in db.session.scalars(select(Result))}


@pytest.mark.parametrize("seed", [1, 2])
def test_rebuild_equals_incremental_results(any_db_app, seed):
    rng = random.Random(seed)
    import_contest(random_contest(rng))
    assignments = db.session.execute(
        select(Assignment, Entry, Criterion, Judge).join(Entry, Entry.id == Assignment.entry_id)
        .join(Criterion, Criterion.id == Assignment.criterion_id).join(Judge, Judge.id == Assignment.judge_id)
    ).all()
    seqs = {e.id: db.session.get(Board, e.id).seq for e in db.session.scalars(select(Event))}
    accepted = 0
    for assignment, entry, criterion, judge in rng.sample(assignments, k=len(assignments) * 2 // 3):
        user = judge.user
        event = entry.event
        outcome = submit_mark(user, contest="random-contest", event=event.code, entry=entry.bib,
                              criterion=criterion.code, value=random_value(rng, criterion),
                              client_id=str(uuid.uuid4()))
        assert outcome.created
        accepted += 1
        # Every accepted new mark changes progress, so its board's seq rises by exactly one.
        assert outcome.body["seq"] == seqs[event.id] + 1
        seqs[event.id] += 1
    # Some corrections, with reasons.
    marks = list(db.session.scalars(select(Mark)))
    for mark in rng.sample(marks, k=10):
        submit_mark(mark.judge.user, contest="random-contest", event=mark.entry.event.code,
                    entry=mark.entry.bib, criterion=mark.criterion.code,
                    value=random_value(rng, mark.criterion), client_id=str(uuid.uuid4()), reason="复核更正")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Mark)) == accepted
    assert db.session.scalar(select(func.count()).select_from(MarkRevision)) == accepted + 10
    incremental = stored_results()
    boards = {e.code: snapshot(e) for e in db.session.scalars(select(Event))}

    # Wipe the stored results, then rebuild them from the marks alone.
    db.session.execute(Result.__table__.update().values(total=None, rank=None, award=None, sections={},
                                                        criteria={}, marked=0))
    db.session.commit()
    runner = any_db_app.test_cli_runner()
    out = runner.invoke(args=["results-rebuild"])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    assert stored_results() == incremental
    for code, board in boards.items():
        event = db.session.scalar(select(Event).where(Event.code == code))
        assert snapshot(event)["rows"] == board["rows"]
    ranked = [r for r in incremental.values() if r[4] is not None]
    assert ranked, "the random contest should rank somebody"


def test_rebuild_of_unchanged_results_changes_no_board(any_db_app):
    import_contest(random_contest(random.Random(3)))
    before = {b.event_id: b.seq for b in db.session.scalars(select(Board))}
    out = any_db_app.test_cli_runner().invoke(args=["results-rebuild"])
    assert out.exit_code == 0 and "0 board(s) changed" in out.output
    db.session.expire_all()
    assert {b.event_id: b.seq for b in db.session.scalars(select(Board))} == before


def test_judge_user_exists_after_import(app):
    import_contest(random_contest(random.Random(4)))
    assert find_user("J3") is not None  # usernames are case-insensitive


def ranked_contest(rng: random.Random, entries: int) -> dict:
    """One event whose marks come in coarse steps, so totals often tie, with awards by count
    and by share, broken by a section and then by time."""
    criteria = lambda codes: [{"code": c, "name": c, "max": "10", "kind": "measurement",  # noqa: E731
                               "method": "single", "judges": 1, "step": "1"} for c in codes]
    rows = [{"event": "e", "bib": f"B{i:03d}", "name": f"选手{i}", "delegation": f"单位{i % 5}",
             "completion_time": str(rng.choice([3000, 3300, 3600]))} for i in range(entries)]
    marks = [{"event": "e", "entry": row["bib"], "criterion": c, "judge": "j1", "value": str(rng.randint(0, 10))}
             for row in rows for c in ("T1", "P1") if rng.random() < 0.8]
    return {
        "contest": {"slug": "ranked", "name": "排名", "organisation": "测试工会", "status": "judging"},
        "events": [{"code": "e", "name": "赛项", "places": 1, "tie_break": ["section:P", "-completion_time"],
                    "awards": [{"name": "一等奖", "count": 2}, {"name": "二等奖", "share": "20"},
                               {"name": "三等奖", "share": "30"}],
                    "sections": [{"code": "T", "name": "理论", "weight": "40", "criteria": criteria(("T1", "T2"))},
                                 {"code": "P", "name": "实操", "weight": "60", "criteria": criteria(("P1", "P2"))}]}],
        "judges": [{"username": "j1", "name": "裁判", "delegation": "裁判委员会", "events": ["e"], "chief": True}],
        "entries": rows,
        "marks": marks,
    }


def full_ranking(event: Event) -> dict:
    """Every entry's (rank, award) as the pure rule gives them from the stored totals."""
    from competition import scoring
    rule = event.rule()
    standings = [scoring.Standing(r.entry_id, r.total, {k: D(v) for k, v in (r.sections or {}).items()},
                                  r.entry.completion_time, r.is_passed)
                 for r in db.session.scalars(select(Result).where(Result.event_id == event.id))]
    return {p.key: (p.rank, p.award) for p in scoring.rank(standings, rule.tie_break, rule.awards)}


@pytest.mark.parametrize("seed", [5, 6])
def test_after_every_mark_the_stored_ranks_are_a_full_rankings(any_db_app, seed):
    # A mark that moves one ranked entry reranks only the window of totals it crossed, and
    # takes the count above it and the size of the field from what is stored: after each
    # mark, what is stored must still be what ranking the whole board gives.
    rng = random.Random(seed)
    import_contest(ranked_contest(rng, 40))
    db.session.commit()
    user = find_user("j1")
    entries = list(db.session.scalars(select(Entry.bib)))
    moved_windows = 0
    for i in range(60):
        bib, criterion = rng.choice(entries), rng.choice(("T1", "T2", "P1", "P2"))
        marked = db.session.scalar(select(Mark.id).join(Entry).join(Criterion).where(
            Entry.bib == bib, Criterion.code == criterion))
        outcome = submit_mark(user, contest="ranked", event="e", entry=bib, criterion=criterion,
                              value=str(rng.randint(0, 10)), client_id=f"m{i}",
                              reason="复核更正" if marked else "")
        db.session.expire_all()
        event = db.session.scalar(select(Event))
        stored = {r.entry_id: (r.rank, r.award) for r in db.session.scalars(select(Result))}
        assert stored == full_ranking(event), f"after mark {i} on {bib}/{criterion}"
        board = db.session.get(Board, event.id)
        assert board.ranked in (None, sum(1 for rank, _ in stored.values() if rank is not None))
        moved_windows += bool(outcome.patch and len(outcome.patch.upsert) > 1)
    assert moved_windows > 10, "the marks should move entries past others"


def test_a_rebuild_repairs_a_wrong_stored_rank_even_with_one_entry(any_db_app):
    # A mark trusts the ranks stored around it; a rebuild trusts none.
    spec = ranked_contest(random.Random(1), 1)
    spec["marks"] = [{"event": "e", "entry": "B000", "criterion": "T1", "judge": "j1", "value": "7"}]
    import_contest(spec)
    db.session.commit()
    assert db.session.scalar(select(Result.rank)) == 1
    db.session.execute(Result.__table__.update().values(rank=3))  # a stored rank gone wrong
    db.session.commit()
    out = any_db_app.test_cli_runner().invoke(args=["results-rebuild"])
    assert out.exit_code == 0, out.output
    db.session.expire_all()
    assert db.session.scalar(select(Result.rank)) == 1
