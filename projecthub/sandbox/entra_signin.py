"""Entra ID's interactive sign-in, faked: the authorize page (a demo account picker), the
authorization-code grant with PKCE and ID tokens signed with a real RSA key, published as JWKS.

Served under the Graph sandbox's Entra ID (``/sandbox/graph/login``, see ``graph_login``), at
Entra's own paths: ``/{tenant}/oauth2/v2.0/authorize``, the ``authorization_code`` grant of
``/{tenant}/oauth2/v2.0/token`` and ``/{tenant}/discovery/v2.0/keys``. A person's directory is
their email domain's (the GUID ``uuid5(DNS, domain)``, as ``graph_login`` maps a domain tenant),
so ``@projecthub.example`` people share one tenant and any other domain is another tenant.
ID tokens carry what Entra sends: ``oid``, ``tid``, ``preferred_username``, ``email``, ``name``,
``nonce`` and ``xms_edov`` (the email domain is verified by its owner).

Tests mint tokens with :meth:`SignInDirectory.sign` and bend the next redemption's claims with
``next_claims`` (another audience, an expired token ...).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

AUTHORITY = "https://login.microsoftonline.com"
MULTI_TENANT = ("organizations", "common", "consumers")
CODE_LIFETIME = 600
TOKEN_LIFETIME = 3600
DEMO_DOMAIN = "projecthub.example"
# The picker's accounts; "Use another account" signs in anyone else (the sandbox keeps no users).
DEMO_ACCOUNTS = (("Ana López", "ana.lopez@projecthub.example"),
                 ("Ben Okafor", "ben.okafor@projecthub.example"),
                 ("Demo Admin", "demo@projecthub.example"))


def directory_of(email: str) -> str:
    """The tenant id an address's person belongs to: one directory per email domain."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, email.rsplit("@", 1)[-1].lower()))


def object_id_of(email: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"entra:{email.lower()}"))


@dataclass(frozen=True)
class Grant:
    """An authorization code's request, kept until the code is redeemed (once)."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    nonce: str
    scope: str
    email: str
    name: str
    expires_at: float


@dataclass
class SignInDirectory:
    """The sign-in half of the fake Entra ID: a signing key and the codes handed out."""

    codes: dict[str, Grant] = field(default_factory=dict)
    # Claims merged into the next ID token redeemed (then cleared): tests' way to bend one.
    next_claims: dict[str, Any] = field(default_factory=dict)
    kid: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    @cached_property
    def key(self) -> rsa.RSAPrivateKey:
        """Made on first use: tests that never sign anyone in pay nothing for it."""
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "use": "sig", "kid": self.kid, "x5t": self.kid}]}

    def sign(self, claims: dict[str, Any]) -> str:
        return jwt.encode(claims, self.key, algorithm="RS256",
                          headers={"kid": self.kid, "typ": "JWT"})

    def id_token_claims(self, *, client_id: str, email: str, name: str, nonce: str,
                        now: float | None = None) -> dict[str, Any]:
        """What Entra puts in a v2.0 ID token for a work account of ``email``'s directory."""
        issued = int(time.time() if now is None else now)
        tenant, oid = directory_of(email), object_id_of(email)
        subject = base64.urlsafe_b64encode(
            hashlib.sha256(f"{client_id}:{oid}".encode()).digest()).decode().rstrip("=")
        return {"aud": client_id, "iss": f"{AUTHORITY}/{tenant}/v2.0", "iat": issued,
                "nbf": issued, "exp": issued + TOKEN_LIFETIME, "email": email, "name": name,
                "nonce": nonce, "oid": oid, "preferred_username": email, "sub": subject,
                "tid": tenant, "uti": secrets.token_urlsafe(16), "ver": "2.0",
                "xms_edov": True}


def _picker(request: Request, error: str = "") -> HTMLResponse:
    """Entra's "Pick an account", with a form per demo account and one for anyone else."""
    action = html.escape(str(request.url.path) + "?" + request.url.query)
    accounts = "".join(
        f'<form method="post" action="{action}"><input type="hidden" name="email" '
        f'value="{html.escape(email)}"><input type="hidden" name="name" '
        f'value="{html.escape(name)}"><button type="submit" class="account">'
        f'<strong>{html.escape(name)}</strong><span>{html.escape(email)}</span></button></form>'
        for name, email in DEMO_ACCOUNTS)
    problem = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Sign in to your account</title><style>
