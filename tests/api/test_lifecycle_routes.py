"""Lifecycle changes and deletion over the API: preview, start a lifecycle run, delete with the
typed key; owners and admins only, viewers refused, foreign ids not found."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from projecthub.models import (
    AuditEvent,
    Lifecycle,
    Project,
    ProjectResource,
    ProvisioningRun,
    Role,
)
from projecthub.services import connections
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, principal
from tests.ui.status_seed import add_project

API = "/api/v1/orgs"


@pytest.fixture
def world(db: Session):
    owner = make_user(db)
    org = make_org(db, owner)
    jira = connections.create_connection(
        db, principal(db, owner, org), tool="jira", name="Jira",
        base_url="https://acme.atlassian.net", settings_values={"email": "a@example.com"},
        secret_values={"api_token": "t"})
    project = add_project(db, org, owner, name="Shop", key="SHOP", tools=())
    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="10001", external_key="SHOP",
                           name="Shop", connection_id=jira.id))
    db.commit()
    return org, owner, project


def url(org, project, tail: str) -> str:
    return f"{API}/{org.slug}/projects/{project.id}/{tail}"


def test_preview_then_run_archives_through_a_lifecycle_run(client, db, world):
    org, owner, project = world
    headers = bearer(db, owner, org)
    preview = client.post(url(org, project, "lifecycle/preview"),
                          json={"lifecycle": "archived"}, headers=headers)
    assert preview.status_code == 200
    assert [(c["tool"], c["action"]) for c in preview.json()["changes"]] == [
        ("jira", "archive")]
    started = client.post(url(org, project, "lifecycle/runs"), json={"lifecycle": "archived"},
                          headers=headers)
    assert started.status_code == 201
    body = started.json()
    assert body["run"]["kind"] == "lifecycle" and body["run"]["target"] == "archived"
    assert [s["action"] for s in body["run"]["steps"]] == ["jira.archive_project"]
    assert body["project"]["lifecycle"] == "active"  # until the run has succeeded
    again = client.post(url(org, project, "lifecycle/runs"), json={"lifecycle": "completed"},
                        headers=headers)
    assert again.status_code == 409


def test_on_hold_needs_no_run(client, db, world):
    org, owner, project = world
    started = client.post(url(org, project, "lifecycle/runs"), json={"lifecycle": "on_hold"},
                          headers=bearer(db, owner, org))
    assert started.status_code == 201 and started.json()["run"] is None
    assert started.json()["project"]["lifecycle"] == "on_hold"


def test_viewers_are_refused_and_nothing_changes(client, db, world):
    org, _, project = world
    viewer = make_user(db)
    add_member(db, org, viewer, role=Role.VIEWER)
    db.commit()
    headers = bearer(db, viewer, org)
    for tail, body in (("lifecycle/preview", {"lifecycle": "archived"}),
                       ("lifecycle/runs", {"lifecycle": "archived"}),
                       ("deletion", {"confirmation": "SHOP"})):
        answer = client.post(url(org, project, tail), json=body, headers=headers)
        assert answer.status_code in (403, 404), tail
    db.expire_all()
    assert db.exec(select(ProvisioningRun)).all() == []
    assert db.get(Project, project.id) is not None


def test_delete_needs_the_typed_key_and_keeps_tool_resources(client, db, world):
    org, owner, project = world
    project_id = project.id
    headers = bearer(db, owner, org)
    options = client.get(url(org, project, "deletion"), headers=headers).json()["options"]
    assert [(o["tool"], o["can_delete"]) for o in options] == [("jira", True)]
    wrong = client.post(url(org, project, "deletion"), json={"confirmation": "shop"},
                        headers=headers)
    assert wrong.status_code == 422
    chosen = client.post(url(org, project, "deletion"),
                         json={"confirmation": "SHOP", "delete_in": ["productive"]},
                         headers=headers)
    assert chosen.status_code == 422  # the project has nothing in Productive to delete
    done = client.post(url(org, project, "deletion"), json={"confirmation": "SHOP"},
                       headers=headers)
    assert done.status_code == 200
    assert done.json()["kept"] == ["jira:Shop"] and done.json()["deleted_in"] == []
    assert done.json()["deleted"] is True and done.json()["failed"] == []
    db.expire_all()
    assert db.get(Project, project_id) is None
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "project.deleted")).one()
    assert event.detail["kept_in_tools"] == ["jira:Shop"]


def test_foreign_project_is_not_found(client, db, world):
    _, _, project = world
    project_id = project.id
    stranger = make_user(db)
    other = make_org(db, stranger)
    headers = bearer(db, stranger, other)
    for tail in ("lifecycle/preview", "lifecycle/runs"):
        answer = client.post(f"{API}/{other.slug}/projects/{project.id}/{tail}",
                             json={"lifecycle": "archived"}, headers=headers)
        assert answer.status_code == 404
    answer = client.post(f"{API}/{other.slug}/projects/{uuid.uuid4()}/deletion",
                         json={"confirmation": "SHOP"}, headers=headers)
    assert answer.status_code == 404
    db.expire_all()
    assert db.get(Project, project_id).lifecycle == Lifecycle.ACTIVE
