"""A project's lifecycle reaching its four tools: previewed, run as ledger steps, audited, and
safe to repeat; only the project's owner or an admin may change it."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict, PermissionDenied
from projecthub.models import (
    AuditEvent,
    Lifecycle,
    Project,
    ProjectMember,
    ProjectResource,
    Role,
    RunKind,
    RunStatus,
)
from projecthub.sandbox import Fault
from projecthub.services.provisioning import lifecycle, service
from projecthub.services.provisioning.runner import drive_run
from tests.factories import add_member, make_user, principal
from tests.services.provisioning.world import TENANT, World, all_tools_answers, build_world


@pytest.fixture
async def world(db) -> World:
    world = build_world(db)
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=all_tools_answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    world.project_id = project.id  # type: ignore[attr-defined]
    return world


def archived_in_tools(world: World) -> dict[str, bool]:
    vendors = world.sandbox.vendors
    jira = vendors["jira"].tenant(TENANT)
    site = vendors["confluence"].tenant(TENANT)
    graph = vendors["graph"].tenant(TENANT)
    productive = vendors["productive"].tenant(TENANT)
    return {
        "jira": jira.projects["WEBX"].archived,
        "confluence": site.space_by_key("WEBX").status == "archived",
        "graph": all(t.archived for t in graph.teams.values()),
        "productive": all(p.archived_at is not None
                          for p in productive.table("projects").values()),
    }


async def change(world: World, db, state: str) -> RunStatus | None:
    _, run = lifecycle.start_lifecycle_change(db, world.owner_principal,
                                              world.project_id, state)  # type: ignore[attr-defined]
    db.commit()
    if run is None:
        return None
    return await drive_run(run.id, world.config())


def lifecycle_of(world: World, db) -> Lifecycle:
    db.expire_all()
    return db.get(Project, world.project_id).lifecycle  # type: ignore[attr-defined]


async def test_archive_then_restore_reaches_all_four_tools(world, db):
    preview = lifecycle.preview_lifecycle(db, world.owner_principal, world.project_id,
                                          "archived")
    assert {(c.tool, c.action) for c in preview.changes} == {
        ("jira", "archive"), ("confluence", "archive"), ("graph", "archive"),
        ("productive", "archive")}
    assert archived_in_tools(world) == dict.fromkeys(archived_in_tools(world), False)

    assert await change(world, db, "archived") == RunStatus.SUCCEEDED
    assert archived_in_tools(world) == {"jira": True, "confluence": True, "graph": True,
                                        "productive": True}
    assert lifecycle_of(world, db) == Lifecycle.ARCHIVED
    runs = service.list_runs(db, world.owner_principal, world.project_id)
    assert runs[0].kind == RunKind.LIFECYCLE and runs[0].target == "archived"
    assert len(runs[0].steps) == 4

    assert await change(world, db, "active") == RunStatus.SUCCEEDED
    assert archived_in_tools(world) == dict.fromkeys(archived_in_tools(world), False)
    assert lifecycle_of(world, db) == Lifecycle.ACTIVE
    actions = [e.action for e in db.exec(select(AuditEvent)).all()]
    assert actions.count("project.lifecycle_run_started") == 2


async def test_completed_archives_teams_and_productive_and_keeps_jira_and_confluence_open(
        world, db):
    preview = lifecycle.preview_lifecycle(db, world.owner_principal, world.project_id,
                                          "completed")
    assert {c.tool: c.action for c in preview.changes} == {
        "jira": "none", "confluence": "none", "graph": "archive", "productive": "archive"}
    assert await change(world, db, "completed") == RunStatus.SUCCEEDED
    assert archived_in_tools(world) == {"jira": False, "confluence": False, "graph": True,
                                        "productive": True}
    # completed → archived archives only what is still open
    preview = lifecycle.preview_lifecycle(db, world.owner_principal, world.project_id,
                                          "archived")
    assert {c.tool for c in preview.steps} == {"jira", "confluence"}


async def test_on_hold_changes_no_tool_and_needs_no_run(world, db):
    assert await change(world, db, "on_hold") is None
    assert lifecycle_of(world, db) == Lifecycle.ON_HOLD
    assert archived_in_tools(world) == dict.fromkeys(archived_in_tools(world), False)


async def test_a_lost_archive_reply_is_rechecked_on_retry_not_repeated(world, db):
    jira = world.sandbox.vendors["jira"]
    jira.faults.add(Fault(kind="reset", method="POST", path_prefix="/rest/api/3/project/WEBX/",
                          after_handler=True))
    _, run = lifecycle.start_lifecycle_change(db, world.owner_principal, world.project_id,
                                              "archived")
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    assert jira.tenant(TENANT).projects["WEBX"].archived  # it happened; the reply was lost
    assert lifecycle_of(world, db) == Lifecycle.ACTIVE
    service.retry_run(db, world.owner_principal, run.id)
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    assert lifecycle_of(world, db) == Lifecycle.ARCHIVED


async def test_a_second_change_waits_for_the_run_under_way(world, db):
    lifecycle.start_lifecycle_change(db, world.owner_principal, world.project_id, "archived")
    db.commit()
    with pytest.raises(Conflict):
        lifecycle.start_lifecycle_change(db, world.owner_principal, world.project_id,
                                         "completed")


async def test_viewers_and_members_who_do_not_own_it_are_refused(world, db):
    viewer = make_user(db)
    add_member(db, world.org, viewer, role=Role.VIEWER)
    member = make_user(db)
    add_member(db, world.org, member, role=Role.MEMBER)
    for user in (viewer, member):
        db.add(ProjectMember(organization_id=world.org.id, project_id=world.project_id,
                             user_id=user.id))
    db.commit()
    for user in (viewer, member):
        who = principal(db, user, world.org)
        with pytest.raises(PermissionDenied):
            lifecycle.preview_lifecycle(db, who, world.project_id, "archived")
        with pytest.raises(PermissionDenied):
            lifecycle.start_lifecycle_change(db, who, world.project_id, "archived")
    assert archived_in_tools(world)["jira"] is False
    assert len(db.exec(select(ProjectResource)).all()) >= 4


async def test_delete_keeps_every_tool_resource_by_default(world, db):
    from projecthub.core.errors import Invalid
    from projecthub.services.provisioning import deletion

    preview = deletion.preview_delete(db, world.owner_principal, world.project_id)
    assert {(o.tool, o.can_delete) for o in preview.options} == {
        ("jira", True), ("confluence", True), ("graph", True), ("productive", False)}
    tools = _tools(world)
    with pytest.raises(Invalid):
        await deletion.delete_project(db, world.owner_principal, tools, world.project_id,
                                      confirmation="webx")
    with pytest.raises(Invalid):
        await deletion.delete_project(db, world.owner_principal, tools, world.project_id,
                                      confirmation="WEBX", delete_in=["productive"])
    result = await deletion.delete_project(db, world.owner_principal, tools, world.project_id,
                                           confirmation="WEBX")
    db.commit()
    assert db.get(Project, world.project_id) is None
    assert len(result.kept) == 4 and result.deleted_in == []
    vendors = world.sandbox.vendors
    assert "WEBX" in vendors["jira"].tenant(TENANT).projects
    assert vendors["confluence"].tenant(TENANT).space_by_key("WEBX") is not None
    assert vendors["graph"].tenant(TENANT).teams
    assert vendors["productive"].tenant(TENANT).table("projects")
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "project.deleted")).one()
    assert len(event.detail["kept_in_tools"]) == 4


async def test_viewer_cannot_delete(world, db):
    from projecthub.services.provisioning import deletion

    viewer = make_user(db)
    add_member(db, world.org, viewer, role=Role.VIEWER)
    db.commit()
    with pytest.raises((PermissionDenied, Exception)) as caught:
        await deletion.delete_project(db, principal(db, viewer, world.org), _tools(world),
                                      world.project_id, confirmation="WEBX",
                                      delete_in=["jira"])
    assert type(caught.value).__name__ in ("PermissionDenied", "NotFound")
    assert db.get(Project, world.project_id) is not None
    assert "WEBX" in world.sandbox.vendors["jira"].tenant(TENANT).projects


def _tools(world: World):
    return world.config().tools_factory(world.owner_principal)


async def test_delete_in_the_chosen_tools_removes_them_there(world, db):
    from projecthub.services.provisioning import deletion

    vendors = world.sandbox.vendors
    result = await deletion.delete_project(
        db, world.owner_principal, _tools(world), world.project_id, confirmation="WEBX",
        delete_in=["jira", "confluence"])
    db.commit()
    assert result.deleted and result.failed == [] and len(result.deleted_in) == 2
    assert db.get(Project, world.project_id) is None
    assert "WEBX" not in vendors["jira"].tenant(TENANT).projects
    assert vendors["confluence"].tenant(TENANT).space_by_key("WEBX") is None
    assert vendors["graph"].tenant(TENANT).teams  # not chosen: kept
    assert vendors["productive"].tenant(TENANT).table("projects")  # never deleted
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "project.deleted")).one()
    assert sorted(event.detail["deleted_in_tools"]) == sorted(result.deleted_in)


async def test_a_team_is_deleted_with_its_group_when_the_app_may(db):
    from projecthub.services.provisioning import deletion

    world = build_world(db)
    graph = world.sandbox.vendors["graph"].tenant(TENANT)
    graph.roles.add("Group.ReadWrite.All")  # consented before the run's token was issued
    project, run = service.start_project(db, world.owner_principal,
                                         template_version_id=world.template_version_id,
                                         answers=all_tools_answers(world))
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    [team_id] = list(graph.teams)
    result = await deletion.delete_project(db, world.owner_principal, _tools(world), project.id,
                                           confirmation="WEBX", delete_in=["graph"])
    assert result.deleted
    assert team_id not in graph.teams and team_id not in graph.groups and not graph.plans


async def test_without_the_permission_a_team_is_kept_with_a_clear_reason(world, db):
    from projecthub.services.provisioning import deletion

    result = await deletion.delete_project(
        db, world.owner_principal, _tools(world), world.project_id, confirmation="WEBX",
        delete_in=["graph"])
    assert not result.deleted and "Group.ReadWrite.All" in result.failed[0]
    assert db.get(Project, world.project_id) is not None
    assert world.sandbox.vendors["graph"].tenant(TENANT).teams


async def test_a_tool_that_fails_to_delete_keeps_the_project_and_a_retry_finishes(world, db):
    from projecthub.services.provisioning import deletion

    vendors = world.sandbox.vendors
    vendors["confluence"].faults.add(Fault(kind="status", status=403, method="DELETE"))
    first = await deletion.delete_project(
        db, world.owner_principal, _tools(world), world.project_id, confirmation="WEBX",
        delete_in=["jira", "confluence"])
    db.commit()
    assert not first.deleted and first.deleted_in == ["jira:Website relaunch"]
    assert first.failed[0].startswith("confluence:") and "403" in first.failed[0]
    assert db.get(Project, world.project_id) is not None
    assert "WEBX" not in vendors["jira"].tenant(TENANT).projects
    assert vendors["confluence"].tenant(TENANT).space_by_key("WEBX") is not None
    again = await deletion.delete_project(  # Jira's project is gone already: that counts
        db, world.owner_principal, _tools(world), world.project_id, confirmation="WEBX",
        delete_in=["jira", "confluence"])
    db.commit()
    assert again.deleted and again.failed == []
    assert vendors["confluence"].tenant(TENANT).space_by_key("WEBX") is None
    assert db.get(Project, world.project_id) is None


async def test_going_back_after_a_failed_archive_restores_what_it_got_done(world, db):
    world.sandbox.vendors["productive"].faults.add(Fault(kind="status", status=500,
                                                         method="PATCH"))
    _, run = lifecycle.start_lifecycle_change(db, world.owner_principal, world.project_id,
                                              "archived")
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    assert archived_in_tools(world) == {"jira": True, "confluence": True, "graph": True,
                                        "productive": False}
    assert lifecycle_of(world, db) == Lifecycle.ACTIVE
    preview = lifecycle.preview_lifecycle(db, world.owner_principal, world.project_id, "active")
    assert {c.tool for c in preview.steps} == {"jira", "confluence", "graph", "productive"}
    assert await change(world, db, "active") == RunStatus.SUCCEEDED
    assert archived_in_tools(world) == dict.fromkeys(archived_in_tools(world), False)


async def test_archiving_again_after_a_failed_archive_finishes_the_job(world, db):
    world.sandbox.vendors["productive"].faults.add(Fault(kind="status", status=500,
                                                         method="PATCH"))
    _, run = lifecycle.start_lifecycle_change(db, world.owner_principal, world.project_id,
                                              "archived")
    db.commit()
    assert await drive_run(run.id, world.config()) == RunStatus.FAILED
    assert await change(world, db, "archived") == RunStatus.SUCCEEDED
    assert archived_in_tools(world) == dict.fromkeys(archived_in_tools(world), True)
    assert lifecycle_of(world, db) == Lifecycle.ARCHIVED