body{{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}}
main{{max-width:440px;margin:60px auto;background:#fff;padding:44px;
box-shadow:0 2px 6px rgba(0,0,0,.2)}}
.brand{{font-weight:600;color:#5e5e5e}} h1{{font-size:24px;font-weight:600}}
.account{{display:flex;flex-direction:column;align-items:flex-start;width:100%;padding:12px;
margin:4px 0;border:0;background:none;cursor:pointer;text-align:left;font:inherit}}
.account:hover{{background:#e6e6e6}} .account span{{color:#5e5e5e;font-size:14px}}
label{{display:block;margin-top:12px;font-size:14px}}
input[type=email],input[type=text]{{width:100%;padding:6px 0;border:0;
border-bottom:1px solid #666;font:inherit}}
.next{{margin-top:16px;background:#0067b8;color:#fff;border:0;padding:8px 32px;font:inherit}}
.error{{color:#e81123}} .note{{font-size:12px;color:#5e5e5e}}</style></head><body><main>
<div class="brand">Microsoft (sandbox)</div><h1>Pick an account</h1>{problem}{accounts}
<form method="post" action="{action}"><h2>Use another account</h2>
<label for="email">Email</label><input id="email" name="email" type="email" required>
<label for="name">Name</label><input id="name" name="name" type="text" required>
<button class="next" type="submit">Next</button></form>
<p class="note">ProjectHub's built-in fake of Microsoft Entra ID: no password is asked.</p>
</main></body></html>"""
    return HTMLResponse(page, status_code=400 if error else 200)


def _authorize_problem(request: Request) -> str:
    """Why Entra would refuse to show its sign-in page for this request, or ''."""
    query = request.query_params
    client_id, redirect_uri = query.get("client_id", ""), query.get("redirect_uri", "")
    try:
        uuid.UUID(client_id)
    except ValueError:
        return (f"AADSTS700016: Application with identifier '{client_id}' was not found in "
                "the directory.")
    target = urlsplit(redirect_uri)
    # No app registry: a reply address on this same host stands in for a registered one.
    if target.scheme not in ("http", "https") or target.hostname != request.url.hostname:
        return ("AADSTS50011: The redirect URI specified in the request does not match the "
                "redirect URIs configured for the application.")
    if query.get("response_type") != "code":
        return "AADSTS700054: response_type 'code' is the only one this application may use."
    if "openid" not in query.get("scope", "").split():
        return "AADSTS900144: The request body must contain the following parameter: 'openid'."
    if not query.get("code_challenge") or query.get("code_challenge_method") != "S256":
        return "AADSTS50148: The code_challenge_method must be S256 (PKCE)."
    return ""


async def authorize(request: Request, directory: SignInDirectory) -> Response:
    """GET shows the picker; POST (a picked account) redirects back with a code."""
    problem = _authorize_problem(request)
    if problem or request.method == "GET":
        return _picker(request, problem)
    form = await request.form()
    email, name = str(form.get("email", "")).strip().lower(), str(form.get("name", "")).strip()
    if "@" not in email or not name:
        return _picker(request, "Enter an email address and a name.")
    tenant = request.path_params["tenant"]
    if tenant not in MULTI_TENANT and tenant.lower() not in (
            directory_of(email), email.rsplit("@", 1)[-1]):
        return _picker(request, f"AADSTS50020: User account '{email}' from identity provider "
                                f"does not exist in tenant '{tenant}'.")
    query = request.query_params
    code = secrets.token_urlsafe(32)
    directory.codes[code] = Grant(
        client_id=query["client_id"], redirect_uri=query["redirect_uri"],
        code_challenge=query["code_challenge"], nonce=query.get("nonce", ""),
        scope=query.get("scope", ""), email=email, name=name,
        expires_at=time.time() + CODE_LIFETIME)
    reply = {"code": code, "state": query.get("state", ""),
             "session_state": str(uuid.uuid4())}
    separator = "&" if "?" in query["redirect_uri"] else "?"
    return RedirectResponse(query["redirect_uri"] + separator + urlencode(reply), 302)


OAuthError = Callable[[int, str, int, str], Response]


def redeem(form: dict[str, str], client_id: str, directory: SignInDirectory,
           error: OAuthError) -> Response:
    """The ``authorization_code`` grant; ``error(status, error, code, description)`` answers
    Entra's OAuth error (the client's secret was already checked)."""
    grant = directory.codes.pop(form.get("code", ""), None)
    if grant is None or grant.expires_at < time.time():
        return error(400, "invalid_grant", 70008, "The provided authorization code or refresh "
                     "token has expired due to inactivity, or was already redeemed.")
    if grant.client_id != client_id:
        return error(400, "invalid_grant", 70000, "The provided value for the 'code' parameter "
                     "is not valid: it was issued to another application.")
    if form.get("redirect_uri") != grant.redirect_uri:
        return error(400, "invalid_grant", 50148, "The redirect_uri does not match the one "
                     "used in the authorization request.")
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(
        hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    if not secrets.compare_digest(challenge, grant.code_challenge):
        return error(400, "invalid_grant", 501481, "The Code_Verifier does not match the "
                     "code_challenge supplied in the authorization request.")
    claims = directory.id_token_claims(client_id=client_id, email=grant.email,
                                       name=grant.name, nonce=grant.nonce)
    claims.update(directory.next_claims)
    directory.next_claims = {}
    client_info = base64.urlsafe_b64encode(json.dumps(
        {"uid": claims["oid"], "utid": claims["tid"]}).encode()).decode().rstrip("=")
    return JSONResponse({
        "token_type": "Bearer", "scope": grant.scope, "expires_in": TOKEN_LIFETIME,
        "ext_expires_in": TOKEN_LIFETIME, "access_token": secrets.token_urlsafe(48),
        "refresh_token": secrets.token_urlsafe(48), "id_token": directory.sign(claims),
        "client_info": client_info})


async def keys(_request: Request, directory: SignInDirectory) -> Response:
    return JSONResponse(directory.jwks())


__all__ = ["DEMO_ACCOUNTS", "MULTI_TENANT", "SignInDirectory", "authorize", "directory_of",
           "keys", "object_id_of", "redeem"]
