"""The vendor sandboxes served on a real loopback port, in a child process of their own.

A process of its own, not a thread: on two cores the sandbox's Python work (JQL scans, JSON) would
otherwise take the GIL from the client being measured, as a real vendor's servers never do.
The child seeds the sandboxes with a benchmark's seed function (``"module:function"``, called with
the :class:`SandboxApp` and keyword arguments, returning a JSON-able manifest), queues a latency
fault that never runs out on every vendor (Entra ID included) and records every request it
serves, so requests are counted on the vendor's side of the wire:

- ``GET /_bench/stats``: requests per tool and per endpoint;
- ``GET /_bench/log``: every request as ``[tool, method, path, start, end, status, tag]``, times
  from ``time.monotonic()`` (one clock for all processes on Linux), ``tag`` the request's
  ``X-Bench-Tag`` header (a benchmark's own label, e.g. the provisioning step that sent it);
- ``GET /_bench/traffic``: each vendor's own count per credential and window
  (``projecthub.sandbox.traffic``), with 429s for Productive past its published limits when
  served with ``enforce_rate_limits=True``;
- ``POST /_bench/reset``: forget what was recorded.
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import re
import socket
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

import uvicorn
from starlette.types import Message, Receive, Scope, Send

from projecthub.sandbox import SANDBOX_PREFIX, Fault, SandboxApp, create_sandbox_app

_ID_SEGMENT = re.compile(r"/(?:[0-9]+|[0-9a-f-]{36}|[A-Za-z0-9_-]{28}|[A-Z][A-Z0-9]{1,9})(?=/|$)")
_OPERATION = re.compile(r"teams\('[^']+'\)/operations\('[^']+'\)")
STARTUP_TIMEOUT_S = 120
TAG_HEADER = b"x-bench-tag"


@dataclass
class Served:
    """Handle on the running child: its base URL, the seed's manifest and the recordings."""

    base_url: str
    manifest: Any
    latency: float

    def url(self, tool: str) -> str:
        return f"{self.base_url}{SANDBOX_PREFIX}/{tool}"

    def stats(self) -> dict[str, Any]:
        return dict(self._get("/_bench/stats"))

    def traffic(self) -> dict[str, Any]:
        return dict(self._get("/_bench/traffic"))

    def log(self) -> list[list[Any]]:
        return list(self._get("/_bench/log"))

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.base_url}/_bench/reset", method="POST")
        with urllib.request.urlopen(request, timeout=30):
            pass

    def _get(self, path: str) -> Any:
        with urllib.request.urlopen(f"{self.base_url}{path}", timeout=60) as response:
            return json.loads(response.read())


@contextmanager
def serve(seed: str, *, latency: float, enforce_rate_limits: bool = False,
          **seed_args: Any) -> Iterator[Served]:
    """Start the child, wait until it is seeded and listening, stop it on exit."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_child, daemon=True,
                              args=(seed, latency, enforce_rate_limits, seed_args, child))
    process.start()
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not parent.poll(0.5):
            if not process.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox process did not start (exit code "
                                   f"{process.exitcode})")
        port, manifest = parent.recv()
        yield Served(f"http://127.0.0.1:{port}", manifest, latency)
    finally:
        process.terminate()
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
            process.join()


def tool_of(path: str) -> str:
    """``/sandbox/graph/login/...`` is Entra ID, counted apart from Graph itself."""
    parts = path.split("/")
    if len(parts) < 3 or parts[1] != SANDBOX_PREFIX.strip("/"):
        return "other"
    if parts[2] == "graph" and len(parts) > 3 and parts[3] == "login":
        return "graph-login"
    return parts[2]


def endpoint_of(method: str, path: str) -> str:
    """The path with ids, keys and Teams operation references folded to ``{id}``."""
    path = _OPERATION.sub("teams/{id}/operations/{id}", path)
    return f"{method} {_ID_SEGMENT.sub('/{id}', path)}"


class _Recorder:
    """ASGI middleware: records every request and answers the ``/_bench`` endpoints."""

    def __init__(self, app: SandboxApp) -> None:
        self._app = app
        self.log: list[list[Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path.startswith("/_bench/"):
            await self._admin(scope, send)
            return
        tag = dict(scope["headers"]).get(TAG_HEADER, b"").decode("latin-1")
        entry = [tool_of(path), scope["method"], path, time.monotonic(), 0.0, 0, tag]

        async def recording(message: Message) -> None:
            if message["type"] == "http.response.start":
                entry[5] = message["status"]
            await send(message)

        try:
            await self._app(scope, receive, recording)
        finally:
            entry[4] = time.monotonic()
            self.log.append(entry)

    async def _admin(self, scope: Scope, send: Send) -> None:
        name = scope["path"].removeprefix("/_bench/")
        if name == "reset" and scope["method"] == "POST":
            self.log.clear()
            for vendor in self._app.vendors.values():
                vendor.traffic.reset()
            await _json(send, 200, {})
        elif name == "log":
            await _json(send, 200, self.log)
        elif name == "traffic":
            await _json(send, 200, {name: vendor.traffic.report()
                                    for name, vendor in self._app.vendors.items()})
        elif name == "stats":
            await _json(send, 200, {
                "tools": Counter(e[0] for e in self.log),
                "endpoints": Counter(f"{e[0]} {endpoint_of(e[1], e[2])}" for e in self.log),
                "errors": Counter(f"{e[0]} {e[5]}" for e in self.log if e[5] >= 400)})
        else:
            await _json(send, 404, {"detail": "Not Found"})


async def _json(send: Send, status: int, body: Any) -> None:
    payload = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(payload)).encode())]})
    await send({"type": "http.response.body", "body": payload})


def _child(seed: str, latency: float, enforce_rate_limits: bool, seed_args: dict[str, Any],
           pipe: Connection) -> None:
    module, _, name = seed.partition(":")
    sandbox = create_sandbox_app(seed_demo=False, enforce_rate_limits=enforce_rate_limits)
    manifest = getattr(importlib.import_module(module), name)(sandbox, **seed_args)
    if latency > 0:
        slow = Fault(kind="latency", seconds=latency, times=None)
        for vendor in sandbox.vendors.values():
            vendor.faults.add(slow)
        sandbox.vendors["graph"].login.faults.add(slow)  # type: ignore[attr-defined]
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without
    # it every reply on a kept-alive connection waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(2048)
    server = uvicorn.Server(uvicorn.Config(
        _Recorder(sandbox), log_level="critical", lifespan="off", ws="none",
        access_log=False, timeout_keep_alive=30))
    pipe.send((sock.getsockname()[1], manifest))
    server.run(sockets=[sock])


__all__ = ["TAG_HEADER", "Served", "endpoint_of", "serve", "tool_of"]
