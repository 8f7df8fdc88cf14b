"""Drift seen by the status sync: a member removed or added in Jira behind ProjectHub's back, a
renamed project, a deleted one (drift, not stale figures), and the age of a lasting difference."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import (
    DriftField,
    Notification,
    NotificationEvent,
    Project,
    ProjectDrift,
    ProvisioningRun,
    RunStatus,
    StatusSnapshot,
)
from tests.services.drift.setup import drifts, jira_role, provisioned, sync
from tests.services.provisioning.world import TENANT


async def test_a_clean_project_has_no_drift(world, db):
    project = await provisioned(world, db)
    await sync(world, project)
    assert drifts(db, project) == []
    assert db.get(Project, project.id).drift_count == 0


async def test_a_member_removed_in_jira_is_drift_with_its_age(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    dev = next(u for u in site.users if u.email == "dev@example.com")
    role.remove(dev.account_id)
    await sync(world, project)
    first = world.clock.now()
    world.clock.advance(3600)
    await sync(world, project)
    [drift] = drifts(db, project)
    assert (drift.field, drift.subject, drift.desired, drift.actual) == (
        DriftField.MEMBER, "dev@example.com", "member", "")
    assert drift.since == first and drift.seen_at == world.clock.now()
    assert db.get(Project, project.id).drift_count == 1
    role.append(dev.account_id)
    await sync(world, project)
    assert drifts(db, project) == [] and db.get(Project, project.id).drift_count == 0


async def test_someone_added_in_jira_and_a_rename_are_drift(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    role.append(site.add_user("guest@example.com", "Guest").account_id)
    site.projects["WEBX"].name = "Website relaunch (old)"
    await sync(world, project)
    found = {(d.field, d.subject, d.desired, d.actual) for d in drifts(db, project)}
    assert found == {(DriftField.MEMBER, "guest@example.com", "", "member"),
                     (DriftField.NAME, "", "Website relaunch", "Website relaunch (old)")}


async def test_a_project_deleted_in_jira_is_drift_not_stale_figures(world, db):
    project = await provisioned(world, db)
    await sync(world, project)
    site, _ = jira_role(world)
    del site.projects["WEBX"]
    await sync(world, project)
    [drift] = drifts(db, project)
    assert (drift.field, drift.actual) == (DriftField.DELETED, "deleted in the tool")
    db.expire_all()
    assert db.exec(select(StatusSnapshot)).all() == []
    assert db.get(Project, project.id).drift_count == 1
    assert db.exec(select(ProjectDrift)).one().tool == "jira"


async def test_productive_membership_and_archiving_behind_our_back_are_drift(world, db):
    project = await provisioned(world, db, productive_mode="create", budget_type="fixed",
                                budget_amount=1000)
    await sync(world, project)
    assert drifts(db, project) == []
    prod = world.sandbox.vendors["productive"].tenant(TENANT)
    pat = next(p for p in prod.table("people").values() if p.email == "pm@example.com")
    memberships = prod.table("memberships")
    for key in [k for k, m in memberships.items() if m.person_id == pat.id]:
        del memberships[key]
    remote = next(p for p in prod.table("projects").values() if p.name == "Website relaunch")
    remote.archived_at = world.clock.now()
    await sync(world, project)
    found = {(d.tool, d.field, d.subject, d.desired, d.actual) for d in drifts(db, project)}
    assert found == {("productive", DriftField.MEMBER, "pm@example.com", "member", ""),
                     ("productive", DriftField.ARCHIVED, "", "not archived", "archived")}


async def test_a_renamed_space_and_a_deleted_team_are_drift(world, db):
    project = await provisioned(world, db, confluence_mode="create", m365_mode="create",
                                team_name="Website relaunch", channels=[])
    await sync(world, project)
    assert drifts(db, project) == []
    site = world.sandbox.vendors["confluence"].tenant(TENANT)
    space = next(s for s in site.spaces.values() if s.key == "WEBX")
    space.name = "Website (wiki)"
    graph = world.sandbox.vendors["graph"].tenant(TENANT)
    graph.teams.clear()
    await sync(world, project)
    found = {(d.tool, d.field, d.desired, d.actual) for d in drifts(db, project)}
    assert found == {("confluence", DriftField.NAME, "Website relaunch", "Website (wiki)"),
                     ("graph", DriftField.DELETED, "Website relaunch", "deleted in the tool")}


async def test_drift_appearing_tells_the_projects_people_once(world, db):
    project = await provisioned(world, db)
    site, role = jira_role(world)
    role.remove(next(u for u in site.users if u.email == "dev@example.com").account_id)
    await sync(world, project)
    world.clock.advance(3600)
    await sync(world, project)  # still there: not news again
    db.expire_all()
    [note] = db.exec(select(Notification).where(
        Notification.user_id == world.dev.id,
        Notification.event == NotificationEvent.DRIFT_DETECTED)).all()
    assert note.link == f"/projects/{project.id}"
    assert "Jira: dev@example.com was removed behind ProjectHub's back" in note.body


async def test_a_sync_while_a_run_is_under_way_records_no_drift(world, db):
    """An archive run between its Jira and Confluence steps is not drift (nor news)."""
    project = await provisioned(world, db)
    site, _ = jira_role(world)
    site.projects["WEBX"].name = "Renamed mid-run"
    db.add(ProvisioningRun(organization_id=project.organization_id, project_id=project.id,
                           status=RunStatus.RUNNING))
    db.commit()
    await sync(world, project)
    assert drifts(db, project) == []
