"""Entries and the people in them: the public registration form (one transaction per person,
audited) and the registrant's status lookup; the organiser's filtered list, review (approve,
reject with a reason, withdraw, bulk approve), import of a checked entrant list in one
transaction, the export (masked unless the organiser asks for full numbers, with a reason) and
revealing one personal field, audited. A review that moves a numbered entry on or off its
board recomputes the board in the same transaction."""
import hmac
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..appeals.models import Appeal
from ..certificates.models import Certificate
from ..audit.models import record
from ..boards import results
from ..contests import lifecycle
from .. import scoring, times
from ..boards.models import Result
from ..contests.models import ANNOUNCED_OR_LATER, LIVE, Contest, Criterion, Event
from ..judges.models import Assignment, Judge, panel
from ..policy import has_conflict
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import db
from ..marking.models import Mark
from ..privacy import mask_email, mask_id_number, mask_phone
from ..collation import pinyin_key
from ..sealing import blind_index
from . import identity as ident
from .identity import Registrant
from . import importing
from .models import APPROVED, ENTRY_STATUSES, TAKES_A_PLACE, Contestant, Delegation, Entry, bib_order, entry_member


# --- registration on the public form ---------------------------------------------------------

#: Why the public form refuses an event (lifecycle.registration_closed_reason's reasons, and
#: team events, which their union enters): the refusal's code for each.
CLOSED_CODES = {"closed": "registration_closed", "team": "team_event", "deadline": "deadline_passed",
                "full": "no_places_left"}


def taken_places(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.event_id == event.id, Entry.status.in_(TAKES_A_PLACE))) or 0


def event_closed_reason(contest: Contest, event: Event, now: datetime | None = None, *,
                        team: bool = False) -> str | None:
    """None when the event takes registrations on the form now; else "closed", "team",
    "deadline" or "full" (the rule is contests.lifecycle's). A team event takes them on the
    team form only (`team`), an individual one on the individual form only."""
    if not lifecycle.takes_registrations(contest):
        return "closed"
    if event.is_team != team:
        return "team" if event.is_team else "closed"
    taken = taken_places(event) if event.capacity is not None else 0
    return lifecycle.registration_closed_reason(contest, event, now or utcnow(), taken)


def open_events(contest: Contest, now: datetime | None = None, *, team: bool = False) -> list[Event]:
    """The events the individual form (or with `team`, the team form) takes now."""
    return [e for e in contest.events if event_closed_reason(contest, e, now, team=team) is None]


def find_contestant(contest: Contest, id_type: str, id_number: str) -> Contestant | None:
    return db.session.scalar(select(Contestant).where(
        Contestant.contest_id == contest.id, Contestant.id_index == blind_index(id_type, id_number)))


def delegation_named(contest: Contest, name: str) -> Delegation | None:
    """The contest's delegation of this name, created when new; None for an empty name."""
    name = ident.clean_text(name)
    if not name:
        return None
    found = db.session.scalar(select(Delegation).where(Delegation.contest_id == contest.id, Delegation.name == name))
    if found is None:
        # Typed with other spaces or full-width forms, it is still the same union: never split it.
        key = ident.name_key(name)
        found = next((d for d in db.session.scalars(select(Delegation).where(Delegation.contest_id == contest.id)
                                                      .order_by(Delegation.id)) if ident.name_key(d.name) == key), None)
    if found is None:
        found = Delegation(contest_id=contest.id, name=name)
        db.session.add(found)
        db.session.flush()
    return found


def new_contestant(contest: Contest, person: Registrant, *, source: str, delegation: Delegation | None,
                   reference: str | None = None, consented_at: datetime | None = None) -> Contestant:
    contestant = Contestant(
        contest_id=contest.id, name=person.name, gender=person.gender, id_type=person.id_type,
        id_number=person.id_number, mobile=person.mobile, email=person.email or None,
        trade=person.trade or None, skill_level=person.skill_level or None, delegation=delegation,
        reference=reference, consented_at=consented_at, source=source)
    db.session.add(contestant)
    return contestant


def _unused_reference() -> str:
    while True:
        reference = ident.new_reference()
        if db.session.scalar(select(Contestant.id).where(Contestant.reference == reference)) is None:
            return reference


def register(contest: Contest, person: Registrant, event_codes: list[str], *, ip: str | None = None,
             now: datetime | None = None) -> Contestant:
    """A person registers on the public form for one or more events: a pending entry per event,
    and the contestant (reused when the same document already registered in this contest).
    Refuses closed, past-deadline or full events, and an event the person already entered."""
    now = now or utcnow()
    try:
        with write_transaction():
            events = list(db.session.scalars(
                select(Event).where(Event.contest_id == contest.id, Event.code.in_(event_codes))
                .order_by(Event.position, Event.id).with_for_update()))
            if not events or len(events) != len(set(event_codes)):
                raise ActionRefused(422, "no_event_chosen", field="events")
            contest_row = db.session.get(Contest, contest.id)
            for reason, code in CLOSED_CODES.items():
                hit = [e.name for e in events if event_closed_reason(contest_row, e, now) == reason]
                if hit:
                    raise ActionRefused(409, code, {"events": hit}, field="events")
            contestant = find_contestant(contest_row, person.id_type, person.id_number)
            if contestant is not None:
                entered = {e.event_id for e in db.session.scalars(
                    select(Entry).where(Entry.contestant_id == contestant.id))}
                again = [e.name for e in events if e.id in entered]
                if again:
                    raise ActionRefused(409, "already_registered", {"events": again}, field="id_number")
                # The data on file stays as first given (a second form may not rewrite it);
                # consent is renewed, and a contestant entered by the organiser gets a reference.
                contestant.consented_at = now
                contestant.reference = contestant.reference or _unused_reference()
            else:
                delegation = delegation_named(contest_row, person.delegation)
                contestant = new_contestant(contest_row, person, source="form", delegation=delegation,
                                            reference=_unused_reference(), consented_at=now)
                db.session.flush()
            for event in events:
                db.session.add(Entry(contest_id=contest_row.id, event_id=event.id, contestant_id=contestant.id,
                                     delegation_id=contestant.delegation_id, name=contestant.name,
                                     status="pending", bib=None))
            record("registration.submit", contest=contest_row, target=f"contestant:{contestant.reference}",
                   ip=ip, events=[e.code for e in events])
    except IntegrityError:
        # Two submissions of the same person at the same moment: the database kept one.
        raise ActionRefused(409, "already_registered_here", field="id_number") from None
    return contestant


