"""How times and roles read on screen. Times are shown in UTC: the server cannot know the
viewer's zone, and a labelled UTC time is never wrong."""

from __future__ import annotations

from datetime import datetime

ROLES = ("owner", "admin", "member", "viewer")
ROLE_DESCRIPTIONS = {
    "owner": "Full control, including other owners and the organization itself.",
    "admin": "Manages members, invitations and organization settings.",
    "member": "Works on the projects they belong to.",
    "viewer": "Read-only access to the projects they belong to.",
}


def when(moment: datetime | None, *, never: str = "Never") -> str:
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else never
