"""The ledger (DESIGN.md §2 and §4; the algorithm in docs/ledger.md).

`append(contest, kind, **data)` adds one entry inside the caller's write transaction, so a
change cannot commit without its entry. Entries name judges by their pseudonym (J1, J2 … per
contest) and entries by bib: the ledger holds no personal data and is exported as it is.
Each entry's hash is SHA-256 over the previous hash (64 hex characters, ASCII) followed by the
entry's body as canonical JSON (sorted keys, no spaces, UTF-8). One contest's writers queue up
on its LedgerHead row, so two processes never fork its chain; the database moves the head
when an entry is inserted, and refuses one that does not follow it (migration cl0ledger0021).

`verify(contest)` recomputes the chain and replays it: the marks (value, revision, status), the
locks, and the results that the rules of competition.scoring give from those marks, each
compared with what the database stores. `export_lines(contest)` is the published ledger."""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite

from .. import scoring
from ..boards.models import Result
from ..contests.models import Contest, Criterion, Event
from ..database import utcnow
from ..entries.models import APPROVED, Entry
from ..extensions import db
from ..judges.models import Judge
from ..marking.models import Mark
from ..paper.models import Transcriber
from .models import GENESIS, LedgerEntry, LedgerHead


def canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, body: dict) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(body)).hexdigest()


def _at(moment) -> str:
    return moment.isoformat(timespec="microseconds") + "Z"


# --- writing ---------------------------------------------------------------------------------

def _head(contest_id: int) -> tuple[int, str]:
    """(seq, hash) of the contest's head, its row locked until the caller's transaction ends
    (made on the contest's first entry; of two writers making it at once, both then lock the
    one row). Read once per transaction: once it is locked nobody else moves it, so the
    transaction's own appends are followed in memory (_heads) and need neither a read nor a
    flush of what is pending."""
    heads = _heads()
    if contest_id in heads:
        return heads[contest_id]
    with db.session.no_autoflush:
        head = db.session.execute(_locked_head(), {"contest_id": contest_id}).first()
        if head is None:
            dialect = db.session.get_bind().dialect.name
            insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            db.session.execute(insert(LedgerHead).values(contest_id=contest_id, seq=0, hash=GENESIS)
                               .on_conflict_do_nothing(index_elements=["contest_id"]))
            head = db.session.execute(_locked_head(), {"contest_id": contest_id}).one()
    heads[contest_id] = (head.seq, head.hash)
    return heads[contest_id]


def _heads() -> dict[int, tuple[int, str]]:
    """The heads this transaction has locked and moved, by contest: kept with the session's
    current transaction, so a commit or a rollback forgets them."""
    session = db.session()
    session.connection()  # begins the transaction if nothing has yet: the memo is that one's
    transaction = session.get_transaction()
    memo = session.info.get("ledger_heads")
    if memo is None or memo[0] is not transaction:
        memo = session.info["ledger_heads"] = (transaction, {})
    return memo[1]


@cache
def _locked_head():
    """The head's select, built once (every mark runs it)."""
    return (select(LedgerHead.seq, LedgerHead.hash).where(LedgerHead.contest_id == bindparam("contest_id"))
            .with_for_update())


def pseudonym(judge: Judge) -> str:
    """The judge's pseudonym in the ledger, given on first use (under the head's lock, so two
    writers never give the same one)."""
    if judge.pseudonym is None:
        _head(judge.contest_id)
        used = db.session.scalar(select(func.count(Judge.id)).where(Judge.contest_id == judge.contest_id,
                                                                      Judge.pseudonym.is_not(None))) or 0
        judge.pseudonym = f"J{used + 1}"
        db.session.flush()
    return judge.pseudonym


