"""Judges: their accounts in a contest, panels (order, chief judge, criteria), the assignments
generated from them by the one rule in judges.assigning, one-time login links for their tablets
and their API tokens; the judges' list imported from a spreadsheet. An organiser seats only
accounts of their own organisation (belongs_to) or new ones. One transaction and one audit entry
per action; what changes who marks what recomputes the boards it concerns in the same
transaction."""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import contains_eager
from sqlalchemy.exc import IntegrityError

from ..accounts.models import ApiToken, User
from ..accounts.services import find_user
from ..audit.models import AuditEntry, record
from ..boards import results
from ..contests.models import Contest, Criterion, Event
from ..collation import pinyin_key
from ..database import utcnow, write_transaction
from ..entries.models import APPROVED, Delegation, Entry
from ..entries.services import delegation_named
from ..errors import ActionRefused
from ..extensions import db
from ..marking.models import Mark
from .. import policy
from ..policy import has_conflict
from ..references import random_code
from . import importing
from .assigning import balance_judges
from .models import JUDGE_ROLES, Assignment, Judge, LoginLink, PanelJudge, PanelSeat, panel  # noqa: F401 (shared)


def contest_judges(contest: Contest, *, supervisors: bool = True) -> list[Judge]:
    """The contest's judges (and its supervisors, unless `supervisors` is False), by the
    pinyin of their names."""
    q = (select(Judge).join(User, User.id == Judge.user_id).options(contains_eager(Judge.user))
         .where(Judge.contest_id == contest.id))
    if not supervisors:
        q = q.where(Judge.role != "supervisor")
    return sorted(db.session.scalars(q), key=lambda j: (pinyin_key(j.user.name), j.user.username))


def judge_of(contest: Contest, judge_id: int) -> Judge | None:
    judge = db.session.get(Judge, judge_id)
    return judge if judge is not None and judge.contest_id == contest.id else None


def marks_by_judge(contest: Contest) -> dict[int, int]:
    return dict(db.session.execute(
        select(Mark.judge_id, func.count()).join(Judge, Judge.id == Mark.judge_id)
        .where(Judge.contest_id == contest.id).group_by(Mark.judge_id)).all())


# --- whose accounts an organiser may seat ------------------------------------------------------

def belongs_to(user: User, organisation_id: int) -> bool:
    """Whether an existing account is one of the organisation's: its organiser, or a judge (or
    supervisor) of its contests and of no other organisation's. Never an administrator. An
    account that judges nowhere now counts when it was taken off one of the organisation's
    contests (the audit trail keeps that), so a judge removed by mistake can be seated again."""
    if user.is_admin:
        return False
    if user.organisation_id is not None:
        return user.organisation_id == organisation_id
    organisations = set(db.session.scalars(
        select(Contest.organisation_id).join(Judge, Judge.contest_id == Contest.id).where(Judge.user_id == user.id)))
    if organisations:
        return organisations == {organisation_id}
    return db.session.scalar(
        select(AuditEntry.id).join(Contest, Contest.id == AuditEntry.contest_id)
        .where(AuditEntry.action == "judge.remove", AuditEntry.target == f"judge:{user.username}",
               Contest.organisation_id == organisation_id).limit(1)) is not None


def may_seat(actor, user: User, contest: Contest) -> bool:
    """Whether `actor` may make the existing account `user` a judge of `contest`: an
    administrator anyone, an organiser the accounts of the contest's organisation."""
    return policy.is_admin(actor) or belongs_to(user, contest.organisation_id)


def seatable_accounts(contest: Contest, limit: int = 500) -> list[User]:
    """What the judges page offers to pick by username: active accounts judging in the
    organisation's other contests and in no other organisation's, not yet judges here."""
    elsewhere = (select(Judge.user_id).join(Contest, Contest.id == Judge.contest_id)
                 .where(Contest.organisation_id != contest.organisation_id))
    here = select(Judge.user_id).where(Judge.contest_id == contest.id)
    return list(db.session.scalars(
        select(User).join(Judge, Judge.user_id == User.id).join(Contest, Contest.id == Judge.contest_id)
        .where(Contest.organisation_id == contest.organisation_id, User.is_admin.is_(False),
               User.is_active_account.is_(True),
               (User.organisation_id.is_(None)) | (User.organisation_id == contest.organisation_id),
               User.id.not_in(elsewhere), User.id.not_in(here))
        .distinct().order_by(User.name, User.username).limit(limit)))


