"""Contest files (DESIGN.md §4): read one, import it all or nothing in one transaction, and
export a contest in the same format, so export then import reproduces it."""
import json
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import Organisation, User
from ..accounts.services import find_user
from ..audit.models import record
from ..boards import results
from ..contests import schemes
from ..contests.models import Contest, Criterion, Event, Section, contest_by_slug
from ..database import write_transaction
from ..entries.models import Contestant, Delegation, Entry, entry_member
from ..extensions import db
from ..ledger import services as ledger
from ..judges.assigning import pick_judges
from ..judges.services import belongs_to
from ..judges.models import Assignment, Judge, PanelSeat
from ..marking.models import Mark, MarkRevision, Penalty
from .. import policy
from ..policy import has_conflict
from ..scoring import Problem, decimal_text
from . import schema


def _imported_status(status: str) -> str:
    """A file keeps no sign-off, announcement or ruling: a contest exported once judging had
    ended comes back judging, its events live, and its results are decided again."""
    return status if status in ("draft", "registration", "judging") else "judging"


class ContestFileInvalid(Exception):
    """A contest file that cannot be imported, with every problem (scoring.Problem; a path of
    None when the message says where, as a line and column). `lines()` says them in the
    reader's language, in the file's order."""

    def __init__(self, problems: list[Problem], data=None):
        self.problems, self.data = list(problems), data
        super().__init__(f"{len(self.problems)} problem(s) in the contest file: "
                         + "; ".join(f"{p.path}: {p.code}" for p in self.problems))

    def lines(self) -> list[str]:
        from ..messages import message
        located = [p for p in self.problems if p.path is None]
        return ([message(p.code, **p.params) for p in located]
                + schema.describe(self.data, [p for p in self.problems if p.path is not None]))


class _JsonObject(dict):
    """A JSON object that remembers the keys it saw twice (json keeps only the last value)."""

    duplicate_keys: tuple = ()


def _json_object(pairs) -> dict:
    obj = _JsonObject()
    duplicates = []
    for key, value in pairs:
        if key in obj and key not in duplicates:
            duplicates.append(key)
        obj[key] = value
    if duplicates:
        obj.duplicate_keys = tuple(duplicates)
    return obj


def load_file(path) -> dict:
    """The contest file at `path` as a dict; see read_file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as error:
        raise ContestFileInvalid([Problem(None, "file_unreadable", {"error": error.strerror})]) from None
    return read_file(raw)


def read_file(raw: bytes) -> dict:
    """A contest file's bytes as a dict; ContestFileInvalid with the line and column when it is
    not UTF-8 JSON (a byte-order mark is fine) or not a JSON object."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[:error.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        raise ContestFileInvalid([Problem(None, "file_not_utf8", {"line": line, "column": column})]) from None
    try:
        data = json.loads(text, object_pairs_hook=_json_object)
    except json.JSONDecodeError as error:
        raise ContestFileInvalid([Problem(None, "file_bad_json", {"line": error.lineno, "column": error.colno,
                                                                  "error": error.msg})]) from None
    except (ValueError, RecursionError) as error:  # e.g. a number too long to convert
        raise ContestFileInvalid([Problem(None, "file_not_json", {"error": str(error)})]) from None
    if not isinstance(data, dict):
        start = len(text) - len(text.lstrip())
        line = text.count("\n", 0, start) + 1
        column = start - (text.rfind("\n", 0, start) + 1) + 1
        code = "file_list_not_object" if isinstance(data, list) else "file_value_not_object"
        raise ContestFileInvalid([Problem(None, code, {"line": line, "column": column})])
    return data


