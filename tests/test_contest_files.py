"""Contest files (DESIGN.md §4): a file imported through the CLI gives the board exactly the
totals, ranks and awards the rules prescribe; an invalid file imports nothing and says every
problem with where it is; export then import reproduces a contest."""
import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from competition import models
from competition.accounts.services import authenticate, create_user, find_user
from competition.audit.models import AuditEntry
from competition.contest_files.schema import validate
from competition.contest_files.services import ContestFileInvalid, export_contest, import_contest, load_file
from competition.contests.models import Contest, Criterion
from competition.entries.models import Entry
from competition.judges.models import Assignment, Judge, PanelSeat
from competition.contests.models import contest_by_slug
from competition.database import write_transaction
from competition.extensions import db
from competition.marking.models import MarkRevision
from competition.boards.results import board_changed

from .factory import decide_awards

@pytest.fixture
def app_config():
    """The checker's messages in English (outside a request, the app's default language)."""
    return {"BABEL_DEFAULT_LOCALE": "en"}


@pytest.fixture(autouse=True)
def english_terminal(monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")  # a CLI run speaks its terminal's language


DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "sample-contest.json"  # a copy of ../shared/contract/sample-contest.json
TIES = DATA / "ties-contest.json"
INVALID = DATA / "invalid-contest.json"

TABLES = [getattr(models, name) for name in models.__all__ if name != "entry_member"]


def sample_file() -> dict:
    return json.loads(SAMPLE.read_text(encoding="utf-8"))


DESIGN_KEYS = ("contest", "event", "seq", "frozen", "result_status", "columns", "rows")


def board(client, slug: str, event: str) -> dict:
    """The board snapshot's keys of DESIGN.md §4 (the API may add more, e.g. `view`)."""
    response = client.get(f"/api/v1/contests/{slug}/events/{event}/board")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert set(DESIGN_KEYS) <= set(body)
    return {key: body[key] for key in DESIGN_KEYS}


def row(bib, name, delegation, rank, total, sections, progress, award=None) -> dict:
    return {"entry": bib, "name": name, "delegation": delegation, "rank": rank, "total": total,
            "sections": sections, "progress": progress, "status": "provisional", "award": award}


def counts() -> dict[str, int]:
    db.session.expire_all()
    return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) for model in TABLES}


# --- the sample contest, through the CLI, on SQLite and PostgreSQL ----------------------

def test_sample_file_imported_through_the_cli_gives_the_board_the_rules_prescribe(any_db_app):
    out = any_db_app.test_cli_runner().invoke(args=["contest-import", str(SAMPLE)])
    assert out.exit_code == 0, out.output
    assert "Imported contest sample-2026 with 1 event(s)." in out.output

    # By hand, from DESIGN.md §3. Event iot: section T weight 20 (T1 max 100, single), section P
    # weight 80 (P1 max 30, trimmed 1 of 5 judges; P2 max 10, judgement of 3); 2 places.
    # S01: T1 82                                  → T = 82/100 × 20              = 16.40
    #      P1 24 25 26 22 27 → drop 27 and 22     → mean of 24 25 26             = 25
    #      P2 2 3 2 (spread 1, not above 1)       → 7/(3×3) × 10                 = 7.777…
    #      P = (25 + 7.777…)/(30 + 10) × 80       = 65.555…                      → 65.56
    #      total 16.40 + 65.56                                                  = 81.96
    # S02: T1 90 → T = 90/100 × 20 = 18.00; P1 has 0 of the 3 marks trimming needs and P2 none,
    #      so both count 0 → P = 0.00; total 18.00
    # S03, S04: no marks → no total and no rank (listed last, by bib).
    # Ranks: 81.96 > 18.00 → S01 1, S02 2. Awards by count 1, 1, 1 → 一等奖 to rank 1, 二等奖 to rank 2.
    # Progress: each entry is assigned T1 1 + P1 5 + P2 3 = 9 marks; S01 has 9, S02 1.
    # DESIGN.md §3: while the event is live its awards are not decided, and no board shows one.
    live = board(any_db_app.test_client(), "sample-2026", "iot")
    assert live["result_status"] == "live" and [r["award"] for r in live["rows"]] == [None] * 4
    with any_db_app.app_context():
        decide_awards("sample-2026")
    assert board(any_db_app.test_client(), "sample-2026", "iot") == {
        "contest": "sample-2026", "event": "iot", "seq": 2, "frozen": False, "result_status": "signed_off",
        "columns": [{"code": "T", "name": "理论", "max": "20.00"}, {"code": "P", "name": "实操", "max": "80.00"}],
        "rows": [
            row("S01", "选手1", "亦庄开发区工会", 1, "81.96", {"T": "16.40", "P": "65.56"}, [9, 9], "一等奖"),
            row("S02", "选手2", "京东方工会", 2, "18.00", {"T": "18.00", "P": "0.00"}, [1, 9], "二等奖"),
            row("S03", "选手3", "北汽集团工会", None, None, {}, [0, 9]),
            row("S04", "选手4", "首钢集团工会", None, None, {}, [0, 9]),
        ],
    }