def append(contest: Contest, kind: str, **data) -> LedgerEntry:
    seq, prev_hash = _head(contest.id)
    body = {"seq": seq + 1, "contest": contest.slug, "kind": kind, "at": _at(utcnow()), **data}
    entry = LedgerEntry(contest_id=contest.id, seq=body["seq"], kind=kind, body=body, prev_hash=prev_hash,
                        hash=chain_hash(prev_hash, body))
    db.session.add(entry)  # its insert's trigger moves the stored head
    _heads()[contest.id] = (entry.seq, entry.hash)
    return entry


def head_hash(contest: Contest) -> str | None:
    return head(contest)[1]


def head(contest: Contest) -> tuple[int, str | None]:
    """(seq, hash) of the contest's ledger head: (0, None) before its first entry."""
    row = db.session.get(LedgerHead, contest.id, populate_existing=True)  # the database moves it
    return (row.seq, row.hash) if row is not None and row.seq else (0, None)


def certificate_entry(contest: Contest, number: str) -> LedgerEntry | None:
    """The ledger entry that issued certificate `number` (its hash is printed on it)."""
    for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.contest_id == contest.id,
                                                              LedgerEntry.kind == "certificate.issue")
                                    .order_by(LedgerEntry.seq.desc())):
        if any(c.get("number") == number for c in entry.body.get("certificates", ())):
            return entry
    return None


def transcriber(contest_id: int, user_id: int) -> str:
    """The pseudonym (T1, T2 … per contest) of a person who entered a paper sheet, given on
    first use under the head's lock, as a judge's is."""
    _head(contest_id)
    found = db.session.scalar(select(Transcriber.pseudonym).where(Transcriber.contest_id == contest_id,
                                                                 Transcriber.user_id == user_id))
    if found is None:
        used = db.session.scalar(select(func.count(Transcriber.id)).where(Transcriber.contest_id == contest_id)) or 0
        found = f"T{used + 1}"
        db.session.add(Transcriber(contest_id=contest_id, user_id=user_id, pseudonym=found))
        db.session.flush()
    return found


def mark_data(event: str, entry: str, criterion: str, judge: Judge, revision) -> dict:
    """A mark revision (of this event code, bib, criterion code and judge) as the ledger keeps it;
    one entered from a paper sheet also names who entered it and who entered it again."""
    data = {"event": event, "entry": entry, "criterion": criterion, "judge": pseudonym(judge),
            "value": scoring.decimal_text(revision.value), "revision": revision.revision,
            "reason": revision.reason or "", "source": revision.source}
    if revision.source == "paper":
        data["transcribed_by"] = transcriber(judge.contest_id, revision.transcribed_by_id)
        data["verified_by"] = transcriber(judge.contest_id, revision.verified_by_id)
    return data


def field_entries(event: Event) -> list[dict]:
    """The entries on an event's board with what ranking needs besides their marks: their
    tie-break time and penalty (a sign-off records them with the scheme)."""
    rows = []
    for entry in db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.status == APPROVED,
                                                        Entry.bib.is_not(None)).order_by(Entry.bib)):
        penalty = sum((p.points for p in entry.penalties), Decimal(0))
        rows.append({"entry": entry.bib, "penalty": scoring.decimal_text(penalty),
                     "completion_time": None if entry.completion_time is None
                     else scoring.decimal_text(entry.completion_time)})
    return rows


# --- replaying and verifying -------------------------------------------------------------------

@dataclass
class Replay:
    """The state a ledger's entries give, in order."""

    marks: dict = field(default_factory=dict)  # (event, bib, criterion, judge) -> [value, revision, status]
    locked: set = field(default_factory=set)  # (event, bib)

    def apply(self, body: dict) -> None:
        kind = body["kind"]
        if kind == "genesis":  # the marks and locks a contest had when its ledger began
            for m in body["marks"]:
                self.marks[m["event"], m["entry"], m["criterion"], m["judge"]] = [m["value"], m["revision"],
                                                                                  m["status"]]
            self.locked |= {(lock["event"], lock["entry"]) for lock in body["locked"]}
        elif kind == "mark":
            self.marks[body["event"], body["entry"], body["criterion"], body["judge"]] = [
                body["value"], body["revision"], "submitted"]
        elif kind in ("return", "review"):
            for m in body["marks"]:
                self.marks[body["event"], m["entry"], m["criterion"], m["judge"]][2] = (
                    "returned" if kind == "return" else "review")
        elif kind == "lock":
            self.locked |= {(body["event"], bib) for bib in body["entries"]}
        elif kind == "unlock":
            self.locked -= {(body["event"], bib) for bib in body["entries"]}


