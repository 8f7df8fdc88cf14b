"""Settling drift both ways: "make it match" runs a ledger step that writes ProjectHub's value
to Jira (idempotent), "accept the tool's value" changes ProjectHub (audited); the next sync
finds nothing left. Only admins and the project's owner settle; another org's drift is absent."""

from __future__ import annotations

import pytest
from sqlmodel import select

from projecthub.core.errors import Conflict, NotFound, PermissionDenied
from projecthub.models import (
    AuditEvent,
    DriftField,
    Project,
    ProjectMember,
    ProjectResource,
    ProvisioningStep,
    Role,
)
from projecthub.services.drift.resolve import accept_tool_value, list_drift, make_it_match
from projecthub.services.provisioning.runner import drive_run
from tests.factories import add_member, make_org, make_user, principal
from tests.services.drift.setup import drifts, jira_role, provisioned, sync
from tests.services.provisioning.world import TENANT


async def _fix(world, db, drift_id):
    db.expire_all()  # the runner committed from its own sessions
    run = make_it_match(db, world.owner_principal, drift_id)
    db.commit()
    assert (await drive_run(run.id, world.config())).value == "succeeded"
    return run


async def test_member_removed_behind_our_back_is_put_back_by_a_run(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    dev = next(u for u in site.users if u.email == "dev@example.com")
    role.remove(dev.account_id)
    await sync(world, project)
    [view] = list_drift(db, world.owner_principal, project.id)
    assert (view.field, view.subject, view.desired, view.actual, view.can_make_match) == (
        DriftField.MEMBER, "dev@example.com", "member", "", True)
    run = await _fix(world, db, view.id)
    assert dev.account_id in role
    [step] = db.exec(select(ProvisioningStep).where(ProvisioningStep.run_id == run.id)).all()
    assert step.action == "jira.add_member" and step.inputs["email"] == "dev@example.com"
    db.expire_all()
    assert db.get(Project, project.id).lifecycle == "active"
    await sync(world, project)
    assert drifts(db, project) == [] and db.get(Project, project.id).drift_count == 0


async def test_member_removed_behind_our_back_is_accepted_in_projecthub(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    role.remove(next(u for u in site.users if u.email == "dev@example.com").account_id)
    await sync(world, project)
    [drift] = drifts(db, project)
    accept_tool_value(db, world.owner_principal, drift.id)
    db.commit()
    members = db.exec(select(ProjectMember).where(ProjectMember.project_id == project.id)).all()
    assert world.dev.id not in {m.user_id for m in members}
    assert db.get(Project, project.id).drift_count == 0
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "drift.accepted")).one()
    assert event.detail["subject"] == "dev@example.com"
    await sync(world, project)
    assert drifts(db, project) == []


async def test_someone_added_in_jira_is_removed_or_accepted(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    guest = make_user(db, email="guest@example.com", name="Guest")
    add_member(db, world.org, guest)
    role.append(site.add_user("guest@example.com", "Guest").account_id)
    await sync(world, project)
    [drift] = drifts(db, project)
    await _fix(world, db, drift.id)
    await _fix(world, db, drift.id)  # a repeated fix changes nothing and still succeeds
    assert site.users[-1].account_id not in role
    role.append(site.users[-1].account_id)
    await sync(world, project)
    [drift] = drifts(db, project)
    accept_tool_value(db, world.owner_principal, drift.id)
    db.commit()
    assert db.exec(select(ProjectMember).where(ProjectMember.user_id == guest.id)).one()
    await sync(world, project)
    assert drifts(db, project) == []


async def test_a_rename_in_jira_is_undone_or_accepted(world, db):
    project = await provisioned(world, db)
    site, _ = jira_role(world)
    site.projects["WEBX"].name = "Relaunch (Jira)"
    await sync(world, project)
    [drift] = drifts(db, project)
    await _fix(world, db, drift.id)
    assert site.projects["WEBX"].name == "Website relaunch"
    site.projects["WEBX"].name = "Relaunch (Jira)"
    await sync(world, project)
    [drift] = drifts(db, project)
    accept_tool_value(db, world.owner_principal, drift.id)
    db.commit()
    db.expire_all()
    assert db.get(Project, project.id).name == "Relaunch (Jira)"
    await sync(world, project)
    assert drifts(db, project) == []


async def test_a_deleted_project_can_only_be_unlinked(world, db):
    project = await provisioned(world, db)
    site, _ = jira_role(world)
    del site.projects["WEBX"]
    await sync(world, project)
    [drift] = drifts(db, project)
    with pytest.raises(Conflict):
        make_it_match(db, world.owner_principal, drift.id)
    accept_tool_value(db, world.owner_principal, drift.id)
    db.commit()
    assert db.exec(select(ProjectResource)).all() == []
    assert drifts(db, project) == [] and db.get(Project, project.id).drift_count == 0


async def test_viewers_are_refused_and_other_orgs_see_nothing(world, db):
    project = await provisioned(world, db)
    _site, role = jira_role(world)
    role.clear()
    await sync(world, project)
    drift = drifts(db, project)[0]
    viewer = make_user(db, email="viewer@example.com")
    add_member(db, world.org, viewer, Role.VIEWER)
    db.add(ProjectMember(organization_id=world.org.id, project_id=project.id,
                         user_id=viewer.id, role="member"))
    db.commit()
    as_viewer = principal(db, viewer, world.org)
    assert list_drift(db, as_viewer, project.id)
    for settle in (make_it_match, accept_tool_value):
        with pytest.raises(PermissionDenied):
            settle(db, as_viewer, drift.id)
    other = make_user(db, email="other@example.com")
    as_other = principal(db, other, make_org(db, other, slug="other"))
    for settle in (make_it_match, accept_tool_value):
        with pytest.raises(NotFound):
            settle(db, as_other, drift.id)
    with pytest.raises(NotFound):
        list_drift(db, as_other, project.id)


async def test_a_productive_membership_removed_behind_our_back_is_put_back(world, db):
    project = await provisioned(world, db, productive_mode="create", budget_type="fixed",
                                budget_amount=1000)
    prod = world.sandbox.vendors["productive"].tenant(TENANT)
    pat = next(p for p in prod.table("people").values() if p.email == "pm@example.com")
    memberships = prod.table("memberships")
    for key in [k for k, m in memberships.items() if m.person_id == pat.id]:
        del memberships[key]
    await sync(world, project)
    [drift] = drifts(db, project)
    assert (drift.tool, drift.subject) == ("productive", "pm@example.com")
    await _fix(world, db, drift.id)
    assert any(m.person_id == pat.id for m in memberships.values())
    await sync(world, project)
    assert drifts(db, project) == []
