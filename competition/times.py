"""Times as people read them: stored as naive UTC, shown in the contest's time zone (Asia/Shanghai
unless the contest says otherwise), never as UTC; and back from what an organiser typed."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .contests.models import DEFAULT_TIME_ZONE


def zone(contest) -> ZoneInfo:
    try:
        return ZoneInfo(getattr(contest, "time_zone", None) or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def local(contest, moment: datetime | None) -> datetime | None:
    """A stored moment (naive UTC) in the contest's zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc).astimezone(zone(contest))


def local_text(contest, moment: datetime | None) -> str:
    """"2026-12-09 17:00" in the contest's zone; "" for none."""
    shown = local(contest, moment)
    return shown.strftime("%Y-%m-%d %H:%M") if shown else ""


def iso(contest, moment: datetime | None) -> str | None:
    """ISO 8601 with the zone's offset (2026-12-09T17:00:00+08:00), for the API."""
    shown = local(contest, moment)
    return shown.isoformat() if shown else None


def from_local(contest, typed: datetime) -> datetime:
    """What an organiser typed (a naive time in the contest's zone) as stored: naive UTC."""
    return typed.replace(tzinfo=zone(contest)).astimezone(timezone.utc).replace(tzinfo=None)
