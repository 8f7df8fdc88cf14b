"""A fake Microsoft Entra ID for the app-only flow MSAL runs: OpenID discovery and the token call.

Served at ``/sandbox/graph/login``; the Graph connector maps the authority host
(``https://login.microsoftonline.com``) there, so MSAL keeps its https authority checks and
talks to this fake exactly as to Entra ID. Credentials:

- tenant id: a GUID or a domain name (the nil GUID and ``*.invalid`` domains do not exist);
- client id: any GUID (the sandbox keeps no app registry);
- client secret: ``sandbox-<tenant>``, which selects the sandbox tenant the token acts in.

Tokens are JWTs signed with a per-sandbox key; their ``roles`` are the tenant's consented
application permissions at the time of issue. Errors are Entra's OAuth JSON (``AADSTS`` codes).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, unquote_plus

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from projecthub.sandbox.common import SandboxOptions, SandboxRoute, VendorSandbox
from projecthub.sandbox.entra_signin import MULTI_TENANT, SignInDirectory, authorize, keys, redeem
from projecthub.sandbox.graph_state import GraphState

AUTHORITY = "https://login.microsoftonline.com"
GRAPH_RESOURCES = ("https://graph.microsoft.com", "00000003-0000-0000-c000-000000000000")
CLIENT_SECRET = re.compile(r"^sandbox-([a-z0-9-]{1,32})$")
GUID = re.compile(r"^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$", re.IGNORECASE)
DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9-]{1,63}\.)+[a-z]{2,63}$", re.IGNORECASE)
MISSING_TENANTS = ("00000000-0000-0000-0000-000000000000",)


@dataclass(frozen=True)
class Claims:
    tenant: str
    app_id: str
    roles: frozenset[str]


class TokenIssuer:
    """Mints and checks the sandbox's access tokens (HMAC-signed JWTs, Entra-shaped claims)."""

    def __init__(self, tenant_state: Callable[[str], GraphState], lifetime: int = 3599) -> None:
        self.tenant_state = tenant_state
        self.lifetime = lifetime
        self.issued = 0
        self._key = secrets.token_bytes(32)
        self.sign_in = SignInDirectory()  # people signing in to apps: "Sign in with Microsoft"

    def issue(self, tenant: str, app_id: str, directory_id: str,
              lifetime: int | None = None) -> str:
        now = int(time.time())
        claims = {
            "aud": "https://graph.microsoft.com", "iss": f"https://sts.windows.net/{directory_id}/",
            "iat": now, "nbf": now, "exp": now + (self.lifetime if lifetime is None else lifetime),
            "app_displayname": "ProjectHub", "appid": app_id, "idtyp": "app",
            "oid": str(uuid.uuid5(uuid.NAMESPACE_URL, app_id)),
            "roles": sorted(self.tenant_state(tenant).roles), "sub": app_id,
            "tid": directory_id, "uti": secrets.token_urlsafe(16), "ver": "1.0",
            "xms_sbx": tenant}
        self.issued += 1
        header = _b64({"typ": "JWT", "alg": "HS256", "kid": "sandbox"})
        body = f"{header}.{_b64(claims)}"
        return f"{body}.{self._sign(body)}"

    def verify(self, token: str) -> Claims | str:
        """The token's claims, or the reason Graph would give for refusing it."""
        parts = token.split(".")
        if len(parts) != 3:
            return ("IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs "
                    "to be in JWS or JWE Compact Serialization Format.")
        if not hmac.compare_digest(parts[2], self._sign(f"{parts[0]}.{parts[1]}")):
            return "Access token validation failure. Invalid signature."
        try:
            claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
        except (ValueError, binascii.Error):
            return "Access token validation failure."
        if claims.get("exp", 0) <= time.time():
            return "Lifetime validation failed, the token is expired."
        return Claims(claims["xms_sbx"], claims["appid"], frozenset(claims["roles"]))

    def revoke_all(self) -> None:
        """Rotate the signing key: every token issued so far stops working."""
        self._key = secrets.token_bytes(32)

    def _sign(self, text: str) -> str:
        digest = hmac.new(self._key, text.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _b64(data: object) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def oauth_error(status: int, error: str, code: int, description: str) -> Response:
    """Entra's error body; the description ends with trace and correlation ids, as Entra's do."""
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    text = (f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\nCorrelation ID: "
            f"{correlation}\r\nTimestamp: {stamp}")
    return JSONResponse({"error": error, "error_description": text, "error_codes": [code],
                         "timestamp": stamp, "trace_id": trace, "correlation_id": correlation,
                         "error_uri": f"{AUTHORITY}/error?code={code}"},
                        status_code=status, headers={"x-ms-request-id": trace})


def render_error(status: int, message: str, _fields: dict[str, str]) -> Response:
    """Errors the frame raises (faults, unknown paths) in Entra's shape."""
    if status == 429:
        return oauth_error(429, "temporarily_unavailable", 90055,
                           "TenantThrottlingError - There are too many incoming requests.")
    if status >= 500:
        return oauth_error(status, "temporarily_unavailable", 90033,
                           "A transient error has occurred. Please try again.")
    return oauth_error(status, "invalid_request", 900561, message)


def reply_headers() -> dict[str, str]:
    return {"x-ms-request-id": str(uuid.uuid4()),
            "x-ms-ests-server": "2.1.21300.4 - WEULR1 ProdSlices",
            "Cache-Control": "no-store, no-cache", "Pragma": "no-cache"}


def _basic_credentials(header: str) -> tuple[str, str]:
    """Client id and secret from HTTP Basic (RFC 6749 2.3.1: form-encoded, then base64)."""
    if not header.lower().startswith("basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header[6:], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return "", ""
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


def _directory(tenant_id: str) -> str | Response:
    """The directory GUID for an authority's tenant segment, or Entra's refusal."""
    if not (GUID.match(tenant_id) or DOMAIN.match(tenant_id)):
        return oauth_error(400, "invalid_request", 900023,
                           f"Specified tenant identifier '{tenant_id}' is neither a valid DNS "
                           "name, nor a valid external domain.")
    if tenant_id in MISSING_TENANTS or tenant_id.lower().endswith(".invalid"):
        return oauth_error(400, "invalid_tenant", 90002,
                           f"Tenant '{tenant_id}' not found. Check to make sure you have the "
                           "correct tenant ID and are signing into the correct cloud.")
    if GUID.match(tenant_id):
        return tenant_id.lower()
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, tenant_id.lower()))


