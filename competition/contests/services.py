"""Every write of a contest's settings, status, events and marking scheme: one transaction each,
with its audit entry. A change of the scheme (or of how an event ranks) is refused once the
event has marks, checked inside the transaction; otherwise the event's results are recomputed
in the same transaction, so the board's columns and progress follow, and its patch goes out
after commit."""
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import times
from ..appeals.models import APPEAL_PENDING, Appeal, Objection
from ..audit.models import record
from ..boards import results
from ..boards import services as boards
from ..certificates import services as certificates
from ..database import utcnow, write_transaction
from ..entries.models import APPROVED, Entry, bib_order
from ..errors import ActionRefused
from ..extensions import db
from ..ledger import services as ledger
from ..marking.models import Mark
from . import schemes
from .lifecycle import ContestFacts, announce_refusals, needs_reason, transition_refusals
from .models import ANNOUNCED, LIVE, OFFICIAL, Contest, Criterion, Event, Section, contest_by_slug

# Event fields that decide ranks and awards: frozen once the event has marks.
RANKING_FIELDS = ("places", "tie_break", "awards")


def _taken(model, scope, code: str, own_id: int | None = None) -> bool:
    query = select(model.id).where(scope, model.code == code)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return db.session.scalar(query.limit(1)) is not None


def _refuse_taken(taken: bool, code: str, value: str) -> None:
    """After an IntegrityError (the transaction is rolled back): refused when another row holds
    the value (a race the form's own check lost), else the error itself, a bug to see."""
    if taken:
        raise ActionRefused(409, code, {"code": value}, field="code" if code != "slug_taken" else "slug")
    raise  # noqa: PLE0704 (re-raises the IntegrityError being handled)


# --- what the rules need to know -------------------------------------------------------------

def event_has_marks(event: Event) -> bool:
    return db.session.scalar(select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
                             .where(Entry.event_id == event.id).limit(1)) is not None


def contest_has_marks(contest: Contest) -> bool:
    return db.session.scalar(select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
                             .where(Entry.contest_id == contest.id).limit(1)) is not None


def scheme_problems(event: Event) -> list:
    """What the scheme check (and so the scoring rules) refuses in the event's scheme, as
    Problems with paths within the event; [] when the scheme can be scored."""
    return schemes.event_scheme_problems(event)


def _has_entries(event: Event) -> bool:
    return db.session.scalar(select(Entry.id).where(Entry.event_id == event.id, Entry.status == APPROVED)
                             .limit(1)) is not None


def _unlocked(event: Event) -> int:
    return db.session.scalar(select(func.count()).select_from(Entry).where(
        Entry.event_id == event.id, Entry.status == APPROVED, Entry.locked_at.is_(None))) or 0


def _pending(model, statuses, contest: Contest) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(
        model.contest_id == contest.id, model.status.in_(statuses))) or 0


def contest_facts(contest: Contest) -> ContestFacts:
    events = list(contest.events)
    now = utcnow()
    closes = max((t for t in (contest.objections_until, contest.appeals_until) if t is not None), default=None)
    return ContestFacts(
        events=tuple(e.code for e in events),
        events_without_criteria=tuple(e.code for e in events if not e.criteria),
        events_with_invalid_scheme=tuple(e.code for e in events if e.criteria and scheme_problems(e)),
        # An event without entries has no results to decide, nothing to sign off.
        events_not_signed_off=tuple((e.name, _unlocked(e)) for e in events
                                    if e.result_status == LIVE and _has_entries(e)),
        has_marks=contest_has_marks(contest),
        is_archived=contest.archived_at is not None,
        is_announced=contest.announced_at is not None,
        window_open_until=times.local_text(contest, closes) if closes is not None and now < closes else None,
        objections_pending=_pending(Objection, ("open",), contest),
        appeals_pending=_pending(Appeal, APPEAL_PENDING, contest),
    )


