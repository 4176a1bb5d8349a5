"""The over-HTTP baseline of bench/cluster.py throughput: our app, served as ours is, plus one
route that stores a mark's rows plainly.

    gunicorn -c deploy/gunicorn.conf.py --pythonpath bench plain_http:app

`POST /bench/plain-mark` takes the body of `POST /api/v1/marks` and the same bearer token,
authenticated the same way (competition.api.routes._api_user), then, in one write transaction,
finds the ids the body names in one select and inserts the mark and its revision: what storing
a mark costs through HTTP, the token and the database, without the application's own work
(checks, results, ranks, board, audit, ledger, patch). It answers 201 {"seq": 0}.
Never served outside bench/: it checks nothing a judge may or may not do.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from flask import jsonify, request  # noqa: E402
from sqlalchemy import and_, insert, select  # noqa: E402

from competition import create_app  # noqa: E402
from competition.api.routes import _api_user  # noqa: E402
from competition.contests.models import Contest, Criterion, Event  # noqa: E402
from competition.database import write_transaction  # noqa: E402
from competition.entries.models import Entry  # noqa: E402
from competition.extensions import csrf, db  # noqa: E402
from competition.judges.models import Judge  # noqa: E402
from competition.marking.models import Mark, MarkRevision  # noqa: E402

app = create_app()


@app.post("/bench/plain-mark")
@csrf.exempt
def plain_mark():
    user = _api_user()
    data = request.get_json(force=True)
    with write_transaction():
        entry_id, criterion_id, judge_id = db.session.execute(
            select(Entry.id, Criterion.id, Judge.id).select_from(Contest)
            .join(Event, and_(Event.contest_id == Contest.id, Event.code == data["event"]))
            .join(Entry, and_(Entry.event_id == Event.id, Entry.bib == data["entry"]))
            .join(Criterion, and_(Criterion.event_id == Event.id, Criterion.code == data["criterion"]))
            .join(Judge, and_(Judge.contest_id == Contest.id, Judge.user_id == user.id))
            .where(Contest.slug == data["contest"])).one()
        mark_id = db.session.execute(insert(Mark).values(
            entry_id=entry_id, criterion_id=criterion_id, judge_id=judge_id, value=data["value"],
            revision=1).returning(Mark.id)).scalar_one()
        db.session.execute(insert(MarkRevision).values(
            mark_id=mark_id, revision=1, value=data["value"], client_id=data["client_id"], reason="",
            source="api", author_id=user.id))
    return jsonify({"seq": 0}), 201
