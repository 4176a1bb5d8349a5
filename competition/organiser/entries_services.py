"""The organiser's work on entries: the filtered list, review (approve, reject with a reason,
withdraw, bulk approve), importing a checked entrant list in one transaction, and the export
rows (masked unless the organiser explicitly asks for full numbers). Every write is one
transaction with an audit record."""
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from ..audit.models import record
from ..contests.lifecycle import TAKES_A_PLACE, places_left
from ..contests.models import Contest, Contestant, Delegation, Entry, Event, entry_member
from ..database import utcnow, write_transaction
from ..extensions import db
from ..marking.models import Mark
from ..registration import identity as ident
from ..registration import importing
from ..registration.services import delegation_named, find_contestant, new_contestant, taken_places
from ..results import services as results

ENTRY_STATUSES = ("pending", "approved", "rejected", "withdrawn")
# Which review action may follow which status.
TRANSITIONS = {
    "approve": ("pending", "rejected"),
    "reject": ("pending", "approved"),
    "withdraw": ("pending", "approved"),
}
RESULT_STATUS = {"approve": "approved", "reject": "rejected", "withdraw": "withdrawn"}
#: Imported lists come from a union that already chose its entrants: they are approved at once.
IMPORT_STATUS = "approved"


class EntryActionRefused(Exception):
    def __init__(self, code: str, entry: Entry | None = None):
        super().__init__(code)
        self.code, self.entry = code, entry


# --- the list --------------------------------------------------------------------------------

@dataclass
class EntryFilter:
    event: str = ""
    status: str = ""
    delegation: int | None = None
    q: str = ""


def list_entries(contest: Contest, filters: EntryFilter) -> list[Entry]:
    query = (select(Entry).join(Event, Event.id == Entry.event_id)
             .outerjoin(Contestant, Contestant.id == Entry.contestant_id)
             .where(Entry.contest_id == contest.id)
             .options(joinedload(Entry.event), joinedload(Entry.contestant), joinedload(Entry.delegation),
                      selectinload(Entry.members))
             .order_by(Event.position, Event.id, Entry.bib.is_(None), Entry.bib, Entry.created_at, Entry.id))
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
        if re.fullmatch(r"[0-9X]{3,18}", code):
            conditions.append(Contestant.id_number.endswith(code, autoescape=True))
        query = query.where(or_(*conditions))
    return list(db.session.scalars(query).unique())


def counts_by_status(contest: Contest) -> dict[str, int]:
    from sqlalchemy import func
    return dict(db.session.execute(select(Entry.status, func.count()).where(Entry.contest_id == contest.id)
                                   .group_by(Entry.status)).all())


# --- review ----------------------------------------------------------------------------------

def _entries_of(contest: Contest, entry_ids: list[int]) -> list[Entry]:
    entries = list(db.session.scalars(select(Entry).where(Entry.contest_id == contest.id, Entry.id.in_(entry_ids))
                                      .order_by(Entry.id).with_for_update()))
    if len(entries) != len(set(entry_ids)):
        raise EntryActionRefused("not_found")
    return entries


def review(contest: Contest, action: str, entry_ids: list[int], *, user, reason: str = "",
           ip: str | None = None) -> list[Entry]:
    """Approve, reject (a reason is required) or withdraw entries of this contest, all or none."""
    reason = (reason or "").strip()
    if action not in TRANSITIONS:
        raise EntryActionRefused("unknown_action")
    if action == "reject" and not reason:
        raise EntryActionRefused("reason_required")
    if not entry_ids:
        raise EntryActionRefused("none_selected")
    with write_transaction():
        entries = _entries_of(contest, entry_ids)
        for entry in entries:
            if entry.status not in TRANSITIONS[action]:
                raise EntryActionRefused("wrong_status", entry)
            if action != "approve" and db.session.scalar(select(Mark.id).where(Mark.entry_id == entry.id).limit(1)):
                raise EntryActionRefused("has_marks", entry)
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
        patches = [results.update_event(event, ids) for event, ids in numbered.items()]
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
        left = places_left(event.capacity, taken_places(event))
        if left is not None and len(newcomers) > left:
            raise EntryActionRefused("full", newcomers[0])


# --- import ----------------------------------------------------------------------------------

