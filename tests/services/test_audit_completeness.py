"""Every security event and mutation reaches the audit log: logout, failed logins (even though
the login request itself is rolled back), manual refreshes, key rotation and the operator's
membership and organization changes."""

from __future__ import annotations

import os

import pytest
from sqlmodel import Session, select

from projecthub.core.config import settings
from projecthub.core.crypto import KeyRing
from projecthub.core.errors import NotAuthenticated, TooManyAttempts
from projecthub.models import AuditEvent, Role
from projecthub.services import accounts, connections, members, orgs, sessions, verification
from projecthub.services.principal import actor_for
from projecthub.services.status import view
from projecthub.services.user_admin import set_user_active
from tests.factories import (
    PASSWORD,
    add_member,
    make_org,
    make_user,
    owner_principal,
    user_of,
)
from tests.ui.status_seed import add_project


def _events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_logout_is_audited_as_the_person_who_left(db):
    user = make_user(db)
    token = sessions.start_session(db, user)
    sessions.end_session(db, token)
    [event] = _events(db, "user.logged_out")
    assert (event.actor_id, event.target_id) == (user.id, str(user.id))


def test_logout_with_an_unknown_token_records_nothing(db):
    sessions.end_session(db, "phs_no-such-session-token")
    assert _events(db, "user.logged_out") == []


def test_a_login_is_audited(db):
    user = make_user(db)
    accounts.authenticate(db, email=user.email, password=PASSWORD)
    assert [e.actor_id for e in _events(db, "user.logged_in")] == [user.id]


def test_a_failed_login_is_audited_although_the_login_is_rolled_back(db, engine):
    user = make_user(db)
    with Session(engine) as request, pytest.raises(NotAuthenticated):
        accounts.authenticate(request, email=user.email, password="not the password",
                              client_ip="203.0.113.9")
    [event] = _events(db, "user.login_failed")
    assert event.target_id == str(user.id) and event.actor_id is None
    assert event.detail == {"reason": "wrong_password", "client_ip": "203.0.113.9"}


def test_a_failed_login_of_an_unknown_address_keeps_no_address(db):
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(db, email="nobody@example.com", password="whatever it is")
    [event] = _events(db, "user.login_failed")
    assert event.target_id == "" and event.detail["reason"] == "unknown_account"
    assert "nobody" not in str(event.model_dump())


def test_a_deactivated_accounts_login_is_audited_as_such(db):
    admin = make_user(db, admin=True)
    user = make_user(db)
    set_user_active(db, actor_for(admin), user.id, active=False)
    db.commit()
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(db, email=user.email, password=PASSWORD)
    assert _events(db, "user.login_failed")[0].detail["reason"] == "inactive_account"


def test_attempts_refused_by_the_back_off_are_not_recorded(db):
    """Guessing past the limit costs nothing and so must not grow the log either."""
    user = make_user(db)
    for _ in range(settings.LOGIN_MAX_FAILURES):
        with pytest.raises(NotAuthenticated):
            accounts.authenticate(db, email=user.email, password="wrong password!")
    with pytest.raises(TooManyAttempts):
        accounts.authenticate(db, email=user.email, password="wrong password!")
    assert len(_events(db, "user.login_failed")) == settings.LOGIN_MAX_FAILURES


def test_a_manual_refresh_is_audited(db):
    owner = make_user(db)
    org = make_org(db, owner)
    project = add_project(db, org, owner, name="Seen", key="SEEN", tools=("jira",))
    principal = owner_principal(db, org)
    view.request_refresh(db, principal, project.id)
    [event] = _events(db, "project.status_refreshed")
    assert (event.organization_id, event.target_id) == (org.id, str(project.id))


def test_key_rotation_is_audited_with_how_many_secrets_changed(db, monkeypatch):
    principal = owner_principal(db, make_org(db))
    connections.create_connection(db, principal, tool="jira", name="J",
                                  base_url="https://a.atlassian.net",
                                  settings_values={"email": "a@example.com"},
                                  secret_values={"api_token": "token-value-12345"})
    ring = KeyRing((os.urandom(32), settings.key_ring[0]))
    monkeypatch.setattr(connections, "key_ring", lambda: ring)
    assert connections.reencrypt_all_connections(db) == 1
    [event] = _events(db, "instance.keys_rotated")
    assert event.organization_id is None and event.detail == {"secrets_reencrypted": 1}


def test_operator_membership_changes_are_audited_in_the_organizations_log(db):
    org = make_org(db)
    user = make_user(db)
    assert members.operator_ensure_membership(db, user, org, Role.MEMBER)
    assert not members.operator_ensure_membership(db, user, org, Role.MEMBER)
    assert members.operator_ensure_membership(db, user, org, Role.ADMIN)
    added, changed = _events(db, "member.added"), _events(db, "member.role_changed")
    assert [e.detail for e in added] == [{"role": "member", "user": user.email, "via": "cli"}]
    assert [e.detail for e in changed] == [
        {"from": "member", "to": "admin", "user": user.email, "via": "cli"}]
    assert {e.organization_id for e in added + changed} == {org.id}


def test_operator_reactivation_is_audited(db):
    org = make_org(db)
    membership = add_member(db, org, role=Role.MEMBER)
    membership.is_active = False
    db.add(membership)
    db.commit()
    assert members.operator_ensure_membership(db, user_of(db, membership), org, Role.MEMBER)
    assert len(_events(db, "member.activated")) == 1


def test_an_operators_organization_and_confirmation_are_audited(db):
    org = orgs.operator_create_organization(db, name="Tenant", slug="tenant")
    user = make_user(db, verified=False)
    verification.mark_verified(db, user)
    verification.mark_verified(db, user)  # already confirmed: nothing more to record
    [created] = _events(db, "tenant.created")
    assert created.organization_id == org.id and created.detail["via"] == "cli"
    assert len([e for e in _events(db, "user.email_verified")
                if e.target_id == str(user.id)]) == 1