def slug_taken(slug: str, contest: Contest | None = None) -> bool:
    other = contest_by_slug(slug)
    return other is not None and (contest is None or other.id != contest.id)


def _refresh_boards(contest: Contest) -> list:
    """Every board of the contest sent again in full: how its rows are shown changed (names
    hidden or shown). Inside the caller's transaction; returns the patches."""
    return [results.recompute_event(event, refresh=True) for event in contest.events]


# --- contests ------------------------------------------------------------------------------

CONTEST_FIELDS = ("name", "slug", "starts_on", "ends_on", "venue", "is_blind", "is_names_hidden",
                  "standings_best_n", "bib_pattern", "privacy_notice", "shows_judge_marks", "time_zone",
                  "gives_participation_certificates", "shows_public_ranges")


def create_contest(user, organisation_id: int, values: dict) -> Contest:
    try:
        with write_transaction():
            contest = Contest(organisation_id=organisation_id, status="draft",
                              **{k: values[k] for k in CONTEST_FIELDS})
            db.session.add(contest)
            db.session.flush()
            record("contest.create", user=user, contest=contest, target=f"contest:{contest.slug}",
                   name=contest.name)
    except IntegrityError:
        _refuse_taken(slug_taken(values["slug"]), "slug_taken", values["slug"])
    return contest


def update_contest(user, contest: Contest, values: dict) -> list[str]:
    """Save the settings; the names of the fields that changed. The address can change only
    while the contest is a draft: links and QR codes with it are out once registration opens."""
    changed = [k for k in CONTEST_FIELDS if getattr(contest, k) != values[k]]
    if not changed:
        return []
    if "slug" in changed and contest.status != "draft":
        raise ActionRefused(409, "slug_fixed", field="slug")
    patches = []
    try:
        with write_transaction():
            hidden = contest.names_hidden
            for key in changed:
                setattr(contest, key, values[key])
            if contest.names_hidden != hidden:
                patches = _refresh_boards(contest)
            record("contest.update", user=user, contest=contest, target=f"contest:{contest.slug}",
                   fields=changed)
    except IntegrityError:
        _refuse_taken(slug_taken(values["slug"], contest), "slug_taken", values["slug"])
    results.publish(patches)
    return changed


def change_status(user, contest: Contest, target: str, reason: str = "") -> None:
    """Move the contest to `target`, or refuse with every reason why not (checked inside the
    transaction: a judge's mark or an unlock may arrive meanwhile). Publishing makes every
    event's results official; withdrawing a publication (with a reason) announces them again."""
    reason = (reason or "").strip()
    with write_transaction():
        _lock_contest(contest)
        if needs_reason(contest.status, target) and not reason:
            raise ActionRefused(422, "withdraw_reason_required", field="reason")
        refusals = transition_refusals(contest.status, target, contest_facts(contest))
        if refusals:
            raise ActionRefused(409, "status_refused", {"reasons": refusals})
        before, hidden = contest.status, contest.names_hidden
        contest.status = target
        boards_change = contest.names_hidden != hidden
        if target == "published":
            contest.published_at = utcnow()
            _set_result_status(contest, OFFICIAL)
            certificates.issue_for(user, contest)
            boards_change = True
        elif before == "published":
            contest.published_at = None
            _set_result_status(contest, ANNOUNCED)
            boards_change = True
        patches = _refresh_boards(contest) if boards_change else []
        record("contest.status", user=user, contest=contest, target=f"contest:{contest.slug}",
               before=before, after=target, **({"reason": reason} if reason else {}))
        if target == "published":
            ledger.append(contest, "publish", results={
                e.code: [{k: row[k] for k in ("entry", "rank", "total", "award")} for row in results.board_rows(e)]
                for e in contest.events})
        elif before == "published":
            ledger.append(contest, "withdraw", reason=reason)
    results.publish(patches)


