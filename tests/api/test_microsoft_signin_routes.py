"""Sign in with Microsoft over HTTP: full-page start and callback, the HttpOnly session cookie,
linking an existing account after its password, and readable refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlmodel import select

from projecthub.core.config import settings
from projecthub.core.web import microsoft_cookie_name, session_cookie_name
from projecthub.models import Membership, MicrosoftIdentity, MicrosoftSignIn, Role, User
from projecthub.sandbox.entra_signin import directory_of
from projecthub.services import microsoft_orgs, microsoft_signin, sessions, signup_policy
from projecthub.services.principal import actor_for
from tests.api.microsoft import ORIGIN, Entra, pick, reason, serve_entra, sign_in, start
from tests.api.tokens import bearer
from tests.factories import PASSWORD, add_member, make_org, make_user, principal, user_of


@pytest.fixture
def entra(monkeypatch) -> Iterator[Entra]:
    yield from serve_entra(monkeypatch)


def _users(db) -> list[User]:
    db.expire_all()
    return list(db.exec(select(User)).all())


def test_start_redirects_to_the_authorize_page_and_keeps_the_flow_server_side(client, db,
                                                                             entra):
    response = start(client)
    location = response.headers["location"]
    assert location.startswith("http://testserver/sandbox/graph/login/organizations/oauth2/")
    assert "code_challenge=" in location and "nonce=" in location
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{microsoft_cookie_name()}=") and "HttpOnly" in cookie
    row = db.exec(select(MicrosoftSignIn)).one()
    assert row.flow["code_verifier"] not in location
    assert row.return_to == f"{ORIGIN}/projects"


def test_first_sign_in_creates_a_verified_account_and_a_session(client, db, entra):
    response = sign_in(client, entra, "ada@projecthub.example")
    assert response.status_code == 303
    assert response.headers["location"] == f"{ORIGIN}/projects"
    set_cookie = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in set_cookie if c.startswith(f"{session_cookie_name()}="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    user = db.exec(select(User)).one()
    assert (user.email, user.display_name) == ("ada@projecthub.example", "Ada Lovelace")
    assert user.email_verified_at is not None
    link = db.exec(select(MicrosoftIdentity)).one()
    assert (link.user_id, link.tenant_id) == (user.id, directory_of("ada@projecthub.example"))
    context = sessions.resolve_session(db, client.cookies[session_cookie_name()])
    assert context.actor.user_id == user.id
    assert context.microsoft_tenant_id == link.tenant_id
    assert db.exec(select(MicrosoftSignIn)).all() == []


def test_signing_in_again_reaches_the_same_account(client, db, entra):
    sign_in(client, entra, "ada@projecthub.example")
    client.cookies.clear()
    again = sign_in(client, entra, "ada@projecthub.example")
    assert again.headers["location"] == f"{ORIGIN}/projects"
    assert len(_users(db)) == 1
    assert session_cookie_name() in client.cookies


def test_a_replayed_callback_is_refused(client, db, entra):
    callback = pick(entra, start(client).headers["location"], "ada@projecthub.example")
    first_cookie = client.cookies[microsoft_cookie_name()]
    assert client.get(callback, follow_redirects=False).status_code == 303
    client.cookies.clear()
    client.cookies.set(microsoft_cookie_name(), first_cookie)
    replay = client.get(callback, follow_redirects=False)
    assert reason(replay) == "expired_flow"
    assert session_cookie_name() not in replay.headers.get("set-cookie", "")


def test_a_callback_in_another_browser_is_refused(client, db, entra):
    callback = pick(entra, start(client).headers["location"], "ada@projecthub.example")
    client.cookies.clear()  # the link opened where the sign-in was not started
    response = client.get(callback, follow_redirects=False)
    assert reason(response) == "expired_flow"
    assert _users(db) == []


def test_a_forged_state_is_refused(client, db, entra):
    callback = pick(entra, start(client).headers["location"], "ada@projecthub.example")
    response = client.get(callback.replace("state=", "state=x"), follow_redirects=False)
    assert reason(response) == "replayed"
    assert _users(db) == []


def test_tokens_for_another_audience_or_expired_are_refused(client, db, entra):
    for claims, expected in (({"aud": "00000000-0000-0000-0000-00000000beef"}, "audience"),
                             ({"exp": int(time.time()) - 3600}, "expired")):
        entra.directory.next_claims = claims
        response = sign_in(client, entra, "ada@projecthub.example")
        assert reason(response) == expected
        assert response.headers["location"].startswith(f"{ORIGIN}/login?")
    assert _users(db) == []


def test_a_single_tenant_instance_refuses_other_directories(client, db, entra, monkeypatch):
    monkeypatch.setattr(settings, "MICROSOFT_TENANT", directory_of("x@contoso.example"))
    entra.directory.next_claims = {
        "tid": directory_of("x@projecthub.example"),
        "iss": f"https://login.microsoftonline.com/{directory_of('x@projecthub.example')}/v2.0"}
    response = sign_in(client, entra, "dee@contoso.example")
    assert reason(response) == "tenant"
    assert _users(db) == []


def test_an_unverified_email_creates_nothing(client, db, entra):
    entra.directory.next_claims = {"xms_edov": False}
    assert reason(sign_in(client, entra, "ada@projecthub.example")) == "no_email"
    assert _users(db) == []


def test_the_signup_policy_applies_to_new_accounts(client, db, entra):
    admin = make_user(db, admin=True)
    signup_policy.set_policy(db, actor_for(admin), policy="invite-only", domains=[])
    db.commit()
    assert reason(sign_in(client, entra, "ada@projecthub.example")) == "signup_closed"
    assert len(_users(db)) == 1


def test_an_existing_account_links_only_after_its_password(client, db, entra):
    user = make_user(db, email="ada@projecthub.example", verified=False)
    response = sign_in(client, entra, "ada@projecthub.example")
    assert response.headers["location"] == f"{ORIGIN}/login/microsoft?next=/projects"
    assert session_cookie_name() not in client.cookies
    wrong = client.post("/api/v1/auth/microsoft/link", json={"password": "not it at all"})
    assert wrong.status_code == 401
    assert db.exec(select(MicrosoftIdentity)).all() == []
    right = client.post("/api/v1/auth/microsoft/link", json={"password": PASSWORD})
    assert right.status_code == 200, right.text
    assert session_cookie_name() in client.cookies
    db.expire_all()
    assert db.exec(select(MicrosoftIdentity)).one().user_id == user.id
    assert db.get(User, user.id).email_verified_at is not None  # Entra vouched for it
    client.cookies.clear()
    again = sign_in(client, entra, "ada@projecthub.example")  # no password any more
    assert again.headers["location"] == f"{ORIGIN}/projects"


def test_linking_without_a_pending_sign_in_is_refused(client, db, entra):
    make_user(db, email="ada@projecthub.example")
    response = client.post("/api/v1/auth/microsoft/link", json={"password": PASSWORD})
    assert response.status_code == 401  # the pending sign-in is the credential
    assert "expired or was already used" in response.json()["detail"]


def test_return_addresses_stay_on_this_site(client, db, entra):
    response = start(client, next_path="//evil.example/x", origin="https://evil.example")
    row = db.exec(select(MicrosoftSignIn)).one()
    assert row.return_to == f"{settings.PUBLIC_URL.rstrip('/')}/dashboard"
    assert response.status_code == 303


def test_people_of_a_joining_directory_become_members(client, db, entra):
    owner = make_user(db, email="owner@projecthub.example")
    org = make_org(db, owner, slug="acme")
    db.add(MicrosoftIdentity(user_id=owner.id, tenant_id=directory_of("o@projecthub.example"),
                             object_id="0" * 8 + "-0000-0000-0000-" + "0" * 12,
                             username="owner@projecthub.example"))
    db.commit()
    microsoft_orgs.set_policy(db, principal(db, owner, org), require_microsoft=False,
                              allow_join=True, join_role="viewer")
    db.commit()
    sign_in(client, entra, "ada@projecthub.example")
    user = db.exec(select(User).where(User.email == "ada@projecthub.example")).one()
    membership = db.exec(select(Membership).where(Membership.user_id == user.id)).one()
    assert (membership.organization_id, membership.role) == (org.id, Role.VIEWER)
    other = sign_in(client, entra, "zed@fabrikam.example")  # another directory: no membership
    assert other.status_code == 303
    zed = db.exec(select(User).where(User.email == "zed@fabrikam.example")).one()
    assert db.exec(select(Membership).where(Membership.user_id == zed.id)).all() == []


def test_org_policy_routes_need_a_linked_account_and_bind_its_directory(client, db, entra):
    owner = make_user(db, email="owner@projecthub.example")
    org = make_org(db, owner, slug="acme")
    headers = bearer(db, owner, org)
    body = {"require_microsoft": True, "allow_join": True, "join_role": "member"}
    refused = client.put("/api/v1/orgs/acme/microsoft", json=body, headers=headers)
    assert refused.status_code == 422
    assert "Sign in with Microsoft once first" in refused.json()["detail"]
    sign_in(client, entra, "owner@projecthub.example")
    client.post("/api/v1/auth/microsoft/link", json={"password": PASSWORD})
    saved = client.put("/api/v1/orgs/acme/microsoft", json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    assert saved.json()["tenant_id"] == directory_of("owner@projecthub.example")
    assert client.get("/api/v1/orgs/acme/microsoft", headers=headers).json()["allow_join"]


def test_org_policy_routes_are_for_admins(client, db, entra):
    org = make_org(db, slug="acme")
    member = user_of(db, add_member(db, org, role=Role.MEMBER))
    response = client.get("/api/v1/orgs/acme/microsoft", headers=bearer(db, member, org))
    assert response.status_code == 403


def test_a_forged_host_header_never_chooses_where_this_server_fetches_keys(client, db, entra):
    """The sandbox's Entra ID is reached in process; a request's Host only moves the browser's
    own redirect (a fake Entra elsewhere could otherwise mint tokens for anyone)."""
    response = client.get("/api/v1/auth/microsoft/start", headers={"host": "evil.example"},
                          follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("http://evil.example/sandbox/")
    assert microsoft_signin.entra_app("http://evil.example/sandbox/graph/login").login_url == (
        microsoft_signin.SANDBOX_LOGIN)
