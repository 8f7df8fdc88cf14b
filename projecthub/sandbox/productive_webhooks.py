"""Productive webhooks, as the sandbox models them (docs/architecture.md §15). Productive's
webhooks are not in the stored resource schema, and its deliveries carry no signature, so
ProjectHub gives an address that holds a secret in its query. Here ``POST /api/v2/webhooks``
(JSON:API, ``attributes: {url, event}``, event = ``deals``, ``tasks``, ``time_entries`` or
``services``) stands for registering that address in Productive's settings; creating a record
of that type posts ``{"data": <the record as the API renders it>}`` to it, unsigned."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import read_json
from projecthub.sandbox.productive_jsonapi import JsonApiError, JsonApiResponse, single
from projecthub.sandbox.productive_state import ProductiveState
from projecthub.sandbox.webhooks import Hook, WebhookSender

EVENTS = frozenset({"deals", "tasks", "time_entries", "services"})


def _hook_json(hook: Hook) -> dict[str, Any]:
    return {"id": str(hook.id), "type": "webhooks",
            "attributes": {"url": hook.url, "event": hook.events[0]}}


async def webhooks(request: Request, state: ProductiveState) -> Response:
    if request.method == "GET":
        return JsonApiResponse({"data": [_hook_json(h) for h in state.hooks.values()]}, 200)
    body = await read_json(request)
    data = body.get("data") if isinstance(body, dict) else None
    attributes = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(attributes, dict):
        raise JsonApiError.bad_request("data.attributes is required")
    url, event = str(attributes.get("url") or ""), str(attributes.get("event") or "")
    if not url.startswith(("http://", "https://")) or event not in EVENTS:
        raise JsonApiError.bad_request("A webhook needs a URL and a supported event")
    hook_id = max(state.hooks, default=0) + 1
    state.hooks[hook_id] = Hook(hook_id, "webhook", url, [event])
    return single(_hook_json(state.hooks[hook_id]), status=201)


def announce(request: Request, state: ProductiveState, kind: str,
             resource: dict[str, Any]) -> None:
    """Post the created record to every webhook for its type, after this reply."""
    sender: WebhookSender = request.state.webhooks
    for hook in state.hooks.values():
        if kind in hook.events:
            sender.post(hook.url, {"data": resource}, {})


__all__ = ["announce", "webhooks"]
