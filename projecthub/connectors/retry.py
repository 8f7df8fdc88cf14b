"""One retry policy for every connector: which failures deserve another try, and how long to wait.

The server's hint (``Retry-After``, ``X-RateLimit-Reset``) wins over our own backoff; without one
we use exponential backoff with full jitter, ``U(0, min(cap, base * 2**n))``, so clients that
failed together do not retry together (security.md §6).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

import httpx

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRY_STATUSES = frozenset({408, 429, 502, 503, 504})
# Statuses that say the server did not act on the request, so even a create may be repeated.
UNPROCESSED_STATUSES = frozenset({408, 429, 503})
# Values at or above this are epoch seconds, below it a delta in seconds.
_EPOCH_THRESHOLD = 1_000_000_000


@dataclass(frozen=True)
class RetryPolicy:
    """Budgets of one logical call: at most ``max_attempts`` tries within ``deadline`` seconds.

    ``retry_ambiguous_writes`` is off because a create that timed out or got a 502/504 may have
    happened; the provisioning step looks the resource up before trying again
    (docs/architecture.md §4).
    """

    max_attempts: int = 4
    deadline: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    max_server_wait: float = 120.0
    retry_ambiguous_writes: bool = False

    def backoff(self, attempt: int, rng: random.Random) -> float:
        """Full-jitter wait before retry number ``attempt`` (1 for the first retry)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        return rng.uniform(0.0, ceiling)

    def should_retry_status(self, status: int, *, read: bool) -> bool:
        if status == 500:
            return read
        if status in UNPROCESSED_STATUSES:
            return True
        return status in RETRY_STATUSES and (read or self.retry_ambiguous_writes)

    def should_retry_exception(self, exc: httpx.TransportError, *, read: bool) -> bool:
        """Connect failures never reached the server; other transport errors might have."""
        if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
            return True
        return read or self.retry_ambiguous_writes


def server_wait_hint(headers: httpx.Headers, now: datetime) -> float | None:
    """Seconds the server asked us to wait, from ``Retry-After`` or else ``X-RateLimit-Reset``."""
    retry_after = headers.get("retry-after")
    if retry_after is not None:
        parsed = _parse_delay(retry_after, now, http_date=True)
        if parsed is not None:
            return parsed
    reset = headers.get("x-ratelimit-reset")
    if reset is not None:
        return _parse_delay(reset, now, http_date=False)
    return None


def _parse_delay(value: str, now: datetime, *, http_date: bool) -> float | None:
    """Read a delay in seconds, an epoch timestamp, an ISO-8601 time (Jira) or an HTTP date."""
    text = value.strip()
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None:
        if number >= _EPOCH_THRESHOLD:
            return max(0.0, number - now.timestamp())
        return max(0.0, number)
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        if http_date:
            try:
                moment = parsedate_to_datetime(text)
            except (TypeError, ValueError):
                moment = None
    if moment is None or moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


def is_read(method: str) -> bool:
    return method.upper() in READ_METHODS


__all__ = ["RETRY_STATUSES", "RetryPolicy", "is_read", "server_wait_hint"]
