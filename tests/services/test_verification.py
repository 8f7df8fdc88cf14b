"""Email verification (issue 10, finding 5): an address registered ahead of its owner collects
nothing; a 24-hour single-use link confirms it; resend is rate-limited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from projecthub.core.clock import utcnow
from projecthub.core.errors import Conflict, PermissionDenied, TooManyAttempts
from projecthub.models import Invitation, Membership, OutboxMessage, Role, User
from projecthub.services import account_links, admin, invitations, verification
from projecthub.services.account_links import LinkUnusable
from projecthub.services.principal import actor_for
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.factories import make_org, make_user, owner_principal
from tests.mail_fixtures import link_in


def _token(db, to: str) -> str:
    db.expire_all()
    newest = db.exec(select(OutboxMessage).where(
        OutboxMessage.to_address == to, OutboxMessage.kind == "verify_email",
    ).order_by(col(OutboxMessage.created_at).desc())).first()
    assert newest is not None
    return link_in(newest.body_text, "/verify-email/").rsplit("/", 1)[1]


def _squatter(db) -> User:
    """Someone who signed up with the CEO's address before the CEO did."""
    user = make_user(db, email="ceo@bigcorp.example", verified=False)
    verification.send_verification(db, user)
    db.commit()
    return user


def test_unverified_account_cannot_accept_an_invitation(db):
    squatter = _squatter(db)
    created = invitations.create_invitation(db, owner_principal(db, make_org(db)),
                                            email="ceo@bigcorp.example", role="admin")
    with pytest.raises(PermissionDenied, match="Confirm your email"):
        invitations.accept_invitation(db, actor_for(squatter), created.link.rsplit("/", 1)[1])


def test_operator_tenant_for_an_unverified_owner_invites_instead_of_attaching(db):
    squatter = _squatter(db)
    root = make_user(db, admin=True)
    org = admin.create_tenant(db, actor_for(root), name="BigCorp", slug="bigcorp",
                              owner_email="ceo@bigcorp.example")
    assert db.exec(select(Membership).where(Membership.organization_id == org.id)).all() == []
    invitation = db.exec(select(Invitation).where(Invitation.organization_id == org.id)).one()
    assert (invitation.email, invitation.role) == (squatter.email, Role.OWNER)
    mailed = db.exec(select(OutboxMessage).where(OutboxMessage.kind == "invitation")).one()
    assert mailed.to_address == "ceo@bigcorp.example"


def test_verified_owner_is_attached_at_once(db):
    owner = make_user(db, email="ceo@bigcorp.example")
    root = make_user(db, admin=True)
    org = admin.create_tenant(db, actor_for(root), name="BigCorp", slug="bigcorp",
                              owner_email=owner.email)
    [membership] = db.exec(select(Membership).where(Membership.organization_id == org.id)).all()
    assert (membership.user_id, membership.role) == (owner.id, Role.OWNER)


def test_link_confirms_the_address_once(db):
    user = _squatter(db)
    token = _token(db, user.email)
    result = verification.verify_email(db, token)
    db.commit()
    assert result.user.email_verified_at is not None and result.joined is None
    with pytest.raises(LinkUnusable, match="already been used"):
        verification.verify_email(db, token)


def test_link_expires_after_24_hours(db, monkeypatch):
    user = _squatter(db)
    token = _token(db, user.email)
    later = utcnow() + timedelta(hours=24, seconds=1)
    monkeypatch.setattr(account_links, "utcnow", lambda: later)
    with pytest.raises(LinkUnusable, match="expired"):
        verification.verify_email(db, token)


def test_sign_up_through_an_invitation_joins_once_confirmed(db):
    org = make_org(db, name="Acme")
    created = invitations.create_invitation(db, owner_principal(db, org),
                                            email="bob@example.com", role="member")
    bob = make_user(db, email="bob@example.com", verified=False)
    invitation_id = invitations.invitation_for_signup(
        db, created.link.rsplit("/", 1)[1], bob.email)
    verification.send_verification(db, bob, invitation_id=invitation_id)
    db.commit()
    result = verification.verify_email(db, _token(db, bob.email))
    db.commit()
    assert result.joined is not None and result.joined.id == org.id
    assert db.exec(select(Membership).where(Membership.user_id == bob.id)).one().role == \
        Role.MEMBER


def test_resend_keeps_the_invitation_and_retires_the_old_link(db):
    org = make_org(db)
    created = invitations.create_invitation(db, owner_principal(db, org),
                                            email="bob@example.com", role="viewer")
    bob = make_user(db, email="bob@example.com", verified=False)
    verification.send_verification(db, bob, invitation_id=created.invitation.id)
    db.commit()
    first = _token(db, bob.email)
    verification.resend_verification(db, actor_for(bob), client_ip="203.0.113.1")
    db.commit()
    with pytest.raises(LinkUnusable):
        verification.verify_email(db, first)
    db.rollback()
    assert verification.verify_email(db, _token(db, bob.email)).joined is not None


def test_resend_is_rate_limited_and_refused_once_verified(db):
    user = _squatter(db)
    for _ in range(MAIL_LIMITS[MailAction.VERIFY].per_address):
        verification.resend_verification(db, actor_for(user), client_ip="203.0.113.1")
        db.commit()
    with pytest.raises(TooManyAttempts):
        verification.resend_verification(db, actor_for(user), client_ip="203.0.113.1")
    db.rollback()
    with pytest.raises(Conflict):
        verification.resend_verification(db, actor_for(make_user(db)), client_ip="203.0.113.1")