def import_contest(data: dict, *, user=None, passwords: dict[str, str] | None = None) -> Contest:
    """Create the contest the file describes, with its marks and results, in one transaction;
    ContestFileInvalid with every problem, and nothing written, when the file is not valid or
    its slug is taken. `passwords` sets passwords on the judge accounts this creates."""
    spec, problems = schema.check(data)
    if spec is not None and spec.slug and contest_by_slug(spec.slug) is not None:
        problems.append(_slug_taken(spec.slug))
    if spec is not None:
        problems += _foreign_judges(spec, user)
    if problems:
        raise ContestFileInvalid(problems, data)
    try:
        with write_transaction():
            # Again inside the transaction: another import may have taken the slug meanwhile.
            if contest_by_slug(spec.slug) is not None:
                raise ContestFileInvalid([_slug_taken(spec.slug)], data)
            contest, patches = _write(spec, user, passwords or {})
    except IntegrityError:
        db.session.rollback()
        if contest_by_slug(spec.slug) is not None:
            raise ContestFileInvalid([_slug_taken(spec.slug)], data) from None
        raise
    results.publish(patches)
    return contest


def import_upload(user, raw: bytes, *, organisation_name: str | None, slug: str | None, name: str | None,
                  scheme_only: bool) -> Contest:
    """Import an uploaded contest file for the user's organisation; ContestFileInvalid with every
    problem, and nothing written, when it is not valid."""
    data = read_file(raw)
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


def _foreign_judges(spec: schema.ContestSpec, user) -> list[Problem]:
    """The file's judges that name an existing account the user may not seat (judges.services.
    belongs_to): another organisation's, or an administrator. The command line (no user) and
    administrators may seat anyone. Whose account it is stays unsaid."""
    if user is None or policy.is_admin(user):
        return []
    organisation_id = db.session.scalar(select(Organisation.id).where(Organisation.name == spec.organisation))
    problems = []
    for i, j in enumerate(spec.judges):
        account = find_user(j.username)
        if account is not None and (organisation_id is None or not belongs_to(account, organisation_id)):
            problems.append(Problem(("judges", i, "username"), "not_of_organisation", {}))
    return problems


def export_json(contest: Contest) -> str:
    return json.dumps(export_contest(contest), ensure_ascii=False, indent=1)


def _slug_taken(slug: str) -> Problem:
    return Problem(("contest", "slug"), "contest_exists", {"slug": slug})


def _write(spec: schema.ContestSpec, user, passwords: dict[str, str]) -> tuple[Contest, list]:
    writer = _Writer(spec, user, passwords)
    writer.contest_and_scheme()
    writer.judges_and_panels()
    writer.entries_and_contestants()
    writer.marks_and_assignments()
    # The one implementation of the rules computes results, ranks, awards and each board's seq.
    patches = [results.recompute(writer.events[e.code],
                                    [writer.entries[x.bib].id for x in spec.entries if x.event == e.code], e.rule,
                                    full=True)
               for e in spec.events]
    record("contest.import", user=user, contest=writer.contest, target=f"contest:{spec.slug}",
           events=len(spec.events), judges=len(spec.judges), entries=len(spec.entries), marks=len(spec.marks))
    return writer.contest, patches


