"""Every API route, called as a member of organization A with organization B's ids, answers 404
and leaves B's rows untouched. Routes come from the app itself: a new route without a case here
fails the suite."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pytest
from sqlalchemy import select
from sqlmodel import SQLModel

from projecthub.api.main import create_api
from projecthub.models import (
    DriftField,
    Notification,
    NotificationEvent,
    ProjectDrift,
    ProjectResource,
    Role,
    RunStatus,
)
from projecthub.services import api_tokens, connections, invitations
from projecthub.services.provisioning import service
from projecthub.services.templates import library
from projecthub.services.webhooks.endpoints import prepare_endpoint
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user, principal

api_app = create_api()


@dataclass
class World:
    a_headers: dict[str, str]
    b_slug: str
    ids: dict[str, str]


@pytest.fixture
def world(db) -> World:
    a_owner, b_owner = make_user(db), make_user(db)
    org_a, org_b = make_org(db, a_owner, slug="org-a"), make_org(db, b_owner, slug="org-b")
    b_member = add_member(db, org_b, role=Role.MEMBER)
    b_principal = principal(db, b_owner, org_b)
    b_invite = invitations.create_invitation(db, b_principal, email="x@example.com", role="viewer")
    b_token = api_tokens.create_api_token(db, b_principal, name="b").token
    b_template = library.clone_template(db, b_principal,
                                        library.list_templates(db, b_principal)[0].id)
    b_project, b_run = service.start_project(db, b_principal,
                                             template_version_id=b_template.version_id,
                                             answers={"name": "B secret", "key": "BSEC",
                                                      "project_type": "internal",
                                                      "client_company": "B Co",
                                                      "project_manager": str(b_owner.id),
                                                      "jira_mode": "skip",
                                                      "confluence_mode": "skip",
                                                      "m365_mode": "skip",
                                                      "productive_mode": "skip"})
    b_connection = connections.create_connection(
        db, b_principal, tool="jira", name="B Jira", base_url="https://b.atlassian.net",
        settings_values={"email": "b@example.com"}, secret_values={"api_token": "b-secret-token"})
    prepare_endpoint(db, b_principal, b_connection.id)  # B receives Jira webhooks
    b_resource = ProjectResource(organization_id=org_b.id, project_id=b_project.id, tool="jira",
                                 kind="project", external_id="1", external_key="BSEC",
                                 name="B secret")
    db.add(b_resource)
    db.flush()
    b_drift = ProjectDrift(organization_id=org_b.id, project_id=b_project.id,
                           resource_id=b_resource.id, tool="jira", field=DriftField.NAME,
                           desired="B secret", actual="B renamed")
    db.add(b_drift)
    b_notification = Notification(organization_id=org_b.id, user_id=b_owner.id,
                                  event=NotificationEvent.RUN_FAILED, title="B secret failed")
    db.add(b_notification)
    # B's run waits for approval, so only scoping can refuse A's decision on it.
    b_run.status, b_run.approver_role = RunStatus.AWAITING_APPROVAL, Role.MEMBER.value
    db.add(b_run)
    db.commit()
    return World(a_headers=bearer(db, a_owner, org_a), b_slug=org_b.slug, ids={
        "drift_id": str(b_drift.id), "notification_id": str(b_notification.id),
        "member_id": str(b_member.id), "invitation_id": str(b_invite.invitation.id),
        "api_token_id": str(b_token.id),
        "connection_id": str(b_connection.id), "template_id": str(b_template.id),
        "project_id": str(b_project.id), "run_id": str(b_run.id),
        "b_owner_id": str(b_owner.id), "b_org_id": str(org_b.id),
        "user_id": str(b_member.user_id)})


# Routes that read no tenant rows by id: checked for authentication elsewhere.
NOT_TENANT_SCOPED = {
    ("GET", "/api/v1/health"), ("GET", "/api/v1/ready"), ("POST", "/api/v1/auth/login"),
    ("POST", "/api/v1/auth/signup"), ("GET", "/api/v1/auth/microsoft/start"),
    ("GET", "/api/v1/auth/microsoft/callback"), ("POST", "/api/v1/auth/microsoft/link"),
    ("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password"),
    ("POST", "/api/v1/auth/password-reset"), ("POST", "/api/v1/auth/password-reset/confirm"),
    ("POST", "/api/v1/auth/verify-email"), ("POST", "/api/v1/auth/verify-email/resend"),
    ("GET", "/api/v1/me"), ("PATCH", "/api/v1/me"),
    ("GET", "/api/v1/me/api-tokens"), ("POST", "/api/v1/me/api-tokens"), ("GET", "/api/v1/orgs"),
    ("POST", "/api/v1/me/password"), ("POST", "/api/v1/me/email-change"),
    ("GET", "/api/v1/me/email-change"), ("DELETE", "/api/v1/me/email-change"),
    ("POST", "/api/v1/auth/email-change"), ("POST", "/api/v1/auth/email-change/confirm"),
    # The tools' delivery endpoint: found by an unguessable token, never by an id; refusals
    # are audited (tests/api/test_webhook_routes.py).
    ("POST", "/api/v1/hooks/{token}"),
}

# Instance administration: not tenant-scoped, refused (403) to a token whose user is not an
# instance admin, with nothing changed (test_admin_routes_refuse_non_admins).
INSTANCE_ADMIN = {
    ("GET", "/api/v1/admin/users"), ("POST", "/api/v1/admin/users/{user_id}/deactivate"),
    ("POST", "/api/v1/admin/users/{user_id}/reactivate"),
    ("POST", "/api/v1/admin/users/{user_id}/password-reset"),
    ("PUT", "/api/v1/admin/users/{user_id}/instance-admin"),
    ("DELETE", "/api/v1/admin/users/{user_id}/instance-admin"),
    ("GET", "/api/v1/admin/settings"), ("PUT", "/api/v1/admin/settings/signup"),
    ("POST", "/api/v1/admin/settings/test-mail"), ("GET", "/api/v1/admin/tenants"),
    ("POST", "/api/v1/admin/tenants"), ("POST", "/api/v1/admin/tenants/{org_id}/suspend"),
    ("POST", "/api/v1/admin/tenants/{org_id}/reactivate"),
}

# Bodies that would be valid for the caller's own organization, so only scoping can refuse them.
BODIES = {
    ("PATCH", "/api/v1/orgs/{org_slug}"): {"name": "Taken over"},
    ("PATCH", "/api/v1/orgs/{org_slug}/members/{member_id}"): {"role": "viewer"},
    ("POST", "/api/v1/orgs/{org_slug}/invitations"): {"email": "spy@example.com", "role": "owner"},
    ("POST", "/api/v1/orgs/{org_slug}/connections"): {
        "tool": "jira", "name": "Spy", "base_url": "https://spy.atlassian.net",
        "settings": {"email": "s@example.com"}, "secrets": {"api_token": "spy-token"}},
    ("PATCH", "/api/v1/orgs/{org_slug}/connections/{connection_id}"): {"name": "Hijacked"},
    ("PUT", "/api/v1/orgs/{org_slug}/templates/{template_id}"): {
        "source": "name: Hijacked\nsteps:\n  - {id: s, title: S}\n"},
    ("POST", "/api/v1/orgs/{org_slug}/templates"): {
        "source": "name: Planted\nsteps:\n  - {id: s, title: S}\n"},
    ("POST", "/api/v1/orgs/{org_slug}/projects"): {"answers": {}, "dry_run": True},
    ("POST", "/api/v1/orgs/{org_slug}/project-import"): {"proposals": []},
    ("POST", "/api/v1/orgs/{org_slug}/projects/{project_id}/lifecycle"): {
        "lifecycle": "archived"},
    ("PUT", "/api/v1/orgs/{org_slug}/microsoft"): {"require_microsoft": True,
                                                   "allow_join": True},
    ("POST", "/api/v1/orgs/{org_slug}/projects/{project_id}/lifecycle/preview"): {
        "lifecycle": "archived"},
    ("POST", "/api/v1/orgs/{org_slug}/projects/{project_id}/lifecycle/runs"): {
        "lifecycle": "archived"},
    ("PATCH", "/api/v1/orgs/{org_slug}/projects/{project_id}"): {"name": "Taken over"},
    ("POST", "/api/v1/orgs/{org_slug}/projects/{project_id}/tools"): {
        "tool": "jira", "connection_id": "00000000-0000-4000-8000-000000000001"},
    ("PUT", "/api/v1/orgs/{org_slug}/projects/{project_id}/members/{user_id}"): {
        "role": "member"},
    ("POST", "/api/v1/orgs/{org_slug}/projects/{project_id}/deletion"): {
        "confirmation": "BSEC"},
    ("PUT", "/api/v1/orgs/{org_slug}/notification-preferences"): {"choices": [
        {"event": "health_changed", "channel": "email", "mode": "off"}]},
    ("PUT", "/api/v1/orgs/{org_slug}/notification-defaults"): {"choices": [
        {"event": "health_changed", "channel": "email", "mode": "off"}]},
    ("POST", "/api/v1/orgs/{org_slug}/runs/{run_id}/approve"): {"comment": "ok"},
    ("POST", "/api/v1/orgs/{org_slug}/runs/{run_id}/reject"): {"comment": "no"},
    ("PUT", "/api/v1/admin/settings/signup"): {"policy": "invite-only"},
    ("POST", "/api/v1/admin/tenants"): {"name": "Planted", "slug": "planted",
                                        "owner_email": "x@example.com"},
}


def _routes() -> set[tuple[str, str]]:
    paths = api_app.openapi()["paths"]
    return {(method.upper(), path) for path, ops in paths.items() for method in ops}


def _scoped_routes() -> list[tuple[str, str]]:
    return sorted(_routes() - NOT_TENANT_SCOPED - INSTANCE_ADMIN)


def _fingerprint(engine) -> str:
    """Every row of every table, except bookkeeping the caller's own token legitimately touches."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name != "last_used_at"]
            rows = connection.execute(select(*columns).order_by(*table.primary_key.columns)).all()
            digest.update(repr([tuple(r) for r in rows]).encode())
    return digest.hexdigest()


