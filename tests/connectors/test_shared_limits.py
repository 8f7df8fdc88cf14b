"""One connection's limits held by the store every process shares: the limiter on the in-process
store and on real Redis (``PROJECTHUB_TEST_REDIS_URL``; these tests fail without it), and separate
processes that together never exceed one connection's allowance."""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
import redis

from projecthub.connectors.base import ConnectorClient, VendorError
from projecthub.connectors.errors import RateLimited, ServerError
from projecthub.connectors.ratelimit import Throttled
from projecthub.connectors.retry import RetryPolicy
from projecthub.connectors.throttle_store import (
    MemoryThrottleStore,
    RedisThrottleStore,
    ThrottleStore,
)
from tests.connectors import limits_processes
from tests.connectors.limits_processes import CAP, WINDOW, limiter


@pytest.fixture
def namespace(redis_server_url: str) -> Iterator[str]:
    """A key prefix of this test's own on the shared Redis, removed afterwards."""
    name = f"projecthub-test:{uuid.uuid4().hex}"
    yield name
    client = redis.Redis.from_url(redis_server_url)
    for key in client.scan_iter(match=f"*{name}*"):
        client.delete(key)
    client.close()


@pytest.fixture(params=["memory", "redis"])
async def store(request: pytest.FixtureRequest) -> AsyncIterator[ThrottleStore]:
    if request.param == "memory":
        made: ThrottleStore = MemoryThrottleStore()
    else:
        made = RedisThrottleStore(request.getfixturevalue("redis_server_url"),
                                  namespace=request.getfixturevalue("namespace"))
    yield made
    await made.aclose()


def busiest_window(times: list[float], seconds: float) -> int:
    """The most of ``times`` that fall in any half-open interval ``seconds`` long."""
    ordered = sorted(times)
    return max((sum(1 for t in ordered[i:] if t < start + seconds)
                for i, start in enumerate(ordered)), default=0)


async def test_a_full_window_holds_every_client_of_the_connection(store):
    key = f"acme:{uuid.uuid4()}"
    first, second = limiter(store, key), limiter(store, key)
    for turns in (first, second) * (WINDOW.budget(CAP) // 2):
        async with turns.turn(max_wait=0.0):
            pass
    with pytest.raises(Throttled) as held:
        async with second.turn(max_wait=0.2):
            pass
    assert 0.2 < held.value.wait <= 1.0


async def test_the_concurrency_cap_counts_every_client_of_the_connection(store):
    key = f"acme:{uuid.uuid4()}"
    first, second = limiter(store, key), limiter(store, key)
    async with first.turn(max_wait=0.0), second.turn(max_wait=0.0):
        with pytest.raises(Throttled):
            async with first.turn(max_wait=0.1):
                pass
    async with first.turn(max_wait=0.1):  # given back at the end of the block
        pass


async def test_a_pause_holds_every_client_of_the_connection(store):
    key = f"acme:{uuid.uuid4()}"
    await limiter(store, key).pause(30)
    with pytest.raises(Throttled) as held:
        async with limiter(store, key).turn(max_wait=1.0):
            pass
    assert 29 < held.value.wait <= 30
    async with limiter(store, f"acme:{uuid.uuid4()}").turn(max_wait=0.0):  # others are free
        pass


def test_two_processes_together_never_exceed_one_connections_limit(redis_server_url, namespace):
    key = f"acme:{uuid.uuid4()}"
    start_at, seconds = time.time() + 4.0, 2.5
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        sent = pool.starmap(limits_processes.send_for,
                            [(redis_server_url, namespace, key, start_at, seconds)] * 2)
    both = [t for times in sent for t in times]
    budget = WINDOW.budget(CAP)
    assert all(times for times in sent)  # both processes had turns
    # Used fully, and never more than the vendor allows: a turn is noted once it began, which
    # is what a vendor sees too (arrivals), and the budget leaves room for that lag.
    assert budget <= busiest_window(both, WINDOW.seconds) <= WINDOW.limit
    assert len(both) <= budget * (int(max(both) - min(both)) + 1)


def test_a_429_in_one_process_pauses_the_connection_in_another(redis_server_url, namespace):
    share_key = str(uuid.uuid4())
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        assert pool.apply(limits_processes.meet_a_429,
                          (redis_server_url, namespace, share_key)) == "429 30.0"

    async def here() -> tuple[RateLimited, int]:
        store = RedisThrottleStore(redis_server_url, namespace=namespace)
        seen: list[httpx.Request] = []

        def vendor(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            return httpx.Response(200, json={})

        async with ConnectorClient(
                tool="acme", base_url="https://acme.test", transport=httpx.MockTransport(vendor),
                error_parser=lambda _status, _body: VendorError(""),
                retry=RetryPolicy(deadline=5), share_key=share_key,
                throttle_store=store) as client:
            try:
                with pytest.raises(RateLimited) as caught:
                    await client.request("GET", "/things")
            finally:
                await store.aclose()
        return caught.value, len(seen)

    held, sent = asyncio.run(here())
    assert sent == 0 and held.status is None
    assert held.retry_after is not None and 20 < held.retry_after <= 30


async def test_slots_of_a_process_that_died_come_back_after_their_lease(redis_server_url,
                                                                        namespace):
    key = f"acme:{uuid.uuid4()}"
    child = multiprocessing.get_context("spawn").Process(
        target=limits_processes.die_holding_slots, args=(redis_server_url, namespace, key, 1.0))
    child.start()
    child.join(60)
    assert child.exitcode == 0
    store = RedisThrottleStore(redis_server_url, namespace=namespace)
    try:
        with pytest.raises(Throttled):  # the dead process's leases still run
            async with limiter(store, key).turn(max_wait=0.0):
                pass
        started = time.monotonic()
        async with limiter(store, key).turn(max_wait=3.0):
            waited = time.monotonic() - started
    finally:
        await store.aclose()
    assert waited <= 1.5


async def test_without_its_redis_a_call_fails_as_a_server_error_and_sends_nothing():
    store = RedisThrottleStore("redis://127.0.0.1:1/0", namespace="unreachable")
    seen: list[httpx.Request] = []

    def vendor(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    try:
        async with ConnectorClient(
                tool="acme", base_url="https://acme.test", transport=httpx.MockTransport(vendor),
                error_parser=lambda _status, _body: VendorError(""), share_key="c",
                throttle_store=store) as client:
            with pytest.raises(ServerError) as caught:
                await client.request("GET", "/things")
    finally:
        await store.aclose()
    assert seen == [] and "rate limits (Redis) are unreachable" in str(caught.value)
