"""Every public event handler that takes an id, called by the owner of organization A with
organization B's ids: nothing in B changes, and the person is told "not found" (or refused).

The browser can call any public handler with any arguments (notes/security.md §5), so this
sweep is the UI's tenant-isolation gate. A new id-taking handler without a case here fails
``test_every_id_taking_handler_has_a_case``.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
import reflex as rx
from sqlmodel import Session, select

import projecthub.ui.pages  # noqa: F401  (imports every page, hence every state)
from projecthub.models import (
    ApiToken,
    AuditEvent,
    AuthSession,
    DriftField,
    Invitation,
    Membership,
    Notification,
    NotificationEvent,
    Organization,
    Project,
    ProjectDrift,
    ProjectResource,
    ProjectStatus,
    Template,
    ToolConnection,
    User,
    WebhookEndpoint,
    WizardDraft,
)
from projecthub.services import api_tokens, connections, drafts, invitations
from projecthub.services.templates import library
from projecthub.services.webhooks.endpoints import prepare_endpoint
from projecthub.ui.state import project_status
from projecthub.ui.state.connections import ConnectionsState
from projecthub.ui.state.project_add_tool import AddToolState
from projecthub.ui.state.project_status import ProjectState
from projecthub.ui.state.templates import TemplatesState
from projecthub.ui.state.wizard import WizardState
from tests.factories import add_member, make_org, make_user, owner_principal, principal
from tests.ui.status_seed import add_project
from tests.ui.tabs import browser_state, login, toasts

ID_PARAMETER = re.compile(r"(^|_)ids?$")


@dataclass
class World:
    """Organization A (the caller owns it) and organization B with one row of every kind."""

    token_a: str
    org_a: Organization
    org_b: Organization
    member_b: Membership
    invitation_b: Invitation
    api_token_b: ApiToken
    connection_b: ToolConnection
    template_b: str  # B's own template (a clone of its built-in one)
    draft_b: WizardDraft
    drift_b: ProjectDrift
    notification_b: Notification


@dataclass(frozen=True)
class Case:
    call: Callable[[Any, World], Any]
    expect: str = "not found"


CASES: dict[str, Case] = {
    "SessionState.switch_org": Case(lambda s, w: s.switch_org(str(w.org_b.id))),
    "MembersState.change_role": Case(lambda s, w: s.change_role(str(w.member_b.id), "owner")),
    "MembersState.set_active": Case(lambda s, w: s.set_active(str(w.member_b.id), False)),
    "MembersState.remove": Case(lambda s, w: s.remove(str(w.member_b.id))),
    "MembersState.revoke_invitation": Case(
        lambda s, w: s.revoke_invitation(str(w.invitation_b.id))),
    "MembersState.resend_invitation": Case(
        lambda s, w: s.resend_invitation(str(w.invitation_b.id))),
    "AccountState.revoke_token": Case(lambda s, w: s.revoke_token(str(w.api_token_b.id))),
    "MembersState.revoke_member_token": Case(
        lambda s, w: s.revoke_member_token(str(w.api_token_b.id))),
    "ConnectionsState.open_edit": Case(lambda s, w: _open_editor_on(s, w.connection_b)),
    "ConnectionsState.remove": Case(lambda s, w: s.remove(str(w.connection_b.id))),
    "ConnectionsState.test_connection": Case(lambda s, w: asyncio.run(
        ConnectionsState.test_connection.fn(s, str(w.connection_b.id)))),
    "ConnectionsState.turn_on_webhook": Case(lambda s, w: asyncio.run(
        ConnectionsState.turn_on_webhook.fn(s, str(w.connection_b.id)))),
    "ConnectionsState.turn_off_webhook": Case(lambda s, w: asyncio.run(
        ConnectionsState.turn_off_webhook.fn(s, str(w.connection_b.id)))),
    "DraftsState.delete_draft": Case(lambda s, w: s.delete_draft(str(w.draft_b.id))),
    "WizardState.choose_template": Case(lambda s, w: _choose_on(s, w.template_b)),
    "TemplatesState.open_template": Case(lambda s, w: _open_template_on(s, w.template_b)),
    "TemplatesState.clone": Case(lambda s, w: s.clone(w.template_b)),
    "TemplatesState.retire": Case(lambda s, w: s.retire(w.template_b)),
    "ProjectState.accept_drift": Case(lambda s, w: s.accept_drift(str(w.drift_b.id))),
    "ProjectState.make_match": Case(lambda s, w: asyncio.run(
        ProjectState.make_match.fn(s, str(w.drift_b.id)))),
    "AddToolState.check_tool": Case(lambda s, w: asyncio.run(
        AddToolState.check_tool.fn(s, str(w.connection_b.id)))),
    "BellState.open_item": Case(lambda s, w: s.open_item(str(w.notification_b.id))),
    "TenantsState.set_suspended": Case(lambda s, w: s.set_suspended(str(w.org_b.id), True),
                                       expect="only instance administrators"),
    "UsersState.set_active": Case(lambda s, w: s.set_active(str(w.member_b.user_id), False),
                                  expect="only instance administrators"),
    "UsersState.send_reset": Case(lambda s, w: s.send_reset(str(w.member_b.user_id)),
                                  expect="only instance administrators"),
    "UsersState.set_admin": Case(lambda s, w: s.set_admin(str(w.member_b.user_id), True),
                                 expect="only instance administrators"),
}


def _open_editor_on(state: ConnectionsState, connection: ToolConnection) -> None:
    """Opening the editor on B's connection must not load any of it into the page."""
    state.open_edit(str(connection.id))
    assert (state.editor_open, state.editing_id, state.form_values) == (False, "", {})