def add_judge(actor, contest: Contest, *, username: str, name: str = "", delegation_id: int | None = None,
              password: str | None = None, role: str = "judge", phone: str = "") -> tuple[Judge, bool]:
    """Make a judge (or a supervisor) of the contest: the existing account with that username,
    when the actor may seat it (may_seat), or a new one. A phone given (already parsed to 11
    digits) is kept on the account. Returns the judge and whether the account is new."""
    username, name, phone = username.strip(), (name or "").strip(), (phone or "").strip()
    if role not in JUDGE_ROLES:
        raise ActionRefused(422, "not_a_choice", {"choices": list(JUDGE_ROLES)}, field="role")
    delegation = None
    if delegation_id:
        delegation = db.session.get(Delegation, delegation_id)
        if delegation is None or delegation.contest_id != contest.id:
            raise ActionRefused(422, "unknown_delegation", field="delegation")
    try:
        with write_transaction():
            user = find_user(username)
            created = user is None
            if created:
                if not name:
                    raise ActionRefused(422, "judge_name_required", field="name")
                user = User(username=username, name=name, phone=phone)
                if password:
                    user.set_password(password)
                db.session.add(user)
            else:
                if db.session.scalar(select(Judge.id).where(Judge.contest_id == contest.id,
                                                            Judge.user_id == user.id)) is not None:
                    raise ActionRefused(409, "already_judge", {"username": user.username}, field="username")
                if not may_seat(actor, user, contest):
                    # Whose account it is stays unsaid: no name, no organisation, no "disabled".
                    raise ActionRefused(422, "not_of_organisation", field="username")
                if not user.is_active:
                    raise ActionRefused(409, "account_disabled", {"username": user.username}, field="username")
                if phone:
                    user.phone = phone
            judge = Judge(contest_id=contest.id, user=user, delegation=delegation, role=role)
            db.session.add(judge)
            db.session.flush()
            record("judge.add", user=actor, contest=contest, target=f"judge:{user.username}",
                   created_account=created, delegation=delegation.name if delegation else None, role=role)
    except IntegrityError:
        db.session.rollback()
        raise ActionRefused(409, "judge_added_meanwhile", {"username": username}, field="username") from None
    return judge, created


def remove_judge(actor, judge: Judge) -> None:
    """Take a judge off the contest: their panel seats and assignments go, so the entries they
    were to mark expect fewer marks (the boards are recomputed). Refused once they have marks,
    which must keep their author. Their login links and API tokens are revoked: the account
    stays, but no tablet keeps marking in their name."""
    contest = judge.contest
    with write_transaction():
        event_ids = sorted(set(db.session.scalars(
            select(Entry.event_id).join(Assignment, Assignment.entry_id == Entry.id)
            .where(Assignment.judge_id == judge.id))))
        events = [db.session.get(Event, i) for i in event_ids]
        for event in events:  # in event order, as every writer of boards: no deadlock
            results.lock_board(event.id)
        if db.session.scalar(select(Mark.id).where(Mark.judge_id == judge.id).limit(1)) is not None:
            raise ActionRefused(409, "judge_has_marks", {"name": judge.user.name})
        affected = {event.id: list(db.session.scalars(
            select(Assignment.entry_id).join(Entry, Entry.id == Assignment.entry_id)
            .where(Assignment.judge_id == judge.id, Entry.event_id == event.id))) for event in events}
        revoked = _revoke_credentials(judge.user, contest)
        db.session.execute(delete(Assignment).where(Assignment.judge_id == judge.id))
        username = judge.user.username
        db.session.delete(judge)
        db.session.flush()
        patches = [results.recompute(event, affected[event.id]) for event in events]
        record("judge.remove", user=actor, contest=contest, target=f"judge:{username}", **revoked)
    results.publish(patches, contest=contest.slug)


# --- the judges' list from a spreadsheet ---------------------------------------------------------

