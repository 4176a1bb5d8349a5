"""Delegation standings: the rule on a hand-computed example and on random inputs, the service
and the API on a two-event contest (best N, ties, frozen boards, hidden names), and the
`standings` feed over /live against a real server process."""
import json
import threading
import uuid
from decimal import Decimal

import pytest
import requests
import socketio
from hypothesis import given
from hypothesis import strategies as st

from competition.accounts.services import find_user
from competition.boards import services as boards
from competition.contest_files.services import import_contest
from competition.contests.models import contest_by_slug, event_by_code
from competition.database import utcnow
from competition.extensions import db
from competition.marking.services import submit_mark
from competition.scoring.marks import RuleError
from competition.scoring.standings import delegation_standings

from .server import LiveServer, in_app

D = Decimal
SLUG = "standings-2026"
STANDINGS = f"/api/v1/contests/{SLUG}/standings"


# --- the rule ------------------------------------------------------------------------------

def summary(standings):
    return [(s.rank, s.delegation, s.total, len(s.counted), s.entries) for s in standings]


def test_best_three_with_a_shared_rank_by_hand():
    results = [
        ("A", "a1", D("90")), ("A", "a2", D("80")), ("A", "a3", D("70")), ("A", "a4", D("60")),
        ("B", "b1", D("100")), ("B", "b2", D("95")),
        ("C", "c1", D("120")), ("C", "c2", D("75")), ("C", "c3", None),
        ("D", "d1", None), ("D", "d2", None),
        ("E", "e1", D("50")),
        (None, "x1", D("500")),  # no delegation: counts for nobody
    ]
    assert summary(delegation_standings(results, 3)) == [
        (1, "A", D("240"), 3, 4),   # 90 + 80 + 70; the fourth entry does not count
        (2, "B", D("195"), 2, 2),   # 100 + 95: fewer entries than N, all count
        (2, "C", D("195"), 2, 3),   # 120 + 75 ties B: both are second
        (4, "E", D("50"), 1, 1),    # standard competition ranking: 1, 2, 2, 4
        (None, "D", None, 0, 2),    # nothing scored: unranked, last
    ]
    by_one = summary(delegation_standings(results, 1))
    assert [(rank, name, total) for rank, name, total, _, _ in by_one] == [
        (1, "C", D("120")), (2, "B", D("100")), (3, "A", D("90")), (4, "E", D("50")), (None, "D", None)]
    c = next(s for s in delegation_standings(results, 2) if s.delegation == "C")
    assert c.counted == (("c1", D("120")), ("c2", D("75"))) and c.total == D("195") and c.rank == 1


@pytest.mark.parametrize("best_n", [0, -1, True, 2.5])
def test_best_n_must_be_a_positive_whole_number(best_n):
    with pytest.raises(RuleError):
        delegation_standings([("A", "a1", D("1"))], best_n)


totals = st.one_of(st.none(), st.decimals(min_value=0, max_value=200, places=2))


@given(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", None]), totals), max_size=25),
       st.integers(min_value=1, max_value=5))
def test_the_rule_on_random_results(raw, best_n):
    results = [(delegation, f"k{i}", total) for i, (delegation, total) in enumerate(raw)]
    standings = delegation_standings(results, best_n)
    mine = {}
    for delegation, key, total in results:
        if delegation is not None:
            mine.setdefault(delegation, []).append(total)
    assert sorted(s.delegation for s in standings) == sorted(mine)
    for s in standings:
        scored = sorted((t for t in mine[s.delegation] if t is not None), reverse=True)
        assert s.entries == len(mine[s.delegation])
        assert len(s.counted) == min(best_n, len(scored))
        assert s.total == (sum(scored[:best_n], D(0)) if scored else None)
    ranked = [s for s in standings if s.rank is not None]
    assert all(s.rank is None for s in standings[len(ranked):])
    for s in ranked:  # standard competition ranking: 1 + how many did strictly better
        assert s.rank == 1 + sum(1 for o in ranked if o.total > s.total)
    assert [s.total for s in ranked] == sorted((s.total for s in ranked), reverse=True)


# --- the service and the API ------------------------------------------------------------

def scheme(code):
    return {"code": code, "name": f"赛项{code}", "team": False, "places": 2,
            "awards": [{"name": "一等奖", "count": 1}, {"name": "二等奖", "count": 1}],
            "sections": [{"code": "T", "name": "理论", "criteria": [
                {"code": "T1", "name": "理论考试", "max": "100", "kind": "measurement", "method": "single",
                 "judges": 1}]}]}


ENTRIES = [("e1", "A1", "A工会", "90"), ("e1", "A2", "A工会", "80"), ("e1", "B1", "B工会", "100"),
           ("e1", "C1", "C工会", "85"), ("e2", "A3", "A工会", "70"), ("e2", "B2", "B工会", "75"),
           ("e2", "C2", "C工会", "90"), ("e2", "D1", "D工会", None)]


def contest_file(**contest):
    return {
        "contest": {"slug": SLUG, "name": "代表队积分测试", "organisation": "测试总工会", "blind": False, **contest},
        "events": [scheme("e1"), scheme("e2")],
        "judges": [{"username": "sj1", "name": "裁判", "events": ["e1", "e2"], "chief": True}],
        "entries": [{"event": e, "bib": bib, "name": f"选手{bib}", "delegation": d} for e, bib, d, _ in ENTRIES],
        "marks": [{"event": e, "entry": bib, "criterion": "T1", "judge": "sj1", "value": v}
                  for e, bib, _, v in ENTRIES if v is not None],
    }


def table(body):
    return [(r["rank"], r["delegation"], r["total"], r["counted"], r["entries"]) for r in body["rows"]]