def test_import_assigns_markers_first_then_the_panel_in_order_and_records_everything(app, runner):
    assert runner.invoke(args=["contest-import", str(SAMPLE)]).exit_code == 0
    contest = contest_by_slug("sample-2026")
    assigned = {}
    for entry, criterion, username in db.session.execute(
            select(Entry.bib, Criterion.code, models.User.username).select_from(Assignment)
            .join(Entry, Entry.id == Assignment.entry_id).join(Criterion, Criterion.id == Assignment.criterion_id)
            .join(Judge, Judge.id == Assignment.judge_id).join(models.User, models.User.id == Judge.user_id)):
        assigned.setdefault((entry, criterion), set()).add(username)
    for bib in ("S01", "S02", "S03", "S04"):
        assert assigned[bib, "T1"] == {"k1"}
        assert assigned[bib, "P2"] == {"k1", "k2", "k3"}
        assert assigned[bib, "P1"] == {"k1", "k2", "k3", "k4", "k5"}
    seats = [(s.judge.user.username, s.is_chief, s.position)
             for s in db.session.scalars(select(PanelSeat).order_by(PanelSeat.position))]
    assert seats == [("k1", True, 0), ("k2", False, 1), ("k3", False, 2), ("k4", False, 3), ("k5", False, 4)]
    # k9 judges in the contest but sits on no panel (the conformance check relies on both).
    assert {j.user.username for j in contest.judges} == {"k1", "k2", "k3", "k4", "k5", "k9"}
    assert find_user("k9").password_hash is None
    revisions = db.session.scalars(select(MarkRevision)).all()
    assert len(revisions) == 10
    assert {(r.revision, r.source, r.client_id, r.author_id) for r in revisions} == {(1, "import", None, None)}
    audit = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "contest.import"))
    assert audit.contest_id == contest.id and audit.data["marks"] == 10
    assert [e.code for e in contest.events] == ["iot"] and contest.status == "judging"
    assert [c.code for c in contest.events[0].criteria] == ["T1", "P1", "P2"]


def test_a_judge_is_never_assigned_an_entry_of_their_own_delegation(app):
    data = sample_file()
    data["judges"][1]["delegation"] = "京东方工会"  # k2, the delegation of S02
    import_contest(data)
    rows = db.session.execute(
        select(Entry.bib, Criterion.code, models.User.username).select_from(Assignment)
        .join(Entry, Entry.id == Assignment.entry_id)
        .join(Criterion, Criterion.id == Assignment.criterion_id).join(Judge, Judge.id == Assignment.judge_id)
        .join(models.User, models.User.id == Judge.user_id).where(Entry.bib == "S02")).all()
    assert sorted(u for _b, c, u in rows if c == "P2") == ["k1", "k3", "k4"]
    # The panel has only four judges without a conflict for S02: P1 gets fewer than its 5.
    assert sorted(u for _b, c, u in rows if c == "P1") == ["k1", "k3", "k4", "k5"]


def test_the_board_patches_are_published_after_the_commit(app):
    seen = []

    def receiver(sender, patch):
        # Published after commit: another connection sees the contest already.
        with db.engine.connect() as other:
            committed = other.execute(select(Contest.id).where(Contest.slug == "sample-2026")).first()
        seen.append((patch.event, patch.base, patch.seq, [r["entry"] for r in patch.upsert], committed is not None))

    with board_changed.connected_to(receiver):
        contest = import_contest(sample_file())
    assert seen == [("iot", 0, 1, ["S01", "S02", "S03", "S04"], True)]
    assert contest.slug == "sample-2026" and len(contest.events) == 1  # still usable after commit


