"""Instance administration over REST: an instance admin's token (acting in any organization)
lists, deactivates and reactivates users, sends resets, manages the admin flag and the sign-up
policy; the refusals are the service's (last admin, non-admins in test_tenant_isolation)."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import AuthSession, OutboxMessage, User
from projecthub.services import sessions
from tests.api.tokens import bearer
from tests.factories import make_org, make_user

SIGNUP = {"password": "a long enough passphrase", "org_name": "Acme"}


def _admin_headers(db) -> tuple[User, dict[str, str]]:
    admin = make_user(db, admin=True, email="root@example.com")
    return admin, bearer(db, admin, make_org(db, admin, name="Ops"))


def test_list_and_search_users(client, db):
    _, headers = _admin_headers(db)
    jo = make_user(db, email="jo@acme.example", name="Jo")
    make_org(db, jo, name="Acme")
    body = client.get("/api/v1/admin/users", params={"search": "acme"}, headers=headers).json()
    assert body["total"] == 1
    [row] = body["items"]
    assert (row["email"], row["organizations"], row["verified"]) == (
        "jo@acme.example", ["Acme"], True)
    assert "password_hash" not in row


def test_deactivate_ends_sessions_and_tokens_then_reactivate(client, db):
    _, headers = _admin_headers(db)
    jo = make_user(db)
    jo_headers = bearer(db, jo, make_org(db, jo))
    sessions.start_session(db, jo)
    db.commit()
    answer = client.post(f"/api/v1/admin/users/{jo.id}/deactivate", headers=headers)
    assert answer.status_code == 200 and answer.json()["is_active"] is False
    assert client.get("/api/v1/me", headers=jo_headers).status_code == 401
    assert db.exec(select(AuthSession).where(AuthSession.user_id == jo.id)).all() == []
    again = client.post(f"/api/v1/admin/users/{jo.id}/reactivate", headers=headers)
    assert again.json()["is_active"] is True


def test_password_reset_is_mailed(client, db):
    _, headers = _admin_headers(db)
    jo = make_user(db, email="jo@example.com")
    answer = client.post(f"/api/v1/admin/users/{jo.id}/password-reset", headers=headers)
    assert (answer.status_code, answer.json()) == (202, {"queued": True})
    db.expire_all()
    assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == jo.email)).first()


def test_grant_and_remove_instance_admin_never_the_last(client, db):
    admin, headers = _admin_headers(db)
    last = client.delete(f"/api/v1/admin/users/{admin.id}/instance-admin", headers=headers)
    assert last.status_code == 409 and "at least one" in last.json()["detail"]
    jo = make_user(db)
    granted = client.put(f"/api/v1/admin/users/{jo.id}/instance-admin", headers=headers)
    assert granted.json()["is_instance_admin"] is True
    removed = client.delete(f"/api/v1/admin/users/{admin.id}/instance-admin", headers=headers)
    assert removed.json()["is_instance_admin"] is False
    # The token's user is no admin any more: the next call is refused.
    assert client.get("/api/v1/admin/users", headers=headers).status_code == 403


def test_unknown_user_is_not_found(client, db):
    _, headers = _admin_headers(db)
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.post(f"/api/v1/admin/users/{missing}/deactivate",
                       headers=headers).status_code == 404


def test_signup_policy_through_the_api_applies_to_sign_up(client, db):
    _, headers = _admin_headers(db)
    settings_now = client.get("/api/v1/admin/settings", headers=headers).json()
    assert settings_now["signup"]["policy"] == "open"
    assert settings_now["signup"]["from_environment"] is True
    assert {w["name"] for w in settings_now["workers"]} >= {"Provisioning", "Mail sender"}
    changed = client.put("/api/v1/admin/settings/signup", headers=headers,
                         json={"policy": "domains", "domains": ["acme.example"]})
    assert changed.json()["domains"] == ["acme.example"]
    refused = client.post("/api/v1/auth/signup", json={"email": "x@else.example", **SIGNUP})
    taken = client.post("/api/v1/auth/signup", json={"email": "root@example.com", **SIGNUP})
    assert refused.status_code == taken.status_code == 403
    assert refused.json() == taken.json()
    assert client.post("/api/v1/auth/signup",
                       json={"email": "new@acme.example", **SIGNUP}).status_code == 202


def test_bad_policy_is_a_field_error(client, db):
    _, headers = _admin_headers(db)
    answer = client.put("/api/v1/admin/settings/signup", headers=headers,
                        json={"policy": "domains", "domains": []})
    assert answer.status_code == 422


def test_test_mail_goes_to_the_caller(client, db):
    _, headers = _admin_headers(db)
    answer = client.post("/api/v1/admin/settings/test-mail", headers=headers)
    assert answer.status_code == 202
    db.expire_all()
    assert db.exec(select(OutboxMessage).where(OutboxMessage.kind == "test")).one().to_address \
        == "root@example.com"


def test_tenants_through_the_api(client, db):
    _, headers = _admin_headers(db)
    owner = make_user(db, email="owner@globex.example")
    created = client.post("/api/v1/admin/tenants", headers=headers, json={
        "name": "Globex", "slug": "globex", "owner_email": owner.email})
    assert created.status_code == 201
    tenant = created.json()
    assert (tenant["slug"], tenant["member_count"], tenant["status"]) == ("globex", 1, "active")
    suspended = client.post(f"/api/v1/admin/tenants/{tenant['id']}/suspend", headers=headers)
    assert suspended.json()["status"] == "suspended"
    listed = client.get("/api/v1/admin/tenants", headers=headers).json()
    assert "globex" in {t["slug"] for t in listed} and len(listed) == 2
    back = client.post(f"/api/v1/admin/tenants/{tenant['id']}/reactivate", headers=headers)
    assert back.json()["status"] == "active"