def set_best_n(n):
    contest_by_slug(SLUG).standings_best_n = n
    db.session.commit()


def mark(bib, value, event):
    return submit_mark(find_user("sj1"), contest=SLUG, event=event, entry=bib, criterion="T1", value=value,
                       client_id=str(uuid.uuid4()), reason="re-marked")


def test_standings_api_by_hand(any_db_app):
    import_contest(contest_file())
    client = any_db_app.test_client()
    body = client.get(STANDINGS).get_json()
    # Default best 3: A 90+80+70, B 100+75, C 90+85; D has nothing scored.
    assert table(body) == [(1, "A工会", "240.00", 3, 3), (2, "B工会", "175.00", 2, 2),
                           (2, "C工会", "175.00", 2, 2), (None, "D工会", None, 0, 1)]
    assert body["best_n"] == 3 and body["hidden"] is False and body["awards"] == ["一等奖", "二等奖"]
    # DESIGN.md §3: an award is decided only once its event is signed off; until then the
    # public standings count none, whatever the provisional ranks say.
    assert [r["awards"] for r in body["rows"]] == [{}, {}, {}, {}]
    from competition.contests.models import event_by_code
    from competition.judging.services import lock_event
    lock_event(find_user("sj1"), event_by_code(contest_by_slug(SLUG), "e1"))
    body = client.get(STANDINGS).get_json()
    assert body["rows"][0]["awards"] == {"二等奖": 1}  # A1 is second in e1
    assert body["rows"][1]["awards"] == {"一等奖": 1}  # B1 first in e1; B2's second in e2 is not decided
    assert body["rows"][0]["best"] == [{"event": "e1", "entry": "A1", "total": "90.00"},
                                       {"event": "e1", "entry": "A2", "total": "80.00"},
                                       {"event": "e2", "entry": "A3", "total": "70.00"}]
    set_best_n(2)
    assert table(client.get(STANDINGS).get_json()) == [
        (1, "B工会", "175.00", 2, 2), (1, "C工会", "175.00", 2, 2), (3, "A工会", "170.00", 2, 3),
        (None, "D工会", None, 0, 1)]
    assert client.get("/api/v1/contests/nope/standings").status_code == 404
    assert client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/contests/{contest}/standings"]


def test_a_frozen_board_counts_with_its_public_rows(any_db_app):
    import_contest(contest_file())
    client = any_db_app.test_client()
    before = client.get(STANDINGS).get_json()
    contest = contest_by_slug(SLUG)
    boards.freeze_board(event_by_code(contest, "e2"), None)
    mark("D1", "99", "e2")  # after the freeze: the public does not see it yet
    mark("A1", "95", "e1")  # e1 is live: counts at once
    during = client.get(STANDINGS).get_json()
    assert ("D工会" in [r["delegation"] for r in during["rows"] if r["rank"] is None])
    assert table(during)[0] == (1, "A工会", "245.00", 3, 3)
    assert during["seq"] == before["seq"] + 1  # e1 moved, e2's public board did not
    boards.unfreeze(event_by_code(contest_by_slug(SLUG), "e2"), None)
    after = client.get(STANDINGS).get_json()
    assert (4, "D工会", "99.00", 1, 1) in table(after) and after["seq"] > during["seq"]


def test_standings_are_hidden_while_names_are(app):
    import_contest(contest_file(hide_names=True))
    body = app.test_client().get(STANDINGS).get_json()
    assert body["hidden"] is True and body["rows"] == []
    contest_by_slug(SLUG).announced_at = utcnow()  # 公示 names the winners
    db.session.commit()
    assert len(app.test_client().get(STANDINGS).get_json()["rows"]) == 4


# --- live -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(env={"LIVE_COALESCE_MS": "50"}).start()
    path = tmp_path_factory.mktemp("standings") / "contest.json"
    path.write_text(json.dumps(contest_file(), ensure_ascii=False), encoding="utf-8")
    live.token_sj1 = in_app(live, f"""
        from competition.accounts.services import find_user, issue_token
        from competition.contest_files.services import import_contest, load_file
        import_contest(load_file({str(path)!r}))
        print(issue_token(find_user("sj1"), "test"))
        """).splitlines()[-1]
    yield live
    live.stop()


@pytest.mark.live
def test_standings_follow_the_marks_live(server):
    client = socketio.Client(reconnection=False)
    got, seen = threading.Condition(), []

    @client.on("standings", namespace="/live")
    def on_standings(data):
        with got:
            seen.append(data)
            got.notify_all()

    client.connect(server.url, namespaces=["/live"], transports=["websocket"])
    try:
        first = client.call("watch_standings", {"contest": SLUG}, namespace="/live", timeout=10)
        assert first == requests.get(server.url + STANDINGS, timeout=10).json()
        assert table(first)[0] == (1, "A工会", "240.00", 3, 3)
        # D1's first mark: D enters the standings with 60, E2's board moves.
        answer = requests.post(server.url + "/api/v1/marks", timeout=10, headers={
            "Authorization": f"Bearer {server.token_sj1}"}, json={
            "contest": SLUG, "event": "e2", "entry": "D1", "criterion": "T1", "value": "60",
            "client_id": str(uuid.uuid4())})
        assert answer.status_code == 201, answer.text
        with got:
            assert got.wait_for(lambda: any(s["seq"] > first["seq"] for s in seen), timeout=10)
            latest = max(seen, key=lambda s: s["seq"])
        assert latest == requests.get(server.url + STANDINGS, timeout=10).json()
        assert (4, "D工会", "60.00", 1, 1) in table(latest)
        assert client.call("watch_standings", {"contest": "nope"}, namespace="/live",
                           timeout=10)["error"]["code"] == "not_found"
    finally:
        client.disconnect()
