"""Bearer-token API: me, organizations, members, invitations, audit events."""

from __future__ import annotations

import re

from projecthub.models import Role
from tests.api.tokens import bearer
from tests.factories import add_member, make_org, make_user

ORG = "/api/v1/orgs/{org_slug}"
# What the API promises its users (README, "REST API"); the docs may list more, never less.
DOCUMENTED_OPERATIONS = {
    ("GET", "/api/v1/health"), ("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/signup"),
    ("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password"), ("GET", "/api/v1/me"),
    ("PATCH", "/api/v1/me"), ("GET", "/api/v1/me/api-tokens"),
    ("DELETE", "/api/v1/me/api-tokens/{api_token_id}"), ("GET", "/api/v1/orgs"),
    ("GET", ORG), ("PATCH", ORG), ("GET", f"{ORG}/members"),
    ("PATCH", f"{ORG}/members/{{member_id}}"), ("DELETE", f"{ORG}/members/{{member_id}}"),
    ("GET", f"{ORG}/invitations"), ("POST", f"{ORG}/invitations"),
    ("DELETE", f"{ORG}/invitations/{{invitation_id}}"), ("GET", f"{ORG}/audit-events"),
    ("GET", f"{ORG}/connections"), ("POST", f"{ORG}/connections"),
    ("GET", f"{ORG}/connections/{{connection_id}}"),
    ("PATCH", f"{ORG}/connections/{{connection_id}}"),
    ("DELETE", f"{ORG}/connections/{{connection_id}}"),
    ("POST", f"{ORG}/connections/{{connection_id}}/test"),
    ("GET", f"{ORG}/templates"), ("POST", f"{ORG}/templates"),
    ("GET", f"{ORG}/templates/{{template_id}}"), ("PUT", f"{ORG}/templates/{{template_id}}"),
    ("POST", f"{ORG}/templates/{{template_id}}/clone"),
    ("POST", f"{ORG}/templates/{{template_id}}/retire"),
    ("GET", f"{ORG}/projects"), ("POST", f"{ORG}/projects"),
    ("GET", f"{ORG}/projects/{{project_id}}"),
    ("POST", f"{ORG}/projects/{{project_id}}/status/refresh"),
    ("GET", f"{ORG}/projects/{{project_id}}/history"),
    ("POST", f"{ORG}/projects/{{project_id}}/lifecycle"),
    ("GET", f"{ORG}/projects/{{project_id}}/runs"), ("GET", f"{ORG}/runs/{{run_id}}"),
    ("POST", f"{ORG}/runs/{{run_id}}/retry"), ("POST", f"{ORG}/runs/{{run_id}}/cancel"),
}


def test_health_needs_no_token(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}


def test_docs_page_loads_a_spec_that_lists_every_operation_the_api_serves(client):
    """Swagger UI draws the operations in the browser from the spec its page names: follow that
    URL as the page would, and check the spec and the routes agree both ways."""
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    spec_url = re.search(r"url: '([^']+)'", page.text)
    assert spec_url is not None and spec_url.group(1) == "/api/v1/openapi.json"
    spec = client.get(spec_url.group(1)).json()
    assert spec["info"]["title"] == "ProjectHub API"
    documented = {(method.upper(), path) for path, operations in spec["paths"].items()
                  for method in operations}
    assert documented >= DOCUMENTED_OPERATIONS
    for method, path in documented:
        concrete = re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)
        # Not followed: a browser route's redirect (Sign in with Microsoft) leaves the API.
        answer = client.request(method, concrete, follow_redirects=False)
        assert answer.status_code not in (404, 405), f"{method} {path} is documented, not served"


def test_requests_without_a_valid_token_are_401(client):
    assert client.get("/api/v1/me").status_code == 401
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer pht_nope"})
    assert response.status_code == 401 and response.json()["detail"]


def test_me_and_profile_update(client, db):
    user = make_user(db, email="ada@example.com")
    org = make_org(db, user)
    headers = bearer(db, user, org)
    assert client.get("/api/v1/me", headers=headers).json()["email"] == "ada@example.com"
    response = client.patch("/api/v1/me", headers=headers, json={"display_name": "Ada L."})
    assert response.json()["display_name"] == "Ada L."
    body = client.get("/api/v1/me", headers=headers).json()
    assert "password_hash" not in body


