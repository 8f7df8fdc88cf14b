"""People signing in with Microsoft Entra ID (OpenID Connect): MSAL's authorization-code flow
with PKCE, then our own validation of the ID token it returns.

MSAL keeps the flow's state, nonce and PKCE verifier in a dict (``start`` returns it; the caller
stores it server-side) and checks state and nonce when the browser comes back. Since 1.38 it
validates nothing else in the ID token, so :func:`validate_id_token` checks the signature
against the JWKS named by the OpenID configuration, the issuer (the token's own tenant under
this authority), the audience (our client id), expiry and the tenants this instance admits.
MSAL is synchronous: it runs in a worker thread and reaches Entra through ``LoopHttpClient`` on
the caller's event loop, the same bridge the Graph connector uses (``login_url`` serves the
authority's host from elsewhere, e.g. the sandbox).
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import msal

from projecthub.connectors.base import DEFAULT_TIMEOUT
from projecthub.connectors.clock import Clock, SystemClock
from projecthub.connectors.errors import ConnectorError
from projecthub.connectors.graph_auth import PUBLIC_CLOUD, LoopHttpClient

TOOL = "entra"
SCOPES = ["email"]  # MSAL adds openid, profile and offline_access itself
MULTI_TENANT = ("organizations", "common")
# Personal Microsoft accounts live in this tenant; "organizations" admits work accounts only.
CONSUMERS_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
CLOCK_SKEW_SECONDS = 120


# Why a sign-in is refused, by reason code (the edges put only the code in a URL).
REJECTIONS = {
    "signature": "Microsoft's answer could not be verified (it was altered or is not signed "
                 "by Microsoft). Please try again.",
    "expired": "This Microsoft sign-in has expired. Please sign in again.",
    "audience": "This Microsoft sign-in was issued for another application, not this one.",
    "issuer": "This Microsoft sign-in was issued by an unexpected authority.",
    "tenant": "Your Microsoft account belongs to a directory that may not sign in here. Use "
              "the work account of an organization this instance admits.",
    "replayed": "This Microsoft sign-in does not belong to the one started in this browser, or "
                "was already used. Please start again.",
    "cancelled": "The Microsoft sign-in was cancelled.",
    "refused": "Microsoft refused the sign-in. Please try again, or ask your administrator.",
}


class SignInRejected(Exception):
    """The sign-in cannot be accepted: ``reason`` (a key of ``REJECTIONS``) and ``message``
    for the person; ``detail`` (Entra's own words, AADSTS code) for the logs only."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.message = REJECTIONS[reason]
        self.detail = detail
        super().__init__(self.message)


@dataclass(frozen=True)
class EntraApp:
    """An app registration and the directories it admits (``organizations``, ``common`` or
    one tenant id). ``login_url`` serves ``authority``'s host from another address to this
    server, ``browser_login_url`` (default: the same) to the person's browser."""

    client_id: str
    client_secret: str
    tenant: str = "organizations"
    authority: str = PUBLIC_CLOUD
    login_url: str | None = None
    browser_login_url: str | None = None

    def __repr__(self) -> str:  # never the secret
        return f"EntraApp(client_id={self.client_id!r}, tenant={self.tenant!r})"


@dataclass(frozen=True)
class EntraIdentity:
    """Who signed in: a directory (``tid``) and an object in it (``oid``). ``email`` is set
    only when Entra vouches for it (``xms_edov``: the domain's owner verified it)."""

    tenant_id: str
    object_id: str
    username: str
    name: str
    email: str | None


def validate_id_token(token: str, *, jwks: Mapping[str, Any], app: EntraApp, nonce: str,
                      now: float) -> EntraIdentity:
    """The identity in an ID token, or :class:`SignInRejected` saying what is wrong with it.
    ``nonce`` is the flow's (the token carries its SHA-256, as MSAL sends it)."""
    try:
        header = jwt.get_unverified_header(token)
        key = jwt.PyJWKSet.from_dict(dict(jwks))[str(header.get("kid"))]
    except (jwt.PyJWTError, KeyError):
        raise SignInRejected("signature", "no key for the token's kid") from None
    try:
        claims = _decode(token, key, app, now)
    except jwt.ExpiredSignatureError:
        raise SignInRejected("expired") from None
    except jwt.InvalidAudienceError:
        raise SignInRejected("audience") from None
    except jwt.PyJWTError:
        raise SignInRejected("signature") from None
    tenant = str(claims["tid"]).lower()
    if claims["iss"] != f"{app.authority.rstrip('/')}/{tenant}/v2.0" or not _is_guid(tenant):
        raise SignInRejected("issuer", str(claims["iss"]))
    if not _tenant_admitted(app.tenant, tenant):
        raise SignInRejected("tenant", tenant)
    if claims.get("nonce") != hashlib.sha256(nonce.encode("ascii")).hexdigest():
        raise SignInRejected("replayed", "nonce mismatch")
    username = str(claims.get("preferred_username") or "")
    email = claims.get("email") if claims.get("xms_edov") is True else None
    return EntraIdentity(tenant_id=tenant, object_id=str(claims["oid"]).lower(),
                         username=username, name=str(claims.get("name") or username),
                         email=str(email).strip().lower() if email else None)


def _decode(token: str, key: jwt.PyJWK, app: EntraApp, now: float) -> dict[str, Any]:
    """PyJWT's checks at ``now`` (a fake clock in tests): expiry is checked here, not by it."""
    claims: dict[str, Any] = jwt.decode(
        token, key=key, algorithms=["RS256"], audience=app.client_id,
        options={"require": ["exp", "iat", "iss", "aud", "tid", "oid"], "verify_iss": False,
                 "verify_exp": False, "verify_nbf": False, "verify_iat": False})
    if not isinstance(claims["exp"], int | float) or claims["exp"] + CLOCK_SKEW_SECONDS < now:
        raise jwt.ExpiredSignatureError("expired")
    return claims


def _is_guid(value: str) -> bool:
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _tenant_admitted(configured: str, tenant: str) -> bool:
    if configured == "common":
        return True
    if configured == "organizations":
        return tenant != CONSUMERS_TENANT
    return tenant == configured.lower()


class EntraSignIn:
    """One sign-in's conversation with Entra ID: ``start`` then, once the browser is back,
    ``finish``. Each instance gets a fresh MSAL app and token cache, so no person's tokens
    outlive their request."""

    def __init__(self, app: EntraApp, *, transport: httpx.AsyncBaseTransport | None = None,
                 clock: Clock | None = None) -> None:
        self._app = app
        self._clock = clock or SystemClock()
        self._http = httpx.AsyncClient(transport=transport, timeout=DEFAULT_TIMEOUT,
                                       follow_redirects=False)
        self._bridge = LoopHttpClient(self._http, tool=TOOL, authority=app.authority,
                                      login_url=app.login_url, clock=self._clock)

    async def __aenter__(self) -> EntraSignIn:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self._http.aclose()

    async def start(self, redirect_uri: str) -> tuple[dict[str, Any], str]:
        """MSAL's flow (state, nonce, PKCE verifier: keep it server-side) and the address the
        browser goes to (on the sandbox when ``login_url`` is set)."""
        flow = await self._in_thread(lambda client: _initiate(client, redirect_uri))
        authority = self._app.authority.rstrip("/")
        url = str(flow["auth_uri"])
        browser = self._app.browser_login_url or self._app.login_url
        if browser and url.startswith(authority + "/"):
            url = browser.rstrip("/") + url[len(authority):]
        return dict(flow), url

    async def finish(self, flow: dict[str, Any], reply: Mapping[str, str]) -> EntraIdentity:
        """Check the browser's reply against ``flow`` (state), redeem the code (PKCE), then
        validate the ID token; every refusal is a :class:`SignInRejected`."""
        if reply.get("error"):
            raise _entra_refusal(reply)
        try:
            result = await self._in_thread(
                lambda client: client.acquire_token_by_auth_code_flow(flow, dict(reply)))
        except ValueError:  # MSAL: state missing or mismatched (a forged or replayed reply)
            raise SignInRejected("replayed", "state mismatch") from None
        except RuntimeError:  # MSAL: the ID token's nonce is not this flow's
            raise SignInRejected("replayed", "nonce mismatch") from None
        if "error" in result or not isinstance(result.get("id_token"), str):
            raise _entra_refusal(result)
        return validate_id_token(result["id_token"], jwks=await self._jwks(),
                                 app=self._app, nonce=str(flow["nonce"]),
                                 now=self._clock.now().timestamp())

    async def _jwks(self) -> dict[str, Any]:
        """Microsoft's signing keys, from the ``jwks_uri`` its OpenID configuration names."""
        authority = self._app.authority.rstrip("/")
        config = await self._get_json(
            f"{authority}/{self._app.tenant}/v2.0/.well-known/openid-configuration")
        jwks_uri = str(config.get("jwks_uri", ""))
        if not jwks_uri.startswith(authority + "/"):
            raise SignInRejected("signature", f"jwks_uri on another host: {jwks_uri}")
        return await self._get_json(jwks_uri)

    async def _get_json(self, url: str) -> dict[str, Any]:
        self._bridge.loop = asyncio.get_running_loop()
        response = await asyncio.to_thread(self._bridge.get, url)
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.status_code != 200 or not isinstance(data, dict):
            raise ConnectorError(TOOL, response.status_code, None,
                                 f"GET {httpx.URL(url).path}: Entra ID answered "
                                 f"{response.status_code}")
        return data

    async def _in_thread(self, call: Any) -> dict[str, Any]:
        """Build the MSAL app (its discovery blocks too) and ``call`` it, in a worker thread."""
        self._bridge.loop = asyncio.get_running_loop()

        def run() -> dict[str, Any]:
            try:
                client = msal.ConfidentialClientApplication(
                    self._app.client_id, client_credential=self._app.client_secret,
                    authority=f"{self._app.authority.rstrip('/')}/{self._app.tenant}",
                    http_client=self._bridge, instance_discovery=False,
                    token_cache=msal.TokenCache())
            except ValueError as exc:
                raise ConnectorError(TOOL, None, None, "no OpenID configuration for tenant "
                                     f"'{self._app.tenant}'") from exc
            return dict(call(client))

        return await asyncio.to_thread(run)


def _initiate(client: msal.ConfidentialClientApplication, redirect_uri: str) -> dict[str, Any]:
    """The reply comes back in the query, a top-level GET from Entra's site: the only kind of
    cross-site request that carries our SameSite=Lax cookie binding the flow to this browser
    (``form_post``, which MSAL suggests, would arrive without it). The code in the URL is
    useless without the PKCE verifier, which never leaves the server."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended",
                                category=UserWarning)
        return dict(client.initiate_auth_code_flow(SCOPES, redirect_uri=redirect_uri,
                                                   response_mode="query"))


def _entra_refusal(result: Mapping[str, Any]) -> SignInRejected:
    """Entra's refusal: cancelled by the person, or refused (its first description line, with
    the AADSTS code, goes to the logs)."""
    if result.get("error") == "access_denied":
        return SignInRejected("cancelled")
    lines = str(result.get("error_description") or "").strip().splitlines()
    return SignInRejected("refused", f"{result.get('error')}: {lines[0] if lines else ''}")


__all__ = ["CONSUMERS_TENANT", "REJECTIONS", "EntraApp", "EntraIdentity", "EntraSignIn",
           "SignInRejected", "validate_id_token"]
