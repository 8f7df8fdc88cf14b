"""Tool connections page: admins manage, everyone else reads; secrets never reach public state.

States are built inside a full state tree (``rx.State()``), so ``root.dict()`` is everything the
browser could ever be sent, inherited vars such as ``errors`` included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest
import reflex as rx
from sqlmodel import Session, select

from projecthub.core.config import settings
from projecthub.models import Role, Tool, ToolConnection
from projecthub.sandbox import SANDBOX_PREFIX, VENDORS, create_sandbox_app
from projecthub.services import connections
from projecthub.services.tool_clients import ToolClients
from projecthub.services.wiring import new_session
from projecthub.ui.pages.connections_sandbox import sandbox_values
from projecthub.ui.state import connections as connections_state
from projecthub.ui.state.connections import ConnectionsState, secret_state
from projecthub.ui.state.session import parse_id
from tests.factories import add_member, make_org, make_user, owner_principal, user_of
from tests.ui.tabs import browser_state, login, toasts
from tests.ui.times import instant, near

SITE = "http://127.0.0.1:9/sandbox/jira"  # never dialled: the sandbox answers in-process
TOKEN = "sandbox-demo"
CANARY = "canary-token-7Hq2xZ91"


def _page(db: Session, user: Any) -> tuple[rx.State, ConnectionsState]:
    root = browser_state(rx.State, login(db, user), path="/org/connections")
    state = root.get_substate(ConnectionsState.get_full_name().split("."))
    assert isinstance(state, ConnectionsState)
    return root, state


def _jira_form(**overrides: str) -> dict[str, str]:
    return {"name": "Acme Jira", "base_url": SITE, "email": "demo@projecthub.example",
            "api_token": TOKEN, **overrides}


def _add_jira(db: Session, org: Any, token: str = TOKEN, name: str = "Acme Jira") -> str:
    """The new connection's id as the page holds it."""
    return str(connections.create_connection(
        db, owner_principal(db, org), tool="jira", name=name, base_url=SITE,
        settings_values={"email": "demo@projecthub.example"},
        secret_values={"api_token": token}).id)


def _saved_token(db: Session, org: Any, connection_id: str) -> str:
    creds = connections.connection_credentials(db, owner_principal(db, org), connection_id)
    return creds.secrets["api_token"]


async def _test(state: ConnectionsState, connection_id: str) -> Any:
    """Run the background handler's body on the plain state (``async with self`` is a no-op
    there); Reflex refuses a direct call of a background handler through the instance."""
    return await ConnectionsState.test_connection.fn(state, connection_id)


@pytest.fixture
def sandbox_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """Connectors opened by the page reach an in-process sandbox instead of the network."""
    transport = httpx.ASGITransport(app=create_sandbox_app())
    monkeypatch.setattr(connections_state, "tool_clients", lambda p: ToolClients(
        new_session, p, transport_factory=lambda _url: transport))


def test_everyone_sees_the_connections_grouped_by_tool_with_secret_hints_only(db):
    owner = make_user(db)
    org = make_org(db, owner)
    _add_jira(db, org, token=CANARY)
    viewer = add_member(db, org, role=Role.VIEWER)
    root, state = _page(db, user_of(db, viewer))

    state.load()

    assert [g.label for g in state.groups] == ["Jira", "Confluence", "Productive",
                                                "Microsoft 365"]
    [row] = state.groups[0].connections
    assert (row.name, row.base_url, row.test_status) == ("Acme Jira", SITE, "untested")
    assert row.details[0].value == "demo@projecthub.example"
    assert row.details[1].value == f"set · ••••{CANARY[-4:]}" and row.details[1].updated_at
    assert CANARY not in str(root.dict())


@pytest.mark.parametrize("role", [Role.MEMBER, Role.VIEWER])
def test_members_and_viewers_cannot_open_the_editor_save_or_remove(db, engine, role):
    org = make_org(db)
    connection_id = _add_jira(db, org)
    person = add_member(db, org, role=role)
    _, state = _page(db, user_of(db, person))
    state.load()

    state.open_add("jira")
    assert not state.editor_open and "admin role" in state.errors["connections"]
    state.open_edit(connection_id)
    assert not state.editor_open and state.form_values == {}

    state.save(_jira_form(name="Sneaky"))
    assert "admin role" in state.errors["connection_form"]
    state.remove(connection_id)
    assert "admin role" in state.errors["connections"]

    with Session(engine) as fresh:
        assert [c.name for c in fresh.exec(select(ToolConnection)).all()] == ["Acme Jira"]


