"""Admission control for the API: at most N requests run at once, the rest wait their turn
without holding a worker thread. Without it, a burst larger than the thread pool fills every
thread with requests waiting for a database connection that the running requests hold while
they wait for a thread (seen in the load benchmark as 30 s stalls)."""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send


class AdmissionLimit:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            # Made in the loop that serves: a semaphore that ever made a request wait belongs
            # to its loop, and one app may be served by several in turn (tests, lifespans).
            self._slots, self._loop = asyncio.Semaphore(self.limit), loop
        async with self._slots:
            await self.app(scope, receive, send)