# --- ties, tie-breaks, completion times, pass marks, penalties and awards ---------------

def test_ties_are_broken_by_the_chain_and_awards_follow_shared_ranks(app, runner, client):
    out = runner.invoke(args=["contest-import", str(TIES)])
    assert out.exit_code == 0, out.output
    decide_awards("ties-2026")  # awards are public once the events are signed off
    # Event cnc, plain sums (no weights), 2 places. A1 max 60, mean of 2 judges; B1 max 50,
    # single, step 0.5; section B pass mark 50 % of 50 = 25. Tie-break: section B higher
    # first, then shorter completion time (no time last). Awards by count 1, 2, 4: running
    # limits 1, 3, 7; an entry gets the first award whose limit is at least its rank.
    #   bib  A1 marks → A   B      A+B   penalty total   B   time    rank  award
    #   E01  40 42   41.00 45.00   86             86.00 45.00 3000     1  一等奖
    #   E09  45 45   45.00 43.00   88    −2       86.00 43.00 3100     2  二等奖 (tied on 86, lower B)
    #   E03  39 40   39.50 44.50   84             84.00 44.50  -       3  二等奖
    #   E04  40 40   40.00 44.00   84             84.00 44.00  -       4  三等奖
    #   E02  44 44   44.00 40.00   84             84.00 40.00  -       5  三等奖
    #   E10  60 60   60.00 24.00   84             84.00 24.00  -       6  none: B 24/50 = 48 % < 50 %,
    #                                                                     keeps its rank, nobody moves up
    #   E06  41 41   41.00 40.00   81             81.00 40.00 2800     7  三等奖 } equal on total, B and
    #   E07  40 42   41.00 40.00   81             81.00 40.00 2800     7  三等奖 } time: shared rank 7, both
    #                                                                          awarded though limit is 7
    #   E05  42 40   41.00 40.00   81             81.00 40.00 2950.5   9  none
    #   E08  41 41   41.00 40.00   81             81.00 40.00  none   10  none (no time sorts last)
    #   E13  -        0.00 30.00   30             30.00 30.00  -      11  none (A not marked yet)
    #   E11  no marks: no rank.  E12: withdrawn, not on the board (its marks stay stored).
    # Progress: A1 2 + B1 1 = 3 assigned to every entry (j1 of 甲厂工会 is replaced for E09, E13).
    p = [3, 3]
    assert board(client, "ties-2026", "cnc")["rows"] == [
        row("E01", "陈一", "乙厂工会", 1, "86.00", {"A": "41.00", "B": "45.00"}, p, "一等奖"),
        row("E09", "朱九", "甲厂工会", 2, "86.00", {"A": "45.00", "B": "43.00"}, p, "二等奖"),
        row("E03", "黄三", "丙厂工会", 3, "84.00", {"A": "39.50", "B": "44.50"}, p, "二等奖"),
        row("E04", "周四", "丁厂工会", 4, "84.00", {"A": "40.00", "B": "44.00"}, p, "三等奖"),
        row("E02", "林二", "乙厂工会", 5, "84.00", {"A": "44.00", "B": "40.00"}, p, "三等奖"),
        row("E10", "胡十", "丙厂工会", 6, "84.00", {"A": "60.00", "B": "24.00"}, p, None),
        row("E06", "徐六", "丁厂工会", 7, "81.00", {"A": "41.00", "B": "40.00"}, p, "三等奖"),
        row("E07", "孙七", "戊厂工会", 7, "81.00", {"A": "41.00", "B": "40.00"}, p, "三等奖"),
        row("E05", "吴五", "戊厂工会", 9, "81.00", {"A": "41.00", "B": "40.00"}, p, None),
        row("E08", "马八", "乙厂工会", 10, "81.00", {"A": "41.00", "B": "40.00"}, p, None),
        row("E13", "高十三", "甲厂工会", 11, "30.00", {"A": "0.00", "B": "30.00"}, [1, 3], None),
        row("E11", "郭十一", "丁厂工会", None, None, {}, [0, 3], None),
    ]
    # Event team: T weight 40 (T1 max 100, single), P weight 60 (P1 max 10, judgement of 3);
    # tie-break: shorter completion time. Awards by share of the 3 ranked teams:
    # 25 % × 3 = 0.75 → 1 place; 50 % × 3 = 1.5 → 2 places (half up); running limits 1, 3.
    #   G3: T1 80 → 80/100 × 40 = 32.00; P1 3 2 2 → 7/9 × 10 = 7.777… → 7.777…/10 × 60 = 46.666… → 46.67
    #       total 78.67, time 1750 → rank 1 一等奖
    #   G1: T1 80 → 32.00; P1 2 2 3 → 46.67; total 78.67, time 1800 → rank 2 二等奖
    #   G2: T1 90 → 36.00; P1 2 2 1 → 5/9 × 10 = 5.555… → × 6 = 33.333… → 33.33; 69.33 − 1.5 = 67.83
    #       → rank 3 二等奖. Its P1 was marked by j2, j3, j5: j4 is of its own delegation.
    #   G4: no marks. Every team is assigned T1 1 + P1 3 = 4 marks.
    snap = board(client, "ties-2026", "team")
    assert snap["columns"] == [{"code": "T", "name": "理论", "max": "40.00"},
                               {"code": "P", "name": "实操", "max": "60.00"}]
    assert snap["rows"] == [
        row("G3", "丙厂代表队", "丙厂工会", 1, "78.67", {"T": "32.00", "P": "46.67"}, [4, 4], "一等奖"),
        row("G1", "甲厂代表队", "甲厂工会", 2, "78.67", {"T": "32.00", "P": "46.67"}, [4, 4], "二等奖"),
        row("G2", "乙厂代表队", "乙厂工会", 3, "67.83", {"T": "36.00", "P": "33.33"}, [4, 4], "二等奖"),
        row("G4", "丁厂代表队", "丁厂工会", None, None, {}, [0, 4], None),
    ]
    team = db.session.scalar(select(Entry).where(Entry.bib == "G1"))
    assert sorted(m.name for m in team.members) == ["张三", "李四", "王五"] and team.contestant_id is None
    assert db.session.scalar(select(Entry).where(Entry.bib == "E01")).draw_code == "K7Q2"


