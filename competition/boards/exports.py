"""The results as organisers (and supervisors) take them away: one table per event (rank, bib,
name, delegation, every section's score, total, award, result status), the delegation
standings, and every mark revision. The numbers come from the boards' own functions; XLSX (one
sheet each), CSV (a ZIP of one file each) and JSON carry the same tables."""
import io
import json
import zipfile

from flask_babel import gettext as _
from sqlalchemy import select

from .. import scoring, spreadsheets, times
from ..accounts.models import User
from ..contests.models import Contest, Criterion, Event
from ..entries.models import Entry
from ..extensions import db
from ..judges.models import Judge
from ..marking.models import Mark, MarkRevision
from ..messages import result_status_text
from . import results
from .services import standings


def event_rows(event: Event) -> list[dict]:
    """The event's board rows as its staff see them: names shown, awards once decided."""
    places, decided = event.places, event.awards_decided
    return [results.public_row(line.row(False, places, decided)) for line in results.board_lines(event).values()]


def mark_rows(contest: Contest) -> list[dict]:
    """Every revision of every mark, oldest first, the time in the contest's zone."""
    rows = db.session.execute(
        select(Event.code, Entry.bib, Criterion.code, User.username, User.name, MarkRevision.value,
               MarkRevision.revision, MarkRevision.reason, MarkRevision.source, MarkRevision.created_at)
        .join(Mark, Mark.id == MarkRevision.mark_id).join(Entry, Entry.id == Mark.entry_id)
        .join(Event, Event.id == Entry.event_id).join(Criterion, Criterion.id == Mark.criterion_id)
        .join(Judge, Judge.id == Mark.judge_id).join(User, User.id == Judge.user_id)
        .where(Entry.contest_id == contest.id)
        .order_by(MarkRevision.created_at, MarkRevision.id)).all()
    return [{"event": e, "entry": bib, "criterion": c, "judge": username, "judge_name": name,
             "value": scoring.decimal_text(value), "revision": revision, "reason": reason or "",
             "source": source, "at": times.iso(contest, at)}
            for e, bib, c, username, name, value, revision, reason, source, at in rows]


def promotion_rows(event: Event) -> list[dict]:
    """The event's promotion list as rows: the board's rank, bib, name, delegation and total."""
    places = event.places
    return [{"rank": line.rank, "entry": line.bib, "name": line.name, "delegation": line.delegation,
             "total": str(scoring.round_half_up(line.total, places))}
            for line in results.promotion_lines(event)]


def export_data(contest: Contest) -> dict:
    events = list(contest.events)
    return {
        "contest": contest.slug,
        "events": [{"event": e.code, "name": e.name, "result_status": e.result_status,
                    "columns": results.columns(e), "rows": event_rows(e)} for e in events],
        "standings": standings(contest, staff=True),
        "promotions": [{"event": e.code, "name": e.name, "title": e.promotion["title"],
                        "result_status": e.result_status, "rows": promotion_rows(e)} for e in events if e.promotion],
        "marks": mark_rows(contest),
    }


def _tables(contest: Contest, data: dict) -> list[tuple[str, list[str], list[list]]]:
    until = times.local_text(contest, contest.objections_until)
    tables = []
    for ev in data["events"]:
        header = [_("Rank"), _("Bib"), _("Name"), _("Delegation"), *[c["name"] for c in ev["columns"]], _("Total"),
                  _("Award"), _("Result status")]
        status = result_status_text(ev["result_status"], until)
        rows = [[r["rank"], r["entry"], r["name"], r["delegation"], *[r["sections"].get(c["code"]) for c in ev["columns"]],
                 r["total"], r["award"], status] for r in ev["rows"]]
        tables.append((ev["name"], header, rows))
    award_names = data["standings"]["awards"]
    tables.append((_("Delegation standings"),
                   [_("Rank"), _("Delegation"), *award_names, _("Entries"), _("Total")],
                   [[s["rank"], s["delegation"], *[s["awards"].get(a, 0) for a in award_names], s["entries"], s["total"]]
                    for s in data["standings"]["rows"]]))
    if data["promotions"]:
        tables.append((_("Promotion list"),
                       [_("Event"), _("Title"), _("Rank"), _("Bib"), _("Name"), _("Delegation"), _("Total"),
                        _("Result status")],
                       [[p["name"], p["title"], r["rank"], r["entry"], r["name"], r["delegation"], r["total"],
                         result_status_text(p["result_status"], until)] for p in data["promotions"] for r in p["rows"]]))
    tables.append((_("Marks"),
                   [_("Event"), _("Bib"), _("Criterion"), _("Judge"), _("Name"), _("Mark"), _("Revision"), _("Reason"),
                    _("Source"), _("Time")],
                   [[m["event"], m["entry"], m["criterion"], m["judge"], m["judge_name"], m["value"], m["revision"],
                     m["reason"], m["source"], m["at"][:19].replace("T", " ")] for m in data["marks"]]))
    return tables


def export_file(contest: Contest, fmt: str) -> tuple[bytes, str, str]:
    """(body, mimetype, file name) of the results export in `fmt`: xlsx, csv (a ZIP) or json."""
    data = export_data(contest)
    stem = f"{contest.slug}-results"
    if fmt == "json":
        return (json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"), "application/json",
                f"{stem}.json")
    tables = _tables(contest, data)
    if fmt == "xlsx":
        return (spreadsheets.xlsx_book(tables), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"{stem}.xlsx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        names = set()
        for title, header, rows in tables:
            name = spreadsheets.sheet_title(title, names)
            archive.writestr(f"{name}.csv", spreadsheets.csv_bytes(header, rows))
    return out.getvalue(), "application/zip", f"{stem}-csv.zip"