def test_an_admin_adds_a_connection_and_the_typed_secret_stays_out_of_public_state(db):
    owner = make_user(db)
    org = make_org(db, owner)
    admin = add_member(db, org, role=Role.ADMIN)
    root, state = _page(db, user_of(db, admin))
    state.load()

    state.open_add("jira")
    assert state.editor_open and state.editing_id == "" and state.form_tool == "jira"
    result = state.save(_jira_form(api_token=CANARY))

    assert "Acme Jira added" in toasts(result)
    assert not state.editor_open and state.errors == {}
    [row] = state.groups[0].connections
    assert f"••••{CANARY[-4:]}" in row.details[1].value
    assert CANARY not in str(root.dict())
    assert _saved_token(db, org, row.id) == CANARY


def test_field_errors_land_next_to_their_inputs_and_clear_on_the_next_save(db):
    owner = make_user(db)
    org = make_org(db, owner)
    _add_jira(db, org, name="Taken")
    _, state = _page(db, owner)
    state.load()
    state.open_add("jira")

    state.save(_jira_form(base_url="ftp://jira.example.com"))
    assert list(state.errors) == ["base_url"]
    state.save(_jira_form(email="", api_token=""))
    assert state.errors == {"email": "Required.", "api_token": "Required."}
    state.save(_jira_form(name="Taken"))
    assert "exists" in state.errors["name"]
    assert state.editor_open  # the dialog (and what was typed) stays

    state.save(_jira_form())
    assert state.errors == {} and not state.editor_open


def test_the_editor_follows_the_chosen_tools_spec(db):
    owner = make_user(db)
    make_org(db, owner)
    _, state = _page(db, owner)
    state.load()
    state.open_add("jira")

    state.choose_tool("productive")
    assert state.form_tool == "productive"
    state.save({"name": "Prod", "base_url": "https://api.productive.io",
                "organization_id": "", "api_token": ""})
    assert state.errors == {"organization_id": "Required.", "api_token": "Required."}

    state.choose_tool("not-a-tool")
    assert state.form_tool == "productive" and "Choose a tool" in state.errors["tool"]


def test_editing_prefills_settings_and_an_empty_secret_keeps_the_saved_one(db):
    owner = make_user(db)
    org = make_org(db, owner)
    connection_id = _add_jira(db, org, token=CANARY)
    root, state = _page(db, owner)
    state.load()

    state.open_edit(connection_id)
    assert state.editing_id == connection_id and state.form_tool == "jira"
    assert state.form_values == {"name": "Acme Jira", "base_url": SITE,
                                 "email": "demo@projecthub.example"}
    assert state.form_secret_hints == {"api_token": f"set · ••••{CANARY[-4:]}"}
    assert CANARY not in str(root.dict())

    result = state.save(_jira_form(name="Acme Jira Cloud", api_token=""))

    assert "Acme Jira Cloud saved" in toasts(result)
    assert state.groups[0].connections[0].name == "Acme Jira Cloud"
    assert _saved_token(db, org, connection_id) == CANARY
    assert (state.editing_id, state.form_values, state.form_secret_hints) == ("", {}, {})


def test_saving_with_another_organizations_connection_in_the_editor_is_not_found(db, engine):
    """``editing_id`` only comes from ``open_edit``, which checks it; the save checks again."""
    owner = make_user(db)
    make_org(db, owner)
    foreign_org = make_org(db)
    foreign_id = _add_jira(db, foreign_org)
    _, state = _page(db, owner)
    state.load()
    state.open_edit(foreign_id)
    assert "not found" in state.errors["connections"].lower() and not state.editor_open

    state.editing_id = foreign_id  # as a forged ``setvar`` would
    state.save(_jira_form(name="Hijacked", api_token=CANARY))

    assert "not found" in state.errors["connection_form"].lower()
    with Session(engine) as fresh:
        row = fresh.get(ToolConnection, parse_id(foreign_id, "Connection"))
        assert row is not None and row.name == "Acme Jira"


