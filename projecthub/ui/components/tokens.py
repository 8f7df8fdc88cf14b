"""Pieces shared by the account page (one's own API tokens) and the members page (the
organization's tokens, for admins)."""

from __future__ import annotations

import reflex as rx

from projecthub.ui.components.moments import local_time
from projecthub.ui.typed import cond

EXPIRY_DAYS = ("7", "30", "90", "365")
DEFAULT_EXPIRY_DAYS = "90"
READ_AND_WRITE, READ_ONLY = "read and write", "read only"


def access_badge(read_only: rx.Var[bool]) -> rx.Component:
    return cond(read_only, rx.badge(READ_ONLY, color_scheme="gray", variant="soft"),
                   rx.badge(READ_AND_WRITE, color_scheme="blue", variant="soft"))


def expiry(expires_at: rx.Var[str], expires: rx.Var[str], expired: rx.Var[bool]
           ) -> rx.Component:
    """When the token stops working, in the viewer's zone (UTC on hover), flagged once past."""
    return rx.hstack(rx.text(local_time(expires_at, expires), size="2"),
                     cond(expired, rx.badge("expired", color_scheme="orange")),
                     spacing="2", align="center")
