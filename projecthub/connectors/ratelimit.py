"""Client-side throttling per connection, so we stay under a vendor's published limits.

Sliding windows (a log of send times per window) rather than token buckets, because vendors state
limits as "N requests per T seconds" (Productive: 100 per 10 s and 4000 per 30 min). A 429 from the
server also pauses the whole connection, not only the call that saw it.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

from projecthub.connectors.clock import Clock


class Throttled(Exception):
    """The limiter would hold this call longer than it may wait."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"client-side rate limit: next slot in {wait:.1f}s")
        self.wait = wait


@dataclass(frozen=True)
class Window:
    """At most ``limit`` requests in any ``seconds``-long interval."""

    limit: int
    seconds: float


class RateLimiter:
    """Waits on the injected clock until every window has room, then records the send."""

    def __init__(self, windows: tuple[Window, ...], clock: Clock) -> None:
        self._windows = windows
        self._clock = clock
        self._sent: list[deque[float]] = [deque() for _ in windows]
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Hold every request on this connection for ``seconds`` (the server asked us to)."""
        self._paused_until = max(self._paused_until, self._clock.monotonic() + seconds)

    async def acquire(self, max_wait: float = float("inf")) -> None:
        """Wait for room, or raise :class:`Throttled` at once if that takes over ``max_wait``.

        The bound keeps a call inside its own time budget while the connection is paused.
        """
        async with self._lock:
            while (wait := self._wait_needed()) > 0:
                if wait > max_wait:
                    raise Throttled(wait)
                await self._clock.sleep(wait)
            now = self._clock.monotonic()
            for sent in self._sent:
                sent.append(now)

    def _wait_needed(self) -> float:
        now = self._clock.monotonic()
        wait = self._paused_until - now
        for window, sent in zip(self._windows, self._sent, strict=True):
            while sent and sent[0] <= now - window.seconds:
                sent.popleft()
            if len(sent) >= window.limit:
                wait = max(wait, sent[0] + window.seconds - now)
        return wait


__all__ = ["RateLimiter", "Throttled", "Window"]


_SHARED: dict[tuple[str, int], tuple[RateLimiter, asyncio.Semaphore]] = {}


def shared_throttle(key: str, windows: tuple[Window, ...], max_concurrency: int,
                    clock: Clock) -> tuple[RateLimiter, asyncio.Semaphore]:
    """One limiter and concurrency cap per connection (``key``) for the running event loop, so
    every connector opened for that connection, by any task, keeps within the same limits."""
    slot = (key, id(asyncio.get_running_loop()))
    if slot not in _SHARED:
        _SHARED[slot] = (RateLimiter(windows, clock), asyncio.Semaphore(max_concurrency))
    return _SHARED[slot]
