"""Swedish time, in one place: timestamps are stored in UTC, dates follow the calendar in Sweden.

Between midnight and 01:00/02:00 Swedish time the UTC date is still yesterday, so "idag", deadlines,
months in the statistics and the tests' "today" all come from here, never from the machine's clock.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

SWEDEN = ZoneInfo("Europe/Stockholm")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def in_sweden(at: datetime) -> datetime:
    """A stored timestamp (UTC; SQLite gives it back naive) in Swedish time."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return at.astimezone(SWEDEN)


def local_date(at: datetime | None = None) -> date:
    """The calendar date in Sweden (now, or at a stored timestamp)."""
    return in_sweden(at or utcnow()).date()


def swedish_midnight(day: date) -> datetime:
    """The moment `day` begins in Sweden, in UTC — bound as UTC because the SQLite dialect writes a
    datetime without its offset."""
    return datetime.combine(day, time(), tzinfo=SWEDEN).astimezone(timezone.utc)
