"""Account actions over REST with the same rules as the UI (issue 11, flow 8): email change by
API token and by the browser's cookie, its confirmation, password change by API token, and the
mail rate limits answering 429 with Retry-After whatever the address."""

from __future__ import annotations

from sqlmodel import select

from projecthub.models import OutboxMessage
from projecthub.services.throttle import MAIL_LIMITS, MailAction
from tests.api.tokens import bearer
from tests.factories import PASSWORD, make_org, make_user
from tests.mail_fixtures import link_in

NEW_PASSWORD = "a brand new passphrase"


def _confirm_token(db, to: str) -> str:
    db.expire_all()
    message = db.exec(select(OutboxMessage).where(OutboxMessage.to_address == to)).one()
    return link_in(message.body_text, "/confirm-email/").rsplit("/", 1)[1]


def test_email_change_by_api_token_from_request_to_confirmation(client, db):
    ada = make_user(db, email="ada@example.com")
    headers = bearer(db, ada, make_org(db, ada))
    asked = client.post("/api/v1/me/email-change", headers=headers,
                        json={"new_email": "ada@new.example", "password": PASSWORD})
    assert asked.status_code == 202, asked.text
    assert asked.json()["new_email"] == "ada@new.example"
    assert "ada@new.example" in asked.json()["detail"]
    pending = client.get("/api/v1/me/email-change", headers=headers)
    assert pending.json()["new_email"] == "ada@new.example"
    assert client.get("/api/v1/me", headers=headers).json()["email"] == "ada@example.com"

    token = _confirm_token(db, "ada@new.example")
    done = client.post("/api/v1/auth/email-change/confirm", json={"token": token})
    assert done.status_code == 200 and done.json() == {"email": "ada@new.example"}
    assert client.get("/api/v1/me", headers=headers).json()["email"] == "ada@new.example"
    assert client.get("/api/v1/me/email-change", headers=headers).status_code == 404
    again = client.post("/api/v1/auth/email-change/confirm", json={"token": token})
    assert again.status_code == 404 and "already been used" in again.json()["detail"]


def test_the_answer_is_the_same_whether_or_not_the_new_address_is_taken(client, db):
    ada = make_user(db, email="ada@example.com")
    make_user(db, email="bob@example.com")
    headers = bearer(db, ada, make_org(db, ada))
    answers = [client.post("/api/v1/me/email-change", headers=headers,
                           json={"new_email": address, "password": PASSWORD})
               for address in ("bob@example.com", "nobody@example.com")]
    assert [a.status_code for a in answers] == [202, 202]
    first, second = (a.json() for a in answers)
    assert first["detail"].replace("bob@example.com", "X") == \
        second["detail"].replace("nobody@example.com", "X")
    assert set(first) == set(second)


def test_wrong_password_names_the_field_and_a_cancelled_change_cannot_be_confirmed(client, db):
    ada = make_user(db, email="ada@example.com")
    headers = bearer(db, ada, make_org(db, ada))
    wrong = client.post("/api/v1/me/email-change", headers=headers,
                        json={"new_email": "ada@new.example", "password": "nope"})
    assert wrong.status_code == 422 and "password" in wrong.json()["fields"]
    client.post("/api/v1/me/email-change", headers=headers,
                json={"new_email": "ada@new.example", "password": PASSWORD})
    token = _confirm_token(db, "ada@new.example")
    assert client.delete("/api/v1/me/email-change", headers=headers).status_code == 204
    assert client.delete("/api/v1/me/email-change", headers=headers).status_code == 404
    refused = client.post("/api/v1/auth/email-change/confirm", json={"token": token})
    assert refused.status_code == 404


