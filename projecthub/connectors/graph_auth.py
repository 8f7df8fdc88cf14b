"""App-only access to Microsoft Graph: MSAL's client-credentials flow, run on our HTTP stack.

MSAL is synchronous and reaches Entra ID through a requests-like ``http_client``. We hand it
:class:`LoopHttpClient`, which performs each call on the connector's event loop with an
``httpx.AsyncClient`` (so the transport is injectable and timeouts are ours) while MSAL itself runs
in a worker thread, so the loop never blocks. ``login_url`` serves the authority's host from
another address (the sandbox's fake Entra ID) while MSAL keeps its https-only authority checks.
Tokens live in MSAL's cache and are reused until five minutes before they expire; the
application (its OpenID discovery) and the cache are shared per connection
(:class:`MsalApplications`).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import concurrent.futures
import hashlib
import json
import threading
from collections.abc import AsyncGenerator, Generator
from typing import Any

import httpx
import msal

from projecthub.connectors.base import DEFAULT_TIMEOUT
from projecthub.connectors.clock import Clock
from projecthub.connectors.errors import AuthFailed, RateLimited, ServerError
from projecthub.connectors.retry import server_wait_hint
from projecthub.connectors.tls import ssl_context

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
PUBLIC_CLOUD = "https://login.microsoftonline.com"
ENTRA_REQUEST_ID = "x-ms-request-id"
# A worker thread waits at most this long for the loop to finish one call (httpx's own timeouts
# normally end it sooner), so a stopped loop cannot strand the thread.
BRIDGE_DEADLINE = 90.0


class LoopHttpClient:
    """MSAL's blocking HTTP client, served by an async client on the event loop in ``loop``.

    Only the authority's own host is reachable: the client secret travels in the token request,
    so a discovery document naming another host must not redirect it.
    """

    def __init__(self, client: httpx.AsyncClient, *, tool: str, authority: str,
                 login_url: str | None, clock: Clock) -> None:
        self._client = client
        self._tool = tool
        self._authority = httpx.URL(authority)
        self._login = httpx.URL(login_url.rstrip("/")) if login_url else None
        self._clock = clock
        self.loop: asyncio.AbstractEventLoop | None = None
        self.last_status: int | None = None
        self.last_request_id: str | None = None

    def get(self, url: str, params: Any = None, headers: Any = None,
            **_kwargs: Any) -> httpx.Response:
        return self._send("GET", url, params, headers, None)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None,
             **_kwargs: Any) -> httpx.Response:
        return self._send("POST", url, params, headers, data)

    def close(self) -> None:
        """Nothing to do: the async client is closed on the loop by :class:`GraphTokens`."""

    def _send(self, method: str, url: str, params: Any, headers: Any,
              data: Any) -> httpx.Response:
        if self.loop is None:
            raise RuntimeError("MSAL called outside GraphTokens.token()")
        target = self._route(url)
        body: dict[str, Any] = {"data": data} if isinstance(data, dict) else {"content": data}
        call = self._client.request(method, target, params=params, headers=headers, **body)
        future = asyncio.run_coroutine_threadsafe(call, self.loop)
        try:
            response = future.result(timeout=BRIDGE_DEADLINE)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout(f"{method} {target.path}: no answer from Entra ID") from None
        self.last_status = response.status_code
        self.last_request_id = response.headers.get(ENTRA_REQUEST_ID)
        # Raised rather than returned, so MSAL neither caches the failure nor hides its status.
        label = f"{method} {target.path}: Entra ID answered {response.status_code}"
        if response.status_code == 429:
            raise RateLimited(self._tool, 429, self.last_request_id, label,
                              retry_after=server_wait_hint(response.headers, self._clock.now()))
        if response.status_code >= 500:
            raise ServerError(self._tool, response.status_code, self.last_request_id, label)
        return response

    def _route(self, url: str) -> httpx.URL:
        target = httpx.URL(url)
        authority = self._authority
        if (target.scheme, target.host, target.port) != (
                authority.scheme, authority.host, authority.port):
            raise ServerError(self._tool, None, None,
                              f"refusing to send credentials to {target.host}")
        if self._login is None:
            return target
        return self._login.copy_with(path=self._login.path + target.path, query=target.query)


class _Router:
    """MSAL's ``http_client`` for a shared application: each call goes out through the bridge of
    the connector whose acquisition holds the application's lock, on that connector's loop."""

    def __init__(self) -> None:
        self.bridge: LoopHttpClient | None = None

    def _current(self) -> LoopHttpClient:
        if self.bridge is None:
            raise RuntimeError("MSAL called outside GraphTokens.token()")
        return self.bridge

    def get(self, url: str, params: Any = None, headers: Any = None,
            **kwargs: Any) -> httpx.Response:
        return self._current().get(url, params=params, headers=headers, **kwargs)

    def post(self, url: str, params: Any = None, data: Any = None, headers: Any = None,
             **kwargs: Any) -> httpx.Response:
        return self._current().post(url, params=params, data=data, headers=headers, **kwargs)

    def close(self) -> None:
        """Nothing to do: each connector closes its own async client."""


class MsalApplication:
    """One MSAL application and its token cache, for one set of credentials.

    MSAL asks Entra ID for the tenant's OpenID configuration when the application is built, so
    connectors of one connection share this to ask once per process, not once per connector.
    ``lock`` (a thread lock: connectors may run on different event loops) serializes discovery
    and acquisitions, so concurrent connectors wait for one token instead of each fetching one.
    """

    def __init__(self, cache: msal.TokenCache | None = None) -> None:
        self.cache = cache if cache is not None else msal.TokenCache()
        self.lock = threading.Lock()
        self.router = _Router()
        self.app: msal.ConfidentialClientApplication | None = None


class MsalApplications:
    """The process's MSAL applications, one per connection and credentials (a new secret is a
    new application, so a rotated secret never reuses the old one's tokens)."""

    def __init__(self) -> None:
        self._apps: dict[tuple[str, ...], MsalApplication] = {}
        self._lock = threading.Lock()

    def get(self, *, connection: str, authority: str, login_url: str | None, client_id: str,
            client_secret: str) -> MsalApplication:
        fingerprint = hashlib.sha256(client_secret.encode()).hexdigest()
        key = (connection, authority, login_url or "", client_id, fingerprint)
        with self._lock:
            return self._apps.setdefault(key, MsalApplication())

    def __len__(self) -> int:
        return len(self._apps)


