"""Where a connection's limits are kept: in this process, or in Redis for the whole deployment.

A vendor counts requests per credential, not per process, so with several processes (web workers,
background workers) the windows, the concurrency cap and a 429's pause must be shared, or N
processes send N times the allowance. The windows are the ``limits`` library's moving windows
(its ``MemoryStorage`` or ``RedisStorage``); the cap and the pause, which ``limits`` lacks, are a
few lines of our own next to them. Redis clients belong to one event loop, so a store keeps one
set of clients per loop.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
import weakref
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
    suppress,
)
from typing import Generic, TypeVar

import redis.asyncio as aioredis
from limits.aio.storage import MemoryStorage, RedisStorage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from redis.exceptions import RedisError

L = TypeVar("L")
# How often a process waiting for a Redis concurrency slot asks again (seconds, jittered).
SLOT_POLL_SECONDS = 0.01


class SlotUnavailable(Exception):
    """No concurrency slot came free within the wait allowed."""


class StoreUnavailable(Exception):
    """The shared store (Redis) did not answer: no request is sent without its limits."""

    def __init__(self) -> None:
        super().__init__("the shared rate limits (Redis) are unreachable")


@contextmanager
def _answering() -> Iterator[None]:
    try:
        yield
    except (RedisError, StorageError):
        raise StoreUnavailable from None


class _PerLoop(Generic[L]):
    """One value per running event loop, dropped with its loop."""

    def __init__(self) -> None:
        self._values: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, L] = (
            weakref.WeakKeyDictionary())

    def get(self) -> L | None:
        return self._values.get(asyncio.get_running_loop())

    def set(self, value: L) -> L:
        self._values[asyncio.get_running_loop()] = value
        return value

    def pop(self) -> L | None:
        return self._values.pop(asyncio.get_running_loop(), None)


class ThrottleStore(ABC):
    """Moving windows, concurrency slots and "paused until" times, each under a connection key."""

    @abstractmethod
    def windows(self) -> MovingWindowRateLimiter:
        """The ``limits`` moving-window limiter on this store (for the running event loop); call
        it inside :meth:`answering`."""

    def answering(self) -> AbstractContextManager[None]:
        """Turns the store's own failures into :class:`StoreUnavailable`."""
        return _answering()

    @abstractmethod
    async def paused_until(self, key: str) -> float:
        """Epoch seconds before which no request may be sent on ``key`` (0 if none)."""

    @abstractmethod
    async def pause(self, key: str, now: float, seconds: float) -> None:
        """Hold ``key`` until ``now + seconds`` (epoch seconds), unless it is held longer."""

    @abstractmethod
    def slot(self, key: str, cap: int, max_wait: float) -> AbstractAsyncContextManager[None]:
        """Hold one of ``cap`` slots of ``key`` for the block; :class:`SlotUnavailable` if none
        comes free within ``max_wait`` seconds."""

    @abstractmethod
    async def aclose(self) -> None:
        """Release what the running event loop holds (connections)."""


class _MemoryLoop:
    def __init__(self) -> None:
        self.windows = MovingWindowRateLimiter(MemoryStorage())
        self.slots: dict[str, asyncio.Semaphore] = {}
        self.users: dict[str, int] = {}
        self.paused: dict[str, float] = {}


class MemoryThrottleStore(ThrottleStore):
    """Limits shared by every client of this process (and event loop): right for one process."""

    def __init__(self) -> None:
        self._loops: _PerLoop[_MemoryLoop] = _PerLoop()

    def _loop(self) -> _MemoryLoop:
        return self._loops.get() or self._loops.set(_MemoryLoop())

    def windows(self) -> MovingWindowRateLimiter:
        return self._loop().windows

    async def paused_until(self, key: str) -> float:
        return self._loop().paused.get(key, 0.0)

    async def pause(self, key: str, now: float, seconds: float) -> None:
        paused = self._loop().paused
        paused[key] = max(now + seconds, paused.get(key, 0.0))

    @asynccontextmanager
    async def slot(self, key: str, cap: int, max_wait: float) -> AsyncIterator[None]:
        loop = self._loop()
        semaphore = loop.slots.setdefault(key, asyncio.Semaphore(cap))
        loop.users[key] = loop.users.get(key, 0) + 1
        try:
            if semaphore.locked():
                try:
                    await asyncio.wait_for(semaphore.acquire(), timeout=max_wait)
                except TimeoutError:
                    raise SlotUnavailable(key) from None
            else:
                await semaphore.acquire()
            try:
                yield
            finally:
                semaphore.release()
        finally:
            loop.users[key] -= 1
            if not loop.users[key]:  # nobody holds or awaits it: forget the key
                del loop.users[key], loop.slots[key]

    async def aclose(self) -> None:
        self._loops.pop()