def import_context(actor, contest: Contest, usernames: set[str]) -> importing.JudgeImportContext:
    """The contest's events, and what may be done with each existing account the file names
    (by lower-cased username): the same refusals as add_judge, in the same order."""
    accounts: dict[str, str | None] = {}
    if usernames:
        here = set(db.session.scalars(select(Judge.user_id).where(Judge.contest_id == contest.id)))
        for user in db.session.scalars(select(User).where(func.lower(User.username).in_(sorted(usernames)))):
            if user.id in here:
                verdict = "already_judge"
            elif not may_seat(actor, user, contest):
                verdict = "not_of_organisation"
            elif not user.is_active:
                verdict = "account_disabled"
            else:
                verdict = None
            accounts[user.username.lower()] = verdict
    return importing.JudgeImportContext(events={e.code: e.name for e in contest.events}, accounts=accounts)


def check_import(actor, contest: Contest, table: list[list[str]],
                 mapping: list[str | None]) -> importing.CheckedJudges:
    return importing.check_rows(table, mapping,
                                import_context(actor, contest, importing.usernames_in(table, mapping)))


def new_username(taken: set[str]) -> str:
    """A username for an account made for the purpose: "j" and six characters of the codes
    people type (references.random_code, lower-cased: no 0/o, 1/l/i), not yet used."""
    while True:
        username = "j" + random_code(6).lower()
        if username not in taken and find_user(username) is None:
            taken.add(username)
            return username


def import_judges(actor, contest: Contest, table: list[list[str]], mapping: list[str | None], *,
                  filename: str = "", ip: str | None = None) -> importing.CheckedJudges:
    """Check the file again inside the transaction and seat every row's judge: the account
    (new ones get a generated username when the row has none, and no password: they log in by
    link), the delegation (found by name, or made), a seat at the end of each event's panel,
    chief judge or not. Nothing when any row has a problem (returned for the preview)."""
    try:
        with write_transaction():
            checked = check_import(actor, contest, table, mapping)
            if not checked.is_clean:
                return checked
            events = {e.code: e for e in contest.events}
            next_place = dict(db.session.execute(
                select(PanelSeat.event_id, func.max(PanelSeat.position) + 1)
                .where(PanelSeat.event_id.in_([e.id for e in events.values()])).group_by(PanelSeat.event_id)).all())
            taken = {row.username.lower() for row in checked.rows if row.username}
            created, existing, seats = [], [], 0
            for row in checked.rows:
                user = find_user(row.username) if row.existing else None
                if user is None:
                    user = User(username=row.username or new_username(taken), name=row.name, phone=row.phone)
                    db.session.add(user)
                    created.append(user.username)
                else:
                    existing.append(user.username)
                    if row.phone:
                        user.phone = row.phone
                judge = Judge(contest_id=contest.id, user=user, delegation=delegation_named(contest, row.delegation),
                              role="judge")
                db.session.add(judge)
                for code in row.events:
                    event = events[code]
                    place = next_place.get(event.id, 0)
                    next_place[event.id] = place + 1
                    db.session.add(PanelSeat(event_id=event.id, judge=judge, position=place, is_chief=row.is_chief))
                    seats += 1
            db.session.flush()
            record("judges.import", user=actor, contest=contest, ip=ip, filename=filename, rows=len(checked.rows),
                   created=created, existing=existing, seats=seats)
    except IntegrityError:
        db.session.rollback()
        raise ActionRefused(409, "judges_changed_meanwhile") from None
    return checked


# --- panels -----------------------------------------------------------------------------------

@dataclass
class SeatChoice:
    """One row of the panel form: a judge on the panel, their place, chief or not, the
    criteria they mark (empty: all) and whether they mark at all (False: a chief judge who
    supervises only)."""

    judge_id: int
    position: int
    is_chief: bool = False
    criterion_ids: list[int] = field(default_factory=list)
    marks: bool = True