class GraphTokens:
    """Access tokens for one app registration in one directory, from MSAL's cache or Entra ID.

    The MSAL application is this instance's own (with ``token_cache``, tokens are shared but
    discovery is not), or, given ``applications``, the one of ``share_key`` (the connection):
    then discovery and tokens are shared by every connector of the connection in this process,
    whichever event loop it runs on. Never shows the secret in
    its repr or errors.
    """

    def __init__(
        self, *, tool: str, tenant_id: str, client_id: str, client_secret: str, clock: Clock,
        authority: str = PUBLIC_CLOUD, login_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        token_cache: msal.TokenCache | None = None, timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        applications: MsalApplications | None = None, share_key: str = "",
    ) -> None:
        self._tool = tool
        self._tenant_id = tenant_id
        self._client_id = client_id
        self._secret = client_secret
        self._authority = f"{authority.rstrip('/')}/{tenant_id}"
        self._shared = (
            applications.get(connection=share_key, authority=self._authority,
                              login_url=login_url, client_id=client_id,
                              client_secret=client_secret)
            if applications is not None else MsalApplication(token_cache))
        self._cache = self._shared.cache
        self._http = httpx.AsyncClient(
            transport=transport, timeout=timeout, follow_redirects=False,
            verify=ssl_context(trust_env=True))
        self._bridge = LoopHttpClient(self._http, tool=tool, authority=authority,
                                       login_url=login_url, clock=clock)
        self._lock = asyncio.Lock()

    def __repr__(self) -> str:
        return f"GraphTokens(tenant_id={self._tenant_id!r}, client_id={self._client_id!r})"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def token(self) -> str:
        """A valid access token; one acquisition at a time, so concurrent calls share it."""
        async with self._lock:
            self._bridge.loop = asyncio.get_running_loop()
            result = await asyncio.to_thread(self._acquire)
        token = result.get("access_token")
        if isinstance(token, str):
            return token
        raise self._failure(result)

    async def forget(self, token: str) -> None:
        """Drop a cached token Graph rejected (revoked, or signed with a rotated key)."""
        async with self._lock:
            kind = msal.TokenCache.CredentialType.ACCESS_TOKEN
            for entry in list(self._cache.search(kind)):
                if entry.get("secret") == token:
                    self._cache.remove_at(entry)

    def _acquire(self) -> dict[str, Any]:
        """Runs in a worker thread: MSAL's discovery and token calls block. Under the shared
        application's lock, MSAL's calls go through this connector's bridge."""
        shared = self._shared
        with shared.lock:
            shared.router.bridge = self._bridge
            try:
                if shared.app is None:
                    try:
                        shared.app = msal.ConfidentialClientApplication(
                            self._client_id, client_credential=self._secret,
                            authority=self._authority, http_client=shared.router,
                            token_cache=shared.cache, instance_discovery=False)
                    except ValueError:
                        return {"error": "invalid_tenant",
                                "error_description": f"no OpenID configuration for tenant "
                                                     f"'{self._tenant_id}'"}
                return dict(shared.app.acquire_token_for_client(scopes=[GRAPH_SCOPE]))
            finally:
                shared.router.bridge = None

    def _failure(self, result: dict[str, Any]) -> AuthFailed:
        """Entra's OAuth error as ``AuthFailed``: the first line of the description carries the
        AADSTS code and reason; trace and correlation ids follow on later lines."""
        description = str(result.get("error_description") or "").strip().splitlines()
        message = f"token request failed: {result.get('error') or 'unknown_error'}"
        if description:
            message += f": {description[0]}"
        return AuthFailed(self._tool, self._bridge.last_status, self._bridge.last_request_id,
                          message.replace(self._secret, "***"))


class GraphAuth(httpx.Auth):
    """Bearer auth from :class:`GraphTokens`; a 401 drops the token and retries once."""

    def __init__(self, tokens: GraphTokens) -> None:
        self._tokens = tokens

    def sync_auth_flow(
        self, _request: httpx.Request,
    ) -> Generator[httpx.Request, httpx.Response, None]:
        raise RuntimeError("GraphAuth needs an async client")

    async def async_auth_flow(
        self, request: httpx.Request,
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._tokens.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            await self._tokens.forget(token)
            fresh = await self._tokens.token()
            if fresh != token:
                request.headers["Authorization"] = f"Bearer {fresh}"
                yield request


def read_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT access token, unverified (we fetched it from Entra ourselves)."""
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return payload if isinstance(payload, dict) else {}


__all__ = ["GRAPH_SCOPE", "PUBLIC_CLOUD", "GraphAuth", "GraphTokens", "LoopHttpClient",
           "MsalApplication", "MsalApplications", "read_claims"]
