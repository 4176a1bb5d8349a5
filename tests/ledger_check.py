"""An outsider's check of an exported ledger, written from docs/ledger.md alone: nothing of the
application but `competition.scoring`, the pure rules of DESIGN.md §3, which anyone can run.

    check(lines) -> Checked(head, results)

raises LedgerBroken naming the first line that does not hold; `results` are recomputed from the
marks and sign-offs alone, as {event: [{"entry", "rank", "total", "award"}]} in board order."""
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from competition import scoring


class LedgerBroken(Exception):
    pass


@dataclass
class Checked:
    head: str
    entries: int
    results: dict
    published: dict | None


def _canonical(entry: dict) -> bytes:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _rule(scheme: dict) -> scoring.EventRule:
    def criterion(c):
        return scoring.CriterionRule(
            code=c["code"], max=Decimal(c["max"]), method=c["method"], judges=c["judges"],
            trim=c.get("trim", 1), spread=Decimal(c.get("spread", "1")),
            tolerance=Decimal(c["tolerance"]) if "tolerance" in c else None,
            step=Decimal(c["step"]) if "step" in c else None)
    sections = tuple(scoring.SectionRule(
        code=s["code"], criteria=tuple(criterion(c) for c in s["criteria"]),
        weight=Decimal(s["weight"]) if "weight" in s else None,
        pass_mark=Decimal(s["pass"]) if "pass" in s else None) for s in scheme["sections"])
    awards = tuple(scoring.AwardRule(name=a["name"], count=a.get("count"),
                                     share=Decimal(a["share"]) if "share" in a else None)
                   for a in scheme.get("awards", []))
    return scoring.EventRule(sections=sections, places=scheme["places"], tie_break=tuple(scheme["tie_break"]),
                             awards=awards)


def _results(sign_off: dict, marks: dict) -> list[dict]:
    scheme = sign_off["scheme"]
    rule = _rule(scheme)
    places = scheme["places"]
    scores = {e["entry"]: scoring.score_entry(rule, marks.get(e["entry"], {}), Decimal(e["penalty"]))
              for e in sign_off["entries"]}
    times = {e["entry"]: None if e["completion_time"] is None else Decimal(e["completion_time"])
             for e in sign_off["entries"]}
    codes = [key.split(":", 1)[1] for key in scheme["tie_break"] if key.startswith("section:")]
    standings = [scoring.Standing(bib, s.total if s.has_marks else None,
                                  {c: s.sections[c] for c in codes if c in s.sections}, times[bib], s.passed)
                 for bib, s in scores.items()]
    placed = {p.key: p for p in scoring.rank(standings, rule.tie_break, rule.awards)}
    rows = [{"entry": bib, "rank": placed[bib].rank if bib in placed else None,
             "total": str(scoring.round_half_up(s.total, places)) if s.has_marks else None,
             "award": placed[bib].award if bib in placed else None} for bib, s in scores.items()]
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["entry"]))


def check(lines) -> Checked:
    prev, seq = "0" * 64, 0
    values: dict = {}  # (event, entry, criterion, judge) -> value
    sign_offs: dict = {}
    published = None
    for text in lines:
        if not text.strip():
            continue
        line = json.loads(text)
        seq += 1
        entry = line["entry"]
        if line["seq"] != seq or entry["seq"] != seq:
            raise LedgerBroken(f"line {seq}: seq {line['seq']}, expected {seq}")
        if line["prev_hash"] != prev:
            raise LedgerBroken(f"line {seq}: prev_hash is not the previous line's hash")
        digest = hashlib.sha256(prev.encode("ascii") + _canonical(entry)).hexdigest()
        if digest != line["hash"]:
            raise LedgerBroken(f"line {seq}: hash does not match the entry")
        prev = digest
        kind = entry["kind"]
        if kind == "genesis":
            for m in entry["marks"]:
                values[m["event"], m["entry"], m["criterion"], m["judge"]] = m["value"]
        elif kind == "mark":
            values[entry["event"], entry["entry"], entry["criterion"], entry["judge"]] = entry["value"]
        elif kind == "sign_off":
            sign_offs[entry["event"]] = entry
        elif kind == "publish":
            published = entry["results"]
    results = {}
    for event, sign_off in sign_offs.items():
        marks: dict = defaultdict(lambda: defaultdict(list))
        for (code, bib, criterion, _judge), value in values.items():
            if code == event:
                marks[bib][criterion].append(Decimal(value))
        results[event] = _results(sign_off, marks)
    return Checked(prev, seq, results, published)
