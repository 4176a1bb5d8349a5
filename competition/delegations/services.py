"""A contest's delegations, for its organisers: who belongs to each, their team leader and
contact, renaming, and merging two that are one union (free-typed names split "朝阳区 总工会"
from "朝阳区总工会"). Names are the same union when their entries.identity.name_key is.

Every write is one transaction with its audit record. Boards, the delegation standings and
their live patches show delegation names, so a rename or a merge goes through the one
recompute door (boards.results) for every event whose rows change, and the patches are
published after commit. Issued certificates keep the delegation they were printed with."""
from dataclasses import dataclass, field

from sqlalchemy import and_, delete, or_, select, update

from ..audit.models import record
from ..boards import results
from ..contests.models import ANNOUNCED_OR_LATER, Contest, Event
from ..database import write_transaction
from ..collation import pinyin_key
from ..entries.identity import clean_text, name_key
from ..entries.models import Contestant, Delegation, Entry, bib_order
from ..entries.services import DelegationUse, delegation_uses
from ..errors import ActionRefused
from ..extensions import db
from ..judges.models import Assignment, Judge
from ..marking.models import Mark


# --- reading ------------------------------------------------------------------------------------

def overview(contest: Contest) -> list[DelegationUse]:
    """Every delegation of the contest with its entries, contestants and judges, by name."""
    return delegation_uses(contest)


@dataclass
class Similar:
    """Two delegations whose names differ only in spaces or full-width forms: probably one
    union. `into` is the one to keep (DelegationUse.keep_first)."""

    source: DelegationUse
    into: DelegationUse


def similar(uses: list[DelegationUse]) -> list[Similar]:
    groups: dict[str, list[DelegationUse]] = {}
    for use in uses:
        groups.setdefault(name_key(use.delegation.name), []).append(use)
    pairs = []
    for group in groups.values():
        if len(group) > 1:
            keep = min(group, key=lambda u: u.keep_first)
            pairs += [Similar(use, keep) for use in group if use is not keep]
    return sorted(pairs, key=lambda p: pinyin_key(p.into.delegation.name))


def delegation_of(contest: Contest, delegation_id: int) -> Delegation | None:
    found = db.session.get(Delegation, delegation_id)
    return found if found is not None and found.contest_id == contest.id else None


def members(delegation: Delegation) -> tuple[list[Entry], list[Judge]]:
    """The delegation's entries (by event, then bib) and judges, for its page."""
    entries = list(db.session.scalars(
        select(Entry).join(Event, Event.id == Entry.event_id).where(Entry.delegation_id == delegation.id)
        .order_by(Event.position, Event.id, *bib_order(), Entry.id)))
    judges = list(db.session.scalars(select(Judge).where(Judge.delegation_id == delegation.id).order_by(Judge.id)))
    return entries, judges


def results_announced(contest: Contest) -> bool:
    """Whether the public has read results of the contest with its delegations' names: an
    event announced (公示) or later, or the contest published."""
    return contest.status == "published" or any(e.result_status in ANNOUNCED_OR_LATER for e in contest.events)


# --- writing ------------------------------------------------------------------------------------

def _writable(contest: Contest) -> None:
    db.session.refresh(contest)
    if contest.archived_at is not None:
        raise ActionRefused(409, "archived")


def _clean_name(name: str | None) -> str:
    name = clean_text(name)
    if not name:
        raise ActionRefused(422, "delegation_name_required", field="name")
    return name


def _check_free(contest: Contest, name: str, exclude: int | None = None) -> None:
    """Refused when another delegation of the contest has this name, written the same apart
    from spaces and full-width forms: that is a merge, not a second delegation. The contest's
    delegations are locked, so two organisers cannot give two of them one name at once."""
    key = name_key(name)
    for other in db.session.scalars(select(Delegation).where(Delegation.contest_id == contest.id)
                                    .with_for_update()):
        if other.id != exclude and name_key(other.name) == key:
            raise ActionRefused(422, "delegation_name_taken", {"name": other.name}, field="name")


