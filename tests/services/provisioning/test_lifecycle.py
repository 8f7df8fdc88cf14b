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
    assert {o.tool for o in preview.options} == {"jira", "confluence", "graph", "productive"}
    with pytest.raises(Invalid):
        deletion.delete_project(db, world.owner_principal, world.project_id,
                                confirmation="webx")
    with pytest.raises(Invalid):
        deletion.delete_project(db, world.owner_principal, world.project_id,
                                confirmation="WEBX", delete_in=["productive"])
    result = deletion.delete_project(db, world.owner_principal, world.project_id,
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
        deletion.delete_project(db, principal(db, viewer, world.org), world.project_id,
                                confirmation="WEBX")
    assert type(caught.value).__name__ in ("PermissionDenied", "NotFound")
    assert db.get(Project, world.project_id) is not None


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