# --- invalid files ----------------------------------------------------------------------

INVALID_PROBLEMS = [
    'contest.slug: Use 2 to 64 lowercase letters, digits or hyphens, for example chaoyang-2026.',
    'contest.blind: Must be true or false.',
    'contest.status: Must be one of draft, registration, judging, finished, published.',
    'contest.ends_on: The last day cannot be before the first day.',
    'contest.organiser: Unknown key.',
    'contest.name: Required.',
    'events[0].places: Must be at most 4.',
    'events[0].tie_break[0]: The tie-break names section Z, which this event does not have.',
    'events[0].tie_break[1]: A tie-break key is “section:<code>” or “-completion_time”.',
    'events[0].awards[0].count: Must be at least 1.',
    'events[0].awards[1]: Give either a count or a share (a percentage of the ranked entries).',
    'events[0].awards[2]: Give either a count or a share (a percentage of the ranked entries).',
    'events[0].sections[0].criteria[0].max: Must be greater than 0.',
    'events[0].sections[0].criteria[0].kind: Must be one of measurement, judgement.',
    'events[0].sections[0].criteria[0].judges: A single-judge criterion takes exactly 1 judge.',
    'events[0].sections[1].criteria[1].max: Write the number as text, such as "7.5".',
    'events[0].sections[1].criteria[1].judges: At least 3 judges are needed to drop the 1 highest and '
    'the 1 lowest marks.',
    'events[0].sections[1].criteria[2].code: The code “B1” is used twice in this event (first at '
    'events[0].sections[1].criteria[0]).',
    'events[0].sections[1].criteria[2].tolerance: The tolerance method needs a tolerance.',
    'events[0].sections[1].criteria[3].step: Judgement marks are whole numbers from 0 to 3: leave the step empty.',
    'events[0].sections[1].criteria[3].descriptors: Say what each of 0, 1, 2 and 3 means, or leave all four empty.',
    'events[0].sections[1].criteria[3].colour: Unknown key.',
    'events[0].sections[1].weight: Give this section a weight too: either every section of the event has '
    'a weight, or none.',
    'events[1].code: The event code “cnc” is used twice (first at events[0]).',
    'events[1].name: Must not be empty.',
    'events[1].team: Must be true or false.',
    'events[1].sections: The scheme has no section yet.',
    'judges[1].username: The username “J1” is listed twice (first at judges[0]).',
    'judges[1].events[1]: There is no event “lathe” in events.',
    'judges[1].chief: Must be true or false.',
    'judges[2].username: Must not contain spaces.',
    'judges[2].events: Must be a list […].',
    'entries[0].event: There is no event “lathe” in events.',
    'entries[1].bib: The bib “E01” is used twice (first at entries[0]).',
    'entries[1].completion_time: Write the number as text, such as "7.5".',
    'entries[1].members: Only for team events.',
    'entries[1].penalties[0].points: Must be greater than 0.',
    'entries[1].penalties[0].reason: Required.',
    'entries[2].status: Must be one of pending, approved, rejected, withdrawn.',
    'entries[3].draw_code: The draw code “Q1” is used twice (first at entries[2]).',
    'marks[0].judge: Conflict of interest: judge “j1” and entry “E02” are both from “甲厂工会”.',
    'marks[1].value: The mark must be at most 20.',
    'marks[2]: Repeats marks[1]: one mark per judge, entry and criterion.',
    'marks[3].value: Use at most 2 decimals.',
    'marks[4].judge: There is no judge “j2” in judges.',
    'marks[4].value: Write the number as text, such as "7.5".',
    'marks[5].entry: There is no entry “E09” in event “cnc”.',
    'marks[5].criterion: There is no criterion “B9” in event “cnc”.',
    'marks[5].note: Unknown key.',
    'marks[6].event: There is no event “lathe” in events.',
    'marks[7].judge: Required.',
    'extra: Unknown key.',
]


