"""The connection page's "Receive changes instantly": an admin turns it on (registered in the
sandbox Jira), the setup is shown once and forgotten when the dialog closes; the row then says
it is on; members cannot turn it on; turning it off removes the registration."""

from __future__ import annotations

import asyncio

import httpx
import pytest
import reflex as rx
from sqlmodel import Session, select

from projecthub.models import Role, WebhookEndpoint
from projecthub.sandbox import create_sandbox_app
from projecthub.services.tool_clients import ToolClients
from projecthub.services.wiring import new_session
from projecthub.ui.state import connections as connections_state
from projecthub.ui.state.connections import ConnectionsState
from tests.factories import add_member, make_org, make_user, user_of
from tests.ui.tabs import browser_state, login
from tests.ui.test_connections_state import _add_jira


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch):
    app = create_sandbox_app()
    transport = httpx.ASGITransport(app=app)
    monkeypatch.setattr(connections_state, "tool_clients", lambda p: ToolClients(
        new_session, p, transport_factory=lambda _url: transport))
    return app


def _page(db: Session, user) -> tuple[rx.State, ConnectionsState]:
    root = browser_state(rx.State, login(db, user), path="/org/connections")
    state = root.get_substate(ConnectionsState.get_full_name().split("."))
    assert isinstance(state, ConnectionsState)
    return root, state


def _switch(state: ConnectionsState, connection_id: str, on: bool) -> None:
    handler = ConnectionsState.turn_on_webhook if on else ConnectionsState.turn_off_webhook
    asyncio.run(handler.fn(state, connection_id))


def test_an_admin_turns_instant_updates_on_sees_the_setup_once_then_off(db, engine, sandbox):
    owner = make_user(db)
    org = make_org(db, owner)
    connection_id = _add_jira(db, org)
    root, state = _page(db, owner)
    state.load()

    _switch(state, connection_id, True)
    assert state.hook_open and state.hook_registered and state.hook_steps == []
    assert "/api/v1/hooks/" in state.hook_url and state.hook_secret
    assert state.groups[0].connections[0].webhook == "On · registered in the tool"
    hooks = sandbox.vendors["jira"].tenant("demo").hooks
    assert [h.url for h in hooks.values()] == [state.hook_url]

    secret = state.hook_secret
    state.close_hook()
    assert (state.hook_url, state.hook_secret, state.hook_open) == ("", "", False)
    assert secret not in str(root.dict())

    _switch(state, connection_id, False)
    assert state.groups[0].connections[0].webhook == "" and hooks == {}
    with Session(engine) as fresh:
        assert fresh.exec(select(WebhookEndpoint)).all() == []


def test_members_cannot_turn_it_on(db, engine, sandbox):
    org = make_org(db)
    connection_id = _add_jira(db, org)
    member = add_member(db, org, role=Role.MEMBER)
    _, state = _page(db, user_of(db, member))
    state.load()
    _switch(state, connection_id, True)
    assert "admin role" in state.errors["connections"] and not state.hook_open
    assert state.webhook_busy == ""
    with Session(engine) as fresh:
        assert fresh.exec(select(WebhookEndpoint)).all() == []