async def openid_configuration(request: Request, _issuer: TokenIssuer) -> Response:
    """Like Entra's: a multi-tenant authority's issuer has a ``{tenantid}`` placeholder."""
    tenant = request.path_params["tenant"]
    directory = "{tenantid}" if tenant in MULTI_TENANT else _directory(tenant)
    if isinstance(directory, Response):
        return directory
    base = f"{AUTHORITY}/{tenant if tenant in MULTI_TENANT else directory}"
    return JSONResponse({
        "token_endpoint": f"{base}/oauth2/v2.0/token",
        "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                  "client_secret_basic"],
        "jwks_uri": f"{base}/discovery/v2.0/keys",
        "response_modes_supported": ["query", "fragment", "form_post"],
        "subject_types_supported": ["pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
        "scopes_supported": ["openid", "profile", "email", "offline_access"],
        "issuer": f"{AUTHORITY}/{directory}/v2.0",
        "request_uri_parameter_supported": False,
        "userinfo_endpoint": "https://graph.microsoft.com/oidc/userinfo",
        "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
        "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
        "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
        "tenant_region_scope": "EU", "cloud_instance_name": "microsoftonline.com",
        "cloud_graph_host_name": "graph.windows.net", "msgraph_host": "graph.microsoft.com",
    })


async def instance_discovery(request: Request, _issuer: TokenIssuer) -> Response:
    """What MSAL asks when instance discovery is on; every alias is the public cloud."""
    endpoint = request.query_params.get("authorization_endpoint", "")
    tenant = endpoint.removeprefix(f"{AUTHORITY}/").split("/", 1)[0] or "common"
    return JSONResponse({
        "tenant_discovery_endpoint":
            f"{AUTHORITY}/{tenant}/v2.0/.well-known/openid-configuration",
        "api-version": "1.1",
        "metadata": [{"preferred_network": "login.microsoftonline.com",
                      "preferred_cache": "login.windows.net",
                      "aliases": ["login.microsoftonline.com", "login.windows.net",
                                  "login.microsoft.com", "sts.windows.net"]}]})


async def token(request: Request, issuer: TokenIssuer) -> Response:
    """The client-credentials grant (apps) and the authorization-code grant (people signing in,
    ``entra_signin``), checked in the order Entra reports problems."""
    tenant_id = request.path_params["tenant"]
    directory = tenant_id if tenant_id in MULTI_TENANT else _directory(tenant_id)
    if isinstance(directory, Response):
        return directory
    form = dict(parse_qsl((await request.body()).decode("utf-8", "replace")))
    basic_id, basic_secret = _basic_credentials(request.headers.get("authorization", ""))
    client_id = form.get("client_id") or basic_id
    secret = form.get("client_secret") or basic_secret
    if form.get("grant_type") == "authorization_code":
        if not GUID.match(client_id or "") or not CLIENT_SECRET.fullmatch(secret or ""):
            return oauth_error(401, "invalid_client", 7000215,
                               "Invalid client secret provided for the application.")
        return redeem(form, client_id, issuer.sign_in, oauth_error)
    if tenant_id in MULTI_TENANT:
        return oauth_error(400, "invalid_request", 90133,
                           f"An app cannot act in tenant '{tenant_id}': name its directory.")
    if form.get("grant_type") != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", 70003,
                           f"The app requested an unsupported grant type "
                           f"'{form.get('grant_type', '')}'.")
    for name, value in (("client_id", client_id), ("scope", form.get("scope"))):
        if not value:
            return oauth_error(400, "invalid_request", 900144,
                               f"The request body must contain the following parameter: "
                               f"'{name}'.")
    if not GUID.match(client_id):
        return oauth_error(400, "unauthorized_client", 700016,
                           f"Application with identifier '{client_id}' was not found in the "
                           f"directory '{tenant_id}'. This can happen if the application has "
                           "not been installed by the administrator of the tenant or consented "
                           "to by any user in the tenant. You may have sent your authentication "
                           "request to the wrong tenant.")
    match = CLIENT_SECRET.fullmatch(secret or "")
    if match is None:
        return oauth_error(401, "invalid_client", 7000215,
                           "Invalid client secret provided. Ensure the secret being sent in the "
                           "request is the client secret value, not the client secret ID, for a "
                           f"secret added to app '{client_id}'.")
    scope = form["scope"]
    if not scope.endswith("/.default"):
        return oauth_error(400, "invalid_scope", 1002012,
                           f"The provided value for scope {scope} is not valid. Client "
                           "credential flows must have a scope value with /.default suffixed to "
                           "the resource identifier (application ID URI).")
    resource = scope.removesuffix("/.default")
    if resource not in GRAPH_RESOURCES:
        return oauth_error(400, "invalid_resource", 500011,
                           f"The resource principal named {resource} was not found in the "
                           f"tenant named {tenant_id}.")
    access = issuer.issue(match.group(1), client_id, directory)
    return JSONResponse({"token_type": "Bearer", "expires_in": issuer.lifetime,
                         "ext_expires_in": issuer.lifetime, "access_token": access})