def save_panel(actor, event: Event, choices: list[SeatChoice]) -> None:
    """The event's panel becomes exactly `choices`: judges in order of their position (ties by
    the form's order), chief judges flagged, criteria chosen, a chief judge's seat marking or
    supervising only. Refused: a seat other than a chief judge's that marks nothing.
    Assignments are not touched: generating them is a separate step the organiser sees the
    report of."""
    contest = event.contest
    judges = {j.id: j for j in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id))}
    criteria = {c.id: c for c in db.session.scalars(select(Criterion).where(Criterion.event_id == event.id))}
    for choice in choices:
        if choice.judge_id not in judges:
            raise ActionRefused(422, "stale_panel_form")
        if judges[choice.judge_id].is_supervisor:
            raise ActionRefused(422, "supervisor_never_marks")
        if any(c not in criteria for c in choice.criterion_ids):
            raise ActionRefused(422, "stale_panel_form")
        if not choice.marks and not choice.is_chief:
            raise ActionRefused(422, "seat_marks_nothing", {"name": judges[choice.judge_id].user.name})
    ordered = sorted(enumerate(choices), key=lambda pair: (pair[1].position, pair[0]))
    with write_transaction():
        seats = {s.judge_id: s for s in db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id))}
        chosen = {c.judge_id for c in choices}
        for judge_id, seat in seats.items():
            if judge_id not in chosen:
                db.session.delete(seat)
        for position, (_i, choice) in enumerate(ordered):
            seat = seats.get(choice.judge_id)
            if seat is None:
                seat = PanelSeat(event_id=event.id, judge_id=choice.judge_id)
                db.session.add(seat)
            seat.position, seat.is_chief, seat.marks = position, choice.is_chief, choice.marks
            seat.criteria = [criteria[c] for c in sorted(set(choice.criterion_ids))]
        record("panel.save", user=actor, contest=contest, target=f"event:{event.code}",
               seats=[{"judge": judges[c.judge_id].user.username, "chief": c.is_chief, "marks": c.marks,
                       "criteria": [criteria[i].code for i in sorted(set(c.criterion_ids))]}
                      for _i, c in ordered])


# --- assignments ------------------------------------------------------------------------------

@dataclass
class JudgeLoad:
    """One judge's share of generated assignments: how many (entry, criterion) marks per
    criterion (kept marks included), and in all."""

    judge: Judge
    per_criterion: dict[int, int] = field(default_factory=dict)  # criterion id -> marks
    marks: bool = True  # False: a chief judge who supervises only

    @property
    def total(self) -> int:
        return sum(self.per_criterion.values())


@dataclass
class AssignmentReport:
    """What generating assignments did: how many rows, every conflict of interest skipped (judge,
    entry, criteria), every criterion of an entry that could not get enough judges, and each
    panel judge's load (panel order; then judges who marked without a seat)."""

    assigned: int = 0
    entries: int = 0
    conflicts: list[tuple[Judge, Entry, list[Criterion]]] = field(default_factory=list)
    short: list[tuple[Entry, Criterion, int, int]] = field(default_factory=list)  # entry, criterion, got, needed
    loads: list[JudgeLoad] = field(default_factory=list)
    criteria: list[Criterion] = field(default_factory=list)


