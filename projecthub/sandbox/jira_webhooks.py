"""Jira's admin webhooks (``/rest/webhooks/1.0/webhook``): registered by a site admin's token,
answered without their secret, and delivered signed (``X-Hub-Signature``) when an issue changes
in the sandbox, the way Jira Cloud posts them (docs/architecture.md §15)."""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import SandboxHTTPError, read_json
from projecthub.sandbox.jira_catalog import site_base
from projecthub.sandbox.jira_state import Issue, JiraState, Project
from projecthub.sandbox.jira_views import JiraJSON, issue_json, user_json
from projecthub.sandbox.webhooks import Hook, WebhookSender

PATH = "/rest/webhooks/1.0/webhook"
EVENTS = frozenset({"jira:issue_created", "jira:issue_updated", "jira:issue_deleted"})


def _hook_json(hook: Hook, base: str) -> dict[str, Any]:
    """As Jira answers a webhook: never its secret."""
    return {"self": f"{base}{PATH}/{hook.id}", "name": hook.name, "url": hook.url,
            "events": hook.events, "filters": {"issue-related-events-section": ""},
            "excludeBody": False, "enabled": True}


def _admin(request: Request) -> None:
    if not request.state.user.site_admin:
        raise SandboxHTTPError(403, "Only Jira administrators can manage webhooks.")


async def webhooks(request: Request, state: JiraState) -> Response:
    """GET lists the site's admin webhooks; POST registers one."""
    _admin(request)
    base = site_base(request)
    if request.method == "GET":
        return JiraJSON([_hook_json(h, base) for h in state.hooks.values()])
    body = await read_json(request)
    if not isinstance(body, dict):
        raise SandboxHTTPError(400, "Invalid webhook.")
    name, url, events = body.get("name"), body.get("url"), body.get("events")
    problems = {}
    if not isinstance(name, str) or not name.strip():
        problems["name"] = "Webhook name is required."
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        problems["url"] = "Webhook URL is not valid."
    if not isinstance(events, list) or not events or set(map(str, events)) - EVENTS:
        problems["events"] = "Choose at least one of the supported events."
    if problems:
        raise SandboxHTTPError(400, "", problems)
    hook = state.add_hook(str(name), str(url), [str(e) for e in events or []],
                          str(body.get("secret") or ""))
    return JiraJSON(_hook_json(hook, base), status_code=201)


async def webhook(request: Request, state: JiraState) -> Response:
    _admin(request)
    hook_id = int(request.path_params["hook_id"])
    hook = state.hooks.get(hook_id)
    if hook is None:
        raise SandboxHTTPError(404, "Webhook not found.")
    if request.method == "DELETE":
        del state.hooks[hook_id]
        return Response(status_code=204)
    return JiraJSON(_hook_json(hook, site_base(request)))


def announce_issue(request: Request, state: JiraState, project: Project, issue: Issue,
                   event: str) -> None:
    """Post ``event`` for the issue to every webhook that asked for it, each signed with its
    own secret, after this reply (Jira delivers asynchronously)."""
    base = site_base(request)
    sender: WebhookSender = request.state.webhooks
    for hook in state.hooks.values():
        if event not in hook.events:
            continue
        sender.post_signed(hook, {
            "timestamp": int(time.time() * 1000), "webhookEvent": event,
            "issue_event_type_name": event.removeprefix("jira:"),
            "user": user_json(request.state.user, base),
            "issue": issue_json(project, issue, ["*all"], base)})


__all__ = ["PATH", "announce_issue", "webhook", "webhooks"]
