"""Site webhooks with a secret, as an admin sets them up in Confluence's settings (here through
``POST /wiki/rest/api/webhooks``, the shape Confluence documents for its webhooks API: name,
events, url, ``configuration.secret``, active), and the signed ``page_created`` delivery a page
made through the v2 API sends (``X-Hub-Signature``; docs/architecture.md §15)."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, SandboxRoute, read_json
from projecthub.sandbox.confluence_state import ConfluenceSite, Page, Space
from projecthub.sandbox.confluence_views import ConfluenceJSON
from projecthub.sandbox.webhooks import Hook, WebhookSender

PATH = "/wiki/rest/api/webhooks"
EVENTS = frozenset({"page_created", "page_updated", "page_removed"})


def _hook_json(hook: Hook) -> dict[str, Any]:
    return {"id": hook.id, "name": hook.name, "url": hook.url, "events": hook.events,
            "active": True, "configuration": {}}  # the secret is never read back


async def webhooks(request: Request, site: ConfluenceSite) -> Response:
    if request.method == "GET":
        return ConfluenceJSON({"results": [_hook_json(h) for h in site.hooks.values()]})
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid webhook.")
    events, url = body.get("events"), body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")) \
            or not isinstance(events, list) or not events or set(map(str, events)) - EVENTS:
        raise SandboxHTTPError(400, "A webhook needs a URL and supported events.")
    config = body.get("configuration")
    secret = config.get("secret") if isinstance(config, dict) else ""
    hook_id = max(site.hooks, default=0) + 1
    hook = Hook(hook_id, str(body.get("name") or "Webhook"), url, [str(e) for e in events],
                secret=str(secret or ""))
    site.hooks[hook_id] = hook
    return ConfluenceJSON(_hook_json(hook), status_code=201)


def announce_page(request: Request, site: ConfluenceSite, space: Space, page: Page,
                  event: str) -> None:
    """Post ``event`` for the page to each webhook that asked for it, signed, after this reply."""
    sender: WebhookSender = request.state.webhooks
    for hook in site.hooks.values():
        if event in hook.events:
            sender.post_signed(hook, {
                "timestamp": int(time.time() * 1000), "event": event,
                "userAccountId": request.state.account.account_id,
                "page": {"id": page.id, "title": page.title, "spaceKey": space.key,
                         "creatorAccountId": page.author_id, "contentType": "page",
                         "version": 1}})


ROUTES: list[SandboxRoute[ConfluenceSite]] = [
    SandboxRoute(PATH, webhooks, ("GET", "POST")),
]

__all__ = ["ROUTES", "announce_page"]