ROUTES: list[SandboxRoute[TokenIssuer]] = [
    SandboxRoute("/common/discovery/instance", instance_discovery),
    SandboxRoute("/{tenant}/v2.0/.well-known/openid-configuration", openid_configuration),
    SandboxRoute("/{tenant}/oauth2/v2.0/token", token, ("POST",)),
    SandboxRoute("/{tenant}/oauth2/v2.0/authorize",
                 lambda request, issuer: authorize(request, issuer.sign_in), ("GET", "POST")),
    SandboxRoute("/{tenant}/discovery/v2.0/keys",
                 lambda request, issuer: keys(request, issuer.sign_in)),
]


def create_login_sandbox(
    issuer: TokenIssuer, options: SandboxOptions,
) -> VendorSandbox[TokenIssuer]:
    """Entra ID as a sandbox vendor of its own, so its faults are queued apart from Graph's."""
    return VendorSandbox(
        name="graph-login", routes=ROUTES, new_state=lambda _name: issuer,
        authenticate=lambda _request, tenant: tenant("entra"), render_error=render_error,
        reply_headers=reply_headers, sleep=options.sleep, admin_token=options.admin_token)


__all__ = ["AUTHORITY", "Claims", "TokenIssuer", "create_login_sandbox", "oauth_error"]
