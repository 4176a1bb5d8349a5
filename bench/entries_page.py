"""The organiser's entries page at scale: its server time with 5,000 entries as a ratio against
200, measured in the same run, same process, same settings.

    .venv/bin/python bench/entries_page.py --sizes 200 5000 --rounds 30

Setup (untimed), per size: a fresh SQLite file, one contest with two events and 40 delegations,
N approved entries (one contestant each, half in each event, delegations in turn, ID numbers
sealed as the app seals them), created through the ORM in one transaction (the registration
service would take minutes at 5,000 and is not what is measured). The organiser is logged in
through the app's own login form, with Flask's test client: no network, so the figures are the
application's own time (routing, queries, rendering), not a server's or a browser's.

Measured per size, --rounds times each:

- **first page**: `GET /o/c/<slug>/entries` (100 rows, the status counts, the waiting count);
- **filtered**: one event and one delegation (`?event=ai&delegation=<id>`);
- **search by bib**: `?q=AI0007` (one row at every size);
- **last page**: `?page=<last>` (100 rows).

The sizes take turns request by request (one app per size, in one process), after five warm-up
requests of each page, so that a drift of the machine's speed falls on every size alike.

Printed: JSON with the median and p95 per page and size, and the ratio of the largest size to
the smallest, then a Markdown table for docs/benchmarks.md. Never part of `make test`.
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(size: int, folder: Path):
    from competition import create_app
    from competition.extensions import db
    from flask_migrate import upgrade
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / f'entries-{size}.sqlite'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "RATELIMIT_ENABLED": False,
                      "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        from competition.accounts.models import Organisation, User
        from competition.contests.models import Contest, Event
        from competition.entries.models import Contestant, Delegation, Entry
        from tests.factory import resident_id
        organisation = Organisation(name="朝阳区总工会")
        organiser = User(username="org1", name="组织者", organisation=organisation)
        organiser.set_password("bench-pass-1")
        contest = Contest(slug="bench-2026", name="压力测试竞赛", organisation=organisation, status="registration")
        events = [Event(code="ai", name="人工智能训练师", position=1), Event(code="iiot", name="工业互联网运维员", position=2)]
        contest.events = events
        delegations = [Delegation(name=f"第{i:02d}代表队工会") for i in range(40)]
        contest.delegations = delegations
        db.session.add_all([organisation, organiser, contest])
        db.session.flush()
        for n in range(size):
            delegation = delegations[n % len(delegations)]
            person = Contestant(contest_id=contest.id, name=f"选手{n}", gender="male" if n % 2 else "female",
                                id_type="resident_id", id_number=resident_id(n + 1), mobile=f"139{n:08d}",
                                delegation=delegation, source="import")
            db.session.add(person)
            db.session.add(Entry(contest_id=contest.id, event=events[n % 2], contestant=person, delegation=delegation,
                                 name=person.name, status="approved", bib=f"{events[n % 2].code.upper()}{n // 2 + 1:04d}"))
        db.session.commit()
        client = app.test_client()
        answer = client.post("/login", data={"username": "org1", "password": "bench-pass-1"})
        assert answer.status_code == 302, answer.status_code
        # The same pages at every size: 100 rows, except the filter's and the search's few.
        pages = {"first page": {}, "filtered": {"event": "ai", "delegation": str(delegations[3].id)},
                 "search by bib": {"q": "AI0007"}, "last page": {"page": str(-(-size // 100))}}
        return client, pages


def measure(setups: dict, rounds: int) -> dict:
    """Every page at every size, the sizes taking turns request by request, so that a drift of
    the machine's speed falls on all of them alike."""
    times = {size: {page: [] for page in pages} for size, (_client, pages) in setups.items()}
    for size, (client, pages) in setups.items():
        for args in pages.values():
            for _ in range(5):  # warm: templates compiled, caches filled
                assert client.get("/o/c/bench-2026/entries", query_string=args).status_code == 200
    for _ in range(rounds):
        for size, (client, pages) in setups.items():
            for page, args in pages.items():
                start = time.perf_counter()
                response = client.get("/o/c/bench-2026/entries", query_string=args)
                times[size][page].append((time.perf_counter() - start) * 1000)
                assert response.status_code == 200
    out = {}
    for size, by_page in times.items():
        out[size] = {}
        for page, values in by_page.items():
            values.sort()
            out[size][page] = {"p50_ms": round(statistics.median(values), 2),
                               "p95_ms": round(values[max(0, int(len(values) * .95) - 1)], 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 5000])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--json")
    options = parser.parse_args()
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789abcdef0123")
    with tempfile.TemporaryDirectory(prefix="gj-bench-entries-") as folder:
        setups = {}
        for size in options.sizes:
            print(f"building {size} entries …", file=sys.stderr)
            setups[size] = build(size, Path(folder))
        print("measuring …", file=sys.stderr)
        results = measure(setups, options.rounds)
    small, large = min(options.sizes), max(options.sizes)
    ratios = {page: round(results[large][page]["p50_ms"] / results[small][page]["p50_ms"], 2) for page in results[small]}
    report = {"sizes": options.sizes, "rounds": options.rounds, "results": results,
              f"ratio_{large}_to_{small}_p50": ratios}
    print(json.dumps(report, ensure_ascii=False, indent=1))
    if options.json:
        Path(options.json).write_text(json.dumps(report, ensure_ascii=False, indent=1))
    print(f"\n| page | {small} entries p50 (p95) ms | {large} entries p50 (p95) ms | ratio of p50 |")
    print("| --- | --- | --- | --- |")
    for page in results[small]:
        a, b = results[small][page], results[large][page]
        print(f"| {page} | {a['p50_ms']} ({a['p95_ms']}) | {b['p50_ms']} ({b['p95_ms']}) | {ratios[page]} |")


if __name__ == "__main__":
    main()
