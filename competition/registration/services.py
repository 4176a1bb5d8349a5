"""Registration writes and reads: whether an event takes entries now, a person registering
on the public form (one transaction, audited), finding or creating a contestant and a
delegation (shared with the organiser's import), and the registrant's status lookup."""
import hmac
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.models import record
from ..contests import lifecycle
from ..contests.models import Contest, Contestant, Delegation, Entry, Event
from ..database import utcnow, write_transaction
from ..extensions import db
from . import identity as ident


@dataclass
class Registrant:
    """A person's registration data, already normalised and validated."""

    name: str
    gender: str | None
    id_type: str
    id_number: str
    mobile: str
    email: str = ""
    delegation: str = ""
    trade: str = ""
    skill_level: str = ""


class RegistrationRefused(Exception):
    """Why a registration cannot be taken: `field` is the form field to show it next to
    (None: the whole form), `code` the reason, `events` the event names it concerns."""

    def __init__(self, code: str, field: str | None = None, events: list[str] | None = None):
        super().__init__(code)
        self.code, self.field, self.events = code, field, events or []


is_registration_open = lifecycle.takes_registrations


def taken_places(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.event_id == event.id, Entry.status.in_(lifecycle.TAKES_A_PLACE))) or 0


def event_closed_reason(contest: Contest, event: Event, now: datetime | None = None) -> str | None:
    """None when the event takes registrations on the form now; else "closed", "team",
    "deadline" or "full" (the rule is contests.lifecycle's; teams are entered by their union,
    not on the individual form)."""
    if not lifecycle.takes_registrations(contest):
        return "closed"
    if event.is_team:
        return "team"
    taken = taken_places(event) if event.capacity is not None else 0
    return lifecycle.registration_closed_reason(contest, event, now or utcnow(), taken)


def open_events(contest: Contest, now: datetime | None = None) -> list[Event]:
    return [e for e in contest.events if event_closed_reason(contest, e, now) is None]


def find_contestant(contest: Contest, id_type: str, id_number: str) -> Contestant | None:
    return db.session.scalar(select(Contestant).where(
        Contestant.contest_id == contest.id, Contestant.id_type == id_type, Contestant.id_number == id_number))


def delegation_named(contest: Contest, name: str) -> Delegation | None:
    """The contest's delegation of this name, created when new; None for an empty name."""
    name = ident.clean_text(name)
    if not name:
        return None
    found = db.session.scalar(select(Delegation).where(Delegation.contest_id == contest.id, Delegation.name == name))
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
                raise RegistrationRefused("no_event", "events")
            contest_row = db.session.get(Contest, contest.id)
            for reason in ("closed", "team", "deadline", "full"):
                hit = [e.name for e in events if event_closed_reason(contest_row, e, now) == reason]
                if hit:
                    raise RegistrationRefused(reason, "events", hit)
            contestant = find_contestant(contest_row, person.id_type, person.id_number)
            if contestant is not None:
                entered = {e.event_id for e in db.session.scalars(
                    select(Entry).where(Entry.contestant_id == contestant.id))}
                again = [e.name for e in events if e.id in entered]
                if again:
                    raise RegistrationRefused("duplicate", "id_number", again)
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
        raise RegistrationRefused("duplicate", "id_number") from None
    return contestant


@dataclass
class StatusView:
    """What a registrant may see of their registration: never the ID or phone number."""

    reference: str
    name: str
    delegation: str
    entries: list = field(default_factory=list)  # Entry rows, with their event


def lookup_status(contest: Contest, reference: str, id_last4: str) -> StatusView | None:
    """The registration with this reference whose ID number ends in these four characters."""
    reference = ident.normalise_reference(reference)
    last4 = ident.compact(id_last4)
    contestant = db.session.scalar(select(Contestant).where(
        Contestant.contest_id == contest.id, Contestant.reference == reference)) if reference else None
    # Compared in constant time, and the same answer whether the reference or the digits are wrong.
    expected = (contestant.id_number or "")[-4:] if contestant else "____"
    if not (len(last4) == 4 and hmac.compare_digest(expected.encode(), last4.encode())) or contestant is None:
        return None
    entries = list(db.session.scalars(
        select(Entry).join(Event, Event.id == Entry.event_id).where(Entry.contestant_id == contestant.id)
        .order_by(Event.position, Event.id)))
    return StatusView(reference=contestant.reference, name=contestant.name,
                      delegation=contestant.delegation.name if contestant.delegation else "", entries=entries)