def test_an_invalid_file_reports_every_problem_with_its_path_and_imports_nothing(app, runner):
    before = counts()
    assert validate(load_file(INVALID)) == INVALID_PROBLEMS
    with pytest.raises(ContestFileInvalid) as raised:
        import_contest(load_file(INVALID))
    assert raised.value.lines() == INVALID_PROBLEMS
    out = runner.invoke(args=["contest-import", str(INVALID)])
    assert out.exit_code == 1
    assert f"{len(INVALID_PROBLEMS)} problem(s), nothing imported" in out.stderr
    assert out.stderr.splitlines()[1:] == [f"  {problem}" for problem in INVALID_PROBLEMS]
    assert counts() == before
    assert before["contest"] == before["organisation"] == before["user_account"] == 0


def test_mark_problems_are_found_against_the_panel_and_the_criterion(app):
    data = sample_file()
    data["judges"].append({"username": "k6", "name": "裁判k6", "delegation": "京东方工会", "events": ["iot"]})
    mark = {"event": "iot", "entry": "S01", "criterion": "T1", "judge": "k2", "value": "80"}
    data["marks"] += [
        mark,                                              # marks[10]: T1 is single, k1 marked it
        dict(mark, judge="k9"),                            # marks[11]: not on the iot panel
        dict(mark, entry="S03", criterion="P2", judge="k4", value="4"),    # marks[12]: judgement is 0..3
        dict(mark, entry="S03", criterion="P2", judge="k5", value="2.5"),  # marks[13]: and whole
        dict(mark, entry="S02", criterion="P2", judge="k6", value="2"),  # marks[14]: k6 is of S02's delegation
        dict(mark, entry="S02", criterion="P2", judge="K2", value="2"),  # usernames ignore case: fine
        dict(mark, entry="S02", criterion="P2", judge="k3", value="2"),
        dict(mark, entry="S02", criterion="P2", judge="k4", value="2"),
        dict(mark, entry="S02", criterion="P2", judge="k5", value="2"),  # marks[18]: a fourth judge of 3
        dict(mark, entry="S02", criterion="P2", judge="k2", value="3"),  # marks[19]: k2 again
        dict(mark, entry="S01", criterion="P1", judge="k1", value="30.5"),  # marks[20]: over P1's max
    ]
    assert validate(data) == [
        'marks[10].judge: Criterion “T1” of entry “S01” takes 1 judge, and 1 already marked it.',
        'marks[11].judge: Judge “k9” is not on the panel of event “iot”.',
        'marks[12].value: The mark must be at most 3.',
        'marks[13].value: Choose a whole mark from 0 to 3.',
        'marks[14].judge: Conflict of interest: judge “k6” and entry “S02” are both from “京东方工会”.',
        'marks[18].judge: Criterion “P2” of entry “S02” takes 3 judges, and 3 already marked it.',
        'marks[19]: Repeats marks[15]: one mark per judge, entry and criterion.',
        'marks[20]: Repeats marks[1]: one mark per judge, entry and criterion.',
        'marks[20].value: The mark must be at most 30.',
    ]