TEAM_MIN = 2  # a team of one registers on the individual form


def register_team(contest: Contest, event_code: str, *, name: str, delegation: str, leader: str, contact: str,
                  members: list[Registrant], ip: str | None = None, now: datetime | None = None) -> Entry:
    """A team registers on the public form: one pending entry named by the team, its members
    (contestants reused when their document already registered in this contest, new ones
    otherwise, each with a reference for the status lookup), one delegation for all, the team
    leader and contact. Refused, with the member named, as the import refuses: a closed, late
    or full event, too few or too many members, a document twice in the team, a member already
    entered in this event (one team per person), a team name taken in the event."""
    now = now or utcnow()
    name = ident.clean_text(name)
    with write_transaction():
        event = db.session.scalar(select(Event).where(Event.contest_id == contest.id, Event.code == event_code)
                                  .with_for_update())
        if event is None or not event.is_team:
            raise ActionRefused(422, "no_event_chosen", field="event")
        contest_row = db.session.get(Contest, contest.id)
        reason = event_closed_reason(contest_row, event, now, team=True)
        if reason is not None:
            raise ActionRefused(409, CLOSED_CODES[reason], {"events": [event.name]}, field="event")
        most = event.team_size or TEAM_MIN
        if not TEAM_MIN <= len(members) <= max(most, TEAM_MIN):
            raise ActionRefused(422, "team_size_form", {"min": TEAM_MIN, "max": max(most, TEAM_MIN)})
        seen = set()
        for person in members:
            if (person.id_type, person.id_number) in seen:
                raise ActionRefused(422, "member_twice", {"name": person.name})
            seen.add((person.id_type, person.id_number))
        if db.session.scalar(select(Entry.id).where(Entry.event_id == event.id, Entry.name == name,
                                                    Entry.status.in_(TAKES_A_PLACE))) is not None:
            raise ActionRefused(409, "team_name_taken", {"team": name}, field="name")
        home = delegation_named(contest_row, delegation)
        people = []
        for person in members:
            contestant = find_contestant(contest_row, person.id_type, person.id_number)
            if contestant is not None:
                if any(e.event_id == event.id and e.status in TAKES_A_PLACE for e in contestant_entries(contestant)):
                    raise ActionRefused(409, "member_in_a_team", {"name": person.name, "event": event.name})
                contestant.consented_at = now
                contestant.reference = contestant.reference or _unused_reference()
            else:
                contestant = new_contestant(contest_row, person, source="form", delegation=home,
                                            reference=_unused_reference(), consented_at=now)
            people.append(contestant)
        team = Entry(contest_id=contest_row.id, event_id=event.id, contestant_id=None, delegation=home,
                     name=name, status="pending", bib=None, leader=ident.clean_text(leader)[:120],
                     contact=ident.clean_text(contact)[:120])
        team.members.extend(people)
        db.session.add(team)
        db.session.flush()
        record("registration.team", contest=contest_row, target=f"entry:{team.id}", ip=ip, event=event.code,
               members=len(people), references=[p.reference for p in people])
    return team


@dataclass
class OwnResult:
    """An entry's own results once its event is announced: each criterion's score, the section
    scores, rank and award, and (if the contest shows them) each judge's marks by pseudonym."""

    scores: dict  # criterion code -> score as text (None: not enough marks)
    sections: dict  # section code -> score
    total: str | None
    rank: int | None
    award: str | None
    judges: dict = field(default_factory=dict)  # criterion code -> [("J1", "7.5"), …]


@dataclass
class StatusView:
    """What a registrant may see of their registration: never the ID or phone number."""

    reference: str
    name: str
    delegation: str
    entries: list = field(default_factory=list)  # Entry rows, with their event
    results: dict = field(default_factory=dict)  # entry id -> OwnResult, once announced
    appeals: list = field(default_factory=list)  # the appeals they filed, with their rulings
    certificates: list = field(default_factory=list)  # their entries' certificates


#: Where the session keeps whom a registrant proved to be (reference and the last four
#: characters of the ID number), for their results and appeals.
IDENTIFIED = "identified"


def find_registrant(contest: Contest, reference: str, id_last4: str) -> Contestant | None:
    """The registration with this reference whose ID number ends in these four characters."""
    reference = ident.normalise_reference(reference)
    last4 = ident.compact(id_last4)
    contestant = db.session.scalar(select(Contestant).where(
        Contestant.contest_id == contest.id, Contestant.reference == reference)) if reference else None
    # Compared in constant time, and the same answer whether the reference or the digits are wrong.
    expected = (contestant.id_number or "")[-4:] if contestant else "____"
    if not (len(last4) == 4 and hmac.compare_digest(expected.encode(), last4.encode())) or contestant is None:
        return None
    return contestant


#: How long a browser stays identified: a venue's shared tablet forgets the last person soon.
IDENTIFIED_SECONDS = 15 * 60


def remember_registrant(session, contest: Contest, contestant: Contestant) -> None:
    session[IDENTIFIED] = {"contest": contest.id, "contestant": contestant.id, "at": int(time.time())}


def forget_registrant(session) -> None:
    session.pop(IDENTIFIED, None)


def identified_registrant(session, contest: Contest) -> Contestant | None:
    known = session.get(IDENTIFIED) or {}
    if known.get("contest") != contest.id or time.time() - known.get("at", 0) > IDENTIFIED_SECONDS:
        return None
    contestant = db.session.get(Contestant, known.get("contestant"))
    return contestant if contestant is not None and contestant.contest_id == contest.id else None


