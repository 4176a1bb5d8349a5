"""Every table, imported in one place so Alembic and the shell see the whole schema."""
from .accounts.models import ApiToken, LoginLink, Organisation, User
from .audit.models import AuditEntry
from .contests.models import (Assignment, Contest, Contestant, Criterion, Delegation, Entry, Event,
                              Judge, PanelSeat, Section, entry_member)
from .marking.models import Mark, MarkRevision, Penalty
from .results.models import Board, Result

__all__ = ["ApiToken", "Assignment", "AuditEntry", "Board", "Contest", "Contestant", "Criterion",
           "Delegation", "Entry", "Event", "Judge", "LoginLink", "Mark", "MarkRevision", "Organisation",
           "PanelSeat", "Penalty", "Result", "Section", "User", "entry_member"]