class _Writer:
    """Adds a valid contest file's rows to the session, part by part, keeping what later parts
    refer to (events by code, entries by bib, judges by lower-cased username …)."""

    def __init__(self, spec: schema.ContestSpec, user, passwords: dict[str, str]):
        self.spec, self.user, self.session = spec, user, db.session
        self.passwords = {name.strip().lower(): password for name, password in passwords.items()}
        self.contest: Contest | None = None
        self.events: dict[str, Event] = {}
        self.criteria: dict[tuple[str, str], Criterion] = {}
        self.delegations: dict[str, Delegation] = {}
        self.judges: dict[str, Judge] = {}
        self.panels: dict[str, list[Judge]] = defaultdict(list)  # event code -> judges in panel order
        self.entries: dict[str, Entry] = {}

    def add(self, row):
        self.session.add(row)
        return row

    def contest_and_scheme(self) -> None:
        spec = self.spec
        organisation = self.session.scalar(select(Organisation).where(Organisation.name == spec.organisation))
        if organisation is None:
            organisation = self.add(Organisation(name=spec.organisation))
        self.contest = self.add(Contest(
            organisation=organisation, slug=spec.slug, name=spec.name, venue=spec.venue,
            starts_on=spec.starts_on, ends_on=spec.ends_on, status=_imported_status(spec.status),
            is_blind=spec.blind, is_names_hidden=spec.hide_names, standings_best_n=spec.standings_best_n or 3))
        sections = {}
        for position, e in enumerate(spec.events):
            event = self.events[e.code] = self.add(Event(
                contest=self.contest, code=e.code, name=e.name, position=position, is_team=e.team,
                team_size=e.team_size, capacity=e.capacity, places=e.places, tie_break=list(e.tie_break),
                awards=[dict(a) for a in e.awards], promotion=dict(e.promotion) if e.promotion else None))
            for section_position, s in enumerate(e.sections):
                sections[e.code, s.code] = self.add(Section(
                    event=event, code=s.code, name=s.name, position=section_position, weight=s.weight,
                    pass_mark=s.pass_mark))
        self.session.flush()  # criteria carry their event's id
        for e in spec.events:
            # Positions count through the whole event, so Event.criteria keeps the scheme's order too.
            for position, (s, c) in enumerate((s, c) for s in e.sections for c in s.criteria):
                self.criteria[e.code, c.code] = self.add(Criterion(
                    section=sections[e.code, s.code], event_id=self.events[e.code].id, code=c.code, name=c.name,
                    description=c.description, position=position, max=c.max, kind=c.kind, method=c.method,
                    judges=c.judges, trim=c.trim, spread=c.spread, tolerance=c.tolerance, step=c.step,
                    descriptors=list(c.descriptors)))

    def delegation(self, name: str | None) -> Delegation | None:
        if name is not None and name not in self.delegations:
            self.delegations[name] = self.add(Delegation(contest=self.contest, name=name))
        return self.delegations.get(name)

    def judges_and_panels(self) -> None:
        for j in self.spec.judges:
            account = find_user(j.username)
            if account is None:
                account = self.add(User(username=j.username, name=j.name))
                if self.passwords.get(j.username.lower()):
                    account.set_password(self.passwords[j.username.lower()])
            judge = self.judges[j.username.lower()] = self.add(
                Judge(contest=self.contest, user=account, delegation=self.delegation(j.delegation),
                      role="supervisor" if j.supervisor else "judge"))
            for code in j.events:
                self.add(PanelSeat(event=self.events[code], judge=judge, is_chief=j.chief,
                                   position=len(self.panels[code])))
                self.panels[code].append(judge)

    def entries_and_contestants(self) -> None:
        contest_id = self.contest.id
        for e in self.spec.entries:
            event = self.events[e.event]
            entry = self.entries[e.bib] = self.add(Entry(
                contest_id=contest_id, event=event, delegation=self.delegation(e.delegation), name=e.name,
                bib=e.bib, draw_code=e.draw_code, status=e.status, completion_time=e.completion_time))
            # The file carries no personal data: a contestant is a name and a delegation.
            if event.is_team:
                entry.members = [Contestant(contest_id=contest_id, name=name, delegation=entry.delegation)
                                 for name in e.members]
            else:
                entry.contestant = Contestant(contest_id=contest_id, name=e.name, delegation=entry.delegation)
            entry.penalties = [Penalty(points=points, reason=reason, author_id=getattr(self.user, "id", None))
                               for points, reason in e.penalties]
        self.session.flush()

    def marks_and_assignments(self) -> None:
        marked_by: dict[tuple[str, str], list[Judge]] = defaultdict(list)
        for m in self.spec.marks:
            judge = self.judges[m.judge.lower()]
            mark = self.add(Mark(entry_id=self.entries[m.entry].id, criterion_id=self.criteria[m.event, m.criterion].id,
                                 judge_id=judge.id, value=m.value, revision=1))
            revision = MarkRevision(revision=1, value=m.value, client_id=None, reason="", source="import",
                                    author_id=None)
            mark.revisions.append(revision)
            ledger.append(self.contest, "mark", **ledger.mark_data(m.event, m.entry, m.criterion, judge, revision))
            marked_by[m.entry, m.criterion].append(judge)
        # Who marks what: the one rule (judges.assigning), as the organiser's pages apply it.
        schemes = {e.code: e for e in self.spec.events}
        for e in self.spec.entries:
            entry = self.entries[e.bib]
            for c in schemes[e.event].criteria():
                pick = pick_judges(self.panels[e.event], c.judges, marked=marked_by[e.bib, c.code],
                                   conflict=lambda judge: has_conflict(judge, entry))
                self.session.add_all(Assignment(entry_id=entry.id, criterion_id=self.criteria[e.event, c.code].id,
                                                judge_id=judge.id) for judge in pick.chosen)
        self.session.flush()