def lookup_status(contest: Contest, reference: str, id_last4: str) -> StatusView | None:
    contestant = find_registrant(contest, reference, id_last4)
    return status_view(contest, contestant) if contestant is not None else None


def status_view(contest: Contest, contestant: Contestant) -> StatusView:
    entries = list(db.session.scalars(
        select(Entry).join(Event, Event.id == Entry.event_id).where(Entry.contestant_id == contestant.id)
        .order_by(Event.position, Event.id)))
    return StatusView(reference=contestant.reference, name=contestant.name,
                      delegation=contestant.delegation.name if contestant.delegation else "", entries=entries,
                      results={e.id: r for e in entries if (r := own_result(e)) is not None},
                      appeals=list(db.session.scalars(select(Appeal).where(Appeal.contestant_id == contestant.id)
                                                      .order_by(Appeal.created_at, Appeal.id))),
                      certificates=list(db.session.scalars(
                          select(Certificate).where(Certificate.entry_id.in_([e.id for e in entries]))
                          .order_by(Certificate.issued_at, Certificate.id))))


def own_result(entry: Entry) -> OwnResult | None:
    """The entry's results once its event is announced (None before, or off the board)."""
    event = entry.event
    if event.result_status not in ANNOUNCED_OR_LATER or entry.status != APPROVED:
        return None
    result = db.session.get(Result, entry.id)
    if result is None:
        return None
    places = event.places
    judges = {}
    if event.contest.shows_judge_marks:
        numbers = {judge_id: pj.number for judge_id, pj in panel(event).items()}
        for code, judge_id, value in db.session.execute(
                select(Criterion.code, Mark.judge_id, Mark.value).join(Criterion, Criterion.id == Mark.criterion_id)
                .where(Mark.entry_id == entry.id)):
            judges.setdefault(code, []).append((numbers.get(judge_id, 0), scoring.decimal_text(value)))
        judges = {code: [(f"J{n}", v) for n, v in sorted(marks)] for code, marks in judges.items()}
    return OwnResult(
        scores={code: (None if v is None else str(scoring.round_half_up(Decimal(v), places)))
                for code, v in (result.criteria or {}).items()},
        sections=dict(result.sections or {}),
        total=None if result.total is None else str(scoring.round_half_up(result.total, places)),
        rank=result.rank, award=result.award, judges=judges)


# --- the organiser's list and review ----------------------------------------------------------

# Which review action may follow which status.
TRANSITIONS = {
    "approve": ("pending", "rejected"),
    "reject": ("pending", APPROVED),
    "withdraw": ("pending", APPROVED),
}
RESULT_STATUS = {"approve": APPROVED, "reject": "rejected", "withdraw": "withdrawn"}
#: Imported lists come from a union that already chose its entrants: they are approved at once.
IMPORT_STATUS = APPROVED


@dataclass
class EntryFilter:
    event: str = ""
    status: str = ""
    delegation: int | None = None
    q: str = ""


def _matching(contest: Contest, filters: EntryFilter, *columns):
    """The query of the contest's entries the filters match (of `columns`, or whole entries)."""
    query = (select(*columns or (Entry,)).select_from(Entry).join(Event, Event.id == Entry.event_id)
             .outerjoin(Contestant, Contestant.id == Entry.contestant_id)
             .where(Entry.contest_id == contest.id))
    if filters.event:
        query = query.where(Event.code == filters.event)
    if filters.status in ENTRY_STATUSES:
        query = query.where(Entry.status == filters.status)
    if filters.delegation:
        query = query.where(Entry.delegation_id == filters.delegation)
    q = ident.clean_text(filters.q)
    if q:
        code = ident.compact(q)
        conditions = [Entry.name.contains(q, autoescape=True), Entry.bib == code, Entry.bib == q,
                      Contestant.reference == ident.normalise_reference(q)]
        # ID numbers are sealed: found by their last four characters, or whole by the index.
        if re.fullmatch(r"[0-9X]{4}", code):
            conditions.append(Contestant.id_tail == code)
        elif re.fullmatch(r"[0-9X]{15,18}", code):
            conditions.append(Contestant.id_index == blind_index(ident.RESIDENT_ID, code))
        query = query.where(or_(*conditions))
    return query


ENTRIES_PAGE = 100


@dataclass
class EntryPage:
    """One page of the entries list: its rows, how many entries the filters match, which page."""

    rows: list[Entry]
    total: int
    page: int
    pages: int


def list_entries(contest: Contest, filters: EntryFilter, page: int = 1, per_page: int = ENTRIES_PAGE) -> EntryPage:
    """The entries the filters match, a page at a time, in the events' order and by bib."""
    total = db.session.scalar(_matching(contest, filters, func.count(Entry.id)))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    query = (_matching(contest, filters)
             .options(joinedload(Entry.event), joinedload(Entry.contestant), joinedload(Entry.delegation),
                      selectinload(Entry.members))
             .order_by(Event.position, Event.id, *bib_order(), Entry.created_at, Entry.id)
             .limit(per_page).offset((page - 1) * per_page))
    return EntryPage(list(db.session.scalars(query).unique()), total, page, pages)


def matching_ids(contest: Contest, filters: EntryFilter, *, statuses: tuple[str, ...] = ENTRY_STATUSES) -> list[int]:
    """Every entry the filters match, on every page, of these statuses: what "all that match"
    acts on (approving takes the pending and rejected ones)."""
    return list(db.session.scalars(_matching(contest, filters, Entry.id).where(Entry.status.in_(statuses))
                                   .order_by(Entry.id)))


def count_matching(contest: Contest, filters: EntryFilter, *, statuses: tuple[str, ...] = ENTRY_STATUSES) -> int:
    """How many entries matching_ids would give, counted by the database."""
    return db.session.scalar(_matching(contest, filters, func.count(Entry.id)).where(Entry.status.in_(statuses)))


