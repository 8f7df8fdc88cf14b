"""What states hand the browser for each instant (docs/architecture.md §5, times on screen):
ISO in UTC for the viewer's zone, and the labelled UTC text for the hover."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

UTC_TEXT = "%d %b %Y, %H:%M UTC"


def instant(iso_text: str, utc_text: str) -> datetime:
    """The instant both fields name; fails unless the ISO form carries a UTC offset and the
    text is the same instant to the minute."""
    at = datetime.fromisoformat(iso_text)
    assert at.utcoffset() == timedelta(0), iso_text
    assert datetime.strptime(utc_text, UTC_TEXT).replace(tzinfo=UTC) == at.replace(
        second=0, microsecond=0), (iso_text, utc_text)
    return at


def near(at: datetime, expected: datetime) -> bool:
    """``at`` is ``expected`` (naive means UTC, as SQLite hands it back) within a second."""
    expected = expected if expected.tzinfo else expected.replace(tzinfo=UTC)
    return abs(at - expected) < timedelta(seconds=1)