def generate_assignments(actor, event: Event) -> AssignmentReport:
    """Who marks what for every approved entry of the event, from the panel as saved, by the
    balanced rule (judges.assigning.balance_judges): judges who already marked a criterion keep
    it, the other places go to the panel judges who mark the criterion, never for an entry of
    their own delegation, spread as evenly as conflicts allow; a chief judge's seat that
    supervises only gets none. Replaces the event's assignments of approved entries."""
    contest = event.contest
    report = AssignmentReport()
    with write_transaction():
        seats = list(db.session.scalars(select(PanelSeat).where(PanelSeat.event_id == event.id)
                                        .order_by(PanelSeat.position, PanelSeat.id)))
        panel = [seat.judge for seat in seats]
        allowed = {seat.judge_id: {c.id for c in seat.criteria} for seat in seats}
        marking = {seat.judge_id: seat.marks for seat in seats}
        criteria = list(db.session.scalars(select(Criterion).where(Criterion.event_id == event.id)
                                           .order_by(Criterion.position, Criterion.id)))
        results.lock_board(event.id)  # marks of the event wait: who marks what is being rewritten
        entries = list(db.session.scalars(select(Entry).where(Entry.event_id == event.id, Entry.status == APPROVED)
                                          .order_by(Entry.bib.is_(None), Entry.bib, Entry.id)))
        judges = {j.id: j for j in db.session.scalars(select(Judge).where(Judge.contest_id == contest.id))}
        marked: dict[tuple[Entry, Criterion], list[Judge]] = defaultdict(list)
        if entries:
            by_id = {e.id: e for e in entries}
            criterion_of = {c.id: c for c in criteria}
            for entry_id, criterion_id, judge_id in db.session.execute(
                    select(Mark.entry_id, Mark.criterion_id, Mark.judge_id)
                    .where(Mark.entry_id.in_([e.id for e in entries])).order_by(Mark.id)):
                if criterion_id in criterion_of:
                    marked[by_id[entry_id], criterion_of[criterion_id]].append(judges[judge_id])
            db.session.execute(delete(Assignment).where(Assignment.entry_id.in_([e.id for e in entries])))
        balanced = balance_judges(
            entries, panel, {criterion: criterion.judges for criterion in criteria}, marked=marked,
            conflict=has_conflict,
            marks=lambda judge, criterion: marking[judge.id] and (not allowed[judge.id]
                                                                  or criterion.id in allowed[judge.id]))
        for entry in entries:
            skipped: dict[int, list[Criterion]] = defaultdict(list)
            for criterion in criteria:
                for judge in balanced.conflicts[entry, criterion]:
                    skipped[judge.id].append(criterion)
                chosen = balanced.chosen[entry, criterion]
                db.session.add_all(Assignment(entry_id=entry.id, criterion_id=criterion.id, judge_id=judge.id)
                                   for judge in chosen)
                report.assigned += len(chosen)
            report.conflicts.extend((judges[judge_id], entry, crits) for judge_id, crits in skipped.items())
        report.short = list(balanced.short)
        report.entries = len(entries)
        report.criteria = criteria
        loads = {judge.id: JudgeLoad(judge, marks=marking[judge.id]) for judge in panel}
        for criterion in criteria:
            for judge, count in balanced.counts[criterion].items():
                load = loads.setdefault(judge.id, JudgeLoad(judge))
                if count:
                    load.per_criterion[criterion.id] = count
        report.loads = list(loads.values())
        db.session.flush()
        # Each result counts the marks it expects (its progress): they follow the assignments.
        patch = results.recompute(event, [e.id for e in entries]) if entries else None
        record("assignment.generate", user=actor, contest=contest, target=f"event:{event.code}",
               entries=len(entries), assigned=report.assigned, conflicts=len(report.conflicts),
               short=len(report.short),
               loads={load.judge.user.username: load.total for load in report.loads})
    results.publish([patch], contest=contest.slug)
    return report


# --- login links and API tokens -------------------------------------------------------------------

TOKEN_MAX = 100  # characters of a link token in a URL; issued ones have 43


def link_state(link: LoginLink, now=None) -> str:
    """"usable", or why not: "revoked", "used" or "expired"."""
    now = now or utcnow()
    if link.revoked_at is not None:
        return "revoked"
    if link.used_at is not None:
        return "used"
    if now >= link.expires_at:
        return "expired"
    return "usable"


def link_refusal(user: User, contest: Contest) -> ActionRefused | None:
    """Why `user` may not get a login link from the organisers of `contest`, or None. A link
    logs in without a password: it is only for accounts that do nothing but judge for this
    organisation, so no organiser can take over an administrator's, another organiser's or
    another organisation's judge's account."""
    if policy.is_staff(user):
        return ActionRefused(409, "link_for_staff", {"name": user.name})
    elsewhere = db.session.scalar(
        select(Judge.id).join(Contest, Contest.id == Judge.contest_id)
        .where(Judge.user_id == user.id, Contest.organisation_id != contest.organisation_id).limit(1))
    if elsewhere is not None:
        return ActionRefused(409, "link_judges_elsewhere", {"name": user.name})
    if not user.is_active:
        return ActionRefused(409, "account_disabled", {"username": user.username})
    return None


def issue_link(actor, user: User, *, hours: int, contest: Contest) -> tuple[LoginLink, str]:
    """A new one-time link for `user`, valid for `hours`; the token is returned once, never
    stored. Refused when the account may not log in by link (link_refusal)."""
    refusal = link_refusal(user, contest)
    if refusal is not None:
        raise refusal
    with write_transaction():
        link, token = LoginLink.issue(user, expires_at=utcnow() + timedelta(hours=hours), contest=contest,
                                      created_by=actor)
        db.session.add(link)
        db.session.flush()
        record("account.login_link_created", user=actor, contest=contest, target=f"user:{user.username}",
               link=link.id, hours=hours)
    return link, token


