"""How status figures read on screen: data ages, money, dates, counts, state names. Pure
functions of what the services return (and the time now), so the pages never do arithmetic."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from projecthub.core.clock import as_utc

HEALTH_LABELS = {"green": "On track", "amber": "Needs attention", "red": "At risk",
                 "unknown": "No data yet"}
LIFECYCLE_LABELS = {"draft": "Draft", "provisioning": "Provisioning", "active": "Active",
                    "on_hold": "On hold", "completed": "Completed", "archived": "Archived",
                    "not_approved": "Not approved"}
# A run's status in words (the API keeps the raw values): run page, project history, dashboard.
RUN_LABELS = {"pending": "Waiting to start", "running": "Running", "succeeded": "Succeeded",
              "failed": "Failed", "cancelled": "Cancelled",
              "awaiting_approval": "Awaiting approval", "rejected": "Rejected"}
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}
EMPTY = "—"
EN_DASH = "\u2013"  # ranges: 5 Jan \u2013 30 Jun


def lifecycle_label(state: str) -> str:
    return LIFECYCLE_LABELS.get(state, state.replace("_", " ").capitalize())


def run_label(status: str) -> str:
    return RUN_LABELS.get(status, status.replace("_", " ").capitalize())


def older_than(moment: datetime | str | None, now: datetime, hours: int) -> bool:
    if moment is None or moment == "":
        return True
    when = as_utc(datetime.fromisoformat(moment) if isinstance(moment, str) else moment)
    return (now - when).total_seconds() > hours * 3600


def money(cents: Any, currency: str) -> str:
    """Whole units with thousands separators: €18,200 or 1,500 CHF."""
    units = f"{round(int(cents or 0) / 100):,}"
    symbol = _SYMBOLS.get(currency)
    if symbol:
        return f"-{symbol}{units[1:]}" if units.startswith("-") else f"{symbol}{units}"
    return f"{units} {currency}".strip()


def hours(minutes: Any) -> str:
    return f"{round(int(minutes or 0) / 60):,} h"


def percent(value: Any) -> str:
    return EMPTY if value is None else f"{float(value):.0f}%"


def day(value: date | None) -> str:
    return value.strftime("%d %b %Y") if value else EMPTY


def date_range(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return EMPTY
    return f"{day(start)} {EN_DASH} {day(end)}"


def moment(value: datetime | str | None) -> str:
    if value is None or value == "":
        return EMPTY
    when = as_utc(datetime.fromisoformat(value) if isinstance(value, str) else value)
    return when.strftime("%d %b %Y, %H:%M UTC")


def count(value: Any) -> str:
    return EMPTY if value is None else str(int(value))