def counts_by_status(contest: Contest) -> dict[str, int]:
    return dict(db.session.execute(select(Entry.status, func.count()).where(Entry.contest_id == contest.id)
                                   .group_by(Entry.status)).all())


# --- review ----------------------------------------------------------------------------------

def _entries_of(contest: Contest, entry_ids: list[int]) -> list[Entry]:
    entries = list(db.session.scalars(select(Entry).where(Entry.contest_id == contest.id, Entry.id.in_(entry_ids))
                                      .order_by(Entry.id).with_for_update()))
    if len(entries) != len(set(entry_ids)):
        raise ActionRefused(404, "not_found")
    return entries


def review(contest: Contest, action: str, entry_ids: list[int], *, user, reason: str = "",
           ip: str | None = None) -> list[Entry]:
    """Approve, reject (a reason is required) or withdraw entries of this contest, all or none."""
    reason = (reason or "").strip()
    if action not in TRANSITIONS:
        raise ActionRefused(404, "not_found")
    if action == "reject" and not reason:
        raise ActionRefused(422, "rejection_reason_required", field="reason")
    if not entry_ids:
        raise ActionRefused(422, "none_selected")
    with write_transaction():
        entries = _entries_of(contest, entry_ids)
        for entry in entries:
            # Signed off, the field of an event is decided with its results (an unlock reopens it).
            if entry.event.result_status != LIVE:
                raise ActionRefused(409, "field_decided", {"event": entry.event.name})
            if entry.status not in TRANSITIONS[action]:
                raise ActionRefused(409, "wrong_status", {"name": entry.name})
            if action != "approve" and db.session.scalar(select(Mark.id).where(Mark.entry_id == entry.id).limit(1)):
                raise ActionRefused(409, "has_marks", {"name": entry.name})
        if action == "approve":
            _check_room(entries)
        now = utcnow()
        for entry in entries:
            before = entry.status
            entry.status = RESULT_STATUS[action]
            entry.review_note = reason if action != "approve" else ""
            entry.reviewed_at = now
            entry.reviewed_by_id = user.id
            record(f"entry.{action}", user=user, contest=contest, target=f"entry:{entry.id}", ip=ip,
                   before=before, reason=reason)
        db.session.flush()
        # A numbered entry joins or leaves its event's board with its status.
        numbered: dict = {}
        for entry in entries:
            if entry.bib is not None:
                numbered.setdefault(entry.event, []).append(entry.id)
        patches = [results.recompute(event, ids) for event, ids in numbered.items()]
    results.publish(patches)
    return entries


def _lock_events(event_ids: list[int]) -> None:
    """Lock events (on PostgreSQL; SQLite's writers are serialised already) before counting
    their places, in the order registration locks them (position, id), so two writers never
    wait for each other crosswise."""
    if event_ids:
        db.session.execute(select(Event.id).where(Event.id.in_(event_ids))
                           .order_by(Event.position, Event.id).with_for_update())


def _check_room(entries: list[Entry]) -> None:
    """Approving a rejected entry gives it a place again: refused where that would take its
    event past its capacity (a pending entry holds its place already)."""
    joining: dict[Event, list[Entry]] = {}
    for entry in entries:
        if entry.status not in TAKES_A_PLACE:
            joining.setdefault(entry.event, []).append(entry)
    # Two organisers approving at once count one after the other.
    _lock_events([event.id for event in joining if event.capacity is not None])
    for event, newcomers in joining.items():
        left = lifecycle.places_left(event.capacity, taken_places(event))
        if left is not None and len(newcomers) > left:
            raise ActionRefused(409, "over_capacity", {"event": event.name, "capacity": event.capacity})


# --- import ----------------------------------------------------------------------------------

def import_context(contest: Contest, default_event: str | None) -> importing.ImportContext:
    """What the contest holds, for checking a list: a person already entered in an event is
    matched to that entry (a re-import updates them), not refused."""
    events = {e.code: e.name for e in contest.events if not e.is_team}
    team_events = {e.code: e.name for e in contest.events if e.is_team}
    entered, known, on_file = set(), {}, {}
    people = db.session.execute(
        select(Contestant, Delegation.name).outerjoin(Delegation, Delegation.id == Contestant.delegation_id)
        .where(Contestant.contest_id == contest.id)).all()
    by_id = {}
    for person, delegation in people:
        id_number = person.id_number
        if id_number is None:
            continue  # a team member known by name only (from a contest file)
        key = (person.id_type, id_number)
        by_id[person.id] = key
        known[key] = person.name
        on_file[key] = {"name": person.name, "gender": person.gender or "", "mobile": person.mobile or "",
                        "email": person.email or "", "delegation": delegation or "", "trade": person.trade or "",
                        "skill_level": person.skill_level or ""}
    for contestant_id, code in db.session.execute(
            select(Entry.contestant_id, Event.code).join(Event, Event.id == Entry.event_id)
            .where(Entry.contest_id == contest.id, Entry.contestant_id.is_not(None))):
        if contestant_id in by_id:
            entered.add((*by_id[contestant_id], code))
    # Team members are entered through their team.
    for contestant_id, code in db.session.execute(
            select(entry_member.c.contestant_id, Event.code)
            .join(Entry, Entry.id == entry_member.c.entry_id).join(Event, Event.id == Entry.event_id)
            .where(Entry.contest_id == contest.id)):
        if contestant_id in by_id:
            entered.add((*by_id[contestant_id], code))
    # Marking has begun for a person in an event: their entry there has marks.
    marked: dict = {}
    for contestant_id, code in db.session.execute(
            select(Entry.contestant_id, Event.code).join(Event, Event.id == Entry.event_id)
            .where(Entry.contest_id == contest.id, Entry.contestant_id.is_not(None),
                   select(Mark.id).where(Mark.entry_id == Entry.id).exists()).distinct()):
        if contestant_id in by_id:
            marked.setdefault(by_id[contestant_id], set()).add(code)
    teams = set(db.session.execute(
        select(Event.code, Entry.name).join(Entry, Entry.event_id == Event.id)
        .where(Event.contest_id == contest.id, Event.is_team)).tuples())
    room = {e.code: lifecycle.places_left(e.capacity, taken_places(e)) for e in contest.events if e.capacity is not None}
    return importing.ImportContext(
        events=events, team_events=team_events,
        default_event=default_event if default_event in events else None, entered=entered, known_names=known,
        room=room, team_sizes={e.code: e.team_size for e in contest.events if e.is_team and e.team_size},
        teams=teams, updates=True, on_file=on_file, marked=marked)