def test_token_lists_only_its_own_organization(client, db):
    user = make_user(db)
    org, other = make_org(db, user, slug="acme"), make_org(db, user, slug="beta")
    headers = bearer(db, user, org)
    assert [o["slug"] for o in client.get("/api/v1/orgs", headers=headers).json()] == ["acme"]
    assert client.get(f"/api/v1/orgs/{other.slug}", headers=headers).status_code == 404


def test_members_invitations_and_audit_flow(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    member = add_member(db, org, role=Role.MEMBER)
    listed = client.get("/api/v1/orgs/acme/members", headers=headers).json()
    assert {m["role"] for m in listed} == {"owner", "member"}
    changed = client.patch(f"/api/v1/orgs/acme/members/{member.id}", headers=headers,
                           json={"role": "admin"})
    assert changed.status_code == 200 and changed.json()["role"] == "admin"
    invite = client.post("/api/v1/orgs/acme/invitations", headers=headers,
                         json={"email": "new@example.com", "role": "viewer"})
    assert invite.status_code == 201 and "/invite/inv_" in invite.json()["link"]
    assert invite.json()["mailed"] is True
    resent = client.post(f"/api/v1/orgs/acme/invitations/{invite.json()['id']}/resend",
                         headers=headers)
    assert resent.status_code == 200 and resent.json()["link"] != invite.json()["link"]
    pending = client.get("/api/v1/orgs/acme/invitations", headers=headers).json()
    assert [p["email"] for p in pending] == ["new@example.com"] and "link" not in pending[0]
    assert client.delete(f"/api/v1/orgs/acme/invitations/{invite.json()['id']}",
                         headers=headers).status_code == 204
    events = client.get("/api/v1/orgs/acme/audit-events?action=member.role_changed",
                        headers=headers).json()
    assert events["total"] == 1 and events["items"][0]["detail"] == {"from": "member",
                                                                     "to": "admin"}


def test_last_owner_cannot_be_demoted_over_the_api(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    me = client.get("/api/v1/orgs/acme/members", headers=headers).json()[0]
    response = client.patch(f"/api/v1/orgs/acme/members/{me['id']}", headers=headers,
                            json={"role": "member"})
    assert response.status_code == 409 and "last owner" in response.json()["detail"]


def test_member_role_cannot_manage(client, db):
    org = make_org(db, slug="acme")
    member = add_member(db, org)
    from projecthub.models import User

    headers = bearer(db, db.get(User, member.user_id), org)
    response = client.post("/api/v1/orgs/acme/invitations", headers=headers,
                           json={"email": "x@example.com", "role": "viewer"})
    assert response.status_code == 403
    assert client.get("/api/v1/orgs/acme/audit-events", headers=headers).status_code == 403


def test_bad_input_is_422_never_500(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    malformed_id = client.patch("/api/v1/orgs/acme/members/not-a-uuid", headers=headers, json={})
    assert malformed_id.status_code == 404  # names no row: not found, like a foreign one
    cases = [
        client.post("/api/v1/orgs/acme/invitations", headers=headers, json={"email": "bad"}),
        client.post("/api/v1/orgs/acme/invitations", headers=headers,
                    json={"email": "a@example.com", "role": "god"}),
        client.patch("/api/v1/orgs/acme", headers=headers, json={"slug": "Bad Slug!"}),
        client.patch("/api/v1/orgs/acme", headers=headers, json={"org_id": "x"}),
        client.get("/api/v1/orgs/acme/audit-events?limit=0", headers=headers),
    ]
    assert [c.status_code for c in cases] == [422] * len(cases)


def test_api_tokens_are_listed_without_secrets_and_revocable(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    tokens = client.get("/api/v1/me/api-tokens", headers=headers).json()
    assert len(tokens) == 1 and set(tokens[0]) == {
        "id", "name", "org_slug", "hint", "read_only", "created_at", "expires_at",
        "last_used_at"}
    assert client.delete(f"/api/v1/me/api-tokens/{tokens[0]['id']}",
                         headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