def test_types_are_checked_integers_welcome_floats_refused_and_strings_stripped(app):
    data = sample_file()
    criterion = data["events"][0]["sections"][0]["criteria"][0]
    criterion["max"] = 100                     # a whole JSON number is exact: welcome
    data["marks"][0]["value"] = 82             # so is a whole mark
    data["contest"]["name"] = "  示例竞赛  "
    data["entries"][0]["bib"] = " S01 "
    data["marks"][1]["value"] = "２４"          # full-width digits from a Chinese IME
    assert validate(data) == []
    broken = copy.deepcopy(data)
    broken["events"][0]["sections"][0]["weight"] = 20.0
    broken["events"][0]["places"] = "2"
    broken["events"][0]["tie_break"] = "section:P"
    broken["entries"][1]["completion_time"] = "1e3"
    broken["marks"][2]["value"] = 25.0
    broken["contest"]["starts_on"] = "2026/05/01"
    broken["judges"][0]["events"] = ["iot", 7]
    assert validate(broken) == [
        'contest.starts_on: Must be a date such as 2026-05-01.',
        'events[0].places: Enter a whole number.',
        'events[0].tie_break: Must be a list […].',
        'events[0].sections[0].weight: Write the number as text, such as "7.5".',
        'judges[0].events[1]: Must be a string.',
        'entries[1].completion_time: Enter a number such as 7.5.',
        'marks[2].value: Write the number as text, such as "7.5".',
    ]
    assert validate([]) == ["file: Must be an object {…}."]
    import_contest(data)
    assert contest_by_slug("sample-2026").name == "示例竞赛"
    assert db.session.scalar(select(Entry.bib).where(Entry.bib == "S01")) == "S01"


def test_a_scheme_the_scoring_rules_refuse_is_reported_at_its_path(app, monkeypatch):
    # The scheme is checked by the scoring's own rules; should the rule classes ever refuse
    # what those checks let through, the refusal is still reported, at the event it concerns.
    from competition import scoring

    def refuse(**_kwargs):
        raise scoring.RuleError("refused by the scoring rules")

    monkeypatch.setattr(scoring, "EventRule", refuse)
    assert validate(sample_file()) == ["events[0]: The scoring rules refuse this marking scheme (refused by the scoring "
                                  "rules)."]


def test_a_taken_slug_is_refused_and_nothing_changes(app, runner):
    import_contest(sample_file())
    before = counts()
    again = sample_file()
    again["contest"]["organisation"] = "另一个工会"
    again["judges"].append({"username": "newcomer", "name": "新裁判", "events": ["iot"]})
    with pytest.raises(ContestFileInvalid) as raised:
        import_contest(again)
    assert raised.value.lines() == ["contest.slug: A contest with the address “sample-2026” already exists."]
    out = runner.invoke(args=["contest-import", str(SAMPLE)])
    assert out.exit_code == 1 and "contest.slug: A contest with the address “sample-2026” already exists." in out.stderr
    # With other problems, the taken slug is one of them, in its place.
    again["contest"]["blind"] = "no"
    with pytest.raises(ContestFileInvalid) as raised:
        import_contest(again)
    assert raised.value.lines() == ["contest.slug: A contest with the address “sample-2026” already exists.",
                                    "contest.blind: Must be true or false."]
    assert counts() == before
    assert find_user("newcomer") is None


