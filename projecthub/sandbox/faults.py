"""Runtime fault injection for the sandbox vendors, so tests and demos can rehearse bad days.

Faults are queued on a :class:`FaultInjector` (from Python, or as JSON through the admin endpoint
``POST /_sandbox/faults``) and consumed by matching requests. Network-level faults surface as the
httpx exceptions a real socket would produce: in process (``httpx.ASGITransport``) the exception
propagates to the client unchanged; over a real socket the server aborts or stalls the connection.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

FaultKind = Literal["latency", "status", "rate_limit", "hang", "malformed", "reset"]


class Fault(BaseModel):
    """One injected misbehaviour.

    - ``latency``: wait ``seconds`` on the sandbox clock, then answer normally (stacks with others).
    - ``status``: answer ``status`` in the vendor's error envelope (``retry_after`` adds a header).
    - ``rate_limit``: answer 429 with ``Retry-After: retry_after`` in the vendor's envelope.
    - ``hang``: wait ``seconds``, then time out (in process: ``httpx.ReadTimeout``).
    - ``malformed``: run the request, then send its body cut in half (invalid JSON).
    - ``reset``: start a reply and drop the connection mid-body (``httpx.RemoteProtocolError``).

    ``after_handler`` makes ``hang``/``reset`` happen after the request took effect, the ambiguous
    case where a create succeeded but the client never heard. ``times=None`` repeats until cleared.
    """

    kind: FaultKind
    times: int | None = Field(default=1, ge=1)
    method: str | None = None
    path_prefix: str | None = None
    status: int = Field(default=503, ge=400, le=599)
    retry_after: float | None = Field(default=None, ge=0)
    seconds: float = Field(default=0.0, ge=0)
    after_handler: bool = False

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self.path_prefix is None or path.startswith(self.path_prefix)


class FaultInjector:
    """An ordered queue of faults; each request consumes every matching latency and one other."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, *faults: Fault) -> None:
        self._faults.extend(faults)

    def clear(self) -> None:
        self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        return list(self._faults)

    def take(self, method: str, path: str) -> tuple[float, Fault | None]:
        """Consume the faults for this request: total latency, and the first disruptive fault."""
        latency = 0.0
        disruptive: Fault | None = None
        for fault in list(self._faults):
            if not fault.matches(method, path):
                continue
            if fault.kind == "latency":
                latency += fault.seconds
            elif disruptive is None:
                disruptive = fault
            else:
                continue
            self._consume(fault)
        return latency, disruptive

    def _consume(self, fault: Fault) -> None:
        if fault.times is None:
            return
        if fault.times <= 1:
            self._faults.remove(fault)
        else:
            self._faults[self._faults.index(fault)] = fault.model_copy(
                update={"times": fault.times - 1})


__all__ = ["Fault", "FaultInjector", "FaultKind"]