def test_browser_email_change_keeps_the_confirming_session_and_ends_the_others(client, db):
    make_user(db, email="ada@example.com")
    credentials = {"email": "ada@example.com", "password": PASSWORD}
    other = client.post("/api/v1/auth/login", json=credentials).cookies
    client.cookies.clear()
    assert client.post("/api/v1/auth/login", json=credentials).status_code == 200
    asked = client.post("/api/v1/auth/email-change",
                        json={"new_email": "ada@new.example", "password": PASSWORD})
    assert asked.status_code == 202, asked.text
    done = client.post("/api/v1/auth/email-change/confirm",
                       json={"token": _confirm_token(db, "ada@new.example")})
    assert done.status_code == 200
    same_browser = client.post("/api/v1/auth/email-change",
                               json={"new_email": "ada@third.example", "password": "x"})
    assert same_browser.status_code == 422  # still signed in: only the password was wrong
    client.cookies.clear()
    client.cookies.update(other)
    ended = client.post("/api/v1/auth/email-change",
                        json={"new_email": "ada@third.example", "password": PASSWORD})
    assert ended.status_code == 401


def test_email_change_from_another_site_is_refused(client, db):
    response = client.post("/api/v1/auth/email-change/confirm", json={"token": "phe_x"},
                           headers={"Origin": "https://evil.example"})
    assert response.status_code == 403


def test_password_change_by_api_token_revokes_every_token(client, db):
    ada = make_user(db, email="ada@example.com")
    org = make_org(db, ada)
    headers, spare = bearer(db, ada, org), bearer(db, ada, org)
    wrong = client.post("/api/v1/me/password", headers=headers,
                        json={"current_password": "nope", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["fields"]
    done = client.post("/api/v1/me/password", headers=headers,
                       json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert done.status_code == 200 and done.json() == {"api_tokens_revoked": 2}
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me", headers=spare).status_code == 401
    login = client.post("/api/v1/auth/login",
                        json={"email": "ada@example.com", "password": NEW_PASSWORD})
    assert login.status_code == 200


def test_api_token_created_over_the_api_is_shown_once(client, db):
    ada = make_user(db, email="ada@example.com")
    headers = bearer(db, ada, make_org(db, ada))
    created = client.post("/api/v1/me/api-tokens", headers=headers, json={"name": "ci"})
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/v1/me/api-tokens", headers=headers).json()
    assert secret not in str(listed) and {t["name"] for t in listed} == {"test", "ci"}
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).is_success


def test_every_mail_action_is_limited_with_retry_after_and_the_same_body(client, db):
    """Per address: a known and an unknown address hit the limit alike."""
    make_user(db, email="ada@example.com")
    limit = MAIL_LIMITS[MailAction.RESET].per_address
    bodies = {}
    for address in ("ada@example.com", "nobody@example.com"):
        for _ in range(limit):
            client.post("/api/v1/auth/password-reset", json={"email": address})
        limited = client.post("/api/v1/auth/password-reset", json={"email": address})
        assert limited.status_code == 429
        assert 0 < int(limited.headers["retry-after"]) <= 3600
        bodies[address] = limited.json()
    assert bodies["ada@example.com"] == bodies["nobody@example.com"]


def test_sign_up_is_limited_per_address_known_or_not(client, db):
    make_user(db, email="ada@example.com")
    for address in ("ada@example.com", "new@example.com"):
        statuses = [client.post("/api/v1/auth/signup", json={
            "email": address, "password": PASSWORD}).status_code
            for _ in range(MAIL_LIMITS[MailAction.SIGNUP].per_address + 1)]
        # the new address's first sign-up creates the account; later ones find it taken
        assert statuses[-1] == 429 and set(statuses[:-1]) == {202}, (address, statuses)


def test_invitations_are_limited_per_invited_address(client, db):
    owner = make_user(db)
    org = make_org(db, owner)
    headers = bearer(db, owner, org)
    url = f"/api/v1/orgs/{org.slug}/invitations"
    statuses = [client.post(url, headers=headers, json={"email": "x@example.com"}).status_code
                for _ in range(MAIL_LIMITS[MailAction.INVITE].per_address + 1)]
    assert statuses[-1] == 429 and set(statuses[:-1]) == {201}
    [invitation] = client.get(url, headers=headers).json()
    resent = client.post(f"{url}/{invitation['id']}/resend", headers=headers)
    assert resent.status_code == 429 and "retry-after" in resent.headers
    assert client.post(url, headers=headers, json={"email": "y@example.com"}).status_code == 201
