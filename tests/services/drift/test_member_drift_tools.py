"""Member drift in Confluence (space grants) and Teams (members and owners): someone added,
removed or made an owner behind ProjectHub's back in the sandbox is reported by the sync, and
settled both ways: "make it match" runs the edit's own step, "accept the tool's value" changes
the project's members. Every vendor exchange is checked against the spec."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from projecthub.models import DriftField, ProjectMember, RunStatus, User
from projecthub.services.drift.resolve import accept_tool_value, list_drift, make_it_match
from projecthub.services.provisioning import service
from projecthub.services.status.sync import SyncConfig, refresh_project
from tests.factories import add_member, make_user
from tests.services.provisioning.edit_world import EditWorld
from tests.services.provisioning.world import TENANT, all_tools_answers

ANN = "ann@example.com"


@pytest.fixture
async def w(db) -> EditWorld:
    """All four tools, with Ann a project member who has an account in each."""
    world = EditWorld(db)
    ann = world.person(ANN, "Ann Example")
    answers = {**all_tools_answers(world.world), "members": [str(ann.id)]}
    project, run = service.start_project(db, world.world.owner_principal,
                                         template_version_id=world.world.template_version_id,
                                         answers=answers)
    db.commit()
    assert await world.drive(run.id) == RunStatus.SUCCEEDED
    world.project_id = project.id
    return world


async def sync(w: EditWorld) -> list[tuple[str, str, str, str]]:
    """Sync the project; its drift as (tool, who, ProjectHub's value, the tool's)."""
    w.world.clock.advance(60)
    runner = w.config()
    config = SyncConfig(session_factory=runner.session_factory,
                        tools_factory=runner.tools_factory, now=w.world.clock.now)
    assert await refresh_project(w.project_id, config) is not None
    w.db.expire_all()
    return [(d.tool, d.subject, d.desired, d.actual)
            for d in list_drift(w.db, w.world.owner_principal, w.project_id)
            if d.field == DriftField.MEMBER]


def tools(w: EditWorld):  # type: ignore[no-untyped-def]
    return w.config().tools_factory(w.world.owner_principal)


async def fix(w: EditWorld, tool: str, subject: str) -> None:
    [drift] = [d for d in list_drift(w.db, w.world.owner_principal, w.project_id)
               if d.tool == tool and d.subject == subject]
    assert drift.can_make_match
    run = make_it_match(w.db, w.world.owner_principal, drift.id)
    w.db.commit()
    assert await w.drive(run.id) == RunStatus.SUCCEEDED


def accept(w: EditWorld, tool: str, subject: str) -> None:
    [drift] = [d for d in list_drift(w.db, w.world.owner_principal, w.project_id)
               if d.tool == tool and d.subject == subject]
    accept_tool_value(w.db, w.world.owner_principal, drift.id)
    w.db.commit()


def role_of(w: EditWorld, email: str) -> str | None:
    """The person's role in the project (``None``: not on it)."""
    w.db.expire_all()
    return w.db.exec(select(ProjectMember.role).join(
        User, col(User.id) == col(ProjectMember.user_id)).where(
        ProjectMember.project_id == w.project_id, User.email == email)).first()


async def _confluence_account(w: EditWorld, email: str) -> str:
    async with tools(w).confluence(w.world.connection_ids["confluence"]) as wiki:
        [user] = await wiki.find_users_by_email(email)
    return user.account_id


async def test_provisioning_gives_the_space_and_the_team_to_the_members_so_nothing_differs(w):
    assert w.space_grants(ANN) == {("read", "space"), ("create", "page")}
    assert w.team_roles(ANN) == []
    assert await sync(w) == []