# A slot is a member of a sorted set scored by its lease's end (Redis server time, so processes
# on hosts with skewed clocks agree); expired leases are dropped before counting.
_TAKE_SLOT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], t + tonumber(ARGV[2]), ARGV[3])
  redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
  return 1
end
return 0
"""
_RENEW_SLOT = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', t + tonumber(ARGV[1]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[1])) + 1)
return 1
"""
_PAUSE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


class _RedisLoop:
    def __init__(self, url: str, namespace: str) -> None:
        self.client: aioredis.Redis = aioredis.Redis.from_url(url)
        # One connection pool for the windows and our own keys; ``limits`` passes it on to
        # redis-py but annotates its options as scalars.
        storage = RedisStorage(f"async+{url}", implementation="redispy", key_prefix=namespace,
                               wrap_exceptions=True,
                               connection_pool=self.client.connection_pool)  # type: ignore[arg-type]
        self.windows = MovingWindowRateLimiter(storage)
        self.take = self.client.register_script(_TAKE_SLOT)
        self.renew = self.client.register_script(_RENEW_SLOT)
        self.pause = self.client.register_script(_PAUSE)


class RedisThrottleStore(ThrottleStore):
    """Limits shared by every process that uses the same Redis (``PROJECTHUB_REDIS_URL``).

    A concurrency slot is a lease of ``lease_seconds``, renewed while its request runs, so a
    process that dies holding slots gives them back within one lease.
    """

    def __init__(self, url: str, *, namespace: str = "projecthub:limits",
                 lease_seconds: float = 30.0) -> None:
        self._url = url
        self.namespace = namespace
        self._lease = lease_seconds
        self._loops: _PerLoop[_RedisLoop] = _PerLoop()

    def _loop(self) -> _RedisLoop:
        return self._loops.get() or self._loops.set(_RedisLoop(self._url, self.namespace))

    def _key(self, kind: str, key: str) -> str:
        return f"{self.namespace}:{kind}:{key}"

    def windows(self) -> MovingWindowRateLimiter:
        return self._loop().windows

    async def paused_until(self, key: str) -> float:
        with _answering():
            value = await self._loop().client.get(self._key("paused", key))
        return float(value) if value is not None else 0.0

    async def pause(self, key: str, now: float, seconds: float) -> None:
        keep_ms = int(seconds * 1000) + 1000
        with _answering():
            await self._loop().pause(keys=[self._key("paused", key)],
                                     args=[repr(now + seconds), keep_ms])

    @asynccontextmanager
    async def slot(self, key: str, cap: int, max_wait: float) -> AsyncIterator[None]:
        loop = self._loop()
        slots, token = self._key("slots", key), uuid.uuid4().hex
        give_up = time.monotonic() + max_wait
        while not await self._take(loop, slots, cap, token):
            if time.monotonic() >= give_up:
                raise SlotUnavailable(key)
            await asyncio.sleep(SLOT_POLL_SECONDS * random.uniform(0.5, 1.5))
        renewal = asyncio.create_task(self._renew(loop, slots, token))
        try:
            yield
        finally:
            renewal.cancel()
            with suppress(asyncio.CancelledError):
                await renewal
            with suppress(RedisError):  # else the lease runs out by itself
                await loop.client.zrem(slots, token)

    async def _take(self, loop: _RedisLoop, slots: str, cap: int, token: str) -> bool:
        with _answering():
            return bool(await loop.take(keys=[slots], args=[cap, self._lease, token]))

    async def _renew(self, loop: _RedisLoop, slots: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._lease / 3)
            with suppress(RedisError):  # a missed renewal is retried; the lease has slack
                await loop.renew(keys=[slots], args=[self._lease, token])

    async def aclose(self) -> None:
        loop = self._loops.pop()
        if loop is not None:
            await loop.client.aclose()


__all__ = ["MemoryThrottleStore", "RedisThrottleStore", "SlotUnavailable", "StoreUnavailable",
           "ThrottleStore"]
