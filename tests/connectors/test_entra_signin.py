"""Sign in with Microsoft against the sandbox's Entra ID: MSAL's code flow with PKCE, state and
nonce, and the ID token checks (signature from the JWKS, issuer, audience, expiry, tenant)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from projecthub.connectors.entra_signin import (
    CONSUMERS_TENANT,
    EntraApp,
    EntraSignIn,
    SignInRejected,
    validate_id_token,
)
from projecthub.sandbox import SandboxApp, create_sandbox_app
from projecthub.sandbox.entra_signin import directory_of, object_id_of
from tests.sandbox.entra_signin import (
    APP_ID,
    APP_SECRET,
    REDIRECT_URI,
    SANDBOX_LOGIN,
    pick_account,
    sign_in_directory,
)

APP = EntraApp(client_id=APP_ID, client_secret=APP_SECRET, login_url=SANDBOX_LOGIN)
NONCE = "flow-nonce"


@pytest.fixture(scope="module")
def sandbox() -> SandboxApp:
    return create_sandbox_app(seed_demo=False)


@pytest.fixture
async def http(sandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox)) as client:
        yield client


async def run_flow(sandbox: SandboxApp, http: httpx.AsyncClient, email: str,
                   app: EntraApp = APP, tamper=None):
    async with EntraSignIn(app, transport=httpx.ASGITransport(app=sandbox)) as entra:
        flow, url = await entra.start(REDIRECT_URI)
        reply = await pick_account(http, url, email, "Ada Lovelace")
        if tamper:
            reply = tamper(reply)
        return flow, url, await entra.finish(flow, reply)


async def test_the_code_flow_signs_a_person_in_with_pkce_and_a_verified_email(sandbox, http):
    flow, url, identity = await run_flow(sandbox, http, "ada@projecthub.example")
    assert url.startswith(f"{SANDBOX_LOGIN}/organizations/oauth2/v2.0/authorize?")
    assert "code_challenge=" in url and "code_challenge_method=S256" in url
    assert flow["code_verifier"] not in url
    assert identity.tenant_id == directory_of("ada@projecthub.example")
    assert identity.object_id == object_id_of("ada@projecthub.example")
    assert (identity.email, identity.name) == ("ada@projecthub.example", "Ada Lovelace")


async def test_a_replayed_or_foreign_state_is_refused(sandbox, http):
    with pytest.raises(SignInRejected, match="does not belong to the one started"):
        await run_flow(sandbox, http, "eve@projecthub.example",
                       tamper=lambda reply: {**reply, "state": "someone-elses"})


async def test_a_code_redeemed_twice_is_refused(sandbox, http):
    async with EntraSignIn(APP, transport=httpx.ASGITransport(app=sandbox)) as entra:
        flow, url = await entra.start(REDIRECT_URI)
        reply = await pick_account(http, url, "bo@projecthub.example")
        await entra.finish(flow, reply)
        with pytest.raises(SignInRejected, match="refused") as refused:
            await entra.finish(flow, reply)
        assert "AADSTS70008" in refused.value.detail


@pytest.mark.parametrize(("claims", "message"), [
    ({"aud": "00000000-0000-0000-0000-00000000beef"}, "another application"),
    ({"exp": int(time.time()) - 3600}, "expired"),
    ({"nonce": "0" * 64}, "does not belong"),
    ({"iss": "https://evil.example/v2.0"}, "unexpected authority"),
])
async def test_an_id_token_with_wrong_claims_from_the_token_endpoint_is_refused(
        sandbox, http, claims, message):
    sign_in_directory(sandbox).next_claims = claims
    with pytest.raises(SignInRejected, match=message):
        await run_flow(sandbox, http, "cy@projecthub.example")


async def test_a_single_tenant_instance_refuses_another_directory(sandbox, http):
    app = EntraApp(client_id=APP_ID, client_secret=APP_SECRET, login_url=SANDBOX_LOGIN,
                   tenant=directory_of("x@contoso.example"))
    with pytest.raises(SignInRejected, match="directory that may not sign"):
        sign_in_directory(sandbox).next_claims = {
            "tid": directory_of("x@projecthub.example"),
            "iss": f"https://login.microsoftonline.com/{directory_of('x@projecthub.example')}/v2.0"}
        await run_flow(sandbox, http, "dee@contoso.example", app=app)


def _token(sandbox: SandboxApp, **changes) -> tuple[str, dict]:
    directory = sign_in_directory(sandbox)
    claims = directory.id_token_claims(client_id=APP_ID, email="fay@projecthub.example",
                                       name="Fay", nonce=_nonce_hash())
    claims.update(changes)
    return directory.sign(claims), directory.jwks()


def _nonce_hash() -> str:
    return hashlib.sha256(NONCE.encode()).hexdigest()


def _validate(token: str, jwks: dict, app: EntraApp = APP, now: float | None = None):
    return validate_id_token(token, jwks=jwks, app=app, nonce=NONCE,
                             now=time.time() if now is None else now)


def test_a_token_signed_by_the_sandbox_key_is_accepted(sandbox):
    identity = _validate(*_token(sandbox))
    assert identity.email == "fay@projecthub.example"


def test_a_token_signed_with_a_forged_key_is_refused(sandbox):
    claims = sign_in_directory(sandbox).id_token_claims(
        client_id=APP_ID, email="fay@projecthub.example", name="Fay", nonce=_nonce_hash())
    forged = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = sign_in_directory(sandbox).kid
    token = jwt.encode(claims, forged, algorithm="RS256", headers={"kid": kid})
    with pytest.raises(SignInRejected, match="could not be verified"):
        _validate(token, sign_in_directory(sandbox).jwks())


def test_a_tampered_payload_is_refused(sandbox):
    token, jwks = _token(sandbox)
    header, _payload, signature = token.split(".")
    _other, payload, _ = _token(sandbox, email="mallory@projecthub.example")[0].split(".")
    with pytest.raises(SignInRejected, match="could not be verified"):
        _validate(f"{header}.{payload}.{signature}", jwks)


def test_an_unsigned_token_is_refused(sandbox):
    claims = jwt.decode(_token(sandbox)[0], options={"verify_signature": False})
    kid = sign_in_directory(sandbox).kid
    token = jwt.encode(claims, None, algorithm="none", headers={"kid": kid})
    with pytest.raises(SignInRejected, match="could not be verified"):
        _validate(token, sign_in_directory(sandbox).jwks())


def test_expiry_is_checked_against_the_given_clock(sandbox):
    token, jwks = _token(sandbox)
    with pytest.raises(SignInRejected, match="expired"):
        _validate(token, jwks, now=time.time() + 3 * 3600)


def test_personal_accounts_are_refused_by_an_organizations_instance(sandbox):
    token, jwks = _token(sandbox, tid=CONSUMERS_TENANT,
                         iss=f"https://login.microsoftonline.com/{CONSUMERS_TENANT}/v2.0")
    with pytest.raises(SignInRejected, match="directory that may not sign"):
        _validate(token, jwks)


def test_an_email_the_domain_owner_did_not_verify_is_not_used(sandbox):
    token, jwks = _token(sandbox, xms_edov=False)
    assert _validate(token, jwks).email is None
