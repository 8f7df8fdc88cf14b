"""UI state tests: states are instantiated directly (allowed under pytest) with the router data a
browser's websocket handshake would carry, including the HttpOnly session cookie
(``tests/ui/tabs.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlmodel import Session

from projecthub.models import User
from projecthub.ui import clients
from tests.ui.tabs import S, browser_state, login


@pytest.fixture
def as_user(db: Session) -> Callable[..., Any]:
    """``as_user(StateCls, user, path=...)``: a state in a tab where ``user`` is logged in."""
    def make(state_cls: type[S], user: User, path: str = "/dashboard") -> S:
        return browser_state(state_cls, login(db, user), path)
    return make


@pytest.fixture(autouse=True)
def tabs_count_as_connected(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tabs have no websocket: whether an earlier test imported the app (which wires
    ``ui.clients`` to it) must not make their background pollers think the tab was closed."""
    monkeypatch.setattr(clients, "_app", None)
