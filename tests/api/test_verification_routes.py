"""Email confirmation over REST: sign-up mails a link; signing up through an invitation joins
only once the address is confirmed; resend needs a token and is rate-limited."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import Membership, OutboxMessage, User
from projecthub.services import invitations
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.api.tokens import bearer
from tests.factories import PASSWORD, make_org, make_user, owner_principal
from tests.mail_fixtures import link_in

VERIFY_LIMIT = MAIL_LIMITS[MailAction.VERIFY].per_address


def _verify_token(db, to: str) -> str:
    db.expire_all()
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == to,
                                                  OutboxMessage.kind == "verify_email")).one()
    return link_in(message.body_text, "/verify-email/").rsplit("/", 1)[1]


def test_signup_through_an_invitation_joins_after_confirmation(client, db):
    org = make_org(db, name="Acme")
    created = invitations.create_invitation(db, owner_principal(db, org),
                                            email="bob@example.com", role="member")
    db.commit()
    response = client.post("/api/v1/auth/signup", json={
        "email": "bob@example.com", "password": PASSWORD,
        "invitation_token": created.link.rsplit("/", 1)[1]})
    assert response.status_code == 202, response.text
    bob = db.exec(select(User).where(User.email == "bob@example.com")).one()
    assert bob.email_verified_at is None
    assert db.exec(select(Membership).where(Membership.user_id == bob.id)).all() == []

    confirmed = client.post("/api/v1/auth/verify-email",
                            json={"token": _verify_token(db, "bob@example.com")})
    assert confirmed.status_code == 200
    db.expire_all()
    assert db.exec(select(Membership).where(Membership.user_id == bob.id)).one()


def test_tampered_confirmation_link_is_refused(client):
    response = client.post("/api/v1/auth/verify-email", json={"token": "phv_nope"})
    assert response.status_code == 404 and "not valid" in response.json()["detail"]


def test_resend_with_an_api_token_is_rate_limited(client, db):
    user = make_user(db, verified=False)
    headers = bearer(db, user, make_org(db, user))  # sign-up's own org needs no confirmation
    statuses = [client.post("/api/v1/auth/verify-email/resend", headers=headers).status_code
                for _ in range(VERIFY_LIMIT + 1)]
    assert statuses == [202] * VERIFY_LIMIT + [429]
    assert client.post("/api/v1/auth/verify-email/resend").status_code == 401

