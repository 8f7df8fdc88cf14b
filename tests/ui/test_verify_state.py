"""The confirmation page spends the link; the banner shows until the address is confirmed."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import OutboxMessage
from projecthub.services import invitations, verification
from projecthub.ui.state.verify import VerifyState
from tests.factories import make_org, make_user, owner_principal
from tests.mail_fixtures import link_in
from tests.ui.tabs import browser_state


def test_banner_until_confirmed_then_the_link_confirms(db, as_user):
    user = make_user(db, verified=False)
    make_org(db, user)
    verification.send_verification(db, user)
    db.commit()
    with_banner = as_user(VerifyState, user)
    with_banner.require_login()
    assert with_banner.email_unverified
    path = link_in(db.exec(select(OutboxMessage)).one().body_text, "/verify-email/")
    page = browser_state(VerifyState, None, path=path.removeprefix("http://localhost:3000"))
    page.open_verify()
    assert page.verified and page.link_problem == ""
    page.open_verify()
    assert not page.verified and "already been used" in page.link_problem
    with_banner.require_login()
    assert not with_banner.email_unverified


def test_banner_resend_says_where_it_went(db, as_user):
    user = make_user(db, email="ada@example.com", verified=False)
    make_org(db, user)
    state = as_user(VerifyState, user)
    state.require_login()
    state.resend()
    assert state.errors == {}
    assert db.exec(select(OutboxMessage)).one().to_address == "ada@example.com"


def test_confirming_in_the_signed_in_browser_opens_the_joined_organization(db, as_user):
    org = make_org(db, name="Acme")
    created = invitations.create_invitation(db, owner_principal(db, org),
                                            email="bob@example.com", role="member")
    bob = make_user(db, email="bob@example.com", verified=False)
    verification.send_verification(db, bob, invitation_id=created.invitation.id)
    db.commit()
    path = link_in(db.exec(select(OutboxMessage).where(
        OutboxMessage.kind == "verify_email")).one().body_text, "/verify-email/")
    state = as_user(VerifyState, bob, path=path.removeprefix("http://localhost:3000"))
    state.open_verify()
    assert state.joined_org == "Acme"
    state.require_login()
    assert state.org_name == "Acme" and state.role == "member"
