"""Every table, imported in one place so Alembic and the shell see the whole schema."""
from .accounts.models import ApiToken, Invite, Organisation, User
from .admin.models import PlatformSetting
from .appeals.models import Appeal, AppealFile, Objection
from .audit.models import AuditEntry
from .boards.models import Board, Result
from .certificates.models import Certificate
from .contests.models import Contest, Criterion, Event, Section
from .entries.models import Contestant, Delegation, Entry, entry_member
from .hall.models import Announcement, EventSession, Screen
from .judges.models import Assignment, Judge, LoginLink, PanelSeat
from .judging.models import Tablet
from .ledger.models import LedgerEntry, LedgerHead
from .marking.models import Mark, MarkRevision, Penalty
from .paper.models import PaperSheet, Transcriber
from .printing.models import PrintJob

__all__ = ["Announcement", "EventSession", "Screen", "ApiToken", "Appeal", "AppealFile", "Objection", "Assignment", "AuditEntry", "Board", "Certificate", "Contest", "Contestant", "Criterion",
           "Delegation", "Entry", "Event", "Invite", "Judge", "LedgerEntry", "LedgerHead", "LoginLink", "Mark", "MarkRevision", "Organisation",
           "PanelSeat", "PaperSheet", "Penalty", "PlatformSetting", "PrintJob", "Result", "Section", "Tablet", "Transcriber", "User", "entry_member"]
