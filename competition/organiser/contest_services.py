"""Every write of the organiser's contest, event and marking-scheme pages: one transaction each,
with its audit entry. A change that would silently re-rank an event (its scheme, places,
tie-break or awards once marks exist) is refused with SchemeLocked, never recomputed."""
import json
import tempfile
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.models import record
from ..contest_files import schema
from ..contest_files.services import ContestFileInvalid, _export_event, import_contest, load_file
from ..contests.lifecycle import ContestFacts, Refusal, transition_refusals
from ..contests.models import Contest, Criterion, Entry, Event, Section
from ..contests.queries import contest_by_slug
from ..database import utcnow, write_transaction
from ..extensions import db
from ..marking.models import Mark

# Event fields that decide ranks and awards: frozen once the event has marks.
RANKING_FIELDS = ("places", "tie_break", "awards")


class SchemeLocked(Exception):
    """The event has marks: its scheme (and what ranks it) may not change."""


class InUse(Exception):
    """The event has entries or marks: it may not be deleted."""


class StatusRefused(Exception):
    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__(", ".join(r.code for r in refusals))


class Taken(Exception):
    """A slug or code another row holds (found by the database after the form's check)."""


def _code_taken(model, scope, code: str, own_id: int | None = None) -> bool:
    query = select(model.id).where(scope, model.code == code)
    if own_id is not None:
        query = query.where(model.id != own_id)
    return db.session.scalar(query.limit(1)) is not None


def _taken_or_raise(taken: bool, value: str) -> None:
    """After an IntegrityError (the transaction is rolled back): Taken when another row holds the
    value (a race the form's own check lost), else the error itself, which is a bug to see."""
    if taken:
        raise Taken(value)
    raise


# --- what the rules need to know -------------------------------------------------------------

def event_has_marks(event: Event) -> bool:
    return db.session.scalar(select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
                             .where(Entry.event_id == event.id).limit(1)) is not None


def event_has_entries(event: Event) -> bool:
    return db.session.scalar(select(Entry.id).where(Entry.event_id == event.id).limit(1)) is not None


def contest_has_marks(contest: Contest) -> bool:
    return db.session.scalar(select(Mark.id).join(Entry, Entry.id == Mark.entry_id)
                             .where(Entry.contest_id == contest.id).limit(1)) is not None


def scheme_problems(event: Event) -> list[tuple[tuple, str]]:
    """What the contest file's checker (and so the scoring rules) refuses in the event's scheme,
    as (path within the event, message); [] when the scheme can be scored."""
    exported = _export_event(event)
    data = {"contest": {"slug": "scheme-check", "name": "-", "organisation": "-"}, "events": [exported]}
    _spec, problems = schema.check(data)
    ordered = sorted(problems, key=lambda p: schema._document_order(data, p[0]))
    return [(path[2:], message) for path, message in ordered if path[:2] == ("events", 0)]


def contest_facts(contest: Contest) -> ContestFacts:
    events = list(contest.events)
    return ContestFacts(
        events=tuple(e.code for e in events),
        events_without_criteria=tuple(e.code for e in events if not e.criteria),
        events_with_invalid_scheme=tuple(e.code for e in events if e.criteria and scheme_problems(e)),
        has_marks=contest_has_marks(contest),
        is_archived=contest.archived_at is not None,
    )


def slug_taken(slug: str, contest: Contest | None = None) -> bool:
    other = contest_by_slug(slug)
    return other is not None and (contest is None or other.id != contest.id)


# --- contests ------------------------------------------------------------------------------

_CONTEST_FIELDS = ("name", "slug", "starts_on", "ends_on", "venue", "board_policy", "is_blind", "is_names_hidden",
                   "standings_best_n", "bib_pattern", "privacy_notice")


def create_contest(user, organisation_id: int, values: dict) -> Contest:
    try:
        with write_transaction():
            contest = Contest(organisation_id=organisation_id, status="draft",
                              **{k: values[k] for k in _CONTEST_FIELDS})
            db.session.add(contest)
            db.session.flush()
            record("contest.create", user=user, contest=contest, target=f"contest:{contest.slug}",
                   name=contest.name)
    except IntegrityError:
        _taken_or_raise(slug_taken(values["slug"]), values["slug"])
    return contest


def update_contest(user, contest: Contest, values: dict) -> list[str]:
    """Save the settings; the names of the fields that changed."""
    changed = [k for k in _CONTEST_FIELDS if getattr(contest, k) != values[k]]
    if not changed:
        return []
    try:
        with write_transaction():
            for key in changed:
                setattr(contest, key, values[key])
            record("contest.update", user=user, contest=contest, target=f"contest:{contest.slug}",
                   fields=changed)
    except IntegrityError:
        _taken_or_raise(slug_taken(values["slug"], contest), values["slug"])
    return changed


def change_status(user, contest: Contest, target: str) -> None:
    """Move the contest to `target`, or StatusRefused with every reason why not."""
    refusals = transition_refusals(contest.status, target, contest_facts(contest))
    if refusals:
        raise StatusRefused(refusals)
    with write_transaction():
        db.session.refresh(contest)
        # Again inside the transaction: a judge's mark may have arrived meanwhile.
        refusals = transition_refusals(contest.status, target, contest_facts(contest))
        if refusals:
            raise StatusRefused(refusals)
        before = contest.status
        contest.status = target
        record("contest.status", user=user, contest=contest, target=f"contest:{contest.slug}",
               before=before, after=target)


