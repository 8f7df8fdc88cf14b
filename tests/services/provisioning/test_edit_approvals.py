"""Edit runs of a project whose template requires approval: the edit waits with nothing changed
anywhere (no tool called, no member added, no field stored); approval does what an ungated
edit does at its start, then the run carries the change to the tools; rejection changes
nothing."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.models import Project, ProjectMember, RunKind, RunStatus, StepStatus
from projecthub.services.principal import Principal
from projecthub.services.provisioning import decisions, editing, service
from projecthub.services.provisioning.editing import MemberSpec, ProjectEdit
from projecthub.services.provisioning.runner import drive_run
from tests.factories import add_member, make_user
from tests.services.provisioning.approval_world import (
    gated_template,
    people,
    start,
    tool_requests,
)
from tests.services.provisioning.world import TENANT, World, build_world


@pytest.fixture
def world(db):
    return build_world(db)


def _members(world: World, project_id) -> set:  # type: ignore[no-untyped-def]
    world.db.expire_all()
    return {m.user_id for m in world.db.exec(select(ProjectMember).where(
        ProjectMember.project_id == project_id)).all()}


async def _gated_project_and_edit(world: World) -> tuple[Principal, Principal, object, object]:
    """A provisioned gated project (its run approved), then its manager's edit: a new name
    and Ann, who has a Jira account, joining as a member."""
    member, admin, _ = people(world)
    created = start(world, member, gated_template(world))
    decisions.approve_run(world.db, admin, created.id)
    world.db.commit()
    assert await drive_run(created.id, world.config()) == RunStatus.SUCCEEDED
    ann = make_user(world.db, email="ann@example.com", name="Ann Example")
    add_member(world.db, world.org, ann)
    world.sandbox.vendors["jira"].tenant(TENANT).add_user(ann.email, ann.display_name)
    world.db.commit()
    before = tool_requests(world)
    _, run = editing.start_edit(world.db, member, created.project_id, ProjectEdit(
        name="Acme Portal", members=[MemberSpec(user_id=ann.id)]))
    world.db.commit()
    assert run is not None and run.kind == RunKind.EDIT
    assert run.status == RunStatus.AWAITING_APPROVAL
    assert await drive_run(run.id, world.config()) is None  # no worker takes it
    assert tool_requests(world) == before
    assert ann.id not in _members(world, created.project_id)
    assert world.db.get(Project, created.project_id).name == "Website relaunch"
    return member, admin, run, ann


def _jira_project(world: World):  # type: ignore[no-untyped-def]
    return world.sandbox.vendors["jira"].tenant(TENANT).projects["WEBX"]


def _in_jira(world: World, email: str) -> bool:
    site = world.sandbox.vendors["jira"].tenant(TENANT)
    user = next(u for u in site.users if u.email == email)
    return any(user.account_id in actors for actors in _jira_project(world).roles.values())


async def test_an_approved_edit_adds_the_member_then_the_tools_and_fields_follow(world, db):
    _, admin, run, ann = await _gated_project_and_edit(world)
    decisions.approve_run(db, admin, run.id)
    db.commit()
    assert ann.id in _members(world, run.project_id)  # what an ungated edit does at once
    assert db.get(Project, run.project_id).name == "Website relaunch"  # waits for the tools
    assert await drive_run(run.id, world.config()) == RunStatus.SUCCEEDED
    db.expire_all()
    assert _jira_project(world).name == "Acme Portal"
    assert _in_jira(world, "ann@example.com")
    project = db.get(Project, run.project_id)
    assert project.name == "Acme Portal" and project.answers["name"] == "Acme Portal"


async def test_a_rejected_edit_changes_nothing_anywhere(world, db):
    member, admin, run, ann = await _gated_project_and_edit(world)
    before = tool_requests(world)
    decisions.reject_run(db, admin, run.id, comment="Keep the name")
    db.commit()
    assert await drive_run(run.id, world.config()) is None
    assert tool_requests(world) == before
    assert ann.id not in _members(world, run.project_id)
    project = db.get(Project, run.project_id)
    assert project.name == "Website relaunch" and project.answers["name"] == "Website relaunch"
    assert _jira_project(world).name == "Website relaunch"
    assert not _in_jira(world, "ann@example.com")
    view = service.get_run(db, member, run.id)
    assert view.status == RunStatus.REJECTED
    assert {s.status for s in view.steps} == {StepStatus.CANCELLED}