def check_import(contest: Contest, table: list[list[str]], mapping: list[str | None],
                 default_event: str | None) -> importing.CheckedFile:
    return importing.check_rows(table, mapping, import_context(contest, default_event))


#: How an update's audit entry shows a field's values: personal ones masked.
_AUDIT_MASKS = {"mobile": mask_phone, "email": mask_email}


def _person_changes(rows: list[importing.ImportRow]) -> dict[tuple, dict]:
    """Of each person on file, what the rows change (field → (on file, new)); a later row of
    the same person wins."""
    changes: dict[tuple, dict] = {}
    for row in rows:
        if row.changes:
            changes.setdefault((row.person.id_type, row.person.id_number), {}).update(row.changes)
    return changes


def _update_contestant(contest: Contest, contestant: Contestant, changes: dict, *, user, filename: str,
                       ip: str | None) -> None:
    """A re-import's changes to a person on file, on their own entries too (the name an entry
    shows, its delegation), audited with the fields changed (mobile and e-mail masked)."""
    delegation = None
    for name, (_old, new) in changes.items():
        if name == "delegation":
            delegation = delegation_named(contest, new)
            contestant.delegation = delegation
        else:
            setattr(contestant, name, new or None)
    db.session.flush()
    if "name" in changes or delegation is not None:
        for entry in db.session.scalars(select(Entry).where(Entry.contestant_id == contestant.id)):
            if "name" in changes:
                entry.name = contestant.name
            if delegation is not None:
                entry.delegation_id = delegation.id
    shown = {name: [_AUDIT_MASKS.get(name, str)(old), _AUDIT_MASKS.get(name, str)(new)]
             for name, (old, new) in changes.items()}
    record("contestant.update", user=user, contest=contest, target=f"contestant:{contestant.id}", ip=ip,
           source="import", filename=filename, fields=sorted(changes), changes=shown)


def import_entries(contest: Contest, table: list[list[str]], mapping: list[str | None], default_event: str | None,
                   *, user, filename: str = "", ip: str | None = None) -> importing.CheckedFile:
    """Check the file again inside the transaction and import every row, or nothing when any
    row has a problem (returned so the preview can show it). A re-import adds the new entries
    (of new people, or of people on file in one more event), updates the changed fields of
    people on file, and writes nothing for an unchanged row."""
    with write_transaction():
        _lock_events([e.id for e in contest.events])  # the room counted below stays free
        checked = check_import(contest, table, mapping, default_event)
        if not checked.is_clean or not checked.writes_anything:
            return checked
        events = {e.code: e for e in contest.events}
        people: dict[tuple, Contestant] = {}
        teams: dict[tuple, Entry] = {}
        for key, changes in _person_changes(checked.rows).items():
            contestant = people[key] = find_contestant(contest, *key)
            _update_contestant(contest, contestant, changes, user=user, filename=filename, ip=ip)
        for row in checked.rows:
            if row.status != importing.NEW:
                continue  # the entry is on file; its person's changes are made above
            person = row.person
            key = (person.id_type, person.id_number)
            contestant = people.get(key) or find_contestant(contest, *key)
            if contestant is None:
                contestant = new_contestant(contest, person, source="import",
                                            delegation=delegation_named(contest, person.delegation))
                db.session.flush()
            people[key] = contestant
            if row.team:
                # One entry per team, named by it, with every row of the team as a member.
                team = teams.get((row.event, row.team))
                if team is None:
                    # The team's delegation is the one its rows give (the checks made them agree),
                    # whatever a member already on file was registered under.
                    delegation = delegation_named(contest, person.delegation)
                    team = teams[(row.event, row.team)] = Entry(
                        contest_id=contest.id, event_id=events[row.event].id, contestant_id=None,
                        delegation_id=delegation.id if delegation else None, name=row.team, status=IMPORT_STATUS,
                        bib=None, reviewed_at=utcnow(), reviewed_by_id=user.id)
                    db.session.add(team)
                team.members.append(contestant)
                continue
            db.session.add(Entry(contest_id=contest.id, event_id=events[row.event].id, contestant_id=contestant.id,
                                 delegation_id=contestant.delegation_id, name=contestant.name,
                                 status=IMPORT_STATUS, bib=None, reviewed_at=utcnow(), reviewed_by_id=user.id))
        record("entries.import", user=user, contest=contest, ip=ip, filename=filename, rows=len(checked.rows),
               teams=len(teams), new=checked.count(importing.NEW), changed=checked.count(importing.CHANGED),
               unchanged=checked.count(importing.UNCHANGED), updated_people=checked.updated_people)
    return checked


# --- export ----------------------------------------------------------------------------------

EXPORT_HEADER = ["参赛项目", "参赛号", "姓名", "性别", "证件类型", "证件号码", "手机号码", "电子邮箱", "工作单位",
                 "工种", "技能等级", "状态", "审核意见", "报名编号", "来源", "报名时间", "队名"]
STATUS_NAMES = {"pending": "待审核", "approved": "已通过", "rejected": "未通过", "withdrawn": "已退出"}
SOURCE_NAMES = {"form": "网上报名", "import": "名单导入", "organiser": "组织方录入"}


