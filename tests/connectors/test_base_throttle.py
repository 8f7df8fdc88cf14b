"""Client-side rate limiting and the concurrency cap of the shared client, in one process (the
in-process store); tests/connectors/test_shared_limits.py runs the same limiter on Redis."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from projecthub.connectors.clock import SystemClock
from projecthub.connectors.errors import RateLimited
from projecthub.connectors.ratelimit import RateLimiter, Throttled, Window
from projecthub.connectors.retry import RetryPolicy
from tests.connectors.scripted import ScriptedTransport, reply


def test_the_budget_leaves_room_for_requests_still_in_flight():
    assert Window(100, 10).budget(4) == 96
    assert Window(4000, 1800).budget(4) == 3996
    assert Window(20, 1).budget(4) == 16
    assert Window(6, 1).budget(4) == 3  # more in flight than spare: half the window each side
    assert Window(1, 1).budget(4) == 1


async def test_every_window_must_have_room():
    limiter = RateLimiter.private("acme", (Window(3, 1), Window(4, 60)), max_concurrency=1,
                                  clock=SystemClock())
    for _ in range(2):
        async with limiter.turn(max_wait=0.0):
            pass
    async with limiter.turn(max_wait=2.0):  # the short window frees a slot within a second
        pass
    with pytest.raises(Throttled) as held:  # the long one has no room for a minute
        async with limiter.turn(max_wait=2.0):
            pass
    assert held.value.wait > 55


async def test_a_429_pauses_the_whole_connection(make_client, clock):
    transport = ScriptedTransport(
        reply(429, None, {"Retry-After": "5"}), reply(200, {}), reply(200, {}))
    async with make_client(transport, share_key="c1") as client, \
            make_client(transport, share_key="c1") as other:
        await client.request("GET", "/a")
        await other.request("GET", "/b")
    assert clock.sleeps == [5.0]


async def test_productive_style_limits_are_applied_per_client(make_client):
    transport = ScriptedTransport(*[reply(200, {}) for _ in range(97)])
    async with make_client(transport, rate_limits=(Window(100, 10), Window(4000, 1800)),
                           max_concurrency=4, retry=RetryPolicy(deadline=5)) as c:
        for _ in range(96):
            await c.request("GET", "/x")
        with pytest.raises(RateLimited) as held:
            await c.request("GET", "/x")
    assert len(transport.requests) == 96
    assert held.value.status is None and held.value.retry_after is not None
    assert 0 < held.value.retry_after <= 10


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