def set_archived(user, contest: Contest, archived: bool) -> None:
    if (contest.archived_at is not None) == archived:
        return
    with write_transaction():
        contest.archived_at = utcnow() if archived else None
        record("contest.archive" if archived else "contest.unarchive", user=user, contest=contest,
               target=f"contest:{contest.slug}")


def import_upload(user, raw: bytes, *, organisation_name: str | None, slug: str | None, name: str | None,
                  scheme_only: bool) -> Contest:
    """Import an uploaded contest file for the user's organisation; ContestFileInvalid with every
    problem, and nothing written, when it is not valid."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contest.json"
        path.write_bytes(raw)
        data = load_file(path)
    head = data.get("contest")
    if isinstance(head, dict):
        # An organiser's upload always lands in their own organisation, whatever the file says.
        if organisation_name is not None:
            head["organisation"] = organisation_name
        if slug:
            head["slug"] = slug
        if name:
            head["name"] = name
        if scheme_only:
            head["status"] = "draft"
    if scheme_only:
        for key in ("judges", "entries", "marks"):
            data.pop(key, None)
    return import_contest(data, user=user)


def export_json(contest: Contest) -> str:
    from ..contest_files.services import export_contest
    return json.dumps(export_contest(contest), ensure_ascii=False, indent=1)


# --- events --------------------------------------------------------------------------------

_EVENT_FIELDS = ("code", "name", "position", "is_team", "team_size", "capacity", "registration_deadline",
                 "places", "tie_break", "awards")


def next_position(rows) -> int:
    return max((r.position for r in rows), default=0) + 1


def create_event(user, contest: Contest, values: dict) -> Event:
    try:
        with write_transaction():
            event = Event(contest_id=contest.id, **{k: values[k] for k in _EVENT_FIELDS})
            db.session.add(event)
            db.session.flush()
            record("event.create", user=user, contest=contest, target=f"event:{event.code}", name=event.name)
    except IntegrityError:
        _taken_or_raise(_code_taken(Event, Event.contest_id == contest.id, values["code"]), values["code"])
    return event


def update_event(user, event: Event, values: dict) -> list[str]:
    changed = [k for k in _EVENT_FIELDS if getattr(event, k) != values[k]]
    if not changed:
        return []
    if any(k in RANKING_FIELDS for k in changed) and event_has_marks(event):
        raise SchemeLocked()
    try:
        with write_transaction():
            code_before = event.code
            for key in changed:
                setattr(event, key, values[key])
            record("event.update", user=user, contest=event.contest, target=f"event:{code_before}", fields=changed)
    except IntegrityError:
        _taken_or_raise(_code_taken(Event, Event.contest_id == event.contest_id, values["code"], event.id),
                        values["code"])
    return changed


def delete_event(user, event: Event) -> None:
    if event_has_entries(event) or event_has_marks(event):
        raise InUse()
    contest = event.contest
    with write_transaction():
        if db.session.scalar(select(func.count(Entry.id)).where(Entry.event_id == event.id)):
            raise InUse()
        record("event.delete", user=user, contest=contest, target=f"event:{event.code}", name=event.name)
        db.session.delete(event)


# --- the marking scheme --------------------------------------------------------------------

def _guard(event: Event) -> None:
    if event_has_marks(event):
        raise SchemeLocked()


def save_section(user, event: Event, section: Section | None, values: dict) -> Section:
    _guard(event)
    try:
        with write_transaction():
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
            record(action, user=user, contest=event.contest, target=f"event:{event.code}/{section.code}")
    except IntegrityError:
        _taken_or_raise(_code_taken(Section, Section.event_id == event.id, values["code"],
                                    getattr(section, "id", None)), values["code"])
    return section


def delete_section(user, event: Event, section: Section) -> None:
    _guard(event)
    with write_transaction():
        event.tie_break = [k for k in event.tie_break or [] if k != f"section:{section.code}"]
        record("section.delete", user=user, contest=event.contest, target=f"event:{event.code}/{section.code}")
        db.session.delete(section)


def save_criterion(user, event: Event, section: Section, criterion: Criterion | None,
                   spec: schema.CriterionSpec, position: int) -> Criterion:
    _guard(event)
    try:
        with write_transaction():
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
            record(action, user=user, contest=event.contest, target=f"event:{event.code}/{criterion.code}")
    except IntegrityError:
        _taken_or_raise(_code_taken(Criterion, Criterion.event_id == event.id, spec.code,
                                    getattr(criterion, "id", None)), spec.code)
    return criterion


def delete_criterion(user, event: Event, criterion: Criterion) -> None:
    _guard(event)
    with write_transaction():
        record("criterion.delete", user=user, contest=event.contest, target=f"event:{event.code}/{criterion.code}")
        db.session.delete(criterion)


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
    target has marks."""
    _guard(target)
    with write_transaction():
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
        record("scheme.copy", user=user, contest=target.contest, target=f"event:{target.code}",
               source=f"{source.contest.slug}/{source.code}")
    db.session.expire(target)


__all__ = ["ContestFileInvalid", "InUse", "SchemeLocked", "StatusRefused", "Taken"]