def _lock_contest(contest: Contest) -> None:
    """The contest row, then every board of it (in event order), before its facts are read: a
    chief judge's unlock or an appeal filed at the same moment waits, or is waited for."""
    db.session.refresh(contest, with_for_update=True)
    for event in sorted(contest.events, key=lambda e: e.id):
        results.lock_board(event.id)
        db.session.refresh(event)


def _set_result_status(contest: Contest, status: str) -> None:
    for event in contest.events:
        event.result_status = status


def announce(user, contest: Contest, objections_until, appeals_until=None) -> None:
    """公示: every event's results go public, awards and all, with a window for objections
    (and one for appeals, by default the same), both naive UTC in the future."""
    appeals_until = appeals_until or objections_until
    now = utcnow()
    if objections_until is None or objections_until <= now:
        raise ActionRefused(422, "window_in_past", field="objections_until")
    if appeals_until <= now:
        raise ActionRefused(422, "window_in_past", field="appeals_until")
    with write_transaction():
        _lock_contest(contest)
        refusals = announce_refusals(contest.status, contest_facts(contest))
        if refusals:
            raise ActionRefused(409, "announce_refused", {"reasons": refusals})
        contest.announced_at, contest.objections_until, contest.appeals_until = now, objections_until, appeals_until
        _set_result_status(contest, ANNOUNCED)
        # Announced results are public: a board still frozen for a ceremony is revealed at once.
        released, states = boards.release_frozen(contest)
        patches = released + _refresh_boards(contest)
        record("contest.announce", user=user, contest=contest, target=f"contest:{contest.slug}",
               objections_until=times.iso(contest, objections_until), appeals_until=times.iso(contest, appeals_until),
               revealed=[state["event"] for state in states])
        ledger.append(contest, "announce", objections_until=times.iso(contest, objections_until),
                      appeals_until=times.iso(contest, appeals_until))
    boards.send(patches, states)


def set_archived(user, contest: Contest, archived: bool) -> None:
    if (contest.archived_at is not None) == archived:
        return
    with write_transaction():
        contest.archived_at = utcnow() if archived else None
        record("contest.archive" if archived else "contest.unarchive", user=user, contest=contest,
               target=f"contest:{contest.slug}")


# --- events --------------------------------------------------------------------------------

EVENT_FIELDS = ("code", "name", "position", "is_team", "team_size", "capacity", "registration_deadline",
                "places", "tie_break", "awards", "promotion")


def next_position(rows) -> int:
    return max((r.position for r in rows), default=0) + 1


def create_event(user, contest: Contest, values: dict) -> Event:
    try:
        with write_transaction():
            event = Event(contest_id=contest.id, **{k: values[k] for k in EVENT_FIELDS})
            db.session.add(event)
            db.session.flush()
            record("event.create", user=user, contest=contest, target=f"event:{event.code}", name=event.name)
    except IntegrityError:
        _refuse_taken(_taken(Event, Event.contest_id == contest.id, values["code"]), "event_code_taken",
                      values["code"])
    return event


def update_event(user, event: Event, values: dict) -> list[str]:
    changed = [k for k in EVENT_FIELDS if getattr(event, k) != values[k]]
    if not changed:
        return []
    try:
        with write_transaction():
            results.lock_board(event.id)  # marks of this event wait, or are seen
            if any(k in RANKING_FIELDS for k in changed) and event_has_marks(event):
                raise ActionRefused(409, "scheme_locked")
            if "promotion" in changed and event.awards_decided:
                raise ActionRefused(409, "promotion_decided", field="promotion_title")
            code_before = event.code
            for key in changed:
                setattr(event, key, values[key])
            db.session.flush()
            # Decimal places change how every total and column maximum is shown.
            patch = results.recompute_event(event, refresh=True) if "places" in changed else None
            record("event.update", user=user, contest=event.contest, target=f"event:{code_before}", fields=changed)
    except IntegrityError:
        _refuse_taken(_taken(Event, Event.contest_id == event.contest_id, values["code"], event.id),
                      "event_code_taken", values["code"])
    results.publish([patch])
    return changed