def export_rows(contest: Contest, *, full: bool) -> list[list[str]]:
    """One row per person in an entry (a team: one per member, with its name under 队名), in
    Chinese as the import reads it back; ID and mobile masked unless `full` (the caller audits
    that choice)."""
    rows = []
    everything = (_matching(contest, EntryFilter())
                  .options(joinedload(Entry.event), joinedload(Entry.contestant), joinedload(Entry.delegation),
                           selectinload(Entry.members))
                  .order_by(Event.position, Event.id, *bib_order(), Entry.created_at, Entry.id))
    for entry in db.session.scalars(everything).unique():
        if entry.members:
            rows.extend(_export_row(entry, member, member.name, entry.name, full) for member in entry.members)
        else:
            rows.append(_export_row(entry, entry.contestant, entry.name, "", full))
    return rows


def _export_row(entry: Entry, person: Contestant | None, name: str, team: str, full: bool) -> list[str]:
    id_number = (person.id_number or "") if person else ""
    mobile = (person.mobile or "") if person else ""
    return [
        entry.event.name, entry.bib or "", name,
        {"male": "男", "female": "女"}.get(person.gender or "", "") if person else "",
        ident.ID_TYPE_NAMES.get(person.id_type, ("",))[0] if person and person.id_type else "",
        id_number if full else mask_id_number(id_number),
        mobile if full else mask_phone(mobile),
        ((person.email or "") if full else mask_email(person.email)) if person else "",
        entry.delegation.name if entry.delegation else "",
        (person.trade or "") if person else "",
        ident.SKILL_LEVEL_NAMES.get(person.skill_level or "", ("",))[0] if person else "",
        STATUS_NAMES.get(entry.status, entry.status), entry.review_note or "",
        (person.reference or "") if person else "",
        SOURCE_NAMES.get(person.source, "") if person else "",
        times.local_text(entry.event.contest, entry.created_at),  # the contest's time zone, as on the pages
        team,
    ]


def record_export(contest: Contest, *, user, fmt: str, full: bool, reason: str = "", ip: str | None = None) -> None:
    with write_transaction():
        record("entries.export", user=user, contest=contest, ip=ip, format=fmt, full=full, reason=reason)


def delegations(contest: Contest) -> list[Delegation]:
    """The contest's delegations by pinyin."""
    return sorted(db.session.scalars(select(Delegation).where(Delegation.contest_id == contest.id)),
                  key=lambda d: pinyin_key(d.name))


@dataclass
class DelegationUse:
    """Who belongs to a delegation: its entries (`placed`: those taking a place, pending or
    approved), its contestants and its judges."""

    delegation: Delegation
    entries: int = 0
    placed: int = 0
    contestants: int = 0
    judges: int = 0

    @property
    def is_suggested(self) -> bool:
        """Offered on the registration form: a delegation with entries, or one the organisers
        made (nobody in it yet, or a team leader named) — never the judges' committee, a
        delegation only judges belong to, nor one whose registrations were all refused."""
        d = self.delegation
        return bool(self.placed or d.leader or not (self.entries or self.contestants or self.judges))

    @property
    def keep_first(self) -> tuple:
        """Of names of one union, which to keep (suggest, merge into): most entries, then most
        contestants, then the oldest."""
        return -self.entries, -self.contestants, self.delegation.id


def delegation_uses(contest: Contest) -> list[DelegationUse]:
    """Every delegation of the contest with who belongs to it, by pinyin."""
    def count(model, *where):
        return (select(func.count(model.id)).where(model.delegation_id == Delegation.id, *where)
                .correlate(Delegation).scalar_subquery())

    rows = db.session.execute(
        select(Delegation, count(Entry), count(Entry, Entry.status.in_(TAKES_A_PLACE)), count(Contestant),
               count(Judge))
        .where(Delegation.contest_id == contest.id).order_by(Delegation.name, Delegation.id))
    uses = [DelegationUse(d, entries, placed, contestants, judges) for d, entries, placed, contestants, judges in rows]
    return sorted(uses, key=lambda u: pinyin_key(u.delegation.name))


def suggested_delegations(contest: Contest) -> list[str]:
    """The names the registration form suggests (DelegationUse.is_suggested), one per union:
    of names that differ only in spaces or full-width forms, the one with most entries (then
    the oldest), as the delegations page would keep in a merge."""
    best: dict[str, DelegationUse] = {}
    for use in sorted(delegation_uses(contest), key=lambda u: u.keep_first):
        if use.is_suggested:
            best.setdefault(ident.name_key(use.delegation.name), use)
    return sorted((use.delegation.name for use in best.values()), key=pinyin_key)


# --- a contestant's personal data -------------------------------------------------------------

#: The personal fields an organiser may reveal, with their masks.
REVEALABLE = {"id_number": mask_id_number, "mobile": mask_phone}


def contestant_of(contest: Contest, contestant_id: int) -> Contestant | None:
    person = db.session.get(Contestant, contestant_id)
    return person if person is not None and person.contest_id == contest.id else None


def entry_of(contest: Contest, entry_id: int) -> Entry | None:
    entry = db.session.get(Entry, entry_id)
    return entry if entry is not None and entry.contest_id == contest.id else None


def contestant_entries(person: Contestant) -> list[Entry]:
    return list(db.session.scalars(
        select(Entry).outerjoin(entry_member, entry_member.c.entry_id == Entry.id)
        .where((Entry.contestant_id == person.id) | (entry_member.c.contestant_id == person.id))
        .order_by(Entry.event_id, Entry.id).distinct()))


def reveal(user, contest: Contest, contestant: Contestant, field: str, ip: str | None = None) -> str:
    """The full value of one personal field, with an audit entry saying who saw which field when."""
    if field not in REVEALABLE:
        raise ActionRefused(422, "not_found")
    with write_transaction():
        record("contestant.reveal", user=user, contest=contest, target=f"contestant:{contestant.id}", ip=ip,
               field=field)
    return getattr(contestant, field) or ""


# --- correcting a person's data ----------------------------------------------------------------

CORRECTABLE = ("name", "gender", "id_type", "id_number", "mobile", "email", "trade", "skill_level")