def test_an_admin_removes_a_connection(db):
    owner = make_user(db)
    org = make_org(db, owner)
    connection_id = _add_jira(db, org)
    _, state = _page(db, owner)
    state.load()

    assert "removed" in toasts(state.remove(connection_id))
    assert state.groups[0].connections == []


async def test_test_connection_shows_success_then_the_vendors_refusal(db, sandbox_tools):
    owner = make_user(db)
    org = make_org(db, owner)
    connection_id = _add_jira(db, org)
    root, state = _page(db, owner)
    state.load()

    result = await _test(state, connection_id)

    assert "Connected as Demo Admin." in toasts(result)
    [row] = state.groups[0].connections
    assert (row.test_status, row.test_message) == ("passed", "Connected as Demo Admin.")
    assert state.testing_id == ""
    stored = db.exec(select(ToolConnection)).one()
    db.refresh(stored)
    assert stored.last_tested_at and near(instant(row.tested_at, row.tested),
                                          stored.last_tested_at)

    state.open_edit(connection_id)
    state.save(_jira_form(api_token=CANARY))
    result = await _test(state, connection_id)

    [row] = state.groups[0].connections
    assert row.test_status == "failed" and "credentials were refused" in row.test_message
    assert "The test failed." in toasts(result)
    assert "credentials were refused" not in toasts(result)  # said once, with the connection
    assert CANARY not in str(root.dict()) and CANARY not in toasts(result)


async def test_a_member_may_test_but_not_a_foreign_connection(db, sandbox_tools):
    """Testing is open to every member (the service's rule); another organization's id is
    simply not found."""
    org = make_org(db)
    connection_id = _add_jira(db, org)
    foreign_id = _add_jira(db, make_org(db))
    member = add_member(db, org, role=Role.MEMBER)
    _, state = _page(db, user_of(db, member))
    state.load()

    assert "Connected as" in toasts(await _test(state, connection_id))
    await _test(state, foreign_id)
    assert "not found" in state.errors["connections"].lower() and state.testing_id == ""


def test_secret_state_says_set_and_last4_and_leaves_the_time_to_the_card():
    hint = connections.SecretHint(is_set=True, last4="abcd",
                                  updated_at="2026-11-26T16:20:00+00:00")
    assert secret_state(hint) == "set · ••••abcd"
    unset = connections.SecretHint(is_set=False, last4="", updated_at="")
    assert secret_state(unset.model_copy(update={"is_set": True})) == "set"
    assert secret_state(unset) == "not set"


def test_a_secrets_change_goes_to_the_browser_as_iso_beside_utc(db):
    owner = make_user(db)
    org = make_org(db, owner)
    _add_jira(db, org)
    _, state = _page(db, owner)
    state.load()

    [row] = state.groups[0].connections
    token = next(d for d in row.details if d.label == "API token")
    assert token.value == "set · ••••" + TOKEN[-4:]
    stored = db.exec(select(ToolConnection)).one()
    assert instant(token.updated_at, token.updated) == datetime.fromisoformat(
        stored.secret_hints["api_token"]["updated_at"])
    email = next(d for d in row.details if d.label == "Account email")
    assert (email.updated, email.updated_at) == ("", "")  # a setting has no change time
    assert (row.tested, row.tested_at) == ("", "")  # never tested


def test_the_sandbox_shortcut_points_at_this_apps_own_sandbox(monkeypatch):
    monkeypatch.setattr(settings, "SANDBOX", True)
    values = sandbox_values(Tool.JIRA)
    assert values is not None
    assert values["base_url"].endswith("/sandbox/jira")
    assert values["base_url"].startswith(rx.config.get_config().api_url.rstrip("/"))
    assert (values["email"], values["api_token"]) == ("demo@projecthub.example", "sandbox-demo")

    monkeypatch.setattr(settings, "SANDBOX", False)
    assert sandbox_values(Tool.JIRA) is None


def test_every_sandbox_shortcut_names_a_vendor_the_sandbox_serves(monkeypatch):
    monkeypatch.setattr(settings, "SANDBOX", True)
    for tool in Tool:
        values = sandbox_values(tool)
        assert values is not None
        assert values["base_url"].endswith(f"{SANDBOX_PREFIX}/{tool.value}")
        assert tool.value in VENDORS