def delete_event(user, event: Event) -> None:
    contest = event.contest
    with write_transaction():
        if db.session.scalar(select(func.count(Entry.id)).where(Entry.event_id == event.id)):
            raise ActionRefused(409, "event_in_use", {"name": event.name})
        record("event.delete", user=user, contest=contest, target=f"event:{event.code}", name=event.name)
        db.session.delete(event)


# --- the marking scheme --------------------------------------------------------------------

def _scheme_change(event: Event) -> None:
    """Inside the transaction of a scheme change: queue up with the event's markers, and refuse
    once it has marks (changing the scheme then would silently change results and ranks)."""
    results.lock_board(event.id)
    if event_has_marks(event):
        raise ActionRefused(409, "scheme_locked")


def save_section(user, event: Event, section: Section | None, values: dict) -> Section:
    try:
        with write_transaction():
            _scheme_change(event)
            fields = {key: values[key] for key in ("code", "name", "weight", "pass_mark", "position")}
            old_code = section.code if section is not None else None
            if section is None:
                section = Section(event_id=event.id, **fields)
                db.session.add(section)
                action = "section.create"
            else:
                for key, value in fields.items():
                    setattr(section, key, value)
                action = "section.update"
            if old_code and old_code != section.code:
                # The tie-break chain names sections by code: follow the rename.
                event.tie_break = [f"section:{section.code}" if k == f"section:{old_code}" else k
                                   for k in event.tie_break or []]
            db.session.flush()
            db.session.expire(event, ["sections"])
            patch = results.recompute_event(event, refresh=True)
            record(action, user=user, contest=event.contest, target=f"event:{event.code}/{section.code}")
    except IntegrityError:
        _refuse_taken(_taken(Section, Section.event_id == event.id, values["code"], getattr(section, "id", None)),
                      "section_code_taken", values["code"])
    results.publish([patch])
    return section


def delete_section(user, event: Event, section: Section) -> None:
    """Delete a section with its criteria (and their assignments, by cascade)."""
    with write_transaction():
        _scheme_change(event)
        event.tie_break = [k for k in event.tie_break or [] if k != f"section:{section.code}"]
        record("section.delete", user=user, contest=event.contest, target=f"event:{event.code}/{section.code}")
        db.session.delete(section)
        db.session.flush()
        db.session.expire(event, ["sections", "criteria"])
        patch = results.recompute_event(event, refresh=True)
    results.publish([patch])


def save_criterion(user, event: Event, section: Section, criterion: Criterion | None,
                   spec: schemes.CriterionSpec, position: int) -> Criterion:
    try:
        with write_transaction():
            _scheme_change(event)
            values = {key: getattr(spec, key) for key in (
                "code", "name", "description", "max", "kind", "method", "judges", "trim", "spread", "tolerance",
                "step", "descriptors")}
            values.update(section_id=section.id, event_id=event.id, position=position)
            if criterion is None:
                # Complete before it joins the session: a lazy load would autoflush a half-made row.
                criterion = Criterion(**values)
                db.session.add(criterion)
                action = "criterion.create"
            else:
                for key, value in values.items():
                    setattr(criterion, key, value)
                action = "criterion.update"
            db.session.flush()
            db.session.expire(section, ["criteria"])
            db.session.expire(event, ["criteria"])
            patch = results.recompute_event(event, refresh=True)
            record(action, user=user, contest=event.contest, target=f"event:{event.code}/{criterion.code}")
    except IntegrityError:
        _refuse_taken(_taken(Criterion, Criterion.event_id == event.id, spec.code, getattr(criterion, "id", None)),
                      "criterion_code_taken", spec.code)
    results.publish([patch])
    return criterion


