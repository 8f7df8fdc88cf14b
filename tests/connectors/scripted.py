"""A scripted httpx transport for unit tests of the base: it answers from a queue and fails loudly.

Any request beyond the script raises, so a test can never pass by accident on an unplanned call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def reply(status: int, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = b"" if body is None else json.dumps(body).encode()
    return httpx.Response(status, content=content,
                          headers={"content-type": "application/json", **(headers or {})})


class ScriptedTransport(httpx.AsyncBaseTransport):
    def __init__(self, *replies: Reply) -> None:
        self._replies = list(replies)
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await request.aread()
        self.requests.append(request)
        if not self._replies:
            raise AssertionError(f"unexpected request {request.method} {request.url}")
        nxt = self._replies.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        return nxt(request) if callable(nxt) else nxt

    @property
    def exhausted(self) -> bool:
        return not self._replies
