"""How times and roles read on screen. The server cannot know the viewer's zone: it hands the
browser an ISO instant (``iso``) to show in the viewer's zone and locale
(``ui.components.moments``), and a labelled UTC time (``when``) for the hover and for places
that show text only."""

from __future__ import annotations

from datetime import datetime

from projecthub.core.clock import as_utc

ROLES = ("owner", "admin", "member", "viewer")
ROLE_DESCRIPTIONS = {
    "owner": "Full control, including other owners and the organization itself.",
    "admin": "Manages members, invitations and organization settings.",
    "member": "Works on the projects they belong to.",
    "viewer": "Read-only access to the projects they belong to.",
}


def when(moment: datetime | None, *, never: str = "Never") -> str:
    return as_utc(moment).strftime("%d %b %Y, %H:%M UTC") if moment else never


def iso(moment: datetime | None) -> str:
    """The instant for the browser: ISO 8601 in UTC with its offset; "" for never."""
    return as_utc(moment).isoformat() if moment else ""
