"""Issuing, revoking and looking up certificates. Certificates are issued inside the
publication's transaction (competition.contests), one per entry with an award, from the same
board lines the boards show; publishing again after a withdrawal keeps those whose award, rank
and total stand, and revokes and reissues the others. Every issue and revocation is ledgered."""
import re

from sqlalchemy import select

from .. import scoring, times
from ..audit.models import record
from ..boards import results
from ..contests.models import Contest
from ..database import utcnow, write_transaction
from ..errors import ActionRefused
from ..extensions import db
from ..ledger import services as ledger
from ..references import ALPHABET
from .models import NUMBER_LENGTH, Certificate, new_number

NUMBER_SHAPE = re.compile(rf"GJ\d{{4}}-[{ALPHABET}]{{{NUMBER_LENGTH}}}")


def normalise(number: str) -> str:
    return (number or "").strip().upper()


def lookup(number: str) -> Certificate | None:
    """The certificate of this number; None for an unknown or malformed one."""
    number = normalise(number)
    if not NUMBER_SHAPE.fullmatch(number):
        return None
    return db.session.scalar(select(Certificate).where(Certificate.number == number))


def as_json(certificate: Certificate) -> dict:
    """DESIGN.md §4's certificate."""
    contest = certificate.contest
    out = {"number": certificate.number, "contest": contest.name, "event": certificate.event.name,
           "name": certificate.name, "delegation": certificate.delegation, "award": certificate.award,
           "rank": certificate.rank, "total": str(scoring.round_half_up(certificate.total, certificate.event.places)),
           "status": certificate.status, "issued_at": times.iso(contest, certificate.issued_at)}
    if certificate.status == "revoked":
        out["revoked_at"] = times.iso(contest, certificate.revoked_at)
    return out


def _unused_number(year: int) -> str:
    while True:
        number = new_number(year)
        if db.session.scalar(select(Certificate.id).where(Certificate.number == number)) is None:
            return number


def _revoke(certificate: Certificate, reason: str) -> None:
    certificate.status, certificate.revoked_at, certificate.revoke_reason = "revoked", utcnow(), reason
    ledger.append(certificate.contest, "certificate.revoke", number=certificate.number, reason=reason)


def _states(event, lines) -> dict[int, tuple[str, str | None]]:
    """What each entry is due at publication: ("award", award) for an award, and, when the
    contest gives them, ("participation", None) for every other entry with a total."""
    due = {entry_id: ("award", line.award) for entry_id, line in lines.items() if line.award}
    if event.contest.gives_participation_certificates:
        for entry_id, line in lines.items():
            if entry_id not in due and line.total is not None:
                due[entry_id] = ("participation", None)
    return due


def issue_for(user, contest: Contest) -> list[Certificate]:
    """Inside the publication's transaction: a certificate for every entry with an award and,
    when the contest gives them, a participation certificate for every other entry with a
    result. A certificate whose kind, award, rank or total no longer stands is revoked and
    issued again."""
    year = (contest.ends_on or contest.starts_on or utcnow().date()).year
    issued = []
    for event in contest.events:
        if not event.awards_decided:
            continue
        places = event.places
        lines = results.board_lines(event)
        due = _states(event, lines)
        held = {c.entry_id: c for c in db.session.scalars(
            select(Certificate).where(Certificate.event_id == event.id, Certificate.status == "valid"))}
        for entry_id, certificate in list(held.items()):
            line, kind = lines.get(entry_id), due.get(entry_id)
            stands = line is not None and kind is not None and (certificate.kind, certificate.award) == kind and (
                certificate.rank, certificate.total) == (line.rank, scoring.round_half_up(line.total, places))
            if not stands:
                _revoke(certificate, "placing changed when the results were published again")
                del held[entry_id]
        for entry_id, (kind, award) in due.items():
            if entry_id in held:
                continue
            line = lines[entry_id]
            certificate = Certificate(number=_unused_number(year), contest_id=contest.id, event_id=event.id,
                                      entry_id=entry_id, kind=kind, name=line.name, delegation=line.delegation,
                                      award=award, rank=line.rank, total=scoring.round_half_up(line.total, places))
            db.session.add(certificate)
            issued.append(certificate)
    db.session.flush()
    if issued:
        ledger.append(contest, "certificate.issue", certificates=[
            {"number": c.number, "event": c.event.code, "entry": c.entry.bib, "kind": c.kind, "award": c.award,
             "rank": c.rank, "total": str(c.total)} for c in issued])
        record("certificates.issue", user=user, contest=contest, target=f"contest:{contest.slug}",
               numbers=[c.number for c in issued])
    return issued


def revoke(user, certificate: Certificate, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused(422, "revoke_reason_required", field="reason")
    with write_transaction():
        certificate = db.session.get(Certificate, certificate.id)
        if certificate.status == "revoked":
            raise ActionRefused(409, "certificate_revoked")
        _revoke(certificate, reason)
        record("certificate.revoke", user=user, contest=certificate.contest,
               target=f"certificate:{certificate.number}", reason=reason)


def of_contest(contest: Contest) -> list[Certificate]:
    return list(db.session.scalars(select(Certificate).where(Certificate.contest_id == contest.id)
                                   .order_by(Certificate.event_id, Certificate.rank, Certificate.id)))