# --- export ----------------------------------------------------------------------------

def export_contest(contest: Contest) -> dict:
    """The contest as its file: the scheme, the judges and their panels, the entries and the
    current value of every mark. Locks, revisions and personal data stay behind."""
    session = db.session
    events = list(session.scalars(select(Event).where(Event.contest_id == contest.id)
                                  .order_by(Event.position, Event.id)))
    head = {"slug": contest.slug, "name": contest.name, "organisation": contest.organisation.name,
            "blind": contest.is_blind, "status": contest.status}
    if contest.venue:
        head["venue"] = contest.venue
    if contest.starts_on:
        head["starts_on"] = contest.starts_on.isoformat()
    if contest.ends_on:
        head["ends_on"] = contest.ends_on.isoformat()
    head["hide_names"] = contest.is_names_hidden
    head["standings_best_n"] = contest.standings_best_n
    return {
        "contest": head,
        "events": [schemes.written_event(event) for event in events],
        "judges": _export_judges(contest),
        "entries": _export_entries(contest),
        "marks": _export_marks(contest),
    }


def _export_judges(contest: Contest) -> list[dict]:
    out = []
    for judge in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id).order_by(Judge.id)):
        seats = db.session.execute(
            select(PanelSeat.is_chief, Event.code).join(Event, Event.id == PanelSeat.event_id)
            .where(PanelSeat.judge_id == judge.id).order_by(Event.position, Event.id)).all()
        j = {"username": judge.user.username, "name": judge.user.name}
        if judge.delegation is not None:
            j["delegation"] = judge.delegation.name
        j["events"] = [code for _chief, code in seats]
        # The file has one chief flag per judge: a judge chief on only some events exports as not chief.
        j["chief"] = bool(seats) and all(chief for chief, _code in seats)
        if judge.is_supervisor:
            j["supervisor"] = True
        out.append(j)
    return out


def _export_entries(contest: Contest) -> list[dict]:
    out = []
    rows = db.session.execute(
        select(Entry, Event.code, Event.is_team, Delegation.name).join(Event, Event.id == Entry.event_id)
        .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
        .where(Entry.contest_id == contest.id).order_by(Event.position, Event.id, Entry.bib)).all()
    for entry, event_code, is_team, delegation in rows:
        e = {"event": event_code, "bib": entry.bib, "name": entry.name, "delegation": delegation}
        if entry.draw_code is not None:
            e["draw_code"] = entry.draw_code
        if entry.completion_time is not None:
            e["completion_time"] = decimal_text(entry.completion_time)
        if is_team:
            e["members"] = list(db.session.scalars(
                select(Contestant.name).join(entry_member, entry_member.c.contestant_id == Contestant.id)
                .where(entry_member.c.entry_id == entry.id).order_by(Contestant.id)))
        penalties = db.session.scalars(select(Penalty).where(Penalty.entry_id == entry.id).order_by(Penalty.id)).all()
        if penalties:
            e["penalties"] = [{"points": decimal_text(p.points), "reason": p.reason} for p in penalties]
        e["status"] = entry.status
        out.append(e)
    return out


def _export_marks(contest: Contest) -> list[dict]:
    rows = db.session.execute(
        select(Event.code, Entry.bib, Criterion.code, User.username, Mark.value)
        .join(Entry, Entry.id == Mark.entry_id).join(Event, Event.id == Entry.event_id)
        .join(Criterion, Criterion.id == Mark.criterion_id).join(Judge, Judge.id == Mark.judge_id)
        .join(User, User.id == Judge.user_id)
        .where(Entry.contest_id == contest.id)
        .order_by(Event.position, Event.id, Entry.bib, Criterion.position, Criterion.id, Judge.id)).all()
    return [{"event": event, "entry": bib, "criterion": criterion, "judge": username, "value": decimal_text(value)}
            for event, bib, criterion, username, value in rows]