def correct_contestant(actor, contest: Contest, person: Contestant, new: ident.Registrant, reason: str, *,
                       ip: str | None = None) -> list[str]:
    """Correct a person's data (a typo in a name, a wrong union …), with a reason, audited;
    their own entries follow (name, delegation) and the boards that show them are recomputed.
    Refused: another person of the contest with the new document; a new delegation once marking
    has begun for one of their entries, or for a member of a team (a team comes from one
    delegation). Returns the fields that changed."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(422, "correction_reason_required", field="reason")
    with write_transaction():
        entries = contestant_entries(person)
        changed = [f for f in CORRECTABLE if (getattr(person, f) or "") != (getattr(new, f) or "")]
        delegation = delegation_named(contest, new.delegation)
        moves = (delegation.id if delegation else None) != person.delegation_id
        if moves:
            changed.append("delegation")
        if not changed:
            return []
        if {"id_type", "id_number"} & set(changed):
            other = find_contestant(contest, new.id_type, new.id_number)
            if other is not None and other.id != person.id:
                raise ActionRefused(409, "person_exists", field="id_number")
        if moves:
            for entry in entries:
                if entry.contestant_id != person.id:
                    raise ActionRefused(409, "team_member_delegation", {"team": entry.name}, field="delegation")
                if db.session.scalar(select(Mark.id).where(Mark.entry_id == entry.id).limit(1)) is not None:
                    raise ActionRefused(409, "marked_delegation_change", {"value": entry.event.name},
                                        field="delegation")
        before = {f: _shown(f, getattr(person, f)) for f in changed if f != "delegation"}
        for f in changed:
            if f != "delegation":
                setattr(person, f, getattr(new, f) or None)
        if moves:
            before["delegation"] = person.delegation.name if person.delegation else ""
            person.delegation = delegation
        own = [entry for entry in entries if entry.contestant_id == person.id]
        for entry in own:
            entry.name = person.name
            entry.delegation = person.delegation
        dropped = _drop_conflicts(own) if moves else 0
        db.session.flush()
        record("contestant.correct", user=actor, contest=contest, target=f"contestant:{person.id}", ip=ip,
               reason=reason, fields=changed, before=before, assignments_dropped=dropped,
               after={f: _shown(f, getattr(person, f) if f != "delegation" else new.delegation) for f in changed})
        shown = [e for e in entries if e.status in TAKES_A_PLACE]
        patches = [results.recompute(entry.event, [entry.id], refresh=True) for entry in shown
                   if {"name", "delegation"} & set(changed)]
    results.publish([p for p in patches if p is not None], contest=contest.slug)
    return changed


def _shown(field: str, value) -> str:
    """A value as the audit trail keeps it: ID and mobile masked, like every organiser's view."""
    value = value or ""
    if field == "id_number":
        return mask_id_number(value)
    if field == "mobile":
        return mask_phone(value)
    if field == "email":
        return mask_email(value)
    return str(value)


# --- correcting an entry: a team's data, the event ---------------------------------------------

#: What an entry's correction may change: a team's own data, and the event of any entry.
ENTRY_CORRECTABLE = ("event", "name", "delegation", "leader", "contact")


@dataclass
class EntryCorrection:
    """What correcting an entry did: the fields that changed, the bib it has in its new event
    (a moved entry is numbered there), and the judges' assignments it lost: all of them when it
    moved (the new event's criteria are others), those that became a conflict of interest when
    its delegation changed."""

    changed: list[str] = field(default_factory=list)
    bib: str | None = None
    assignments_dropped: int = 0


def _has_begun(entry: Entry) -> bool:
    """Marking has begun for the entry: a mark, a penalty or a completion time is on file."""
    return entry.completion_time is not None or bool(entry.penalties) or db.session.scalar(
        select(Mark.id).where(Mark.entry_id == entry.id).limit(1)) is not None


def _check_move(contest: Contest, entry: Entry, target: Event) -> None:
    """Refusals of moving an entry to `target`, as registration and import refuse them."""
    if target.result_status != LIVE:
        raise ActionRefused(409, "field_decided", {"event": target.name}, field="event")
    if target.is_team != entry.event.is_team:
        raise ActionRefused(422, "move_team_kind", {"event": target.name}, field="event")
    people = list(entry.members) if entry.contestant_id is None else [entry.contestant]
    for person in people:
        if person is None:
            continue
        for other in contestant_entries(person):
            # One row per person and event, whatever its status (the database holds to it).
            if other.id != entry.id and other.event_id == target.id and (
                    entry.contestant_id is not None or other.status in TAKES_A_PLACE):
                raise ActionRefused(409, "member_in_a_team" if entry.contestant_id is None else "move_already_entered",
                                    {"name": person.name, "event": target.name}, field="event")
    if target.is_team:
        most = max(target.team_size or TEAM_MIN, TEAM_MIN)
        if not TEAM_MIN <= len(people) <= most:
            raise ActionRefused(409, "move_team_size", {"event": target.name, "min": TEAM_MIN, "max": most},
                                field="event")
        if db.session.scalar(select(Entry.id).where(Entry.event_id == target.id, Entry.name == entry.name,
                                                    Entry.status.in_(TAKES_A_PLACE))) is not None:
            raise ActionRefused(409, "team_name_taken", {"team": entry.name}, field="event")
    if entry.status in TAKES_A_PLACE and target.capacity is not None:
        _lock_events([target.id])
        if not lifecycle.places_left(target.capacity, taken_places(target)):
            raise ActionRefused(409, "over_capacity", {"event": target.name, "capacity": target.capacity},
                                field="event")


