"""The HTTP layer every connector shares: budgets, retries, throttling and typed errors.

A vendor connector owns a :class:`ConnectorClient` and supplies only what differs per vendor: the
base URL, auth, the name of the request-id header and a parser for its error body. Everything that
must be the same everywhere (timeouts, the retry policy, typed errors) lives here once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self, TypeVar, cast

import httpx
from pydantic import BaseModel, ValidationError

from projecthub.connectors.clock import Clock, SystemClock
from projecthub.connectors.errors import (
    AuthFailed,
    Conflict,
    ConnectorError,
    Invalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    ServerError,
    Timeout,
)
from projecthub.connectors.hosts import refusal
from projecthub.connectors.ratelimit import RateLimiter, Throttled, Window
from projecthub.connectors.retry import RetryPolicy, is_read, server_wait_hint
from projecthub.connectors.throttle_store import StoreUnavailable, ThrottleStore
from projecthub.connectors.tls import ssl_context
from projecthub.core import metrics

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)
logger = logging.getLogger("projecthub.connectors")
M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
QueryParams = Mapping[str, str | int | bool | Sequence[str]]


@dataclass(frozen=True)
class VendorError:
    """What a vendor's error body says, in one shape for every vendor."""

    message: str
    field_errors: dict[str, str] = field(default_factory=dict)
    code: str | None = None
    request_id: str | None = None


ErrorParser = Callable[[int, Any], VendorError]
"""Turns (status, decoded JSON body, or the text when it is not JSON) into a VendorError."""


@dataclass(frozen=True)
class JsonResponse:
    """A successful reply: status, headers, final URL and decoded JSON (``None`` if empty)."""

    tool: str
    status: int
    headers: httpx.Headers
    url: httpx.URL
    body: Any
    request_id: str | None

    def model(self, model: type[M], data: Any = None) -> M:
        """Validate ``data`` (default: the body) into ``model``; a surprise is a ServerError."""
        try:
            return model.model_validate(self.body if data is None else data)
        except ValidationError as exc:
            raise ServerError(
                self.tool, self.status, self.request_id,
                f"unexpected {model.__name__} in reply ({exc.error_count()} problems)",
            ) from None


