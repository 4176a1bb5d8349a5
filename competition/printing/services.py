"""What each printed sheet says, as plain data for its template. The numbers come from the
boards' own functions (board lines, exports' rows, the promotion rule), never computed here."""
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import privacy, qr, scoring, times
from ..accounts.models import User
from ..boards import exports, results
from ..boards.services import standings
from ..contests.models import Contest, Criterion, Event
from ..entries.models import Entry, bib_order
from ..extensions import db
from ..judges import services as judges
from ..judges.models import Assignment, Judge, PanelSeat
from ..ledger import services as ledger
from ..marking.models import Mark
from ..messages import result_status_text

#: Result statuses whose sheets are final enough to sign (the chief judge signed off).
SIGNABLE = ("signed_off", "announced", "protested", "official")


def _entries(event: Event) -> list[Entry]:
    """The event's entries on its board (approved, with a bib), by bib."""
    return list(db.session.scalars(select(Entry).where(Entry.event_id == event.id, results.on_board())
                                   .order_by(*bib_order())))


def status_text(event: Event) -> str:
    return result_status_text(event.result_status, times.local_text(event.contest, event.contest.objections_until))


# --- judges' score sheets (评分表) ------------------------------------------------------------

@dataclass
class ScoreSheet:
    judge: Judge
    chief: bool
    criteria: list[Criterion]
    rows: list[dict] = field(default_factory=list)  # {"bib", "name", "cells": [text or None (not theirs)]}
    marks: int = 0


def score_sheets(event: Event, judge_id: int | None = None) -> list[ScoreSheet]:
    """Each panel judge's marks in the event, one row per entry they mark, one column per
    criterion they mark (a cell not theirs is None, one not yet marked is "")."""
    seats = [seat for seat in db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id)
                                                 .order_by(PanelSeat.position, PanelSeat.id))
             if judge_id is None or seat.judge_id == judge_id]
    entries = _entries(event)
    entry_ids = [e.id for e in entries]
    assigned = defaultdict(set)
    for judge, entry, criterion in db.session.execute(
            select(Assignment.judge_id, Assignment.entry_id, Assignment.criterion_id)
            .where(Assignment.entry_id.in_(entry_ids))):
        assigned[judge].add((entry, criterion))
    values = {(j, e, c): v for j, e, c, v in db.session.execute(
        select(Mark.judge_id, Mark.entry_id, Mark.criterion_id, Mark.value).where(Mark.entry_id.in_(entry_ids)))}
    sheets = []
    for seat in seats:
        cells = assigned[seat.judge_id]
        criteria = [c for c in event.criteria if any((e, c.id) in cells for e in entry_ids)]
        sheet = ScoreSheet(judge=seat.judge, chief=seat.is_chief, criteria=criteria)
        for entry in entries:
            if not any((entry.id, c.id) in cells for c in criteria):
                continue
            row = []
            for c in criteria:
                if (entry.id, c.id) not in cells:
                    row.append(None)
                    continue
                value = values.get((seat.judge_id, entry.id, c.id))
                row.append("" if value is None else scoring.decimal_text(value))
                sheet.marks += value is not None
            sheet.rows.append({"bib": entry.bib, "name": entry.name, "cells": row})
        sheets.append(sheet)
    return sheets


# --- an event's result sheet (成绩表) ----------------------------------------------------------

def _people(event: Event) -> dict:
    chiefs = [seat.judge.user.name or seat.judge.user.username for seat in event.panel if seat.is_chief]
    supervisors = [j.user.name or j.user.username for j in judges.contest_judges(event.contest)
                   if j.role == "supervisor"]
    return {"chiefs": chiefs, "supervisors": supervisors}


def result_sheet(event: Event) -> dict:
    """The event's results as its staff see them (names shown, awards once decided), its
    promotion list, and who signs it."""
    return {"event": event, "columns": results.columns(event), "rows": exports.event_rows(event),
            "status": status_text(event), "signable": event.result_status in SIGNABLE,
            "promotion": exports.promotion_rows(event), "title": (event.promotion or {}).get("title"),
            **_people(event)}


def ledger_line(contest: Contest) -> dict:
    seq, head = ledger.head(contest)
    return {"seq": seq, "hash": head}


def book_parts(contest: Contest) -> list[tuple[str, dict]]:
    """The results book (成绩册) as its parts in order: (template, context) each, so that a
    print job can render them one by one and say how far it is."""
    parts = [("printing/book_cover.html", {"events": list(contest.events), "ledger": ledger_line(contest)})]
    parts += [("printing/result_sheet.html", {"sheet": result_sheet(event), "in_book": True})
              for event in contest.events]
    parts.append(("printing/book_standings.html", {"standings": standings(contest, staff=True)}))
    return parts


# --- the day: sign-in sheets, bib cards, judges' login cards -----------------------------------

def sign_in_rows(event: Event) -> list[dict]:
    """Who signs in (签到): every entry on the board, with its members for a team and a masked
    identity number to check against the card shown at the door."""
    rows = []
    for entry in _entries(event):
        people = entry.members or ([entry.contestant] if entry.contestant else [])
        rows.append({"bib": entry.bib, "name": entry.name,
                     "delegation": entry.delegation.name if entry.delegation else "",
                     "members": [p.name for p in entry.members],
                     "ids": [privacy.mask_id_number(p.id_number) for p in people if p.id_number]})
    return rows


def bib_cards(event: Event) -> list[dict]:
    return [{"bib": e.bib, "name": e.name, "delegation": e.delegation.name if e.delegation else ""}
            for e in _entries(event)]


@dataclass
class JudgeCards:
    cards: list[dict]
    refused: list[str]


def judge_cards(actor, contest: Contest, *, hours: int, login_url) -> JudgeCards:
    """A fresh one-time login link for every judge, chief judge and supervisor of the contest
    who may log in by link, as cards with its QR code. `login_url(token)` makes the address.
    Those who may not (staff accounts …) are named in `refused`."""
    cards, refused = [], []
    for judge in judges.contest_judges(contest):
        user: User = judge.user
        if judges.link_refusal(user, contest) is not None:
            refused.append(user.name or user.username)
            continue
        link, token = judges.issue_link(actor, user, hours=hours, contest=contest)
        url = login_url(token)
        events = [seat.event.name + ("（裁判长）" if seat.is_chief else "") for seat in judge.seats]
        cards.append({"name": user.name or user.username, "username": user.username, "role": judge.role,
                      "events": events, "url": url, "qr": qr.svg(url),
                      "expires": times.local(contest, link.expires_at)})
    return JudgeCards(cards, refused)