def test_every_route_is_classified():
    unknown_params = set()
    for _method, path in _scoped_routes():
        for part in path.split("/"):
            if part.startswith("{") and part[1:-1] not in {"org_slug", "member_id",
                                                           "invitation_id", "api_token_id",
                                                           "connection_id", "template_id",
                                                           "project_id", "run_id",
                                                           "drift_id", "notification_id",
                                                           "user_id"}:
                unknown_params.add(part)
    assert not unknown_params, f"add a cross-tenant case for {unknown_params}"
    assert _routes() >= NOT_TENANT_SCOPED | INSTANCE_ADMIN, "a listed route no longer exists"


@pytest.mark.parametrize(("method", "path"), sorted(INSTANCE_ADMIN))
def test_admin_routes_refuse_non_admins(client, engine, world, method, path):
    """An organization owner who is no instance admin: 403 on another user's id, nothing
    changes (not even the policy or a test message)."""
    url = path.replace("{user_id}", world.ids["b_owner_id"]).replace(
        "{org_id}", world.ids["b_org_id"])
    before = _fingerprint(engine)
    response = client.request(method, url, headers=world.a_headers,
                              json=BODIES.get((method, path)))
    assert response.status_code == 403, (method, url, response.text)
    assert "instance administrators" in response.json()["detail"]
    assert _fingerprint(engine) == before