class ConnectorClient:
    """An ``httpx.AsyncClient`` with one retry policy, a rate limiter and typed errors.

    ``transport`` is injectable so tests run the real code against a sandbox in process
    (``httpx.ASGITransport``); ``clock`` and ``rng`` are injectable so backoff is deterministic.
    ``secrets`` are scrubbed from every error message in case a vendor echoes them back.
    With a ``share_key`` (a connection id) every client of that connection, in every process
    using the same ``throttle_store``, shares one set of limits; without, this client has its own.
    """

    def __init__(
        self,
        *,
        tool: str,
        base_url: str,
        error_parser: ErrorParser,
        request_id_headers: Sequence[str] = (),
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        rate_limits: tuple[Window, ...] = (),
        max_concurrency: int = 8,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        rng: random.Random | None = None,
        share_key: str | None = None,
        throttle_store: ThrottleStore | None = None,
    ) -> None:
        self.tool = tool
        self.clock: Clock = clock or SystemClock()
        self.retry = retry or RetryPolicy()
        self._parse_error = error_parser
        self._request_id_headers = tuple(request_id_headers)
        self._secrets = tuple(s for s in secrets if s)
        self._timeout = timeout
        self._rng = rng or random.Random()
        self._limiter = (
            RateLimiter.private(tool, rate_limits, max_concurrency=max_concurrency,
                                clock=self.clock, store=throttle_store)
            if share_key is None else
            RateLimiter(f"{tool}:{share_key}", rate_limits, max_concurrency=max_concurrency,
                        clock=self.clock, store=throttle_store, tool=tool))
        self._http = httpx.AsyncClient(
            base_url=base_url, auth=auth, headers=headers, transport=transport,
            timeout=timeout, follow_redirects=False, verify=ssl_context(trust_env=True),
        )

    async def __aenter__(self) -> ConnectorClient:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def request(
        self,
        method: str,
        url: str | httpx.URL,
        *,
        params: QueryParams | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        read: bool | None = None,
    ) -> JsonResponse:
        """Send one logical call, retrying within the policy's budgets; raise a ConnectorError.

        ``read`` marks a POST that only reads (a search), which makes a 500 or a lost reply safe
        to retry; by default only GET/HEAD/OPTIONS are reads.
        """
        read_call = is_read(method) if read is None else read
        label = f"{method.upper()} {httpx.URL(str(url)).path}"
        started = self.clock.monotonic()
        attempt = 0
        while True:
            attempt += 1
            remaining = self.retry.deadline - (self.clock.monotonic() - started)
            if remaining <= 0:
                raise Timeout(self.tool, None, None, f"{label}: time budget exhausted")
            hint: float | None = None
            try:
                response = await self._send(method, url, params, json_body, headers, remaining)
            except Throttled as exc:
                raise RateLimited(self.tool, None, None, f"{label}: {exc}",
                                  retry_after=exc.wait) from None
            except StoreUnavailable as exc:
                raise ServerError(self.tool, None, None, f"{label}: {exc}") from None
            except httpx.TimeoutException as exc:
                failure: ConnectorError = Timeout(self.tool, None, None, f"{label}: timed out")
                retry = self.retry.should_retry_exception(exc, read=read_call)
            except httpx.TransportError as exc:
                refused = refusal(exc)
                failure = ServerError(self.tool, None, None,
                                      f"{label}: {refused or _network_problem(exc)}")
                retry = refused is None and self.retry.should_retry_exception(exc, read=read_call)
            else:
                if response.is_success:
                    try:
                        return self._decode(response)
                    except ValueError:
                        failure = ServerError(
                            self.tool, response.status_code, self._request_id(response),
                            f"{label}: malformed JSON",
                        )
                        retry = read_call
                else:
                    hint = server_wait_hint(response.headers, self.clock.now())
                    failure = self._error(response, label, hint)
                    retry = self.retry.should_retry_status(response.status_code, read=read_call)
            if hint is not None and isinstance(failure, RateLimited | ServerError):
                # The server's wait holds the whole connection, in every process.
                await self._limiter.pause(hint)
            delay = self._delay(retry, attempt, hint, started)
            if delay is None:
                raise failure
            logger.info("%s %s: %s; retry %d in %.2fs", self.tool, label, type(failure).__name__,
                        attempt, delay)
            metrics.vendor_retry(self.tool)
            await self.clock.sleep(delay)

    def resolve_link(self, link: str, response: JsonResponse) -> httpx.URL:
        """Make a vendor's next-page link absolute and refuse one that leaves the vendor's origin.

        Our credentials ride on every request, so a link to another host must never be followed.
        """
        target = response.url.join(link)
        if not self.is_own(target):
            raise ServerError(self.tool, response.status, response.request_id,
                              "next-page link points outside the vendor's site")
        return target

    def is_own(self, url: httpx.URL) -> bool:
        """Whether ``url`` is on the vendor's origin, the only place our credentials may go."""
        base = self._http.base_url
        return (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)

    def _delay(self, retry: bool, attempt: int, hint: float | None, started: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` when a budget says stop."""
        if not retry or attempt >= self.retry.max_attempts:
            return None
        if hint is not None and hint > self.retry.max_server_wait:
            return None
        delay = hint if hint is not None else self.retry.backoff(attempt, self._rng)
        elapsed = self.clock.monotonic() - started
        return None if elapsed + delay >= self.retry.deadline else delay

    async def _send(
        self, method: str, url: str | httpx.URL, params: QueryParams | None, json_body: Any,
        headers: Mapping[str, str] | None, remaining: float,
    ) -> httpx.Response:
        timeout = httpx.Timeout(
            connect=_min(self._timeout.connect, remaining),
            read=_min(self._timeout.read, remaining),
            write=_min(self._timeout.write, remaining),
            pool=_min(self._timeout.pool, remaining),
        )
        request = self._http.build_request(
            method, url, params=params, json=json_body, headers=headers, timeout=timeout,
        )
        async with self._limiter.turn(max_wait=remaining):
            response = await self._http.send(request)
            metrics.vendor_response(self.tool, response.status_code)
            await response.aread()
            return response

    def _decode(self, response: httpx.Response) -> JsonResponse:
        body = json.loads(response.content) if response.content.strip() else None
        return JsonResponse(self.tool, response.status_code, response.headers, response.url, body,
                            self._request_id(response))

    def _request_id(self, response: httpx.Response) -> str | None:
        for name in self._request_id_headers:
            value: str | None = response.headers.get(name)
            if value:
                return value
        return None

    def _error(self, response: httpx.Response, label: str, hint: float | None) -> ConnectorError:
        try:
            body: Any = json.loads(response.content) if response.content.strip() else None
        except ValueError:
            body = response.text.strip()[:500] or None
        status = response.status_code
        vendor = self._parse_error(status, body)
        request_id = self._request_id(response) or vendor.request_id
        message = self._scrub(f"{label}: {vendor.message or response.reason_phrase}")
        if status in (400, 422) or (400 <= status < 500 and status not in _BY_STATUS):
            return Invalid(self.tool, status, request_id, message,
                           {k: self._scrub(v) for k, v in vendor.field_errors.items()})
        if status == 429:
            return RateLimited(self.tool, status, request_id, message, retry_after=hint)
        kind = _BY_STATUS.get(status, ServerError)
        return kind(self.tool, status, request_id, message)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text


_BY_STATUS: dict[int, type[ConnectorError]] = {
    401: AuthFailed, 403: PermissionDenied, 404: NotFound, 410: NotFound, 409: Conflict,
    412: Conflict,  # a precondition (If-Match) failed: the resource changed meanwhile
    408: Timeout, 504: Timeout, 429: RateLimited,
}


# What a person reads when the network failed rather than the vendor (not httpx's class names).
_NETWORK_PROBLEMS: tuple[tuple[type[httpx.TransportError], str], ...] = (
    (httpx.ConnectError, "could not connect"),
    (httpx.RemoteProtocolError, "the connection closed before the reply was complete"),
    (httpx.ReadError, "the connection broke while reading the reply"),
    (httpx.WriteError, "the connection broke while sending the request"),
)


def _network_problem(exc: httpx.TransportError) -> str:
    for kind, text in _NETWORK_PROBLEMS:
        if isinstance(exc, kind):
            return text
    return f"network error ({type(exc).__name__})"


def _min(configured: float | None, remaining: float) -> float:
    return remaining if configured is None else min(configured, remaining)


async def all_of(*calls: Awaitable[T]) -> list[T]:
    """Run ``calls`` together and return their results in order, or raise the first failure
    once every call has finished: no call is left sending to the vendor after we gave up."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return cast(list[T], results)


__all__ = ["DEFAULT_TIMEOUT", "ConnectorClient", "ErrorParser", "JsonResponse", "VendorError",
           "all_of"]


class Connector:
    """What every vendor connector shares: it owns one :class:`ConnectorClient` and is used as
    an async context manager that closes it."""

    _client: ConnectorClient

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._client.aclose()
