"""Listing what the sandbox tools have through the connections, and importing it in bulk."""

from __future__ import annotations

import pytest
from sqlalchemy import event
from sqlmodel import select

from projecthub.core.errors import PermissionDenied
from projecthub.models import (
    AuditEvent,
    Project,
    ProjectMember,
    ProjectResource,
    Role,
    StatusSnapshot,
    Tool,
)
from projecthub.sandbox.jira_state import SANDBOX_EMAIL
from projecthub.services import project_import
from projecthub.services.project_import import Proposal
from projecthub.services.status.sync import SyncConfig, refresh_project
from tests.factories import add_member, make_org, make_user, principal
from tests.services.project_import.seed import key_of, name_of, seed_existing
from tests.services.provisioning.world import TENANT, World, build_world

OUTSIDER = "someone@elsewhere.example"


@pytest.fixture
def world(db) -> World:
    return build_world(db)


def session_factory(world: World):
    return world.config().session_factory


async def listed(world: World) -> project_import.Listing:
    p = world.owner_principal
    conns = project_import.import_connections(world.db, p)
    listing = await project_import.list_candidates(world.config().tools_factory(p), conns)
    return project_import.mark_linked(world.db, p, listing)


async def test_lists_every_tool_page_by_page_with_members(world):
    seed_existing(world.sandbox, TENANT, 120, lead_email="pm@example.com",
                  team_member_emails=(OUTSIDER,))
    listing = await listed(world)
    assert listing.problems == ()
    by_tool = {t: [c for c in listing.candidates if c.tool == t] for t in Tool}
    assert len(by_tool[Tool.JIRA]) == 120 and len(by_tool[Tool.CONFLUENCE]) == 120
    assert len(by_tool[Tool.PRODUCTIVE]) == 40 and len(by_tool[Tool.GRAPH]) == 12
    jira = next(c for c in by_tool[Tool.JIRA] if c.key == key_of(1))
    assert jira.member_emails == ("pm@example.com",)
    assert jira.url.endswith(f"/sandbox/jira/browse/{key_of(1)}")
    team = by_tool[Tool.GRAPH][0]
    assert set(team.member_emails) == {"pm@example.com", OUTSIDER}


async def test_a_failing_connection_is_reported_and_the_others_still_listed(world):
    seed_existing(world.sandbox, TENANT, 3, lead_email="pm@example.com")
    world.sandbox.vendors["jira"].tenant(TENANT).users.clear()  # every Jira login refused now
    listing = await listed(world)
    assert [p.tool for p in listing.problems] == [Tool.JIRA]
    assert "refused" in listing.problems[0].message
    assert {c.tool for c in listing.candidates} == {Tool.CONFLUENCE, Tool.PRODUCTIVE, Tool.GRAPH}


async def test_imports_linked_projects_with_members_that_the_sync_then_fills(world):
    seed_existing(world.sandbox, TENANT, 12, lead_email="pm@example.com",
                  team_member_emails=(OUTSIDER,))
    proposals = project_import.suggest((await listed(world)).candidates)
    assert len(proposals) == 12
    first = next(p for p in proposals if p.key == key_of(0))
    assert first.tools == (Tool.JIRA, Tool.CONFLUENCE, Tool.PRODUCTIVE, Tool.GRAPH)
    seen: list[tuple[int, int]] = []
    report = project_import.run_import(session_factory(world), world.owner_principal, proposals,
                                       chunk_size=5, progress=lambda d, t: seen.append((d, t)))
    assert (report.requested, report.created, report.failures) == (12, 12, ())
    assert seen == [(5, 12), (10, 12), (12, 12)]
    assert set(report.unmatched_emails) == {SANDBOX_EMAIL, OUTSIDER}
    world.db.expire_all()
    project = world.db.exec(select(Project).where(Project.key == key_of(0))).one()
    assert project.name == name_of(0) and project.lifecycle == "active"
    resources = world.db.exec(select(ProjectResource).where(
        ProjectResource.project_id == project.id)).all()
    assert {(r.tool, r.kind, r.origin) for r in resources} == {
        ("jira", "project", "linked"), ("confluence", "space", "linked"),
        ("productive", "project", "linked"), ("graph", "team", "linked")}
    members = world.db.exec(select(ProjectMember).where(
        ProjectMember.project_id == project.id)).all()
    assert [m.user_id for m in members] == [world.owner.id]
    assert world.db.exec(select(AuditEvent).where(
        AuditEvent.action == "projects.imported")).all()

    config = SyncConfig(session_factory=session_factory(world),
                        tools_factory=world.config().tools_factory, now=world.clock.now)
    assert await refresh_project(project.id, config) is not None
    snapshots = world.db.exec(select(StatusSnapshot).where(
        StatusSnapshot.project_id == project.id)).all()
    assert {(s.tool, s.kind, s.error) for s in snapshots} == {
        ("jira", "project", ""), ("confluence", "space", ""), ("productive", "project", ""),
        ("graph", "team", "")}
    again = await listed(world)
    assert all(c.linked_to for c in again.candidates if c.name == name_of(0))
    assert project_import.suggest(again.candidates) == []


