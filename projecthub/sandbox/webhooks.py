"""What the fake vendors need to call back: registered webhooks and a sender that posts each
delivery over HTTP, after the change's own reply, as the real services do.

The sender is shared by a vendor's tenants; tests give it a transport (an in-process app) or
let it use the network (the app's own endpoint on a loopback port). ``drain`` waits for the
deliveries in flight, and ``sent`` records each one's address and answer.
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from projecthub.core.signatures import hub_signature

log = logging.getLogger("projecthub.sandbox")
TIMEOUT_S = 10.0


@dataclass
class Hook:
    """One registration: where to post, which events, and the secret to sign with."""

    id: int | str
    name: str
    url: str
    events: list[str]
    secret: str = field(repr=False, default="")
    client_state: str = field(repr=False, default="")
    resource: str = ""
    expires: str = ""


@dataclass(frozen=True)
class Sent:
    url: str
    status: int  # 0 when the app could not be reached
    body: dict[str, Any]
    headers: dict[str, str]


class WebhookSender:
    def __init__(self, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._transport = transport
        self._tasks: set[asyncio.Task[None]] = set()
        self.sent: list[Sent] = []

    def post(self, url: str, payload: dict[str, Any], headers: dict[str, str]) -> None:
        """Queue a delivery; it leaves after the current reply (fire and forget)."""
        task = asyncio.get_running_loop().create_task(self._post(url, payload, headers))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def post_signed(self, hook: Hook, payload: dict[str, Any], *,
                    delivery_id: str | None = None) -> None:
        """An Atlassian admin webhook's delivery: signed body, delivery id header."""
        body = json.dumps(payload, separators=(",", ":")).encode()
        headers = {"X-Atlassian-Webhook-Identifier": delivery_id or str(uuid.uuid4()),
                   "User-Agent": "Atlassian Webhook HTTP Client"}
        if hook.secret:
            headers["X-Hub-Signature"] = hub_signature(hook.secret, body)
        self._post_raw(hook.url, body, headers)

    def _post_raw(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        task = asyncio.get_running_loop().create_task(self._send(url, body, headers))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, url: str, payload: dict[str, Any], headers: dict[str, str]) -> None:
        await self._send(url, json.dumps(payload, separators=(",", ":")).encode(), headers)

    async def _send(self, url: str, body: bytes, headers: dict[str, str]) -> None:
        status = 0
        try:
            async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT_S) as client:
                reply = await client.post(url, content=body, headers={
                    "Content-Type": "application/json", **headers})
                status = reply.status_code
        except httpx.HTTPError as exc:
            log.warning("sandbox webhook delivery failed: %s", type(exc).__name__)
        self.sent.append(Sent(url, status, json.loads(body), headers))

    async def request(self, method: str, url: str) -> httpx.Response:
        """A call the vendor makes and waits for (Graph's validation handshake)."""
        async with httpx.AsyncClient(transport=self._transport, timeout=TIMEOUT_S) as client:
            return await client.request(method, url)

    async def drain(self) -> None:
        """Wait for every delivery in flight (tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


__all__ = ["Hook", "Sent", "WebhookSender"]