@pytest.mark.parametrize(("method", "path"), _scoped_routes())
def test_foreign_ids_are_not_found_and_change_nothing(client, engine, world, method, path):
    url = path.replace("{org_slug}", world.b_slug)
    for name, value in world.ids.items():
        url = url.replace("{" + name + "}", value)
    before = _fingerprint(engine)
    response = client.request(method, url, headers=world.a_headers,
                              json=BODIES.get((method, path)))
    assert response.status_code == 404, (method, url, response.text)
    assert _fingerprint(engine) == before


def test_own_slug_with_foreign_ids_is_not_found(client, engine, world):
    """Same routes with A's slug but B's row ids: still 404, rows unchanged."""
    for method, path in _scoped_routes():
        if not any(f"{{{name}}}" in path for name in world.ids):
            continue
        url = path.replace("{org_slug}", "org-a")
        for name, value in world.ids.items():
            url = url.replace("{" + name + "}", value)
        before = _fingerprint(engine)
        response = client.request(method, url, headers=world.a_headers,
                                  json=BODIES.get((method, path)))
        assert response.status_code == 404, (method, url, response.text)
        assert _fingerprint(engine) == before


def test_malformed_ids_are_not_found_like_foreign_ones(client, engine, world):
    """A path id that is not a UUID names no row: the same 404 and message as a foreign row,
    never a 422 or a 500, and nothing changes."""
    for method, path in _scoped_routes():
        names = [name for name in world.ids if f"{{{name}}}" in path]
        if not names:
            continue
        foreign = path.replace("{org_slug}", "org-a")
        for name, value in world.ids.items():
            foreign = foreign.replace("{" + name + "}", value)
        expected = client.request(method, foreign, headers=world.a_headers,
                                  json=BODIES.get((method, path))).json()
        for malformed in ("not-a-uuid", "1", "%20"):
            url = path.replace("{org_slug}", "org-a")
            for name, value in world.ids.items():
                url = url.replace("{" + name + "}", malformed if name == names[0] else value)
            before = _fingerprint(engine)
            response = client.request(method, url, headers=world.a_headers,
                                      json=BODIES.get((method, path)))
            assert response.status_code == 404, (method, url, response.text)
            assert response.json() == expected, (method, url)
            assert _fingerprint(engine) == before

