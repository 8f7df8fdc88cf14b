"""Editing a project over the API: PATCH previews (``?preview=true``) or starts an edit run with
a per-tool preview, or applies ProjectHub-only fields at once; members one at a time; viewers
and non-managers refused, foreign ids not found, a second edit while one runs refused."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

from projecthub.models import (
    AuditEvent,
    Lifecycle,
    Project,
    ProjectMember,
    ProjectResource,
    ProvisioningRun,
    Role,
)
from projecthub.services import connections
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, principal
from tests.services.provisioning.approval_world import gate_project
from tests.ui.status_seed import add_project

API = "/api/v1/orgs"


@pytest.fixture
def world(db: Session):
    owner = make_user(db, name="Pat Owner")
    org = make_org(db, owner)
    jira = connections.create_connection(
        db, principal(db, owner, org), tool="jira", name="Jira",
        base_url="https://acme.atlassian.net", settings_values={"email": "a@example.com"},
        secret_values={"api_token": "t"})
    project = add_project(db, org, owner, name="Shop", key="SHOP", tools=())
    db.add(ProjectResource(organization_id=org.id, project_id=project.id, tool="jira",
                           kind="project", external_id="10001", external_key="SHOP",
                           name="Shop", connection_id=jira.id))
    ann = make_user(db, email="ann@example.com", name="Ann Example")
    add_member(db, org, ann, role=Role.MEMBER)
    db.commit()
    return org, owner, project, ann


def url(org, project, tail: str = "") -> str:
    return f"{API}/{org.slug}/projects/{project.id}{tail}"


def test_preview_lists_each_tool_change_and_changes_nothing(client, db, world):
    org, owner, project, ann = world
    answer = client.patch(url(org, project) + "?preview=true", headers=bearer(db, owner, org),
                          json={"name": "Shop Portal",
                                "members": [{"user_id": str(ann.id), "role": "member"}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    lines = [c["description"] for c in body["changes"]]
    assert "Jira: rename project SHOP → 'Shop Portal'" in lines
    assert "Jira: add Ann Example as member" in lines
    assert body["run"] is None and body["applied"] is False
    assert body["project"]["name"] == "Shop"
    db.expire_all()
    assert db.exec(select(ProvisioningRun)).all() == []
    assert len(db.exec(select(ProjectMember)).all()) == 1


def test_patch_starts_an_edit_run_and_the_newcomer_sees_the_project_now(client, db, world):
    org, owner, project, ann = world
    answer = client.patch(url(org, project), headers=bearer(db, owner, org),
                          json={"name": "Shop Portal",
                                "members": [{"user_id": str(ann.id), "role": "member"}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["run"]["kind"] == "edit" and body["applied"] is False
    assert [s["action"] for s in body["run"]["steps"]] == ["jira.rename_project",
                                                           "jira.add_member"]
    assert body["project"]["name"] == "Shop"  # until the run has succeeded
    seen = client.get(url(org, project), headers=bearer(db, ann, org))
    assert seen.status_code == 200
    again = client.patch(url(org, project), headers=bearer(db, owner, org),
                         json={"name": "Other"})
    assert again.status_code == 409


def test_patch_of_a_gated_project_returns_the_run_waiting_with_nothing_changed(client, db,
                                                                             world):
    org, owner, project, ann = world
    gate_project(db, principal(db, owner, org), project)
    answer = client.patch(url(org, project), headers=bearer(db, owner, org),
                          json={"name": "Shop Portal",
                                "members": [{"user_id": str(ann.id), "role": "member"}]})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["applied"] is False and body["project"]["name"] == "Shop"
    assert body["run"]["kind"] == "edit" and body["run"]["status"] == "awaiting_approval"
    assert body["run"]["approval"]["approvers"] == "admin"
    assert {s["status"] for s in body["run"]["steps"]} == {"pending"}
    db.expire_all()
    assert db.exec(select(ProjectMember).where(ProjectMember.project_id == project.id,
                                               ProjectMember.user_id == ann.id)).first() is None
    assert db.get(Project, project.id).name == "Shop"


def test_dates_and_description_apply_at_once(client, db, world):
    org, owner, project, _ = world
    answer = client.patch(url(org, project), headers=bearer(db, owner, org),
                          json={"description": "Online shop", "end_date": "2027-06-30"})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["applied"] is True and body["run"] is None
    assert body["project"]["end_date"] == "2027-06-30"
    assert body["project"]["description"] == "Online shop"
    db.expire_all()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "project.edited")).one()


def test_bad_values_and_unknown_fields_are_refused(client, db, world):
    org, owner, project, _ = world
    headers = bearer(db, owner, org)
    for body in ({"start_date": "2027-01-01", "end_date": "2026-01-01"}, {"name": ""},
                 {"organization_id": str(uuid.uuid4())},
                 {"members": [{"user_id": str(uuid.uuid4()), "role": "member"}]},
                 {"members": [{"user_id": str(owner.id), "role": "manager"}]}):
        answer = client.patch(url(org, project), headers=headers, json=body)
        assert answer.status_code == 422, body
    db.expire_all()
    assert db.get(Project, project.id).name == "Shop"


def test_members_routes_add_change_and_remove_through_edit_runs(client, db, world):
    org, owner, project, ann = world
    headers = bearer(db, owner, org)
    listed = client.get(url(org, project, "/members"), headers=headers).json()
    assert [(m["email"], m["role"]) for m in listed] == [(owner.email, "manager")]
    added = client.put(url(org, project, f"/members/{ann.id}"), headers=headers,
                       json={"role": "member"})
    assert added.status_code == 200, added.text
    assert [s["action"] for s in added.json()["run"]["steps"]] == ["jira.add_member"]
    roles = {m["email"]: m["role"]
             for m in client.get(url(org, project, "/members"), headers=headers).json()}
    assert roles == {owner.email: "manager", "ann@example.com": "member"}
    # the run is still pending: a second change waits
    removed = client.delete(url(org, project, f"/members/{ann.id}"), headers=headers)
    assert removed.status_code == 409
    db.expire_all()
    for run in db.exec(select(ProvisioningRun)).all():
        run.status = "succeeded"
        db.add(run)
    db.commit()
    preview = client.delete(url(org, project, f"/members/{ann.id}") + "?preview=true",
                            headers=headers)
    assert [c["description"] for c in preview.json()["changes"]] == [
        "Jira: remove Ann Example", "ProjectHub: Ann Example leaves the project"]
    manager = client.delete(url(org, project, f"/members/{owner.id}"), headers=headers)
    assert manager.status_code == 409
    stranger = client.put(url(org, project, f"/members/{uuid.uuid4()}"), headers=headers,
                          json={"role": "member"})
    assert stranger.status_code == 404


def test_viewers_and_members_who_do_not_manage_it_are_refused(client, db, world):
    org, _, project, ann = world
    viewer = make_user(db)
    add_member(db, org, viewer, role=Role.VIEWER)
    for user in (viewer, ann):
        db.add(ProjectMember(organization_id=org.id, project_id=project.id, user_id=user.id))
    db.commit()
    for user in (viewer, ann):
        headers = bearer(db, user, org)
        for answer in (
                client.patch(url(org, project), headers=headers, json={"name": "Taken"}),
                client.patch(url(org, project) + "?preview=true", headers=headers,
                             json={"name": "Taken"}),
                client.delete(url(org, project, f"/members/{viewer.id}"), headers=headers)):
            assert answer.status_code == 403, answer.text
    db.expire_all()
    assert db.get(Project, project.id).name == "Shop"
    assert db.exec(select(ProvisioningRun)).all() == []


def test_an_admin_may_edit_and_a_foreign_project_is_not_found(client, db, world):
    org, _, project, _ = world
    admin = make_user(db)
    add_member(db, org, admin, role=Role.ADMIN)
    stranger = make_user(db)
    other = make_org(db, stranger)
    db.commit()
    assert client.patch(url(org, project) + "?preview=true", headers=bearer(db, admin, org),
                        json={"name": "Shop 2"}).status_code == 200
    foreign = client.patch(f"{API}/{other.slug}/projects/{project.id}",
                           headers=bearer(db, stranger, other), json={"name": "Taken"})
    assert foreign.status_code == 404
    assert client.get(f"{API}/{other.slug}/projects/{project.id}/members",
                      headers=bearer(db, stranger, other)).status_code == 404


def test_adding_a_tool_to_a_project_without_a_template_or_an_unknown_tool_is_refused(
        client, db, world):
    org, owner, project, _ = world
    project.template_version_id = None
    db.add(project)
    db.commit()
    confluence = connections.create_connection(
        db, principal(db, owner, org), tool="confluence", name="Wiki",
        base_url="https://acme.atlassian.net", settings_values={"email": "a@example.com"},
        secret_values={"api_token": "t"})
    db.commit()
    body = {"tool": "confluence", "connection_id": str(confluence.id)}
    headers = bearer(db, owner, org)
    # a project made without a template cannot be planned for
    answer = client.post(url(org, project, "/tools") + "?preview=true", headers=headers,
                         json=body)
    assert answer.status_code == 409
    assert client.post(url(org, project, "/tools"), headers=headers,
                       json={"tool": "gitlab", "connection_id": str(confluence.id)}
                       ).status_code == 422
    db.expire_all()
    assert db.exec(select(ProvisioningRun)).all() == []


def test_productive_is_added_with_its_own_answers_and_refused_without_them(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    skip = {f"{t}_mode": "skip" for t in ("jira", "confluence", "m365", "productive")}
    created = client.post(f"{API}/acme/projects", headers=headers, json={"answers": {
        "name": "Intranet", "key": "INTRA", "project_type": "internal",
        "client_company": "Acme", "project_manager": str(owner.id), **skip}})
    assert created.status_code == 201
    project = db.get(Project, uuid.UUID(created.json()["project"]["id"]))
    client.post(f"{API}/acme/runs/{created.json()['run']['id']}/cancel", headers=headers)
    db.refresh(project)
    project.lifecycle = Lifecycle.ACTIVE
    db.add(project)
    productive = connections.create_connection(
        db, principal(db, owner, org), tool="productive", name="Productive",
        base_url="https://api.productive.io", settings_values={"organization_id": "1000"},
        secret_values={"api_token": "t"})
    db.commit()
    tools = url(org, project, "/tools")
    body = {"tool": "productive", "connection_id": str(productive.id)}

    missing = client.post(tools, headers=headers, json=body)
    assert missing.status_code == 422
    assert missing.json()["fields"] == {
        "budget_amount": "A time & materials budget needs an amount."}
    invalid = client.post(tools, headers=headers, json={**body, "answers": {
        "budget_type": "hourly", "budget_amount": 100}})
    assert invalid.status_code == 422
    assert invalid.json()["fields"] == {"budget_type": "Choose one of the options."}

    answers = {"budget_type": "fixed", "budget_amount": 9000}
    shown = client.post(tools + "?preview=true", headers=headers,
                        json={**body, "answers": answers})
    assert shown.status_code == 200 and shown.json()["run"] is None
    assert {c["tool"] for c in shown.json()["changes"]} == {"productive"}
    started = client.post(tools, headers=headers, json={**body, "answers": answers})
    assert started.status_code == 200 and started.json()["run"]["status"] == "pending"
    db.expire_all()
    kept = db.get(Project, project.id).answers
    assert kept["budget_amount"] == 9000 and kept["budget_type"] == "fixed"
    assert kept["productive_mode"] == "skip"  # until the run has succeeded