def _choose_on(state: WizardState, template_id: str) -> None:
    """Choosing B's template must not open any of it in the wizard."""
    state.choose_template(template_id)
    assert (state.template_name, state._version_id, state.fields) == ("", "", [])


def _open_template_on(state: TemplatesState, template_id: str) -> None:
    state.open_template(template_id)
    assert (state.editor_open, state.editing_id, state.source) == (False, "", "")


def _projecthub_states() -> dict[str, type[rx.State]]:
    found: dict[str, type[rx.State]] = {}
    pending: list[type[rx.State]] = [rx.State]
    while pending:
        cls = pending.pop()
        if cls.__module__.startswith("projecthub."):
            found[cls.__name__] = cls
        pending.extend(cls.get_substates())
    return found


def _id_taking_handlers() -> set[str]:
    names = set()
    for state_name, cls in _projecthub_states().items():
        for handler_name, handler in cls.event_handlers.items():
            parameters = list(inspect.signature(handler.fn).parameters)[1:]
            if any(ID_PARAMETER.search(p) for p in parameters):
                names.add(f"{state_name}.{handler_name}")
    return names


def test_every_id_taking_handler_has_a_case() -> None:
    assert _id_taking_handlers() == set(CASES)


def test_the_sweep_sees_the_states_it_should() -> None:
    assert {"SessionState", "MembersState", "AccountState", "TenantsState", "AuditState",
            "InviteState", "AuthState", "DraftsState", "WizardState", "ReviewState",
            "RunProgressState", "TemplatesState", "UsersState"} <= set(_projecthub_states())