def delete_criterion(user, event: Event, criterion: Criterion) -> None:
    """Delete a criterion (and its assignments, by cascade): the entries expect fewer marks."""
    with write_transaction():
        _scheme_change(event)
        record("criterion.delete", user=user, contest=event.contest, target=f"event:{event.code}/{criterion.code}")
        section = criterion.section
        db.session.delete(criterion)
        db.session.flush()
        db.session.expire(section, ["criteria"])
        db.session.expire(event, ["criteria"])
        patch = results.recompute_event(event, refresh=True)
    results.publish([patch])


def copyable_events(contest: Contest, target: Event) -> list[Event]:
    """Events whose scheme may be copied into `target`: those with sections, in this contest or
    another of the same organisation."""
    return list(db.session.scalars(
        select(Event).join(Contest, Contest.id == Event.contest_id)
        .where(Contest.organisation_id == contest.organisation_id, Event.id != target.id,
               Event.sections.any())
        .order_by(Contest.id == contest.id, Contest.starts_on.desc().nulls_last(), Contest.id.desc(),
                  Event.position, Event.id)))


def copy_scheme(user, target: Event, source: Event) -> None:
    """Replace the target's sections and criteria with copies of the source's; refused once the
    target has marks. The target's assignments go with its old criteria."""
    with write_transaction():
        _scheme_change(target)
        for section in list(target.sections):
            db.session.delete(section)
        db.session.flush()
        copies = []
        for s in source.sections:
            section = Section(event_id=target.id, code=s.code, name=s.name, position=s.position, weight=s.weight,
                              pass_mark=s.pass_mark)
            db.session.add(section)
            copies.append((s, section))
        db.session.flush()
        for s, section in copies:
            for c in s.criteria:
                db.session.add(Criterion(
                    section_id=section.id, event_id=target.id, code=c.code, name=c.name, description=c.description,
                    position=c.position, max=c.max, kind=c.kind, method=c.method, judges=c.judges, trim=c.trim,
                    spread=c.spread, tolerance=c.tolerance, step=c.step, descriptors=list(c.descriptors or [])))
        codes = {s.code for s in source.sections}
        target.tie_break = [k for k in target.tie_break or []
                            if not k.startswith("section:") or k.removeprefix("section:") in codes]
        db.session.flush()
        db.session.expire(target, ["sections", "criteria"])
        patch = results.recompute_event(target, refresh=True)
        record("scheme.copy", user=user, contest=target.contest, target=f"event:{target.code}",
               source=f"{source.contest.slug}/{source.code}")
    results.publish([patch])
    db.session.expire(target)


# --- completion times ------------------------------------------------------------------------

COMPLETION_TIME = "-completion_time"


def uses_completion_time(event: Event) -> bool:
    return COMPLETION_TIME in (event.tie_break or [])


def timed_entries(event: Event) -> list[Entry]:
    """The entries whose completion time the organiser records: the event's approved ones, by bib."""
    return list(db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.status == APPROVED)
                                   .order_by(*bib_order(), Entry.id)))


def set_completion_times(user, event: Event, times: dict[int, Decimal | None]) -> list[Entry]:
    """Record the entries' completion times (seconds; None clears one) for the event's
    completion-time tie-break, audited, and rank the board again. Refused once the event is
    signed off, as its marks are. Returns the entries whose time changed."""
    with write_transaction():
        if event.result_status != LIVE:
            raise ActionRefused(409, "times_decided", {"event": event.name})
        entries = {e.id: e for e in timed_entries(event)}
        changed = [entries[i] for i, value in times.items() if i in entries and entries[i].completion_time != value]
        if not changed:
            return []
        before = {e.bib or str(e.id): _seconds(e.completion_time) for e in changed}
        for entry in changed:
            entry.completion_time = times[entry.id]
        db.session.flush()
        record("event.completion_times", user=user, contest=event.contest, target=f"event:{event.code}",
               before=before, after={e.bib or str(e.id): _seconds(e.completion_time) for e in changed})
        patch = results.recompute(event, [e.id for e in changed], full=True)
    results.publish([patch] if patch is not None else [], contest=event.contest.slug)
    return changed


def _seconds(value) -> str | None:
    return None if value is None else str(value)