def test_passwords_are_set_on_created_judges_and_existing_accounts_are_reused(app):
    with write_transaction():
        create_user("K2", "老裁判")
    existing = find_user("k2").id
    import_contest(sample_file(), passwords={"k1": "secret-pass-1", "k2": "not-applied-1"})
    assert authenticate("k1", "secret-pass-1") is not None
    assert find_user("k3").password_hash is None
    k2 = find_user("k2")
    assert (k2.id, k2.username, k2.name, k2.password_hash) == (existing, "K2", "老裁判", None)
    assert db.session.scalar(select(func.count()).select_from(models.User)) == 6


# --- reading the file -------------------------------------------------------------------

def test_a_json_syntax_error_is_reported_with_line_and_column_and_imports_nothing(app, runner, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n "contest": {"slug": "x"}\n "events": []\n}\n', encoding="utf-8")
    with pytest.raises(ContestFileInvalid) as raised:
        load_file(path)
    assert raised.value.lines() == ["line 3, column 2: not valid JSON (Expecting ',' delimiter)"]
    out = runner.invoke(args=["contest-import", str(path)])
    assert out.exit_code == 1 and "line 3, column 2: not valid JSON (Expecting ',' delimiter)" in out.stderr
    assert counts()["contest"] == 0

    path.write_text('\n  [1, 2]\n', encoding="utf-8")
    with pytest.raises(ContestFileInvalid) as raised:
        load_file(path)
    assert raised.value.lines() == ["line 2, column 3: must be a JSON object {…}, not a list"]

    path.write_bytes(b'{"contest":\n {"name": "\xff"}}')
    with pytest.raises(ContestFileInvalid) as raised:
        load_file(path)
    assert raised.value.lines() == ["line 2, column 12: not UTF-8 text"]


def test_a_byte_order_mark_is_fine_and_a_repeated_key_is_a_problem(app, tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + SAMPLE.read_bytes())
    assert load_file(path) == sample_file()
    path.write_text(SAMPLE.read_text(encoding="utf-8").replace(
        '"name": "示例职工数字技能竞赛",', '"name": "示例职工数字技能竞赛", "name": "又一个",'), encoding="utf-8")
    assert validate(load_file(path)) == ["contest.name: This key appears twice (JSON keeps only the last)."]


# --- export -----------------------------------------------------------------------------

def test_export_writes_the_same_format_with_the_defaults_made_explicit(app, runner):
    contest = import_contest(sample_file())
    expected = sample_file()
    expected["contest"].update(status="judging", hide_names=False, standings_best_n=3)
    for entry in expected["entries"]:
        entry["status"] = "approved"
    assert export_contest(contest) == expected
    out = runner.invoke(args=["contest-export", "sample-2026"])
    assert out.exit_code == 0 and json.loads(out.output) == expected


@pytest.mark.parametrize("path", [SAMPLE, TIES], ids=["sample", "ties"])
def test_export_then_import_under_another_slug_reproduces_the_contest(any_db_app, path):
    client = any_db_app.test_client()
    original = import_contest(load_file(path))
    slug = original.slug
    exported = export_contest(original)
    assert validate(exported) == []
    copied = copy.deepcopy(exported)
    copied["contest"]["slug"] = slug + "-copy"
    copy_contest = import_contest(json.loads(json.dumps(copied)))  # through JSON text, as a file would
    assert export_contest(copy_contest) == copied
    for event in exported["events"]:
        first, second = board(client, slug, event["code"]), board(client, slug + "-copy", event["code"])
        assert {k: v for k, v in second.items() if k != "contest"} == \
               {k: v for k, v in first.items() if k != "contest"}
        assert any(r["rank"] for r in first["rows"])


def test_the_withdrawn_board_policy_is_read_only_as_what_boards_do(app):
    """Files from before: "submitted" is what every board does and is accepted; "locked" was
    stored and shown but carried out by nothing, and is refused rather than ignored."""
    data = sample_file()
    data["contest"]["board_policy"] = "submitted"
    assert validate(data) == []
    data["contest"]["board_policy"] = "locked"
    assert validate(data) == ["contest.board_policy: Must be one of submitted."]
    assert "board_policy" not in export_contest(import_contest(sample_file()))["contest"]
