"""Client-side rate limiting and the concurrency cap of the shared client."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from projecthub.connectors.clock import FakeClock
from projecthub.connectors.errors import RateLimited
from projecthub.connectors.ratelimit import RateLimiter, Window
from projecthub.connectors.retry import RetryPolicy
from tests.connectors.scripted import ScriptedTransport, reply


async def test_sliding_window_holds_the_request_that_would_exceed_it():
    clock = FakeClock()
    limiter = RateLimiter((Window(3, 10.0),), clock)
    for _ in range(3):
        await limiter.acquire()
    clock.advance(4)
    await limiter.acquire()
    assert clock.sleeps == [6.0]


async def test_every_window_must_have_room():
    clock = FakeClock()
    limiter = RateLimiter((Window(100, 10.0), Window(150, 1800.0)), clock)
    for _ in range(151):
        await limiter.acquire()
    assert clock.monotonic() >= 1800.0
    assert sum(clock.sleeps) == clock.monotonic()


async def test_a_429_pauses_the_whole_connection(make_client, clock):
    transport = ScriptedTransport(
        reply(429, None, {"Retry-After": "5"}), reply(200, {}), reply(200, {}))
    async with make_client(transport) as client:
        await client.request("GET", "/a")
        await client.request("GET", "/b")
    assert clock.sleeps == [5.0]


async def test_productive_style_limits_are_applied_per_client(make_client, clock):
    transport = ScriptedTransport(*[reply(200, {}) for _ in range(101)])
    async with make_client(transport, rate_limits=(Window(100, 10.0), Window(4000, 1800.0))) as c:
        for _ in range(101):
            await c.request("GET", "/x")
    assert clock.monotonic() == 10.0


async def test_concurrency_cap_limits_requests_in_flight(make_client):
    in_flight = 0
    peak = 0
    release = asyncio.Event()

    class Slow(httpx.AsyncBaseTransport):
        async def handle_async_request(self, _request: httpx.Request) -> httpx.Response:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await release.wait()
            in_flight -= 1
            return reply(200, {})

    async with make_client(Slow(), max_concurrency=2) as client:
        tasks = [asyncio.create_task(client.request("GET", "/x")) for _ in range(5)]
        for _ in range(10):
            await asyncio.sleep(0)
        release.set()
        await asyncio.gather(*tasks)
    assert peak == 2


async def test_a_paused_connection_fails_fast_when_the_pause_exceeds_the_budget(make_client, clock):
    transport = ScriptedTransport(reply(429, None, {"Retry-After": "500"}))
    async with make_client(transport, retry=RetryPolicy(deadline=60)) as client:
        with pytest.raises(RateLimited):
            await client.request("GET", "/a")
        with pytest.raises(RateLimited) as caught:
            await client.request("GET", "/b")
    assert caught.value.status is None and caught.value.retry_after == 500
    assert len(transport.requests) == 1 and clock.sleeps == []
