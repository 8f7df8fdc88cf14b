"""Whether a tab is still connected to this process.

A background event that keeps polling after its tab was closed writes deltas nobody receives,
and Reflex warns about each one; pollers ask here first and stop. The app wires itself in at
start-up (``watch``), because the UI layer must not import the app module.
"""

from __future__ import annotations

import reflex as rx

_app: rx.App | None = None


def watch(app: rx.App) -> None:
    """Called once by ``projecthub.app`` after the app is built."""
    global _app
    _app = app


def connected(token: str) -> bool:
    """True while the tab's websocket is connected to this process (and when nothing can be
    known yet: no app wired in, no event namespace before the first connection)."""
    namespace = _app.event_namespace if _app is not None else None
    if namespace is None:
        return True
    return token in namespace.token_to_sid
