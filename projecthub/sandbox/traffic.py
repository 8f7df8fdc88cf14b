"""What a vendor sees of our traffic: requests per credential in any window, and how many at once.

Vendors count per credential (Productive: per API token), so the sandbox does too, on its own side
of the wire: a test or benchmark reads the peak number of requests any one credential sent in any
window of each length, and the peak in flight, through ``GET /_sandbox/traffic``. Built to enforce
(``create_sandbox_app(enforce_rate_limits=True)``), a sandbox answers the vendor's 429 to a request
that would exceed a published limit, as the vendor does; refused requests are counted apart.
"""

from __future__ import annotations

import hashlib
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

# The headers that carry a credential, in every vendor the sandbox fakes.
CREDENTIAL_HEADERS = (b"authorization", b"x-auth-token")
MAX_CALLERS = 500


@dataclass(frozen=True)
class RateWindow:
    """Count requests in any ``seconds``-long interval; ``limit`` is the vendor's, if published."""

    seconds: float
    limit: int | None = None


@dataclass
class _Caller:
    arrivals: list[deque[float]]
    peaks: list[int]
    total: int = 0
    refused: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    first: float | None = None
    last: float | None = None


def caller_key(headers: Iterable[tuple[bytes, bytes]]) -> str:
    """A short, one-way name for the credential a request carries (never the credential)."""
    values = {k.lower(): v for k, v in headers}
    material = b"\n".join(values.get(name, b"") for name in CREDENTIAL_HEADERS)
    return hashlib.sha256(material).hexdigest()[:16] if material.strip() else "anonymous"


@dataclass
class TrafficMeter:
    """Arrivals per caller and window (sliding, exact), and requests in flight per caller."""

    windows: tuple[RateWindow, ...] = (RateWindow(1.0),)
    enforce: bool = False
    now: Callable[[], float] = time.monotonic
    _callers: dict[str, _Caller] = field(default_factory=dict)

    def admit(self, key: str) -> bool:
        """Count a request arriving now; ``False`` (a 429) when enforcing and a window is full.
        An admitted request must be followed by :meth:`done`."""
        caller = self._caller(key)
        now = self.now()
        for window, arrivals in zip(self.windows, caller.arrivals, strict=True):
            while arrivals and arrivals[0] <= now - window.seconds:
                arrivals.popleft()
            if self.enforce and window.limit is not None and len(arrivals) >= window.limit:
                caller.refused += 1
                return False
        for n, arrivals in enumerate(caller.arrivals):
            arrivals.append(now)
            caller.peaks[n] = max(caller.peaks[n], len(arrivals))
        caller.total += 1
        caller.first = now if caller.first is None else caller.first
        caller.last = now
        caller.in_flight += 1
        caller.peak_in_flight = max(caller.peak_in_flight, caller.in_flight)
        return True

    def done(self, key: str) -> None:
        caller = self._callers.get(key)
        if caller is not None:
            caller.in_flight -= 1

    def report(self) -> dict[str, Any]:
        """Per caller: requests admitted and refused, peak in flight, and per window its peak."""
        return {key: {
            "requests": c.total, "refused": c.refused, "peak_in_flight": c.peak_in_flight,
            "seconds": (c.last or 0.0) - (c.first or 0.0),
            "windows": [{"seconds": w.seconds, "limit": w.limit, "peak": peak}
                        for w, peak in zip(self.windows, c.peaks, strict=True)],
        } for key, c in self._callers.items()}

    def reset(self) -> None:
        self._callers.clear()

    def _caller(self, key: str) -> _Caller:
        if key not in self._callers:
            if len(self._callers) >= MAX_CALLERS:
                del self._callers[next(iter(self._callers))]
            self._callers[key] = _Caller([deque() for _ in self.windows],
                                         [0 for _ in self.windows])
        return self._callers[key]


__all__ = ["RateWindow", "TrafficMeter", "caller_key"]
