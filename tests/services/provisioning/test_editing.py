"""Editing a provisioned project: a per-tool preview, a run that renames and changes members in
all four sandbox tools (every exchange checked against the vendor's spec), ProjectHub's desired
state changed only when the run succeeds, a person missing in a tool reported with the fix, and
only the owner, an admin or the project's manager allowed."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict, Invalid, NotFound, PermissionDenied
from projecthub.models import (
    AuditEvent,
    Membership,
    OutboxMessage,
    Project,
    ProjectMember,
    ProjectResource,
    ProvisioningStep,
    Role,
    RunKind,
    RunStatus,
    StepStatus,
)
from projecthub.services import projects
from projecthub.services.provisioning import editing, service
from projecthub.services.provisioning.editing import MemberSpec, ProjectEdit
from tests.factories import add_member, make_org, make_user, principal
from tests.services.provisioning.edit_world import EditWorld


@pytest.fixture
async def w(db) -> EditWorld:
    world = EditWorld(db)
    await world.provision()
    return world


def members(*people, lead=()) -> list[MemberSpec]:
    return [MemberSpec(user_id=p.id, role="lead" if p in lead else "member") for p in people]


def project_of(w: EditWorld) -> Project:
    w.db.expire_all()
    return w.db.get(Project, w.project_id)


def roles_of(w: EditWorld) -> dict[str, str]:
    w.db.expire_all()
    rows = w.db.exec(select(ProjectMember).where(ProjectMember.project_id == w.project_id))
    return {str(m.user_id): m.role for m in rows}


async def test_preview_says_what_changes_in_each_tool_and_changes_nothing(w, db):
    ann = w.person("ann@example.com", "Ann Example")
    edit = ProjectEdit(name="Acme Portal", members=members(ann))
    preview = editing.preview_edit(db, w.world.owner_principal, w.project_id, edit)
    lines = [c.description for c in preview.changes]
    assert "Jira: rename project WEBX → 'Acme Portal'" in lines
    assert "Confluence: rename space WEBX → 'Acme Portal'" in lines
    assert "Teams: add Ann Example as member" in lines
    assert "Productive: add Ann Example as member" in lines
    # the plan and the budget follow the project's name (the budget keeps its "budget")
    assert "Planner: rename plan 'Website Relaunch' → 'Acme Portal'" in lines
    assert ("Productive: rename budget 'Website relaunch budget' → 'Acme Portal budget'"
            in lines)
    assert "ProjectHub: Name Website relaunch → Acme Portal" in lines
    assert {c.tool for c in preview.changes} == {"jira", "confluence", "graph", "productive",
                                                  "projecthub"}
    assert preview.runs_in_tools
    assert w.jira_project().name == "Website relaunch"
    assert project_of(w).name == "Website relaunch"
    assert str(ann.id) not in roles_of(w)


async def test_rename_and_new_member_reach_every_tool_then_become_the_desired_state(w, db):
    ann = w.person("ann@example.com", "Ann Example")
    _, run = editing.start_edit(db, w.world.owner_principal, w.project_id,
                                ProjectEdit(name="Acme Portal", members=members(ann),
                                            end_date=date(2027, 3, 31)))
    db.commit()
    assert run is not None and run.kind == RunKind.EDIT
    # Ann sees the project at once; the name waits for the tools
    assert projects.get_project(db, principal(db, ann, w.world.org), w.project_id)
    assert project_of(w).name == "Website relaunch"

    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert w.jira_project().name == "Acme Portal"
    assert w.space().name == "Acme Portal"
    assert w.team()[2].display_name == "Acme Portal"
    assert w.productive_project()[1].name == "Acme Portal"
    assert w.plan().title == "Acme Portal"
    assert w.budget().name == "Acme Portal budget"
    assert w.jira_member("ann@example.com")
    assert w.space_grants("ann@example.com") == {("read", "space"), ("create", "page")}
    assert w.team_roles("ann@example.com") == []
    assert w.productive_member("ann@example.com")

    project = project_of(w)
    assert project.name == "Acme Portal" and project.answers["name"] == "Acme Portal"
    assert project.end_date == date(2027, 3, 31)
    assert str(ann.id) in project.answers["members"]
    assert {r.name for r in db.exec(select(ProjectResource).where(
        ProjectResource.project_id == w.project_id, ProjectResource.kind.in_(
            ["project", "space", "team"]))).all()} == {"Acme Portal"}
    assert {
        "PUT /rest/api/3/project/{projectIdOrKey}", "PUT /wiki/rest/api/space/{spaceKey}",
        "POST /wiki/rest/api/space/{spaceKey}/permission", "GET /spaces/{id}/permissions",
        "PATCH /teams/{team-id}", "POST /teams/{team-id}/members",
        "PATCH /planner/plans/{plannerPlan-id}",
    } <= set(w.specs.validated)
    assert {"PATCH /projects/{id}", "POST /memberships", "PATCH /deals/{id}"} <= set(
        w.productive.validated)
    assert {r.kind: r.name for r in db.exec(select(ProjectResource).where(
        ProjectResource.project_id == w.project_id, ProjectResource.kind.in_(
            ["plan", "budget"]))).all()} == {"plan": "Acme Portal",
                                             "budget": "Acme Portal budget"}
    events = [e.action for e in db.exec(select(AuditEvent)).all()]
    assert "project.edit_run_started" in events


async def test_a_lead_owns_the_team_and_a_removed_member_leaves_every_tool(w, db):
    ann = w.person("ann@example.com", "Ann Example")
    owner = w.world.owner_principal
    _, run = editing.start_edit(db, owner, w.project_id, ProjectEdit(members=members(ann)))
    db.commit()
    assert await w.drive(run.id) == RunStatus.SUCCEEDED

    preview = editing.preview_edit(db, owner, w.project_id,
                                   ProjectEdit(members=members(ann, lead=(ann,))))
    assert [c.description for c in preview.changes if c.tool != "projecthub"] == [
        "Teams: make Ann Example an owner"]
    _, run = editing.start_edit(db, owner, w.project_id,
                                ProjectEdit(members=members(ann, lead=(ann,))))
    db.commit()
    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert w.team_roles("ann@example.com") == ["owner"]
    assert roles_of(w)[str(ann.id)] == "lead"

    _, run = editing.start_edit(db, owner, w.project_id, ProjectEdit(members=[]))
    db.commit()
    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert not w.jira_member("ann@example.com")
    assert w.space_grants("ann@example.com") == set()
    assert w.team_roles("ann@example.com") is None
    assert not w.productive_member("ann@example.com")
    assert str(ann.id) not in roles_of(w)
    assert {"PATCH /teams/{team-id}/members/{conversationMember-id}",
            "DELETE /teams/{team-id}/members/{conversationMember-id}",
            "DELETE /wiki/rest/api/space/{spaceKey}/permission/{id}"} <= set(w.specs.validated)
    assert "DELETE /memberships/{id}" in w.productive.validated
    with pytest.raises(NotFound):
        projects.get_project(db, principal(db, ann, w.world.org), w.project_id)


async def test_a_new_owner_manages_the_productive_project_and_owns_the_team(w, db):
    ann = w.person("ann@example.com", "Ann Example")
    _, run = editing.start_edit(db, w.world.owner_principal, w.project_id,
                                ProjectEdit(owner_id=ann.id))
    db.commit()
    status = await w.drive(run.id)
    errors = [s.error for s in db.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run.id)).all() if s.error]
    assert status == RunStatus.SUCCEEDED, errors
    state, project = w.productive_project()
    assert state.get("people", project.project_manager_id).email == "ann@example.com"
    assert w.team_roles("ann@example.com") == ["owner"]
    after = project_of(w)
    assert after.owner_id == ann.id and after.answers["project_manager"] == str(ann.id)
    assert roles_of(w)[str(ann.id)] == "manager"
    assert roles_of(w)[str(w.world.owner.id)] == "member"


async def test_a_person_missing_in_a_tool_fails_that_step_with_the_fix_and_is_mailed(w, db):
    bob = w.person("bob@example.com", "Bob Builder", tools=("confluence", "graph", "productive"))
    _, run = editing.start_edit(db, w.world.owner_principal, w.project_id,
                                ProjectEdit(name="Acme Portal", members=members(bob)))
    db.commit()
    assert await w.drive(run.id) == RunStatus.FAILED
    failed = db.exec(select(ProvisioningStep).where(
        ProvisioningStep.run_id == run.id, ProvisioningStep.status == StepStatus.FAILED)).all()
    assert [s.error for s in failed] == [
        "No Jira account has the email bob@example.com: invite bob@example.com to Jira, "
        "then retry."]
    mail = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "project_edit_failed")).one()
    assert mail.to_address == "pm@example.com"
    assert "invite bob@example.com to Jira, then retry" in mail.body_text
    assert project_of(w).name == "Website relaunch"  # the desired state waits for the tools
    assert projects.get_project(db, principal(db, bob, w.world.org), w.project_id)

    w.world.sandbox.vendors["jira"].tenant("acme").add_user("bob@example.com", "Bob Builder")
    service.retry_run(db, w.world.owner_principal, run.id)
    db.commit()
    assert await w.drive(run.id) == RunStatus.SUCCEEDED
    assert w.jira_member("bob@example.com")
    assert project_of(w).name == "Acme Portal"


async def test_fields_no_tool_holds_change_at_once_without_a_run(w, db):
    _project, run = editing.start_edit(
        db, w.world.owner_principal, w.project_id,
        ProjectEdit(description="Portal for Acme", client_company="Acme AG",
                    start_date=date(2026, 1, 1), end_date=date(2026, 12, 31)))
    db.commit()
    assert run is None
    after = project_of(w)
    assert (after.description, after.client_company) == ("Portal for Acme", "Acme AG")
    assert after.answers["end_date"] == "2026-12-31"
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "project.edited")).one()


async def test_an_end_before_the_start_and_strangers_as_members_are_refused(w, db):
    owner = w.world.owner_principal
    with pytest.raises(Invalid):
        editing.preview_edit(db, owner, w.project_id,
                             ProjectEdit(start_date=date(2026, 5, 1), end_date=date(2026, 4, 1)))
    stranger = make_user(db)
    make_org(db, stranger)
    db.commit()
    with pytest.raises(Invalid):
        editing.start_edit(db, owner, w.project_id, ProjectEdit(members=members(stranger)))


async def test_a_deactivated_member_on_the_project_does_not_block_an_edit(w, db):
    gone = w.person("gone@example.com", "Gone Person")
    db.add(ProjectMember(organization_id=w.world.org.id, project_id=w.project_id,
                         user_id=gone.id))
    membership = db.exec(select(Membership).where(Membership.user_id == gone.id)).one()
    membership.is_active = False
    db.add(membership)
    db.commit()
    _, run = editing.start_edit(db, w.world.owner_principal, w.project_id,
                                ProjectEdit(end_date=date(2027, 1, 31),
                                            owner_id=w.world.owner.id))
    db.commit()
    assert run is None and project_of(w).end_date == date(2027, 1, 31)
    with pytest.raises(Invalid):  # but nobody deactivated joins or takes the project over
        editing.preview_edit(db, w.world.owner_principal, w.project_id,
                             ProjectEdit(owner_id=gone.id))


async def test_a_second_edit_waits_for_the_run_under_way(w, db):
    ann = w.person("ann@example.com", "Ann Example")
    editing.start_edit(db, w.world.owner_principal, w.project_id,
                       ProjectEdit(members=members(ann)))
    db.commit()
    with pytest.raises(Conflict):
        editing.start_edit(db, w.world.owner_principal, w.project_id,
                           ProjectEdit(name="Something else"))


async def test_only_admins_and_the_projects_manager_may_edit(w, db):
    org = w.world.org
    viewer, member, admin = make_user(db), make_user(db), make_user(db)
    add_member(db, org, viewer, role=Role.VIEWER)
    add_member(db, org, member, role=Role.MEMBER)
    add_member(db, org, admin, role=Role.ADMIN)
    for user in (viewer, member):
        db.add(ProjectMember(organization_id=org.id, project_id=w.project_id, user_id=user.id))
    db.commit()
    edit = ProjectEdit(name="Hijacked")
    for user in (viewer, member):
        who = principal(db, user, org)
        with pytest.raises(PermissionDenied):
            editing.preview_edit(db, who, w.project_id, edit)
        with pytest.raises(PermissionDenied):
            editing.start_edit(db, who, w.project_id, edit)
    assert editing.preview_edit(db, principal(db, admin, org), w.project_id, edit).runs_in_tools
    other = make_user(db)
    foreign = make_org(db, other)
    db.commit()
    with pytest.raises(NotFound):
        editing.start_edit(db, principal(db, other, foreign), w.project_id, edit)
    assert project_of(w).name == "Website relaunch"
    assert w.jira_project().name == "Website relaunch"