@pytest.fixture
def world(db: Session) -> World:
    owner_a = make_user(db)
    org_a = make_org(db, owner_a, name="Alpha")
    owner_b = make_user(db)
    org_b = make_org(db, owner_b, name="Beta")
    member_b = add_member(db, org_b)
    invitation_b = invitations.create_invitation(
        db, owner_principal(db, org_b), email="new@beta.example", role="member").invitation
    api_token_b = api_tokens.create_api_token(db, principal(db, owner_b, org_b), name="b").token
    connection_b = connections.create_connection(
        db, owner_principal(db, org_b), tool="jira", name="Beta Jira",
        base_url="https://beta.atlassian.net", settings_values={"email": "it@beta.example"},
        secret_values={"api_token": "beta-secret-token-0000"})
    prepare_endpoint(db, owner_principal(db, org_b), connection_b.id)  # B receives webhooks
    builtin_b = library.list_templates(db, owner_principal(db, org_b))[0]
    template_b = library.clone_template(db, owner_principal(db, org_b), builtin_b.id)
    draft_b = drafts.save_draft(db, owner_principal(db, org_b),
                                template_version_id=template_b.version_id,
                                answers={"name": "Beta launch"}, step="basics")
    project_b = add_project(db, org_b, db.get_one(User, owner_b.id), name="Beta drift",
                            key="BDRIFT")
    resource_b = db.exec(select(ProjectResource).where(
        ProjectResource.project_id == project_b.id)).first()
    assert resource_b is not None
    drift_b = ProjectDrift(organization_id=org_b.id, project_id=project_b.id,
                           resource_id=resource_b.id, tool="jira", field=DriftField.NAME,
                           desired="Beta", actual="Beta renamed")
    db.add(drift_b)
    notification_b = Notification(organization_id=org_b.id, user_id=owner_b.id,
                                  event=NotificationEvent.RUN_FAILED, title="Beta run failed")
    db.add(notification_b)
    db.commit()
    return World(login(db, owner_a), org_a, org_b, member_b, invitation_b, api_token_b,
                 db.get_one(ToolConnection, connection_b.id), str(template_b.id), draft_b,
                 drift_b, notification_b)


def _snapshot(engine: Any, world: World) -> dict[str, Any]:
    """Everything of B a handler could touch, plus the caller's current organization."""
    with Session(engine) as db:
        org = db.get(Organization, world.org_b.id)
        assert org is not None
        return {
            "org": (org.name, org.slug, org.status),
            "members": sorted((str(m.id), m.role, m.is_active) for m in db.exec(
                select(Membership).where(Membership.organization_id == org.id))),
            "invitations": [(i.revoked_at, i.accepted_at) for i in db.exec(
                select(Invitation).where(Invitation.organization_id == org.id))],
            "tokens": [t.revoked_at for t in db.exec(
                select(ApiToken).where(ApiToken.organization_id == org.id))],
            "connections": [(c.name, c.base_url, c.settings, c.secrets, c.last_tested_at)
                            for c in db.exec(select(ToolConnection).where(
                                ToolConnection.organization_id == org.id))],
            "webhooks": [(w.connection_id, w.token_hash) for w in db.exec(
                select(WebhookEndpoint).where(WebhookEndpoint.organization_id == org.id))],
            "templates": sorted((t.name, t.current_version, t.retired_at) for t in db.exec(
                select(Template).where(Template.organization_id == org.id))),
            "drift": sorted((str(d.id), d.run_id) for d in db.exec(
                select(ProjectDrift).where(ProjectDrift.organization_id == org.id))),
            "projects": sorted((p.name, p.drift_count) for p in db.exec(
                select(Project).where(Project.organization_id == org.id))),
            "drafts": [(d.id, d.answers, d.step) for d in db.exec(
                select(WizardDraft).where(WizardDraft.organization_id == org.id))],
            "audit": len(db.exec(select(AuditEvent).where(
                AuditEvent.organization_id == org.id)).all()),
            "people": sorted((u.email, u.is_active, u.is_instance_admin) for u in db.exec(
                select(User).join(Membership, Membership.user_id == User.id)  # type: ignore[arg-type]
                .where(Membership.organization_id == org.id))),
            "instance_audit": len(db.exec(select(AuditEvent).where(
                AuditEvent.organization_id == None)).all()),  # noqa: E711
            "notifications": [n.read_at for n in db.exec(select(Notification).where(
                Notification.organization_id == org.id))],
            "caller_org": [s.current_org_id for s in db.exec(select(AuthSession)).all()
                           if s.current_org_id == world.org_a.id],
        }


