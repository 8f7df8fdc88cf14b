"""Drift over the API: listed for whoever sees the project, settled by admins and the project's
owner (viewers refused), a drift id under another project is not found."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from projecthub.models import (
    AuditEvent,
    DriftField,
    Lifecycle,
    Organization,
    Project,
    ProjectDrift,
    ProjectMember,
    ProjectResource,
    Role,
    User,
)
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, user_of

SINCE = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _drifted(db: Session, org: Organization, owner: User, key: str) -> tuple[Project,
                                                                              ProjectDrift]:
    project = Project(organization_id=org.id, name=f"Project {key}", key=key,
                      lifecycle=Lifecycle.ACTIVE, owner_id=owner.id, drift_count=1)
    db.add(project)
    db.flush()
    resource = ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                               kind="project", external_id="10000", external_key=key,
                               name=project.name)
    db.add(resource)
    db.flush()
    drift = ProjectDrift(organization_id=org.id, project_id=project.id, resource_id=resource.id,
                         tool="jira", field=DriftField.NAME, desired=project.name,
                         actual=f"{key} renamed in Jira", since=SINCE, seen_at=SINCE)
    db.add(drift)
    db.commit()
    return project, drift


def _url(org: Organization, project: Project, tail: str = "") -> str:
    return f"/api/v1/orgs/{org.slug}/projects/{project.id}/drift{tail}"


def test_list_then_accept_the_tools_name(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    project, drift = _drifted(db, org, owner, "ALPHA")
    headers = bearer(db, owner, org)
    listed = client.get(_url(org, project), headers=headers)
    assert listed.status_code == 200
    [row] = listed.json()
    assert (row["field"], row["desired"], row["actual"], row["can_make_match"]) == (
        "name", "Project ALPHA", "ALPHA renamed in Jira", True)
    assert row["since"].startswith("2026-06-01T12:00:00")
    accepted = client.post(_url(org, project, f"/{drift.id}/accept"), headers=headers)
    assert accepted.status_code == 200 and accepted.json() == []
    db.expire_all()
    assert db.get(Project, project.id).name == "ALPHA renamed in Jira"
    assert db.get(Project, project.id).drift_count == 0
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "drift.accepted")).one()


def test_make_match_starts_a_run_with_one_step(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    project, drift = _drifted(db, org, owner, "BETA")
    response = client.post(_url(org, project, f"/{drift.id}/make-match"),
                           headers=bearer(db, owner, org))
    assert response.status_code == 202, response.text
    [step] = response.json()["steps"]
    assert (step["action"], step["status"]) == ("jira.rename_project", "pending")
    again = client.post(_url(org, project, f"/{drift.id}/make-match"),
                        headers=bearer(db, owner, org))
    assert again.status_code == 409
    db.expire_all()
    assert db.get(ProjectDrift, drift.id).run_id is not None


def test_viewers_see_drift_but_cannot_settle_it(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    project, drift = _drifted(db, org, owner, "GAMMA")
    viewer = user_of(db, add_member(db, org, role=Role.VIEWER))
    db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=viewer.id))
    db.commit()
    headers = bearer(db, viewer, org)
    assert len(client.get(_url(org, project), headers=headers).json()) == 1
    for action in ("accept", "make-match"):
        response = client.post(_url(org, project, f"/{drift.id}/{action}"), headers=headers)
        assert response.status_code == 403, response.text
    db.expire_all()
    assert db.get(ProjectDrift, drift.id) is not None
    assert db.get(Project, project.id).name == "Project GAMMA"


def test_a_drift_id_under_another_project_or_malformed_is_not_found(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    project, _ = _drifted(db, org, owner, "DELTA")
    _, other = _drifted(db, org, owner, "EPS")
    headers = bearer(db, owner, org)
    for action in ("accept", "make-match"):
        for drift_id in (other.id, "not-a-uuid"):
            response = client.post(_url(org, project, f"/{drift_id}/{action}"), headers=headers)
            assert response.status_code == 404, response.text
    db.expire_all()
    assert db.get(ProjectDrift, other.id) is not None