def _lock_boards(delegation_ids) -> list[Event]:
    """The events with entries of these delegations, their boards locked in event order (as
    every writer of boards: no deadlock)."""
    event_ids = sorted(set(db.session.scalars(
        select(Entry.event_id).where(Entry.delegation_id.in_(list(delegation_ids))))))
    for event_id in event_ids:
        results.lock_board(event_id)
    return [db.session.get(Event, i) for i in event_ids]


def _recompute(events: list[Event], entry_ids: set[int]) -> list:
    """How the rows of these entries are shown changed (their delegation): every row of each
    event goes out (`refresh`), since the rows were read after the change and compare equal."""
    patches = []
    for event in events:
        ids = list(db.session.scalars(select(Entry.id).where(Entry.event_id == event.id, Entry.id.in_(entry_ids))))
        if ids:
            patches.append(results.recompute(event, ids, refresh=True))
    return patches


def add_delegation(actor, contest: Contest, *, name: str, leader: str = "", contact: str = "") -> Delegation:
    """A delegation the organisers know of before its people register (it is suggested on the
    registration form)."""
    name = _clean_name(name)
    with write_transaction():
        _writable(contest)
        _check_free(contest, name)
        delegation = Delegation(contest_id=contest.id, name=name, leader=clean_text(leader),
                                contact=clean_text(contact))
        db.session.add(delegation)
        db.session.flush()
        record("delegation.added", user=actor, contest=contest, target=f"delegation:{delegation.id}", name=name)
    return delegation


def edit_delegation(actor, delegation: Delegation, *, name: str, leader: str, contact: str,
                    reason: str = "") -> None:
    """A new name, team leader or contact. A new name shows on the boards at once (and in the
    standings), so their rows are recomputed; once results are announced it needs a reason."""
    name, reason = _clean_name(name), clean_text(reason)
    contest = delegation.contest
    with write_transaction():
        _writable(contest)
        events = _lock_boards([delegation.id])
        found = db.session.scalar(select(Delegation).where(Delegation.id == delegation.id).with_for_update())
        if found is None:
            raise ActionRefused(409, "delegation_changed_meanwhile")
        before = {"name": found.name, "leader": found.leader, "contact": found.contact}
        renamed = name != found.name
        if renamed:
            _check_free(contest, name, exclude=found.id)
            if results_announced(contest) and not reason:
                raise ActionRefused(422, "rename_reason_required", field="reason")
        found.name, found.leader, found.contact = name, clean_text(leader), clean_text(contact)
        after = {"name": found.name, "leader": found.leader, "contact": found.contact}
        changed = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if not changed:
            return
        db.session.flush()
        patches = []
        if renamed:
            entry_ids = set(db.session.scalars(select(Entry.id).where(Entry.delegation_id == found.id)))
            patches = _recompute(events, entry_ids)
        record("delegation.edited", user=actor, contest=contest, target=f"delegation:{found.id}",
               changed=changed, **({"reason": reason} if reason else {}))
    results.publish(patches, contest=contest.slug)


@dataclass
class Merged:
    """What a merge moved, for the page that says so."""

    source: str
    into: str
    entries: int = 0
    contestants: int = 0
    judges: int = 0
    # Assignments that would have had a judge mark their own delegation, and had no mark yet:
    # removed (the judge could not give those marks); the event's assignments want generating again.
    assignments_removed: int = 0
    events_to_reassign: list[str] = field(default_factory=list)


