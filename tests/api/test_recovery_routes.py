"""Password reset over REST: same 202 for any address, the link spent once, sessions and API
tokens gone, 429 past the rate limit, cross-site posts refused."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import OutboxMessage
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.api.tokens import bearer
from tests.factories import PASSWORD, make_org, make_user
from tests.mail_fixtures import link_in

NEW_PASSWORD = "a brand new passphrase"
PER_ADDRESS_LIMIT = MAIL_LIMITS[MailAction.RESET].per_address


def _reset_token(db) -> str:
    db.expire_all()
    message = db.exec(select(OutboxMessage)).one()
    return link_in(message.body_text, "/reset-password/").rsplit("/", 1)[1]


def test_reset_request_answers_alike_for_known_and_unknown_addresses(client, db):
    make_user(db, email="ada@example.com")
    known = client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})
    unknown = client.post("/api/v1/auth/password-reset", json={"email": "who@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()


def test_reset_ends_sessions_and_tokens_and_the_new_password_works(client, db):
    user = make_user(db, email="ada@example.com")
    org = make_org(db, user)
    headers = bearer(db, user, org)
    client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": PASSWORD})
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})
    token = _reset_token(db)

    done = client.post("/api/v1/auth/password-reset/confirm",
                       json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    again = client.post("/api/v1/auth/password-reset/confirm",
                        json={"token": token, "password": "yet another passphrase"})
    assert again.status_code == 404 and "already been used" in again.json()["detail"]
    old = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                   "password": PASSWORD})
    new = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                   "password": NEW_PASSWORD})
    assert (old.status_code, new.status_code) == (401, 200)


def test_tampered_link_gets_a_clear_message(client, db):
    response = client.post("/api/v1/auth/password-reset/confirm",
                           json={"token": "phr_made-up-token", "password": NEW_PASSWORD})
    assert response.status_code == 404 and "not valid" in response.json()["detail"]


def test_reset_requests_are_rate_limited(client, db):
    for _ in range(PER_ADDRESS_LIMIT):
        client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})
    limited = client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"})
    assert limited.status_code == 429 and "retry-after" in limited.headers


def test_reset_from_another_site_is_refused(client, db):
    response = client.post("/api/v1/auth/password-reset", json={"email": "ada@example.com"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
