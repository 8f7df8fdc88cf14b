"""Browser sign-up, login and logout over HTTP with the HttpOnly cookie."""

from __future__ import annotations

from sqlmodel import select

from projecthub.core.security import pwd_context
from projecthub.core.web import session_cookie_name
from projecthub.models import OutboxMessage
from projecthub.services import sessions
from tests.factories import PASSWORD, make_org, make_user


def _cookie_header(response) -> str:
    return response.headers["set-cookie"]


def test_signup_then_login_gives_account_org_and_an_httponly_session(client, db):
    response = client.post("/api/v1/auth/signup", json={
        "email": "ada@example.com", "password": PASSWORD, "display_name": "Ada",
        "org_name": "Acme Agency"})
    assert response.status_code == 202, response.text
    assert "set-cookie" not in response.headers
    login = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                    "password": PASSWORD})
    header = _cookie_header(login)
    assert header.startswith(f"{session_cookie_name()}=")
    assert "HttpOnly" in header and "SameSite=lax" in header
    token = login.cookies[session_cookie_name()]
    context = sessions.resolve_session(db, token)
    assert context.actor.email == "ada@example.com" and context.current_org_id is not None


def test_signup_with_taken_slug_leaves_no_account_behind(client, db):
    make_org(db, slug="acme")
    response = client.post("/api/v1/auth/signup", json={
        "email": "ada@example.com", "password": PASSWORD, "org_name": "Acme", "org_slug": "acme"})
    assert response.status_code == 409
    retry = client.post("/api/v1/auth/signup", json={
        "email": "ada@example.com", "password": PASSWORD, "org_name": "Acme", "org_slug": "acme-2"})
    assert retry.status_code == 202


def test_signup_errors_name_the_field(client):
    response = client.post("/api/v1/auth/signup",
                           json={"email": "ada@example.com", "password": "password"})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "password": "This password is too common. Choose one that is harder to guess."}


def test_login_gives_the_same_answer_for_unknown_email_and_wrong_password(client, db):
    make_user(db, email="ada@example.com")
    unknown = client.post("/api/v1/auth/login",
                          json={"email": "who@example.com", "password": PASSWORD})
    wrong = client.post("/api/v1/auth/login",
                        json={"email": "ada@example.com", "password": "nope nope nope"})
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json() == {"detail": "Email or password is incorrect."}


def test_login_is_throttled_with_retry_after(client, db):
    make_user(db, email="ada@example.com")
    for _ in range(10):
        client.post("/api/v1/auth/login", json={"email": "ada@example.com", "password": "x" * 9})
    locked = client.post("/api/v1/auth/login",
                         json={"email": "ada@example.com", "password": PASSWORD})
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0


def test_logout_ends_the_session_server_side(client, db):
    make_user(db, email="ada@example.com")
    login = client.post("/api/v1/auth/login",
                        json={"email": "ada@example.com", "password": PASSWORD})
    token = login.cookies[session_cookie_name()]
    assert sessions.resolve_session(db, token)
    client.cookies.set(session_cookie_name(), token)
    assert client.post("/api/v1/auth/logout").status_code == 200
    import pytest

    from projecthub.core.errors import NotAuthenticated

    with pytest.raises(NotAuthenticated):
        sessions.resolve_session(db, token)


def test_cookie_endpoints_refuse_foreign_origins(client, db):
    make_user(db, email="ada@example.com")
    response = client.post("/api/v1/auth/login", headers={"Origin": "https://evil.example"},
                           json={"email": "ada@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "set-cookie" not in response.headers


def test_cors_does_not_allow_foreign_origins(client):
    response = client.options("/api/v1/health", headers={
        "Origin": "https://evil.example", "Access-Control-Request-Method": "GET"})
    assert response.headers.get("access-control-allow-origin") != "https://evil.example"


def test_malformed_json_is_a_422_not_a_500(client):
    response = client.post("/api/v1/auth/login", content=b"{not json",
                           headers={"Content-Type": "application/json"})
    assert response.status_code == 422


def test_password_change_from_the_browser_ends_every_session(client, db):
    make_user(db, email="ada@example.com")
    first = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                    "password": PASSWORD})
    token = first.cookies[session_cookie_name()]
    other = sessions.start_session(db, sessions_user(db))
    db.commit()
    client.cookies.set(session_cookie_name(), token)
    wrong = client.post("/api/v1/auth/password", json={"current_password": "nope nope",
                                                       "new_password": "a new passphrase!"})
    assert wrong.status_code == 422 and "current_password" in wrong.json()["fields"]
    changed = client.post("/api/v1/auth/password", json={"current_password": PASSWORD,
                                                         "new_password": "a new passphrase!"})
    assert changed.status_code == 200
    import pytest

    from projecthub.core.errors import NotAuthenticated

    for ended in (token, other):
        with pytest.raises(NotAuthenticated):
            sessions.resolve_session(db, ended)
    client.cookies.clear()
    anonymous = client.post("/api/v1/auth/password", json={"current_password": "x",
                                                           "new_password": "y"})
    assert anonymous.status_code == 401


def test_signup_answers_a_taken_and_a_new_email_alike(client, db, monkeypatch):
    make_user(db, email="ada@example.com")
    hashes = []
    real_hash = pwd_context.hash
    monkeypatch.setattr(pwd_context, "hash", lambda secret: hashes.append(1) or real_hash(secret))
    answers = []
    for email in ("ada@example.com", "bob@example.com"):
        before = len(hashes)
        response = client.post("/api/v1/auth/signup", json={
            "email": email, "password": "an attacker's guess", "org_name": f"Evil {email[0]}"})
        answers.append((response.status_code, response.json(), sorted(response.headers.keys()),
                        len(hashes) - before))
    assert answers[0] == answers[1]
    assert answers[0][0] == 202 and "set-cookie" not in answers[0][2]
    db.expire_all()  # each address got its own mail: the owner a warning, the new one a link
    mails = {(m.to_address, m.kind) for m in db.exec(select(OutboxMessage)).all()}
    assert mails == {("ada@example.com", "signup_taken"), ("bob@example.com", "verify_email")}
    taken = client.post("/api/v1/auth/login", json={"email": "ada@example.com",
                                                    "password": "an attacker's guess"})
    assert taken.status_code == 401
    assert client.post("/api/v1/auth/login", json={
        "email": "bob@example.com", "password": "an attacker's guess"}).status_code == 200


def test_signup_errors_do_not_depend_on_whether_the_email_is_taken(client, db):
    make_user(db, email="ada@example.com")
    make_org(db, slug="acme")
    for body in ({"password": PASSWORD, "org_name": "Acme", "org_slug": "acme"},
                 {"password": "password"},
                 {"password": PASSWORD, "invitation_token": "inv_nope"}):
        taken = client.post("/api/v1/auth/signup", json={"email": "ada@example.com", **body})
        new = client.post("/api/v1/auth/signup", json={"email": "bob@example.com", **body})
        assert (taken.status_code, taken.json()) == (new.status_code, new.json())
        assert taken.status_code >= 400


def sessions_user(db):
    from sqlmodel import select

    from projecthub.models import User

    return db.exec(select(User)).one()
