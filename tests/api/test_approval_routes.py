"""Approvals over the API: the caller's waiting runs, approve and reject with the service's rules
(never your own run, 403 for non-approvers and read-only tokens, 409 once decided)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session

from projecthub.models import Organization, Role, User
from projecthub.services import api_tokens
from projecthub.services.provisioning import service
from projecthub.services.templates import library
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, principal, user_of

API = "/api/v1/orgs"


@dataclass
class Gate:
    org: Organization
    requester: User
    admin: User
    viewer: User
    run_id: str


def start_gated_run(db: Session, org: Organization, owner: User, requester: User) -> str:
    """A run of a template that asks the organization's admins first (no tool is involved)."""
    template = library.create_template(
        db, principal(db, owner, org),
        source=library.default_source().replace("name: ", "name: Gated ", 1)
        + "approval: {required: true}\n")
    _, run = service.start_project(
        db, principal(db, requester, org), template_version_id=template.version_id,
        answers={"name": "Client portal", "key": "PORTAL", "project_type": "client",
                 "client_company": "Acme", "project_manager": str(requester.id),
                 "jira_mode": "skip", "confluence_mode": "skip", "m365_mode": "skip",
                 "productive_mode": "skip"})
    db.commit()
    return str(run.id)


@pytest.fixture
def gate(db: Session) -> Gate:
    owner = make_user(db)
    org = make_org(db, owner)
    requester = user_of(db, add_member(db, org, role=Role.MEMBER))
    admin = user_of(db, add_member(db, org, role=Role.ADMIN))
    viewer = user_of(db, add_member(db, org, role=Role.VIEWER))
    return Gate(org, requester, admin, viewer, start_gated_run(db, org, owner, requester))


def _url(gate: Gate, tail: str) -> str:
    return f"{API}/{gate.org.slug}/{tail}"


def test_an_admin_sees_the_waiting_run_and_approves_it(client, db, gate):
    headers = bearer(db, gate.admin, gate.org)
    listed = client.get(_url(gate, "approvals"), headers=headers)
    assert listed.status_code == 200
    [waiting] = listed.json()
    assert (waiting["run_id"], waiting["project_key"], waiting["approvers"]) == (
        gate.run_id, "PORTAL", "admin")
    approved = client.post(_url(gate, f"runs/{gate.run_id}/approve"), json={"comment": "ok"},
                           headers=headers)
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["status"] == "pending"
    assert body["approval"]["decided_by_id"] == str(gate.admin.id)
    again = client.post(_url(gate, f"runs/{gate.run_id}/reject"), json={"comment": "no"},
                        headers=headers)
    assert again.status_code == 409
    assert client.get(_url(gate, "approvals"), headers=headers).json() == []


def test_a_rejection_needs_a_comment_and_ends_the_run(client, db, gate):
    headers = bearer(db, gate.admin, gate.org)
    empty = client.post(_url(gate, f"runs/{gate.run_id}/reject"), json={}, headers=headers)
    assert empty.status_code == 422
    rejected = client.post(_url(gate, f"runs/{gate.run_id}/reject"),
                           json={"comment": "Wrong client"}, headers=headers)
    assert rejected.status_code == 200
    body = rejected.json()
    assert body["status"] == "rejected" and body["approval"]["comment"] == "Wrong client"
    assert {s["status"] for s in body["steps"]} <= {"cancelled"}
    project = f"projects/{body['project_id']}"
    shown = client.get(_url(gate, project), headers=headers).json()
    assert shown["project"]["lifecycle"] == "not_approved"
    listed = client.get(_url(gate, "projects?lifecycle=not_approved"), headers=headers).json()
    assert [p["key"] for p in listed["items"]] == ["PORTAL"]
    assert listed["by_lifecycle"] == {"not_approved": 1}
    gone = client.post(_url(gate, f"{project}/deletion"), json={"confirmation": "PORTAL"},
                       headers=bearer(db, gate.requester, gate.org))
    assert gone.status_code == 200 and gone.json()["deleted"] is True


def test_the_requester_and_the_viewer_are_refused(client, db, gate):
    for person in (gate.requester, gate.viewer):
        headers = bearer(db, person, gate.org)
        assert client.get(_url(gate, "approvals"), headers=headers).json() == []
    own = client.post(_url(gate, f"runs/{gate.run_id}/approve"), json={},
                      headers=bearer(db, gate.requester, gate.org))
    assert own.status_code == 403 and "someone else" in own.json()["detail"]


def test_a_read_only_token_cannot_decide(client, db, gate):
    token = api_tokens.create_api_token(db, principal(db, gate.admin, gate.org), name="ro",
                                        read_only=True)
    db.commit()
    headers = {"Authorization": f"Bearer {token.secret}"}
    assert client.get(_url(gate, "approvals"), headers=headers).status_code == 200
    refused = client.post(_url(gate, f"runs/{gate.run_id}/approve"), json={}, headers=headers)
    assert refused.status_code == 403


def test_a_run_that_does_not_wait_is_a_conflict(client, db, gate):
    headers = bearer(db, gate.admin, gate.org)
    client.post(_url(gate, f"runs/{gate.run_id}/reject"), json={"comment": "no"},
                headers=headers)
    again = client.post(_url(gate, f"runs/{gate.run_id}/approve"), json={}, headers=headers)
    assert again.status_code == 409


def test_another_organizations_run_is_not_found(client, db, gate):
    stranger = make_user(db)
    other = make_org(db, stranger, slug="globex")
    headers = bearer(db, stranger, other)
    response = client.post(f"{API}/globex/runs/{gate.run_id}/approve", json={},
                           headers=headers)
    assert response.status_code == 404
