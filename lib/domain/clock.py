"""The network's local time: what "today" and a calendar day mean for its people.

Timestamps are stored in UTC; dates people type or read (a milestone's day, a campaign's
opening and closing days, a day in an export) are days in France.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TIMEZONE = ZoneInfo("Europe/Paris")


def today() -> date:
    """Today in France: an entry made just after midnight is not "in the future" on a UTC server."""
    return datetime.now(LOCAL_TIMEZONE).date()


def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIMEZONE).date()


def start_of_local_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in France, for filtering stored timestamps."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TIMEZONE).astimezone(UTC)