@pytest.mark.parametrize("name", sorted(CASES))
def test_handler_with_another_organizations_id_changes_nothing(name: str, world: World,
                                                               engine: Any) -> None:
    state_name, _ = name.split(".")
    state = browser_state(_projecthub_states()[state_name], world.token_a)
    before = _snapshot(engine, world)

    result = CASES[name].call(state, world)

    assert _snapshot(engine, world) == before
    shown = " ".join([*state.errors.values(), toasts(result)]).lower()
    assert CASES[name].expect in shown


def _malformed_world(world: World) -> World:
    """The same caller, with every id of B replaced by text that is no id at all."""
    bad = SimpleNamespace(id="not-a-uuid", user_id="not-a-uuid")
    return World(world.token_a, world.org_a, bad, bad, bad, bad, bad,  # type: ignore[arg-type]
                 "not-a-uuid", bad, bad, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(CASES))
def test_handler_with_a_malformed_id_says_not_found(name: str, world: World,
                                                     engine: Any) -> None:
    """An id the browser mangled is parsed once at the edge: the handler answers like it does
    for a foreign row (or refuses the caller first), raises nothing and changes nothing."""
    state_name, _ = name.split(".")
    state = browser_state(_projecthub_states()[state_name], world.token_a)
    before = _snapshot(engine, world)

    result = CASES[name].call(state, _malformed_world(world))

    assert _snapshot(engine, world) == before
    shown = " ".join([*state.errors.values(), toasts(result)]).lower()
    assert "not found" in shown or CASES[name].expect in shown, shown


# Handlers that take their project from the page's URL, which the browser chooses as freely as
# an argument: on B's project page (even as if A's tab had loaded it before), nothing of B moves.
URL_CASES: dict[str, Callable[[Any], Any]] = {
    "ProjectState.load": lambda s: s.load(),
    "ProjectState.set_lifecycle": lambda s: s.set_lifecycle("archived"),
    "ProjectState.preview_lifecycle": lambda s: s.preview_lifecycle("archived"),
    "ProjectState.confirm_lifecycle": lambda s: (setattr(s, "lifecycle_target", "archived"),
                                                 s.confirm_lifecycle())[1],
    "ProjectState.open_delete": lambda s: s.open_delete(),
    "ProjectState.delete_project": lambda s: asyncio.run(
        s.delete_project({"confirmation": "BETA", "delete_jira": "on"})),
    "ProjectState.refresh": lambda s: asyncio.run(ProjectState.refresh.fn(s)),
}


def _project_snapshot(engine: Any, project_id: uuid.UUID) -> tuple[Any, ...]:
    with Session(engine) as db:
        project = db.get_one(Project, project_id)
        status = db.get(ProjectStatus, project_id)
        return project.lifecycle, status.synced_at if status else None


@pytest.mark.parametrize("name", sorted(URL_CASES))
def test_project_page_handlers_on_another_organizations_project_change_nothing(
        name: str, world: World, engine: Any, db: Session,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(project_status, "sync_config", _never_sync)
    owner_b = owner_principal(db, world.org_b)
    project_b = add_project(db, world.org_b, db.get_one(User, owner_b.user_id), name="Beta",
                            key="BETA")
    state = browser_state(ProjectState, world.token_a, path=f"/projects/{project_b.id}")
    state._project = str(project_b.id)
    before = (_snapshot(engine, world), _project_snapshot(engine, project_b.id))

    result = URL_CASES[name](state)

    assert (_snapshot(engine, world), _project_snapshot(engine, project_b.id)) == before
    shown = " ".join([*state.errors.values(), state.problem, toasts(result)]).lower()
    assert "not found" in shown and state.name == ""


def _never_sync() -> Any:
    raise AssertionError("a project of another organization must not be synced")
