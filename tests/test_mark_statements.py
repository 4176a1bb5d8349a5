"""How many SQL statements one mark costs (issue 19): a new mark and a correction on a small,
fully ranked board, through marking.services.submit_mark, counted the way bench/mark_cost.py
counts them (a `before_cursor_execute` listener on the engine, from the user's lookup, as a
request's token lookup would do it, to the end of the call: BEGINs included). On PostgreSQL
each statement is a round trip inside the board's lock, so this is what a mark costs there.
The bounds are a regression guard: a change that adds a statement per mark fails here.
The statements themselves are printed when the bound is broken."""
from decimal import Decimal

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from competition.accounts.models import User
from competition.boards.models import Result
from competition.contest_files.services import import_contest
from competition.entries.models import Entry
from competition.extensions import db
from competition.ledger import services as ledger
from competition.marking.services import submit_mark

#: At most this many statements per mark, by database (SQLite also counts its two BEGINs: the
#: user's lookup and the write transaction's; psycopg sends PostgreSQL's BEGIN outside the
#: cursor, so it is not counted there). Both marks here move other entries, so both write
#: their ranks. The jury's rank ranges are not among them: they are computed after commit
#: (live.request_ranges). The 12 on PostgreSQL: the user, the board's lock, the mark's context
#: (contest, event, scheme, board, entry with its result and marks, judge, assignment, a
#: retry's revision), the window of the board, the others' ranks, the entry's result, the
#: mark, the board's seq, the revision, the ledger's head (read and locked), the audit entry
#: and the ledger entry, whose insert moves the head in the database (30–32 before issue 19).
BOUND = {"sqlite": {"new": 13, "correction": 12}, "postgresql": {"new": 12, "correction": 11}}


def board_file(n: int = 12) -> dict:
    """A contest of n entries from four delegations, two weighted sections of two criteria,
    one judge on everything, every entry marked on three criteria: a fully ranked board."""
    def criteria(codes):
        return [{"code": c, "name": c, "max": "10", "kind": "measurement", "method": "single", "judges": 1}
                for c in codes]
    entries = [{"event": "e", "bib": f"B{i:03}", "name": f"选手{i}", "delegation": f"单位{i % 4}"}
               for i in range(n)]
    marks = [{"event": "e", "entry": e["bib"], "criterion": c, "judge": "j1",
              "value": str(Decimal((7 * i + 3 * k) % 100) / 10)}
             for i, e in enumerate(entries) for k, c in enumerate(("T1", "T2", "P1"))]
    return {
        "contest": {"slug": "cost", "name": "cost", "organisation": "test", "status": "judging"},
        "events": [{"code": "e", "name": "e", "places": 2, "tie_break": ["section:P"],
                    "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "share": "20"}],
                    "sections": [{"code": "T", "name": "T", "weight": "40", "criteria": criteria(("T1", "T2"))},
                                 {"code": "P", "name": "P", "weight": "60", "criteria": criteria(("P1", "P2"))}]}],
        "judges": [{"username": "j1", "name": "j1", "delegation": "裁判", "events": ["e"], "chief": True}],
        "entries": entries,
        "marks": marks,
    }


class Statements:
    def __init__(self, engine):
        self.seen: list[str] = []
        sa_event.listen(engine, "before_cursor_execute", self._seen)
        self.engine = engine

    def _seen(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(" ".join(statement.split())[:160])

    def close(self):
        sa_event.remove(self.engine, "before_cursor_execute", self._seen)


def ranks() -> dict[str, tuple]:
    db.session.expire_all()
    return {bib: (rank, award, total) for bib, rank, award, total in db.session.execute(
        select(Entry.bib, Result.rank, Result.award, Result.total).join(Result, Result.entry_id == Entry.id))}


@pytest.fixture
def board(any_db_app):
    with any_db_app.app_context():
        import_contest(board_file())
        db.session.commit()
        user_id = db.session.scalar(select(User.id).where(User.username == "j1"))
        db.session.remove()
        counter = Statements(db.engine)
        yield user_id, counter
        counter.close()


def mark(counter: Statements, user_id: int, bib: str, criterion: str, value: str, client_id: str,
         reason: str = "") -> list[str]:
    """One mark as the bench makes it: the user looked up, then submit_mark; the statements."""
    db.session.remove()
    counter.seen.clear()
    user = db.session.get(User, user_id)
    outcome = submit_mark(user, contest="cost", event="e", entry=bib, criterion=criterion, value=value,
                          client_id=client_id, reason=reason)
    seen = list(counter.seen)
    db.session.remove()
    assert outcome.created and outcome.patch is not None
    return seen


def test_a_new_mark_and_a_correction_stay_within_their_statements(board):
    user_id, counter = board
    dialect = db.engine.dialect.name
    # Warm-up, uncounted: a correction, as the bench's, so no first use is counted.
    mark(counter, user_id, "B000", "P1", "5.5", "warm", "预热")
    before = ranks()

    new = mark(counter, user_id, "B005", "P2", "10", "new1")
    moved = ranks()
    assert moved["B005"][0] < before["B005"][0]  # the new mark moves its entry up the board
    assert sum(1 for bib in before if before[bib][0] != moved[bib][0]) > 1  # and others down
    assert len(new) <= BOUND[dialect]["new"], "\n".join(new)

    correction = mark(counter, user_id, "B003", "T1", "0.1", "fix1", "复核更正")
    assert len(correction) <= BOUND[dialect]["correction"], "\n".join(correction)

    # What was stored is what a rebuild of the whole board gives, and the ledger agrees.
    from competition.boards.results import recompute_event
    from competition.contests.models import Contest, Event
    stored = ranks()
    recompute_event(db.session.scalar(select(Event)))
    db.session.flush()
    assert ranks() == stored
    db.session.rollback()
    assert ledger.verify(db.session.scalar(select(Contest))).ok



def test_the_first_mark_of_an_event_without_a_board_makes_it(board):
    """A board row not made yet (an event never recomputed): the mark makes it, locks it and
    reads what it checks again, and stores what a rebuild gives."""
    from competition.boards.models import Board
    from competition.boards.results import recompute_event
    from competition.contests.models import Event
    user_id, counter = board
    db.session.execute(Board.__table__.delete())
    db.session.commit()
    mark(counter, user_id, "B002", "P2", "9.5", "first")
    board_row = db.session.scalar(select(Board))
    assert board_row is not None and board_row.seq == 1
    stored = ranks()
    recompute_event(db.session.scalar(select(Event)))
    db.session.flush()
    assert ranks() == stored
    db.session.rollback()