def import_context(contest: Contest, default_event: str | None) -> importing.ImportContext:
    events = {e.code: e.name for e in contest.events if not e.is_team}
    team_events = {e.code: e.name for e in contest.events if e.is_team}
    entered, known = set(), {}
    for id_type, id_number, name, code in db.session.execute(
            select(Contestant.id_type, Contestant.id_number, Contestant.name, Event.code)
            .select_from(Contestant).outerjoin(Entry, Entry.contestant_id == Contestant.id)
            .outerjoin(Event, Event.id == Entry.event_id).where(Contestant.contest_id == contest.id)):
        if id_number is None:
            continue  # a team member known by name only (from a contest file)
        known[(id_type, id_number)] = name
        if code:
            entered.add((id_type, id_number, code))
    # Team members are entered through their team.
    entered.update(db.session.execute(
        select(Contestant.id_type, Contestant.id_number, Event.code)
        .join(entry_member, entry_member.c.contestant_id == Contestant.id)
        .join(Entry, Entry.id == entry_member.c.entry_id).join(Event, Event.id == Entry.event_id)
        .where(Contestant.contest_id == contest.id, Contestant.id_number.is_not(None))).tuples())
    teams = set(db.session.execute(
        select(Event.code, Entry.name).join(Entry, Entry.event_id == Event.id)
        .where(Event.contest_id == contest.id, Event.is_team)).tuples())
    room = {e.code: places_left(e.capacity, taken_places(e)) for e in contest.events if e.capacity is not None}
    return importing.ImportContext(
        events=events, team_events=team_events,
        default_event=default_event if default_event in events else None, entered=entered, known_names=known,
        room=room, team_sizes={e.code: e.team_size for e in contest.events if e.is_team and e.team_size},
        teams=teams)


def check_import(contest: Contest, table: list[list[str]], mapping: list[str | None],
                 default_event: str | None) -> importing.CheckedFile:
    return importing.check_rows(table, mapping, import_context(contest, default_event))


def import_entries(contest: Contest, table: list[list[str]], mapping: list[str | None], default_event: str | None,
                   *, user, filename: str = "", ip: str | None = None) -> importing.CheckedFile:
    """Check the file again inside the transaction and import every row, or nothing when any
    row has a problem (returned so the preview can show it)."""
    with write_transaction():
        _lock_events([e.id for e in contest.events])  # the room counted below stays free
        checked = check_import(contest, table, mapping, default_event)
        if not checked.is_clean:
            return checked
        events = {e.code: e for e in contest.events}
        people: dict[tuple, Contestant] = {}
        teams: dict[tuple, Entry] = {}
        for row in checked.rows:
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
               teams=len(teams))
    return checked


# The uploaded file waits in the instance folder between preview and confirm, under a random
# name; its metadata ties it to the contest and the organiser who uploaded it.
_TOKEN = re.compile(r"[0-9a-f]{32}")
UPLOAD_MAX_AGE = 24 * 3600


def _upload_dir() -> Path:
    path = Path(current_app.config.get("IMPORT_FOLDER") or Path(current_app.instance_path) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_upload(contest: Contest, user, filename: str, content: bytes, default_event: str | None) -> str:
    folder = _upload_dir()
    for old in folder.glob("*.json"):  # forget abandoned previews
        if time.time() - old.stat().st_mtime > UPLOAD_MAX_AGE:
            old.with_suffix(".bin").unlink(missing_ok=True)
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.bin").write_bytes(content)
    (folder / f"{token}.json").write_text(json.dumps(
        {"contest_id": contest.id, "user_id": user.id, "filename": filename, "default_event": default_event or ""},
        ensure_ascii=False), encoding="utf-8")
    return token


def load_upload(contest: Contest, user, token: str) -> tuple[dict, bytes] | None:
    """The stored upload, only for the contest and organiser it was uploaded by."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    folder = _upload_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        content = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("contest_id") != contest.id or meta.get("user_id") != user.id:
        return None
    return meta, content


def discard_upload(token: str) -> None:
    if _TOKEN.fullmatch(token or ""):
        folder = _upload_dir()
        (folder / f"{token}.bin").unlink(missing_ok=True)
        (folder / f"{token}.json").unlink(missing_ok=True)


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
    for entry in list_entries(contest, EntryFilter()):
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
        id_number if full else ident.mask_id(id_number),
        mobile if full else ident.mask_mobile(mobile),
        _email(person.email, full) if person else "",
        entry.delegation.name if entry.delegation else "",
        (person.trade or "") if person else "",
        ident.SKILL_LEVEL_NAMES.get(person.skill_level or "", ("",))[0] if person else "",
        STATUS_NAMES.get(entry.status, entry.status), entry.review_note or "",
        (person.reference or "") if person else "",
        SOURCE_NAMES.get(person.source, "") if person else "",
        entry.created_at.strftime("%Y-%m-%d %H:%M") if entry.created_at else "",
        team,
    ]


def _email(email: str | None, full: bool) -> str:
    if not email or full or "@" not in email:
        return email or ""
    local, domain = email.split("@", 1)
    return local[:1] + "***@" + domain


def record_export(contest: Contest, *, user, fmt: str, full: bool, reason: str = "", ip: str | None = None) -> None:
    with write_transaction():
        record("entries.export", user=user, contest=contest, ip=ip, format=fmt, full=full, reason=reason)


def delegations(contest: Contest) -> list[Delegation]:
    return list(db.session.scalars(select(Delegation).where(Delegation.contest_id == contest.id)
                                   .order_by(Delegation.name)))
