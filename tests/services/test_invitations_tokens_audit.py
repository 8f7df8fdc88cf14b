"""Invitations, API tokens and the audit log."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from projecthub.core.security import hash_token
from projecthub.models import Invitation, Role
from projecthub.services import api_tokens, audit, invitations, members
from projecthub.services.principal import actor_for
from tests.factories import add_member, make_org, make_user, owner_principal, principal


def _token(link: str) -> str:
    return link.rsplit("/", 1)[1]


def test_invitation_is_a_single_use_link_that_joins_with_the_role(db):
    org = make_org(db)
    created = invitations.create_invitation(db, owner_principal(db, org), email="New@Example.com",
                                            role="admin")
    assert created.link.startswith("http") and "/invite/inv_" in created.link
    user = make_user(db, email="new@example.com")
    token = _token(created.link)
    assert invitations.preview_invitation(db, token).role == Role.ADMIN
    invitations.accept_invitation(db, actor_for(user), token)
    assert principal(db, user, org).role == Role.ADMIN
    with pytest.raises(NotFound, match="already been used"):
        invitations.accept_invitation(db, actor_for(user), token)


def test_invitation_token_is_stored_hashed(db):
    org = make_org(db)
    created = invitations.create_invitation(db, owner_principal(db, org), email="a@example.com",
                                            role="member")
    token = _token(created.link)
    db.flush()
    table = Invitation.__table__
    row = db.execute(select(table).where(table.c.id == created.invitation.id)).one()
    assert row.token_hash == hash_token(token)
    assert not any(token in str(value) for value in row)


def test_expired_invitation_cannot_be_accepted(db, monkeypatch):
    org = make_org(db)
    created = invitations.create_invitation(db, owner_principal(db, org), email="a@example.com",
                                            role="member")
    later = utcnow() + timedelta(days=8)
    monkeypatch.setattr(invitations, "utcnow", lambda: later)
    with pytest.raises(NotFound, match="expired"):
        invitations.accept_invitation(db, actor_for(make_user(db, email="a@example.com")),
                                      _token(created.link))


def test_revoked_invitation_cannot_be_accepted(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    created = invitations.create_invitation(db, owner, email="a@example.com", role="member")
    invitations.revoke_invitation(db, owner, created.invitation.id)
    assert invitations.list_pending(db, owner) == []
    with pytest.raises(NotFound):
        invitations.preview_invitation(db, _token(created.link))


def test_invitation_for_another_email_is_refused(db):
    org = make_org(db)
    created = invitations.create_invitation(db, owner_principal(db, org), email="a@example.com",
                                            role="member")
    with pytest.raises(PermissionDenied, match=r"a@example\.com"):
        invitations.accept_invitation(db, actor_for(make_user(db)), _token(created.link))


def test_inviting_an_existing_member_is_a_conflict_and_members_cannot_invite(db):
    org = make_org(db)
    m = add_member(db, org)
    owner = owner_principal(db, org)
    member_user = members.list_members(db, owner)
    email = next(v.email for v in member_user if v.id == m.id)
    with pytest.raises(Conflict):
        invitations.create_invitation(db, owner, email=email, role="member")
    from projecthub.models import User

    as_member = principal(db, db.get(User, m.user_id), org)
    with pytest.raises(PermissionDenied):
        invitations.create_invitation(db, as_member, email="x@example.com", role="viewer")


def test_reinviting_replaces_the_pending_invitation(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    first = invitations.create_invitation(db, owner, email="a@example.com", role="member")
    invitations.create_invitation(db, owner, email="a@example.com", role="viewer")
    assert [i.role for i in invitations.list_pending(db, owner)] == [Role.VIEWER]
    with pytest.raises(NotFound):
        invitations.preview_invitation(db, _token(first.link))


def test_api_token_resolves_to_its_org_and_can_be_revoked(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    created = api_tokens.create_api_token(db, owner, name="CI")
    assert created.secret.startswith("pht_") and created.token.hint == created.secret[-4:]
    assert created.secret not in created.token.token_hash
    assert api_tokens.resolve_api_token(db, created.secret).org_id == org.id
    listed = api_tokens.list_api_tokens(db, owner.actor)
    assert [(v.id, v.name, v.hint) for v in listed] == [(created.token.id, "CI",
                                                         created.secret[-4:])]
    api_tokens.revoke_api_token(db, owner.actor, created.token.id)
    with pytest.raises(NotAuthenticated):
        api_tokens.resolve_api_token(db, created.secret)


def test_someone_elses_api_token_cannot_be_revoked(db):
    org = make_org(db)
    created = api_tokens.create_api_token(db, owner_principal(db, org), name="CI")
    with pytest.raises(NotFound):
        api_tokens.revoke_api_token(db, actor_for(make_user(db)), created.token.id)


def test_audit_log_records_actions_and_filters_by_actor_and_action(db):
    org = make_org(db)
    owner = owner_principal(db, org)
    invitations.create_invitation(db, owner, email="a@example.com", role="member")
    page = audit.list_events(db, owner)
    assert {"org.created", "invitation.created"} <= {e.action for e in page.events}
    only = audit.list_events(db, owner, action="invitation.created")
    assert [e.action for e in only.events] == ["invitation.created"]
    assert audit.list_events(db, owner, actor_email="nobody@example.com").total == 0
    assert owner.email in page.actors


def test_audit_log_is_for_admins_only(db):
    org = make_org(db)
    m = add_member(db, org)
    from projecthub.models import User

    with pytest.raises(PermissionDenied):
        audit.list_events(db, principal(db, db.get(User, m.user_id), org))
