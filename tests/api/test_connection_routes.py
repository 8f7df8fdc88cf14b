"""Connections over the API: secrets are write-only and never echoed."""

from __future__ import annotations

from tests.api.tokens import bearer
from tests.factories import make_org, make_user

SECRET = "CANARY-api-secret-0c1d2e3f"


def test_create_read_update_delete_without_echoing_secrets(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    created = client.post("/api/v1/orgs/acme/connections", headers=headers, json={
        "tool": "productive", "name": "Productive", "base_url": "https://api.productive.io",
        "settings": {"organization_id": "1234"}, "secrets": {"api_token": SECRET}})
    assert created.status_code == 201, created.text
    assert SECRET not in created.text
    assert created.json()["secrets"]["api_token"]["last4"] == SECRET[-4:]
    connection_id = created.json()["id"]
    listed = client.get("/api/v1/orgs/acme/connections", headers=headers)
    assert SECRET not in listed.text and listed.json()[0]["settings"] == {"organization_id": "1234"}
    patched = client.patch(f"/api/v1/orgs/acme/connections/{connection_id}", headers=headers,
                           json={"name": "Productive (agency)"})
    assert patched.json()["name"] == "Productive (agency)" and SECRET not in patched.text
    assert client.delete(f"/api/v1/orgs/acme/connections/{connection_id}",
                         headers=headers).status_code == 204
    assert client.get(f"/api/v1/orgs/acme/connections/{connection_id}",
                      headers=headers).status_code == 404


def test_invalid_connections_are_422_with_field_messages(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    response = client.post("/api/v1/orgs/acme/connections", headers=headers, json={
        "tool": "jira", "name": "Jira", "base_url": "http://acme.example",
        "settings": {"email": "a@example.com"}, "secrets": {"api_token": "x" * 20}})
    assert response.status_code == 422 and "base_url" in response.json()["fields"]
    unknown = client.post("/api/v1/orgs/acme/connections", headers=headers, json={
        "tool": "gitlab", "name": "G", "base_url": "https://x.io"})
    assert unknown.status_code == 422
