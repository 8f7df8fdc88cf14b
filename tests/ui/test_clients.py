"""Background pollers stop once their tab's websocket is gone (ui/clients.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from projecthub.ui import clients


@pytest.fixture
def sockets(monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    token_to_sid: dict[str, str] = {}
    app = SimpleNamespace(event_namespace=SimpleNamespace(token_to_sid=token_to_sid))
    monkeypatch.setattr(clients, "_app", cast(Any, app))
    return token_to_sid


def test_a_connected_tab_is_connected(sockets):
    sockets["tab-1"] = "sid-1"
    assert clients.connected("tab-1")


def test_a_closed_tab_is_not(sockets):
    sockets["tab-1"] = "sid-1"
    assert not clients.connected("tab-2")


def test_before_the_app_is_wired_in_every_tab_counts_as_connected(monkeypatch):
    monkeypatch.setattr(clients, "_app", None)
    assert clients.connected("any")
