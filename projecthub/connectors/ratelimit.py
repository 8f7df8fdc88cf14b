"""Client-side throttling per connection, so the whole deployment stays under a vendor's limits.

A vendor counts requests per credential, so every process sending for one connection shares its
limits through a :class:`~projecthub.connectors.throttle_store.ThrottleStore` (Redis when
configured): moving windows, since vendors state limits as "N requests per T seconds" (Productive:
100 per 10 s and 4000 per 30 min); a concurrency cap; and a 429's pause, which holds the whole
connection in every process, not only the call that saw it.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from limits import RateLimitItem, RateLimitItemPerSecond

from projecthub.connectors.clock import Clock
from projecthub.connectors.throttle_store import MemoryThrottleStore, SlotUnavailable, ThrottleStore
from projecthub.core import metrics

# After losing a race for the last slot of a window to another process, ask again this soon.
_RETRY_SECONDS = 0.005
_PROCESS_STORE = MemoryThrottleStore()


class Throttled(Exception):
    """The limiter would hold this call longer than it may wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"client-side rate limit: next slot in {wait:.1f}s")
        self.wait = wait


@dataclass(frozen=True)
class Window:
    """The vendor allows at most ``limit`` requests in any ``seconds``-long interval.

    The client sends fewer (:meth:`budget`): a request that took its slot just before a window
    ends can reach the vendor just after, and be counted with the next window's requests.
    """

    limit: int
    seconds: int

    def budget(self, in_flight: int) -> int:
        """Slots per window such that the vendor, which also sees up to ``in_flight`` requests
        sent in the previous window, never counts more than ``limit``."""
        spare = self.limit - in_flight if 2 * in_flight < self.limit else self.limit // 2
        return max(1, spare)


def process_store() -> MemoryThrottleStore:
    """The in-process store used when none is configured (no Redis)."""
    return _PROCESS_STORE


class RateLimiter:
    """One connection's turn to send: a concurrency slot, room in every window, no pause.

    ``key`` names the connection (tool and connection id) in the store. The windows live on the
    store's wall clock (``limits`` stamps entries with ``time.time()``, one timeline for all
    processes), so waiting for a window sleeps for real; the pause is kept on ``clock``'s wall
    time, as is the connector's own budget.
    """

    def __init__(self, key: str, windows: tuple[Window, ...], *, max_concurrency: int,
                 clock: Clock, store: ThrottleStore | None = None, tool: str = "") -> None:
        self.key = key
        self._items: list[RateLimitItem] = [
            RateLimitItemPerSecond(w.budget(max_concurrency), w.seconds)
            for w in sorted(windows, key=lambda w: w.seconds)]
        self._cap = max_concurrency
        self._clock = clock
        self._store = store or _PROCESS_STORE
        self._tool = tool

    @classmethod
    def private(cls, tool: str, windows: tuple[Window, ...], *, max_concurrency: int,
                clock: Clock, store: ThrottleStore | None = None) -> RateLimiter:
        """Limits of one client alone (no connection to share them with)."""
        return cls(f"{tool}:client-{uuid.uuid4().hex}", windows, max_concurrency=max_concurrency,
                   clock=clock, store=store, tool=tool)

    async def pause(self, seconds: float) -> None:
        """Hold every request on this connection, in every process, for ``seconds``."""
        await self._store.pause(self.key, self._clock.now().timestamp(), seconds)

    @asynccontextmanager
    async def turn(self, max_wait: float = float("inf")) -> AsyncIterator[None]:
        """Wait for a concurrency slot and room in every window, and hold the slot for the block;
        raise :class:`Throttled` at once when the wait would exceed ``max_wait``.

        The bound keeps a call inside its own time budget while the connection is paused.
        """
        started = time.monotonic()
        try:
            async with self._store.slot(self.key, self._cap, max_wait):
                await self._acquire(max_wait - (time.monotonic() - started))
                metrics.vendor_throttle_wait(self._tool, time.monotonic() - started)
                yield
        except SlotUnavailable:
            raise Throttled(max_wait) from None

    async def _acquire(self, max_wait: float) -> None:
        while True:
            wait = await self._paused_for()
            if wait > _RETRY_SECONDS:  # below that, float rounding of a pause that just ended
                if wait > max_wait:
                    raise Throttled(wait)
                await self._clock.sleep(wait)
                max_wait -= wait
                continue
            if await self._hit():
                return
            wait = max(await self._window_wait(), _RETRY_SECONDS * random.uniform(0.5, 1.5))
            if wait > max_wait:
                raise Throttled(wait)
            await asyncio.sleep(wait)
            max_wait -= wait

    async def _paused_for(self) -> float:
        return await self._store.paused_until(self.key) - self._clock.now().timestamp()

    async def _window_wait(self) -> float:
        """Seconds until every window has room (0 when all have)."""
        wait = 0.0
        with self._store.answering():
            windows = self._store.windows()
            for item in self._items:
                stats = await windows.get_window_stats(item, self.key)
                if stats.remaining < 1:
                    wait = max(wait, stats.reset_time - time.time())
        return wait

    async def _hit(self) -> bool:
        """Take a slot in every window, shortest first. When a window is full, the slots already
        taken in shorter ones stay spent: that wastes a little of their budget but never lets a
        request through a full window, and saves asking every window first on each request."""
        with self._store.answering():
            windows = self._store.windows()
            for item in self._items:
                if not await windows.hit(item, self.key):
                    return False
        return True


__all__ = ["RateLimiter", "Throttled", "Window", "process_store"]