@dataclass
class Verdict:
    entries: int
    head: str
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def _chain_problems(rows: list[LedgerEntry], head: LedgerHead | None) -> list[str]:
    problems, prev = [], GENESIS
    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            problems.append(f"ledger entry {expected} is missing (the next one is {row.seq})")
            break
        body = row.body or {}
        if body.get("seq") != row.seq or body.get("kind") != row.kind:
            problems.append(f"ledger entry {row.seq} ({row.kind}): its body says seq {body.get('seq')}, "
                            f"kind {body.get('kind')}")
            break
        if row.prev_hash != prev:
            problems.append(f"ledger entry {row.seq} ({row.kind}): previous hash {row.prev_hash[:12]}… is not "
                            f"the hash of entry {row.seq - 1} ({prev[:12]}…)")
            break
        if chain_hash(prev, body) != row.hash:
            problems.append(f"ledger entry {row.seq} ({row.kind}): its hash does not match its content")
            break
        prev = row.hash
    if not problems and rows and (head is None or (head.seq, head.hash) != (rows[-1].seq, rows[-1].hash)):
        problems.append(f"ledger head says entry {head.seq if head else 0}, the chain ends at entry {rows[-1].seq}")
    return problems


def _stored_marks(contest: Contest) -> dict:
    return {(event, bib, criterion, judge or f"judge {judge_id}"): [scoring.decimal_text(value), revision, status]
            for event, bib, criterion, judge, judge_id, value, revision, status in db.session.execute(
                select(Event.code, Entry.bib, Criterion.code, Judge.pseudonym, Judge.id, Mark.value, Mark.revision,
                       Mark.status)
                .join(Entry, Entry.id == Mark.entry_id).join(Event, Event.id == Entry.event_id)
                .join(Criterion, Criterion.id == Mark.criterion_id).join(Judge, Judge.id == Mark.judge_id)
                .where(Entry.contest_id == contest.id))}


def _mark_problems(replay: Replay, stored: dict) -> list[str]:
    problems = []
    for key in sorted(stored.keys() | replay.marks.keys(), key=lambda k: tuple(map(str, k))):
        name = "mark " + "/".join(map(str, key))
        if key not in replay.marks:
            problems.append(f"{name}: stored ({stored[key][0]}, revision {stored[key][1]}) but not in the ledger")
        elif key not in stored:
            problems.append(f"{name}: in the ledger ({replay.marks[key][0]}) but not stored")
        elif stored[key] != replay.marks[key]:
            (value, revision, status), (l_value, l_revision, l_status) = stored[key], replay.marks[key]
            problems.append(f"{name}: stored {value} (revision {revision}, {status}), the ledger gives {l_value} "
                            f"(revision {l_revision}, {l_status})")
    return problems


def _lock_problems(contest: Contest, replay: Replay) -> list[str]:
    stored = {(event, bib) for event, bib in db.session.execute(
        select(Event.code, Entry.bib).join(Event, Event.id == Entry.event_id)
        .where(Entry.contest_id == contest.id, Entry.locked_at.is_not(None), Entry.bib.is_not(None)))}
    return ([f"entry {e}/{b}: locked, but the ledger does not lock it" for e, b in sorted(stored - replay.locked)]
            + [f"entry {e}/{b}: the ledger locks it, but it is not locked" for e, b in sorted(replay.locked - stored)])