def merge(actor, source: Delegation, into_id: int | None, *, reason: str = "") -> Merged:
    """Merge `source` into the delegation `into_id` of the same contest, in one transaction:
    its entries, contestants and judges (a judge's conflict of interest is by delegation) move,
    the team leader and contact fill the kept delegation's empty ones, `source` is deleted, and
    the boards of the moved entries are recomputed (their rows, the standings, the patches)."""
    reason = clean_text(reason)
    contest = source.contest
    with write_transaction():
        _writable(contest)
        into = db.session.get(Delegation, into_id) if into_id else None
        if into is None or into.contest_id != contest.id:
            raise ActionRefused(422, "unknown_delegation", field="into")
        if into.id == source.id:
            raise ActionRefused(422, "merge_into_itself", field="into")
        events = _lock_boards([source.id, into.id])
        a, b = (db.session.scalar(select(Delegation).where(Delegation.id == i).with_for_update())
                for i in (source.id, into.id))
        if a is None or b is None:
            raise ActionRefused(409, "delegation_changed_meanwhile")
        # Results announced (公示) or published: the public, the objectors and the certificates
        # have read them under these names. A merge changes no mark, rank or award of any entry
        # (what the chief judge signed off stands), only whom entries represent and so the
        # delegation standings, so a chief judge would not refuse it: leaving one union split in
        # two in the official standings would be the wrong result. But it is a change of the
        # announced results made outside an appeal, so it is said why, and recorded.
        if results_announced(contest) and not reason:
            raise ActionRefused(422, "merge_reason_required", field="reason")
        # Once one delegation, a judge of either marking an entry of the other would be marking
        # their own delegation. Marks are never deleted: given ones stay, but only knowingly (a
        # reason, for the chief judge); assignments not yet marked go, as the judge could not
        # give those marks any more (policy.has_conflict).
        cross = or_(and_(Judge.delegation_id == a.id, Entry.delegation_id == b.id),
                    and_(Judge.delegation_id == b.id, Entry.delegation_id == a.id))
        marked = db.session.execute(
            select(Judge, Entry).join(Mark, Mark.judge_id == Judge.id).join(Entry, Entry.id == Mark.entry_id)
            .where(cross).order_by(Mark.id).limit(1)).first()
        if marked is not None and not reason:
            judge, entry = marked
            names = {a.id: a.name, b.id: b.name}
            raise ActionRefused(409, "merge_marked_own_delegation",
                                {"judge": judge.user.name or judge.user.username,
                                 "from": names[judge.delegation_id], "entry": entry.bib or entry.name,
                                 "to": names[entry.delegation_id]}, field="reason")
        unmarked = list(db.session.execute(
            select(Assignment.id, Entry.id, Entry.event_id).join(Judge, Judge.id == Assignment.judge_id)
            .join(Entry, Entry.id == Assignment.entry_id)
            .where(cross, ~select(Mark.id).where(Mark.entry_id == Assignment.entry_id,
                                                 Mark.criterion_id == Assignment.criterion_id,
                                                 Mark.judge_id == Assignment.judge_id).exists())))
        moved_entries = set(db.session.scalars(select(Entry.id).where(Entry.delegation_id == a.id)))
        done = Merged(source=a.name, into=b.name, entries=len(moved_entries))
        if unmarked:
            db.session.execute(delete(Assignment).where(Assignment.id.in_([row[0] for row in unmarked])))
            done.assignments_removed = len(unmarked)
            reassign = {row[2] for row in unmarked}
            done.events_to_reassign = [e.name for e in events if e.id in reassign]
        done.contestants = db.session.execute(
            update(Contestant).where(Contestant.delegation_id == a.id).values(delegation_id=b.id)).rowcount
        done.judges = db.session.execute(
            update(Judge).where(Judge.delegation_id == a.id).values(delegation_id=b.id)).rowcount
        db.session.execute(update(Entry).where(Entry.delegation_id == a.id).values(delegation_id=b.id))
        b.leader = b.leader or a.leader
        b.contact = b.contact or a.contact
        db.session.flush()
        db.session.delete(a)
        db.session.flush()
        db.session.expire_all()  # entries loaded before the bulk updates read their new delegation
        patches = _recompute(events, moved_entries | {row[1] for row in unmarked})
        record("delegation.merged", user=actor, contest=contest, target=f"delegation:{b.id}",
               source=done.source, into=done.into, entries=done.entries, contestants=done.contestants,
               judges=done.judges, assignments_removed=done.assignments_removed,
               marked_by_own_delegation=marked is not None, **({"reason": reason} if reason else {}))
    results.publish(patches, contest=contest.slug)
    return done