async def test_someone_removed_from_the_space_is_put_back_or_taken_off_the_project(w, db):
    ann = await _confluence_account(w, ANN)
    async with tools(w).confluence(w.world.connection_ids["confluence"]) as wiki:
        await wiki.revoke_space_permissions("WEBX", ann)
    assert await sync(w) == [("confluence", ANN, "member", "")]
    await fix(w, "confluence", ANN)
    assert w.space_grants(ANN) == {("read", "space"), ("create", "page")}
    assert await sync(w) == []

    async with tools(w).confluence(w.world.connection_ids["confluence"]) as wiki:
        await wiki.revoke_space_permissions("WEBX", ann)
    assert await sync(w) == [("confluence", ANN, "member", "")]
    accept(w, "confluence", ANN)
    assert role_of(w, ANN) is None
    # Ann is off the project: the tools that still have her now differ, Confluence does not
    assert ("confluence", ANN, "member", "") not in await sync(w)
    assert {("jira", ANN, "", "member"), ("graph", ANN, "", "member")} <= set(await sync(w))


async def test_someone_given_the_space_behind_our_back_is_removed_or_joins(w, db):
    for email, name in (("gus@example.com", "Gus Guest"), ("gia@example.com", "Gia Guest")):
        person = make_user(db, email=email, name=name)
        add_member(db, w.world.org, person)
        w.world.sandbox.vendors["confluence"].tenant(TENANT).add_account(email, name)
    db.commit()
    async with tools(w).confluence(w.world.connection_ids["confluence"]) as wiki:
        for email in ("gus@example.com", "gia@example.com"):
            [user] = await wiki.find_users_by_email(email)
            await wiki.grant_space_permissions("WEBX", user.account_id, (("read", "space"),))
    assert await sync(w) == [("confluence", "gia@example.com", "", "member"),
                             ("confluence", "gus@example.com", "", "member")]
    await fix(w, "confluence", "gus@example.com")
    assert w.space_grants("gus@example.com") == set()
    accept(w, "confluence", "gia@example.com")
    assert role_of(w, "gia@example.com") == "member"
    assert await sync(w) == []  # Gia has no account in the other tools: nothing to compare
    assert "POST /wiki/rest/api/space/{spaceKey}/permission" in w.specs.validated
    assert "GET /spaces/{id}/permissions" in w.specs.validated


async def test_someone_removed_from_the_team_is_put_back_or_taken_off_the_project(w, db):
    state, team, _group = w.team()
    ann = next(u for u in state.users.values() if u.mail == ANN)
    async with tools(w).graph(w.world.connection_ids["graph"]) as graph:
        assert await graph.remove_team_member(team.id, ann.id)
    assert await sync(w) == [("graph", ANN, "member", "")]
    await fix(w, "graph", ANN)
    assert w.team_roles(ANN) == []
    assert await sync(w) == []

    async with tools(w).graph(w.world.connection_ids["graph"]) as graph:
        await graph.remove_team_member(team.id, ann.id)
    await sync(w)
    accept(w, "graph", ANN)
    assert role_of(w, ANN) is None


async def test_an_owner_made_in_teams_is_made_a_member_again_or_becomes_a_lead(w, db):
    state, team, _group = w.team()
    ann = next(u for u in state.users.values() if u.mail == ANN)
    async with tools(w).graph(w.world.connection_ids["graph"]) as graph:
        await graph.set_team_role(team.id, ann.id, owner=True)
    assert await sync(w) == [("graph", ANN, "member", "owner")]
    await fix(w, "graph", ANN)
    assert w.team_roles(ANN) == []
    assert await sync(w) == []

    async with tools(w).graph(w.world.connection_ids["graph"]) as graph:
        await graph.set_team_role(team.id, ann.id, owner=True)
    await sync(w)
    accept(w, "graph", ANN)
    assert role_of(w, ANN) == "lead"
    assert await sync(w) == []
    assert "PATCH /teams/{team-id}/members/{conversationMember-id}" in w.specs.validated


async def test_someone_added_to_the_team_behind_our_back_is_removed(w, db):
    state, team, _group = w.team()
    guest = state.add_user("gus@example.com", "Gus Guest")
    async with tools(w).graph(w.world.connection_ids["graph"]) as graph:
        await graph.add_member(team.id, guest.id)
    assert await sync(w) == [("graph", "gus@example.com", "", "member")]
    await fix(w, "graph", "gus@example.com")
    assert w.team_roles("gus@example.com") is None
    assert await sync(w) == []
