"""The frame every fake vendor shares: tenants, auth, vendor-shaped errors, faults and admin hooks.

A vendor module supplies its routes (``handler(request, state) -> Response``), a state factory, an
``authenticate`` hook that maps credentials to a tenant's state (or answers the vendor's 401),
an error renderer in the vendor's envelope and the headers every reply carries (request ids).
Each tenant's state lives in memory and is created, and seeded, on first use.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projecthub.sandbox.faults import Fault, FaultInjector
from projecthub.sandbox.traffic import RateWindow, TrafficMeter, caller_key
from projecthub.sandbox.webhooks import WebhookSender

S = TypeVar("S")
Sleep = Callable[[float], Awaitable[None]]
Handler = Callable[[Request, S], Awaitable[Response]]
ErrorRenderer = Callable[[int, str, dict[str, str]], Response]
MAX_TENANTS = 500
# Marks a reply the fault injector made up, so spec checks in tests can tell it from a real one.
FAULT_HEADER = "X-Sandbox-Fault"
_FAULT_LIST = TypeAdapter(list[Fault])


class SandboxHTTPError(Exception):
    """Raised by a handler to answer an error in the vendor's own envelope."""

    def __init__(self, status: int, message: str, field_errors: dict[str, str] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field_errors = field_errors or {}
        self.headers = headers or {}


@dataclass(frozen=True)
class SandboxOptions:
    """What every vendor sandbox is built with (see ``projecthub.sandbox``)."""

    sleep: Sleep = asyncio.sleep
    admin_token: str | None = None
    seed_demo: bool = True
    # Retry-After (s) the Graph fake sends with team operations (None: none, as tests expect).
    graph_poll_seconds: int | None = None


@dataclass(frozen=True)
class SandboxRoute(Generic[S]):
    path: str
    handler: Handler[S]
    methods: tuple[str, ...] = ("GET",)


async def read_json(request: Request) -> Any:
    """The request's JSON body; a body that is not JSON gets the vendor's 400."""
    try:
        return json.loads(await request.body())
    except ValueError:
        raise SandboxHTTPError(400, "The request body is not valid JSON.") from None


class VendorSandbox(Generic[S]):
    """One fake vendor as an ASGI app (``.app``) plus the handles tests use to drive it."""

    def __init__(
        self,
        *,
        name: str,
        routes: Sequence[SandboxRoute[S]],
        new_state: Callable[[str], S],
        authenticate: Callable[[Request, Callable[[str], S]], S | Response],
        render_error: ErrorRenderer,
        reply_headers: Callable[[], dict[str, str]],
        seed: Callable[[S], None] | None = None,
        sleep: Sleep = asyncio.sleep,
        admin_token: str | None = None,
        rate_windows: tuple[RateWindow, ...] = (RateWindow(1.0),),
    ) -> None:
        self.name = name
        self.faults = FaultInjector()
        self.traffic = TrafficMeter(rate_windows)
        self.webhooks = WebhookSender()  # replaced by create_sandbox_app when given a transport
        self.seed = seed
        self._new_state = new_state
        self._authenticate = authenticate
        self._render_error = render_error
        self._reply_headers = reply_headers
        self.sleep = sleep
        self._admin_token = admin_token
        self._tenants: dict[str, S] = {}
        admin = [Route("/_sandbox/faults", self._admin_faults, methods=["GET", "POST", "DELETE"]),
                 Route("/_sandbox/traffic", self._admin_traffic, methods=["GET", "DELETE"]),
                 Route("/_sandbox/reset", self._admin_reset, methods=["POST"])]
        vendor = [Route(r.path, self._endpoint(r.handler), methods=list(r.methods)) for r in routes]
        router = Starlette(routes=admin + vendor,
                           exception_handlers={HTTPException: self._http_exception})
        self.app: ASGIApp = _FaultMiddleware(router, self)

    def tenant(self, name: str) -> S:
        """The tenant's state, created and seeded on first use (oldest dropped past a cap)."""
        if name not in self._tenants:
            if len(self._tenants) >= MAX_TENANTS:
                del self._tenants[next(iter(self._tenants))]
            state = self._new_state(name)
            if self.seed is not None:
                self.seed(state)
            self._tenants[name] = state
        return self._tenants[name]

    def reset(self) -> None:
        """Forget every tenant, pending fault and counted request."""
        self._tenants.clear()
        self.faults.clear()
        self.traffic.reset()

    def error(self, status: int, message: str, field_errors: dict[str, str] | None = None,
              headers: dict[str, str] | None = None) -> Response:
        response = self._render_error(status, message, field_errors or {})
        response.headers.update(headers or {})
        return response

    def stamp(self, headers: MutableMapping[str, str]) -> None:
        """Add the vendor's per-reply headers (request ids) unless the handler set them."""
        for key, value in self._reply_headers().items():
            headers.setdefault(key, value)

    def _endpoint(self, handler: Handler[S]) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            state = self._authenticate(request, self.tenant)
            if isinstance(state, Response):
                return state
            request.state.webhooks = self.webhooks  # handlers that call back post through it
            try:
                return await handler(request, state)
            except SandboxHTTPError as exc:
                return self.error(exc.status, exc.message, exc.field_errors, exc.headers)
        return endpoint

    async def _http_exception(self, _request: Request, exc: Exception) -> Response:
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        return self.error(status, "Not Found" if status == 404 else "Method Not Allowed")

    def _admin_allowed(self, request: Request) -> bool:
        given = request.headers.get("x-sandbox-admin-token", "")
        return self._admin_token is not None and hmac.compare_digest(given, self._admin_token)

    async def _admin_faults(self, request: Request) -> Response:
        """``GET`` lists, ``POST`` queues (one fault or a list), ``DELETE`` clears the faults."""
        if not self._admin_allowed(request):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if request.method == "POST":
            payload = await request.body()
            try:
                data = json.loads(payload)
                self.faults.add(*_FAULT_LIST.validate_python(
                    data if isinstance(data, list) else [data]))
            except (ValueError, ValidationError) as exc:
                return JSONResponse({"detail": str(exc)}, status_code=422)
        elif request.method == "DELETE":
            self.faults.clear()
        return JSONResponse([f.model_dump() for f in self.faults.pending])

    async def _admin_traffic(self, request: Request) -> Response:
        """``GET``: requests per credential (``traffic.caller_key``); ``DELETE`` forgets them."""
        if not self._admin_allowed(request):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        if request.method == "DELETE":
            self.traffic.reset()
        return JSONResponse(self.traffic.report())

    async def _admin_reset(self, request: Request) -> Response:
        if not self._admin_allowed(request):
            return JSONResponse({"detail": "Not Found"}, status_code=404)
        self.reset()
        return Response(status_code=204)


class _FaultMiddleware:
    """Stamps vendor headers on every reply and plays the queued faults before or after routing."""

    def __init__(self, app: ASGIApp, sandbox: VendorSandbox[Any]) -> None:
        self._app = app
        self._sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        path = scope["path"][len(scope.get("root_path", "")):] or "/"
        if path.startswith("/_sandbox/"):
            await self._app(scope, receive, send)
            return
        sandbox = self._sandbox

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.decode("latin-1").lower() for k, _ in message.get("headers", [])}
                extra: dict[str, str] = {}
                sandbox.stamp(extra)
                message["headers"] = list(message.get("headers", [])) + [
                    (k.lower().encode("latin-1"), v.encode("latin-1"))
                    for k, v in extra.items() if k.lower() not in present]
            await send(message)

        caller = caller_key(scope.get("headers", []))
        if not sandbox.traffic.admit(caller):
            await sandbox.error(429, "Rate limit exceeded.", headers={FAULT_HEADER: "rate_limit"})(
                scope, receive, stamped)
            return
        try:
            await self._vendor(scope, receive, stamped, path)
        finally:
            sandbox.traffic.done(caller)

    async def _vendor(self, scope: Scope, receive: Receive, stamped: Send, path: str) -> None:
        """The vendor's reply, after the faults queued for this request."""
        sandbox = self._sandbox
        latency, fault = sandbox.faults.take(scope["method"], path)
        if latency:
            await sandbox.sleep(latency)
        if fault is None:
            await self._app(scope, receive, stamped)
        elif fault.kind in ("status", "rate_limit"):
            status = 429 if fault.kind == "rate_limit" else fault.status
            headers = {} if fault.retry_after is None else {"Retry-After": _num(fault.retry_after)}
            message = "Rate limit exceeded." if status == 429 else "Internal server error"
            headers[FAULT_HEADER] = fault.kind
            await sandbox.error(status, message, headers=headers)(scope, receive, stamped)
        elif fault.kind == "malformed":
            await self._malformed(scope, receive, stamped)
        else:
            await self._network(fault, scope, receive, stamped)

    async def _malformed(self, scope: Scope, receive: Receive, send: Send) -> None:
        start, body = await _capture(self._app, scope, receive)
        cut = body[: len(body) // 2] or b"{"
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
        headers += [(b"content-length", str(len(cut)).encode()),
                    (FAULT_HEADER.lower().encode(), b"malformed")]
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": cut})

    async def _network(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        if fault.after_handler:
            await _capture(self._app, scope, receive)
        if fault.kind == "hang":
            await self._sandbox.sleep(fault.seconds)
            raise httpx.ReadTimeout("sandbox: simulated hang")
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", b"64")]})
        await send({"type": "http.response.body", "body": b'{"', "more_body": True})
        raise httpx.RemoteProtocolError("sandbox: simulated connection reset")


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[Message, bytes]:
    """Run ``app`` to completion and return its start message and whole body."""
    start: Message = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        nonlocal start
        if message["type"] == "http.response.start":
            start = message
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    return start, b"".join(chunks)


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


__all__ = [
    "FAULT_HEADER",
    "SandboxHTTPError",
    "SandboxOptions",
    "SandboxRoute",
    "VendorSandbox",
    "read_json",
]