def _bib_in(contest: Contest, entry: Entry, target: Event) -> str | None:
    """The next free bib of `target` for an entry that moves there (numbering's rule)."""
    from ..numbering import rules as numbering
    numbered = [numbering.Numbered(id=e.id, name=e.name, delegation="", created_at=e.created_at, bib=e.bib)
                for e in db.session.scalars(select(Entry).where(Entry.event_id == target.id, Entry.id != entry.id,
                                                                Entry.status == APPROVED, Entry.bib.is_not(None)))]
    reserved = set(db.session.scalars(select(Entry.bib).where(
        Entry.event_id == target.id, Entry.status != APPROVED, Entry.bib.is_not(None))))
    taken = {bib: entry_id for entry_id, bib in db.session.execute(
        select(Entry.id, Entry.bib).where(Entry.contest_id == contest.id, Entry.bib.is_not(None),
                                          Entry.id != entry.id))}
    moving = numbering.Numbered(id=entry.id, name=entry.name, delegation="", created_at=entry.created_at, bib=None)
    try:
        plan = numbering.plan_bibs(contest.bib_pattern, target.code, [*numbered, moving], taken=taken,
                                   reserved=reserved)
    except numbering.PatternInvalid:
        return None  # a pattern that cannot number: the organiser numbers the entry on the bibs page
    return plan.bibs.get(entry.id) if plan.is_clean else None


def _drop_conflicts(entries: list[Entry]) -> int:
    """Remove the assignments that a new delegation made a conflict of interest (policy's
    rule): a judge never marks their own delegation's entries. Returns how many went."""
    db.session.flush()
    dropped = 0
    for entry in entries:
        for assignment in db.session.scalars(select(Assignment).where(Assignment.entry_id == entry.id)
                                             .options(joinedload(Assignment.judge))):
            if has_conflict(assignment.judge, entry):
                db.session.delete(assignment)
                dropped += 1
    return dropped


def correct_entry(actor, contest: Contest, entry: Entry, *, event_code: str, name: str = "", delegation: str = "",
                  leader: str = "", contact: str = "", reason: str, ip: str | None = None) -> EntryCorrection:
    """Correct an entry, with a reason, audited: move it to another event of the same kind,
    and for a team its name, delegation, leader and contact (a person's own data is corrected
    on their page, and their entries follow). Moving or changing the delegation is refused once
    marking has begun for the entry, or once either event's results are signed off. A moved
    entry leaves its old board and joins the new one in the same transaction, under a bib of
    its new event when it had one; its judges are assigned again in the new event."""
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(422, "correction_reason_required", field="reason")
    team = entry.contestant_id is None
    with write_transaction():
        old = entry.event
        target = db.session.scalar(select(Event).where(Event.contest_id == contest.id, Event.code == event_code))
        if target is None:
            raise ActionRefused(422, "no_event_chosen", field="event")
        new = {"event": target.code}
        if team:
            new |= {"name": ident.clean_text(name), "leader": ident.clean_text(leader)[:120],
                    "contact": ident.clean_text(contact)[:120]}
            if not new["name"]:
                raise ActionRefused(422, "team_name_required", field="name")
        home = delegation_named(contest, delegation) if team else entry.delegation
        now = {"event": old.code, "name": entry.name, "leader": entry.leader or "", "contact": entry.contact or ""}
        outcome = EntryCorrection(changed=[f for f in ENTRY_CORRECTABLE if f in new and new[f] != now[f]])
        if team and (home.id if home else None) != entry.delegation_id:
            outcome.changed.append("delegation")
        if not outcome.changed:
            return outcome
        moves = "event" in outcome.changed
        if moves or "delegation" in outcome.changed:
            for event in sorted({old, target}, key=lambda e: e.id):
                results.lock_board(event.id)  # marks of the entry wait: "marking has begun" holds till commit
            if old.result_status != LIVE:
                raise ActionRefused(409, "field_decided", {"event": old.name}, field="event")
            if _has_begun(entry):
                raise ActionRefused(409, "marked_entry_change", {"event": old.name},
                                    field="event" if moves else "delegation")
        if "name" in outcome.changed and not moves and db.session.scalar(select(Entry.id).where(
                Entry.event_id == old.id, Entry.name == new["name"], Entry.id != entry.id,
                Entry.status.in_(TAKES_A_PLACE))) is not None:
            raise ActionRefused(409, "team_name_taken", {"team": new["name"]}, field="name")
        if moves:
            entry.name = new.get("name", entry.name)
            _check_move(contest, entry, target)
        before = {f: now[f] for f in outcome.changed if f != "delegation"}
        if "delegation" in outcome.changed:
            before["delegation"] = entry.delegation.name if entry.delegation else ""
            entry.delegation = home
        if team:
            entry.name, entry.leader, entry.contact = new["name"], new["leader"], new["contact"]
        shown = {entry.id: entry.bib} if entry.bib is not None else {}
        if moves:
            outcome.assignments_dropped = db.session.execute(
                delete(Assignment).where(Assignment.entry_id == entry.id)).rowcount or 0
            entry.event = target
            if entry.bib is not None:
                entry.bib = None
                db.session.flush()
                entry.bib = outcome.bib = _bib_in(contest, entry, target)
        elif "delegation" in outcome.changed:
            outcome.assignments_dropped = _drop_conflicts([entry])
        db.session.flush()
        record("entry.correct", user=actor, contest=contest, target=f"entry:{entry.id}", ip=ip, reason=reason,
               fields=outcome.changed, before=before,
               after={f: (home.name if home else "") if f == "delegation" else new[f] for f in outcome.changed},
               bib={"before": shown.get(entry.id), "after": entry.bib} if moves else None,
               assignments_dropped=outcome.assignments_dropped)
        patches = []
        if entry.status in TAKES_A_PLACE:
            # The old board drops the row first (its result still names the old event), then the
            # new board takes the entry in.
            if moves:
                patches.append(results.recompute(old, [entry.id], shown_bibs=shown))
            patches.append(results.recompute(target, [entry.id]))
        elif moves:  # off every board: only its (empty) result follows it
            db.session.execute(update(Result).where(Result.entry_id == entry.id).values(event_id=target.id))
    results.publish([p for p in patches if p is not None], contest=contest.slug)
    return outcome
