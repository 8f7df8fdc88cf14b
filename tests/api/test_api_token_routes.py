"""API tokens expire, can be read-only, die with a password change, and an organization's admins
can list and revoke its members' tokens (issue 10, finding 8)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from projecthub.api.main import create_api
from projecthub.core import clock
from projecthub.core.web import session_cookie_name
from projecthub.models import Role
from projecthub.services import api_tokens
from tests.factories import PASSWORD, add_member, make_org, make_user, principal

api_app = create_api()


def _token(db, user, org, **options):  # type: ignore[no-untyped-def]
    created = api_tokens.create_api_token(db, principal(db, user, org), name="ci", **options)
    db.commit()  # the API's requests read it in their own sessions
    return created, {"Authorization": f"Bearer {created.secret}"}


def test_tokens_expire_after_90_days_by_default(client, db, monkeypatch):
    owner = make_user(db)
    org = make_org(db, owner)
    created, headers = _token(db, owner, org)
    assert created.token.expires_at - created.token.created_at == timedelta(days=90)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    later = clock.utcnow() + timedelta(days=90, seconds=1)
    monkeypatch.setattr(api_tokens, "utcnow", lambda: later)
    expired = client.get("/api/v1/me", headers=headers)
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]


def test_expiry_and_scope_are_chosen_when_creating_through_the_api(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    _, headers = _token(db, owner, org)
    response = client.post("/api/v1/me/api-tokens", headers=headers,
                           json={"name": "reports", "expires_in_days": 7, "read_only": True})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["read_only"] is True and body["token"].startswith("pht_")
    assert body["org_slug"] == org.slug
    reader = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/me/api-tokens", headers=reader).status_code == 200
    too_long = client.post("/api/v1/me/api-tokens", headers=headers,
                           json={"name": "x", "expires_in_days": 366})
    assert too_long.status_code == 422


def _token_routes(method_filter):  # type: ignore[no-untyped-def]
    """Every route that takes an API token (all but the browser-session and health ones, and
    the webhook deliveries, whose credential is their address and the vendor's signature)."""
    paths = api_app.openapi()["paths"]
    return sorted((method.upper(), path) for path, ops in paths.items() for method in ops
                  if method_filter(method.upper()) and "/auth/" not in path
                  and not path.endswith("/health") and "/hooks/" not in path)


def test_read_only_token_is_refused_any_write_with_a_clear_message(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    _, headers = _token(db, owner, org, read_only=True)
    assert client.get(f"/api/v1/orgs/{org.slug}/members", headers=headers).status_code == 200
    writes = _token_routes(lambda method: method != "GET")
    assert len(writes) > 10
    for method, path in writes:
        url = re.sub(r"\{[a-z_]+_id\}", str(uuid.uuid4()), path.replace("{org_slug}", org.slug))
        response = client.request(method, url, headers=headers, json={})
        assert response.status_code == 403, (method, path, response.text)
        assert response.json()["detail"] == api_tokens.READ_ONLY_REFUSAL


def test_password_change_revokes_every_api_token(client, db):
    owner = make_user(db, email="ada@example.com")
    org = make_org(db, owner)
    _, headers = _token(db, owner, org)
    login = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                    "password": PASSWORD})
    client.cookies.set(session_cookie_name(), login.cookies[session_cookie_name()])
    changed = client.post("/api/v1/auth/password", json={"current_password": PASSWORD,
                                                         "new_password": "a new passphrase!"})
    assert changed.status_code == 200
    client.cookies.clear()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_admins_list_and_revoke_the_organizations_tokens(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    member = make_user(db, email="mem@example.com", name="Mem")
    add_member(db, org, member)
    created, member_headers = _token(db, member, org, read_only=True)
    _, admin_headers = _token(db, owner, org)
    listed = client.get(f"/api/v1/orgs/{org.slug}/api-tokens", headers=admin_headers)
    assert listed.status_code == 200
    mine = next(t for t in listed.json() if t["owner_email"] == "mem@example.com")
    assert mine["id"] == str(created.token.id) and mine["read_only"] is True
    assert "token" not in mine and "token_hash" not in mine
    assert client.get(f"/api/v1/orgs/{org.slug}/api-tokens",
                      headers=member_headers).status_code == 403
    revoked = client.delete(f"/api/v1/orgs/{org.slug}/api-tokens/{created.token.id}",
                            headers=admin_headers)
    assert revoked.status_code == 204
    assert client.get("/api/v1/me", headers=member_headers).status_code == 401


def test_members_cannot_revoke_each_others_tokens(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    member = make_user(db)
    add_member(db, org, member, role=Role.MEMBER)
    created, _ = _token(db, owner, org)
    _, member_headers = _token(db, member, org)
    response = client.delete(f"/api/v1/orgs/{org.slug}/api-tokens/{created.token.id}",
                             headers=member_headers)
    assert response.status_code == 403


def test_single_transaction_read_routes_refuse_a_revoked_token_at_once(client, db):
    """The project list, a project and its history resolve the token in their one transaction
    (``OrgReaderDep``): a read-only token reads them, and its revocation counts at the next
    request."""
    owner = make_user(db)
    org = make_org(db, owner)
    created, headers = _token(db, owner, org, read_only=True)
    project = f"/api/v1/orgs/{org.slug}/projects/{uuid.uuid4()}"
    reads = [f"/api/v1/orgs/{org.slug}/projects", project, f"{project}/history"]
    assert [client.get(url, headers=headers).status_code for url in reads] == [200, 404, 404]
    assert client.get("/api/v1/orgs/another-org/projects", headers=headers).status_code == 404
    _, admin_headers = _token(db, owner, org)
    assert client.delete(f"/api/v1/orgs/{org.slug}/api-tokens/{created.token.id}",
                         headers=admin_headers).status_code == 204
    assert [client.get(url, headers=headers).status_code for url in reads] == [401, 401, 401]
    assert client.get(reads[0]).status_code == 401
