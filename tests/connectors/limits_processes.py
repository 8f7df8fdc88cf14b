"""What the child processes of tests/connectors/test_shared_limits.py run: each is a separate
Python process with its own store object, sharing only Redis (as web and background workers do).
Top-level functions, so the ``spawn`` start method can import them."""

from __future__ import annotations

import asyncio
import os
import time

import httpx

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.clock import SystemClock
from projecthub.connectors.errors import RateLimited
from projecthub.connectors.ratelimit import RateLimiter, Window
from projecthub.connectors.retry import RetryPolicy
from projecthub.connectors.throttle_store import RedisThrottleStore, ThrottleStore

WINDOW = Window(10, 1)
CAP = 2  # so the budget per window is 8


def limiter(store: ThrottleStore, key: str) -> RateLimiter:
    return RateLimiter(key, (WINDOW,), max_concurrency=CAP, clock=SystemClock(), store=store)


def send_for(url: str, namespace: str, key: str, start_at: float, seconds: float) -> list[float]:
    """Take turns on ``key`` from ``start_at`` for ``seconds``; the times each turn began."""
    async def run() -> list[float]:
        store = RedisThrottleStore(url, namespace=namespace)
        turns = limiter(store, key)
        sent: list[float] = []
        await asyncio.sleep(max(0.0, start_at - time.time()))
        while time.time() < start_at + seconds:
            async with turns.turn(max_wait=seconds):
                sent.append(time.time())
        await store.aclose()
        return sent
    return asyncio.run(run())


def meet_a_429(url: str, namespace: str, share_key: str) -> str:
    """Call a vendor that answers 429 with ``Retry-After: 30``; the call gives up at once."""
    async def run() -> str:
        store = RedisThrottleStore(url, namespace=namespace)
        transport = httpx.MockTransport(
            lambda _request: httpx.Response(429, headers={"Retry-After": "30"}))
        async with ConnectorClient(
                tool="acme", base_url="https://acme.test", transport=transport,
                error_parser=lambda _status, _body: VendorError("slow down"),
                retry=RetryPolicy(deadline=5), share_key=share_key,
                throttle_store=store) as client:
            try:
                await client.request("GET", "/things")
            except RateLimited as exc:
                return f"{exc.status} {exc.retry_after}"
            finally:
                await store.aclose()
        return "no 429"
    return asyncio.run(run())


def die_holding_slots(url: str, namespace: str, key: str, lease: float) -> None:
    """Take every slot of ``key``, then die without giving them back (as a killed worker)."""
    async def run() -> None:
        store = RedisThrottleStore(url, namespace=namespace, lease_seconds=lease)
        for _ in range(CAP):
            await store.slot(key, CAP, max_wait=1.0).__aenter__()
        os._exit(0)
    asyncio.run(run())