def recompute(rule: scoring.EventRule, marks: dict, entries: list[dict], places: int) -> dict[str, dict]:
    """An event's results from its marks ({bib: {criterion: [values]}}) and its board's entries
    ([{"entry", "penalty", "completion_time"}]), with the rules of competition.scoring alone:
    {bib: {"rank", "total", "sections", "award"}}, as the boards show them."""
    scores = {}
    for e in entries:
        scores[e["entry"]] = scoring.score_entry(rule, marks.get(e["entry"], {}), Decimal(e["penalty"]))
    codes = [code for code in map(scoring.tie_break_section, rule.tie_break) if code is not None]
    standings = [scoring.Standing(bib, s.total if s.has_marks else None,
                                  {code: s.sections[code] for code in codes if code in s.sections},
                                  None if e["completion_time"] is None else Decimal(e["completion_time"]), s.passed)
                 for e in entries for bib, s in [(e["entry"], scores[e["entry"]])]]
    placed = {p.key: p for p in scoring.rank(standings, rule.tie_break, rule.awards)}
    out = {}
    for bib, s in scores.items():
        placing = placed.get(bib)
        out[bib] = {"rank": placing.rank if placing else None,
                    "total": str(scoring.round_half_up(s.total, places)) if s.has_marks else None,
                    "sections": {code: str(v) for code, v in s.sections.items()} if s.has_marks else {},
                    "award": placing.award if placing else None}
    return out


def _result_problems(contest: Contest, replay: Replay) -> list[str]:
    """Every stored result against what the ledger's marks give with the stored scheme."""
    problems = []
    for event in db.session.scalars(select(Event).where(Event.contest_id == contest.id).order_by(Event.id)):
        try:
            rule = event.rule()
        except scoring.RuleError:
            continue
        marks: dict = defaultdict(lambda: defaultdict(list))
        for (code, bib, criterion, _judge), (value, _revision, _status) in replay.marks.items():
            if code == event.code:
                marks[bib][criterion].append(Decimal(value))
        expected = recompute(rule, marks, field_entries(event), event.places)
        for bib, total, rank, award, sections in db.session.execute(
                select(Entry.bib, Result.total, Result.rank, Result.award, Result.sections)
                .join(Result, Result.entry_id == Entry.id)
                .where(Entry.event_id == event.id, Entry.status == APPROVED, Entry.bib.is_not(None))
                .order_by(Entry.bib)):
            want = expected.get(bib)
            got = {"rank": rank, "total": None if total is None else str(scoring.round_half_up(total, event.places)),
                   "sections": dict(sections or {}), "award": award}
            if want is None:
                continue
            if got != want:
                diff = ", ".join(f"{k} {got[k]} (the ledger gives {want[k]})" for k in got if got[k] != want[k])
                problems.append(f"result {event.code}/{bib}: stored {diff}")
    return problems


def verify(contest: Contest) -> Verdict:
    rows = list(db.session.scalars(select(LedgerEntry).where(LedgerEntry.contest_id == contest.id)
                                   .order_by(LedgerEntry.seq)))
    head = db.session.get(LedgerHead, contest.id, populate_existing=True)  # the database moves it
    problems = _chain_problems(rows, head)
    replay = Replay()
    for row in rows:
        replay.apply(row.body)
    if not problems:
        problems += _mark_problems(replay, _stored_marks(contest))
        problems += _lock_problems(contest, replay)
        problems += _result_problems(contest, replay)
    return Verdict(len(rows), rows[-1].hash if rows else GENESIS, problems)


def export_lines(contest: Contest):
    """The ledger as JSON lines: {"seq", "prev_hash", "hash", "entry": body}."""
    for row in db.session.scalars(select(LedgerEntry).where(LedgerEntry.contest_id == contest.id)
                                  .order_by(LedgerEntry.seq)):
        yield json.dumps({"seq": row.seq, "prev_hash": row.prev_hash, "hash": row.hash, "entry": row.body},
                         ensure_ascii=False, sort_keys=True) + "\n"