async def test_a_second_import_of_the_same_projects_lists_each_failure(world):
    seed_existing(world.sandbox, TENANT, 3, lead_email="pm@example.com")
    proposals = project_import.suggest((await listed(world)).candidates)
    project_import.run_import(session_factory(world), world.owner_principal, proposals[:1])
    renamed = proposals[1].model_copy(update={"key": "bad key"})
    report = project_import.run_import(session_factory(world), world.owner_principal,
                                       [proposals[0], renamed, proposals[2]])
    assert report.created == 1
    assert [(f.key, f.reason) for f in report.failures] == [
        (key_of(0), f"This organization already has a project with the key {key_of(0)}."),
        ("bad key", "The key must be 2 to 10 capital letters or digits, starting with a "
                    "letter.")]
    relinked = proposals[2].model_copy(update={"key": "NEW"})
    report = project_import.run_import(session_factory(world), world.owner_principal, [relinked])
    assert report.failures[0].reason.endswith(f"is already linked to the project {key_of(2)}.")


async def test_another_organizations_connection_is_not_found(world, db):
    seed_existing(world.sandbox, TENANT, 1, lead_email="pm@example.com")
    proposal = project_import.suggest((await listed(world)).candidates)[0]
    other_owner = make_user(db)
    other = principal(db, other_owner, make_org(db, other_owner))
    report = project_import.run_import(session_factory(world), other, [proposal])
    assert report.created == 0
    assert report.failures[0].reason == "The jira connection was not found."


def test_members_and_viewers_may_not_import(world, db):
    member = add_member(db, world.org, role=Role.MEMBER)
    who = principal(db, db.get(type(world.owner), member.user_id), world.org)
    with pytest.raises(PermissionDenied):
        project_import.import_connections(db, who)
    with pytest.raises(PermissionDenied):
        project_import.import_chunk(db, who, [])


async def test_300_projects_import_in_a_few_bulk_statements_per_chunk(world):
    seed_existing(world.sandbox, TENANT, 300, lead_email="pm@example.com", productive_every=0,
                  teams_every=0)
    proposals = project_import.suggest((await listed(world)).candidates)
    assert len(proposals) == 300
    inserts: list[str] = []
    engine = world.db.get_bind()

    def count(_conn, _cursor, statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT"):
            inserts.append(statement.split("(")[0])

    event.listen(engine, "before_cursor_execute", count)
    try:
        report = project_import.run_import(session_factory(world), world.owner_principal,
                                           proposals)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert report.created == 300 and report.failures == ()
    chunks = len(project_import.chunks(proposals))
    assert chunks == 6
    # Projects, members, resources and one audit event per chunk (plus whatever the database's
    # triggers do without statements of ours): bulk, not one statement per row.
    assert len(inserts) <= chunks * 6, inserts
    assert len(world.db.exec(select(Project.id)).all()) == 300


def test_proposals_travel_as_json(world):
    assert Proposal.model_validate_json(Proposal(key="AB", name="x", resources=(),
                                                 matched_by="").model_dump_json()).key == "AB"


async def test_suggestions_avoid_the_keys_projects_already_use(world, db):
    seed_existing(world.sandbox, TENANT, 2, lead_email="pm@example.com")
    db.add(Project(organization_id=world.org.id, name="Made by hand", key=key_of(1)))
    db.commit()
    listing = await listed(world)
    taken = project_import.project_keys(db, world.owner_principal)
    keys = [p.key for p in project_import.suggest(listing.candidates, taken_keys=taken)]
    assert keys == [key_of(0), "CP0"]  # "Client Project 001" gets a key from its initials
