"""The audit log over HTTP: the export for an API token and for the audit page's session,
the security events of the auth routes (a failed login is kept although its request is rolled
back), and the manual refresh."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlmodel import select

from projecthub.core.clock import utcnow
from projecthub.core.web import session_cookie_name
from projecthub.models import AuditEvent, Role
from tests.api.tokens import bearer
from tests.factories import PASSWORD, add_member, make_org, make_user, user_of

EXPORT = "/api/v1/orgs/{slug}/audit-events/export"
SESSION_EXPORT = "/api/v1/session/audit-events/export"


def _seed(db, org, *actions: str) -> None:  # type: ignore[no-untyped-def]
    for n, action in enumerate(actions):
        db.add(AuditEvent(organization_id=org.id, action=action, actor_email="ann@example.com",
                          created_at=utcnow() - timedelta(minutes=n)))
    db.commit()


def test_an_admin_token_downloads_the_log_as_csv(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    _seed(db, org, "a.first", "=cmd|' /C calc'!A0")
    response = client.get(EXPORT.format(slug="acme"), headers=bearer(db, owner, org))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert 'attachment; filename="audit-acme-' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    actions = [r[2] for r in rows[1:]]
    assert "a.first" in actions and "'=cmd|' /C calc'!A0" in actions


def test_an_admin_token_downloads_filtered_json_lines(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    _seed(db, org, "a.first", "b.second")
    response = client.get(EXPORT.format(slug="acme"), params={"format": "jsonl",
                                                              "action": "b.second"},
                          headers=bearer(db, owner, org))
    assert response.headers["content-type"].startswith("application/x-ndjson")
    assert [json.loads(line)["action"] for line in response.text.splitlines()] == ["b.second"]


def test_a_members_token_cannot_export_and_another_org_is_not_found(client, db):
    org = make_org(db, slug="acme")
    make_org(db, slug="other")
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    headers = bearer(db, member, org)
    assert client.get(EXPORT.format(slug="acme"), headers=headers).status_code == 403
    assert client.get(EXPORT.format(slug="other"), headers=headers).status_code == 404


def test_an_unknown_format_is_refused(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    response = client.get(EXPORT.format(slug="acme"), params={"format": "xlsx"},
                          headers=bearer(db, owner, org))
    assert response.status_code == 422


def _log_in(client, user) -> None:  # type: ignore[no-untyped-def]
    login = client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    client.cookies.set(session_cookie_name(), login.cookies[session_cookie_name()])


def test_the_audit_pages_download_uses_the_sessions_current_organization(client, db):
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    other = make_org(db, slug="other")
    _seed(db, org, "ours.event")
    _seed(db, other, "theirs.event")
    _log_in(client, owner)
    response = client.get(SESSION_EXPORT, params={"format": "jsonl"})
    assert response.status_code == 200
    actions = {json.loads(line)["action"] for line in response.text.splitlines()}
    assert "ours.event" in actions and "theirs.event" not in actions


def test_the_session_download_needs_a_session_an_admin_and_our_site(client, db):
    assert client.get(SESSION_EXPORT).status_code == 401
    org = make_org(db, slug="acme")
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    _log_in(client, member)
    assert client.get(SESSION_EXPORT).status_code == 403
    owner = make_user(db)
    add_member(db, org, owner, role=Role.OWNER)
    _log_in(client, owner)
    assert client.get(SESSION_EXPORT, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get(SESSION_EXPORT, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


def _actions(db) -> list[str]:  # type: ignore[no-untyped-def]
    db.expire_all()
    return list(db.exec(select(AuditEvent.action)).all())


def test_login_failed_login_and_logout_are_in_the_log(client, db):
    user = make_user(db)
    failed = client.post("/api/v1/auth/login", json={"email": user.email, "password": "x" * 12})
    assert failed.status_code == 401
    _log_in(client, user)
    assert client.post("/api/v1/auth/logout").status_code == 200
    actions = _actions(db)
    for action in ("user.login_failed", "user.logged_in", "user.logged_out"):
        assert actions.count(action) == 1, action