def revoke_link(actor, link: LoginLink, contest: Contest | None = None) -> bool:
    """Revoke a link not yet used; False when it was already used, revoked or expired."""
    with write_transaction():
        if link_state(link) != "usable":
            return False
        link.revoked_at = utcnow()
        record("account.login_link_revoked", user=actor, contest=contest, target=f"user:{link.user.username}",
               link=link.id)
    return True


def find_link(token: str) -> LoginLink | None:
    if not token or len(token) > TOKEN_MAX:
        return None
    return db.session.scalar(select(LoginLink).where(LoginLink.token_hash == LoginLink.hash(token)))


def use_link(token: str, ip: str | None = None) -> User:
    """Spend the link: the one UPDATE that marks it used succeeds for one request only, however
    many tablets open it at once. Refused (404 unknown, 410 used, revoked or expired) when it
    cannot log in."""
    link = find_link(token)
    if link is None:
        raise ActionRefused(404, "link_unknown")
    with write_transaction():
        now = utcnow()
        spent = db.session.execute(
            update(LoginLink).where(LoginLink.id == link.id, LoginLink.used_at.is_(None),
                                    LoginLink.revoked_at.is_(None), LoginLink.expires_at > now)
            .values(used_at=now).execution_options(synchronize_session=False)).rowcount
        db.session.refresh(link)
        if spent != 1:
            raise ActionRefused(410, f"link_{link_state(link, now)}")
        user = link.user
        if not user.is_active:
            raise ActionRefused(410, "link_revoked")
        user.last_login_at = now
        entry = record("account.login_link_used", user=user, target=f"user:{user.username}", ip=ip, link=link.id)
        entry.contest_id = link.contest_id
    return user


def open_links(contest: Contest) -> dict[int, list[LoginLink]]:
    """The contest's login links that can still log in, by user id, oldest first."""
    out: dict[int, list[LoginLink]] = {}
    for link in db.session.scalars(select(LoginLink).where(
            LoginLink.contest_id == contest.id, LoginLink.used_at.is_(None), LoginLink.revoked_at.is_(None),
            LoginLink.expires_at > utcnow()).order_by(LoginLink.created_at)):
        out.setdefault(link.user_id, []).append(link)
    return out


def live_tokens(judges: list[Judge]) -> dict[int, list[ApiToken]]:
    """The API tokens of these judges' accounts that still work (not revoked, not expired), by
    user id, oldest first."""
    out: dict[int, list[ApiToken]] = {}
    if judges:
        for token in db.session.scalars(select(ApiToken).where(
                ApiToken.user_id.in_([j.user_id for j in judges]), ApiToken.revoked_at.is_(None),
                or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()))
                .order_by(ApiToken.created_at, ApiToken.id)):
            out.setdefault(token.user_id, []).append(token)
    return out


def revoke_token(actor, contest: Contest, token: ApiToken) -> bool:
    """Revoke a judge's API token: the tablet or script that holds it can no longer mark.
    False when it was revoked already."""
    with write_transaction():
        if token.revoked_at is not None:
            return False
        token.revoked_at = utcnow()
        record("account.token_revoked", user=actor, contest=contest, target=f"user:{token.user.username}",
               token=token.id, label=token.label)
    return True


def _revoke_credentials(user: User, contest: Contest) -> dict:
    """Inside a transaction: revoke the user's usable login links for the contest and, unless
    they judge in another contest still, their API tokens. What was revoked, for the audit."""
    now = utcnow()
    links = list(db.session.scalars(select(LoginLink).where(
        LoginLink.user_id == user.id, LoginLink.contest_id == contest.id,
        LoginLink.used_at.is_(None), LoginLink.revoked_at.is_(None))))
    for link in links:
        link.revoked_at = now
    tokens = []
    judges_elsewhere = db.session.scalar(select(Judge.id).where(
        Judge.user_id == user.id, Judge.contest_id != contest.id).limit(1)) is not None
    if not judges_elsewhere and not policy.is_staff(user):
        tokens = list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id,
                                                                ApiToken.revoked_at.is_(None))))
        for token in tokens:
            token.revoked_at = now
    return {"links_revoked": len(links), "tokens_revoked": len(tokens)}
