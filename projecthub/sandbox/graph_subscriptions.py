"""Graph change notifications: ``/subscriptions`` (create with the validation handshake, renew,
delete) and the notifications a group's change sends (docs/architecture.md §15).

As Graph does: creating a subscription first posts ``?validationToken=`` to the notification
URL and refuses (400) unless the token comes back as text/plain within 10 s; a group
subscription lives at most 41760 minutes; every notification carries the subscription's
``clientState``. Groups change here through ``PATCH /groups/{id}``.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import httpx
from starlette.requests import Request
from starlette.responses import Response

from projecthub.sandbox.common import read_json
from projecthub.sandbox.graph_state import GraphState, Group
from projecthub.sandbox.graph_views import GRAPH, GraphError, GraphJSON
from projecthub.sandbox.webhooks import Hook, WebhookSender

MAX_LIFETIME = timedelta(minutes=41760)  # groups
APP_ID = "00000000-0000-0000-0000-0000000a11ce"


def _time(value: object) -> datetime:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise GraphError(400, "InvalidRequest", "expirationDateTime is invalid.") from None


def _graph_time(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.0000000Z")


def _json(hook: Hook, change_type: str) -> dict[str, Any]:
    return {"@odata.context": f"{GRAPH}/$metadata#subscriptions/$entity", "id": str(hook.id),
            "resource": hook.resource, "applicationId": APP_ID, "changeType": change_type,
            "clientState": hook.client_state, "notificationUrl": hook.url,
            "expirationDateTime": hook.expires, "creatorId": APP_ID,
            "latestSupportedTlsVersion": "v1_2", "includeResourceData": False,
            "lifecycleNotificationUrl": None, "encryptionCertificate": None,
            "encryptionCertificateId": None, "notificationQueryOptions": None,
            "notificationUrlAppId": None}


def _check_expiry(at: datetime, now: datetime) -> str:
    if at <= now or at - now > MAX_LIFETIME:
        raise GraphError(400, "InvalidRequest", "Subscription expiration can only be "
                         f"{int(MAX_LIFETIME.total_seconds() // 60)} minutes in the future.")
    return _graph_time(at)


async def _validate(sender: WebhookSender, url: str) -> None:
    token = secrets.token_urlsafe(24)
    target = f"{url}{'&' if '?' in url else '?'}validationToken={quote(token)}"
    try:
        reply = await sender.request("POST", target)
    except httpx.HTTPError:
        reply = None
    if reply is None or reply.status_code != 200 or reply.text != token \
            or not reply.headers.get("content-type", "").startswith("text/plain"):
        raise GraphError(400, "InvalidRequest", "Subscription validation request failed. "
                         "Notification endpoint must respond with 200 OK to validation "
                         "request.")


async def create_subscription(request: Request, state: GraphState) -> Response:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise GraphError(400, "InvalidRequest", "The request body is not valid.")
    resource, url = str(body.get("resource") or ""), str(body.get("notificationUrl") or "")
    change_type = str(body.get("changeType") or "")
    if not resource.lower().startswith("groups") or not change_type:
        raise GraphError(400, "InvalidRequest", "Resource or changeType is not supported.")
    if not url.startswith(("http://", "https://")):
        raise GraphError(400, "InvalidRequest", "notificationUrl must be an absolute URL.")
    expires = _check_expiry(_time(body.get("expirationDateTime")), datetime.now(UTC))
    await _validate(request.state.webhooks, url)
    hook = Hook(str(uuid.uuid4()), "subscription", url, change_type.split(","),
                client_state=str(body.get("clientState") or ""), resource=resource,
                expires=expires)
    state.subscriptions[str(hook.id)] = hook
    return GraphJSON(_json(hook, change_type), status_code=201)


def _subscription(request: Request, state: GraphState) -> Hook:
    hook = state.subscriptions.get(request.path_params["subscription"])
    if hook is None:
        raise GraphError(404, "ResourceNotFound", "The object was not found.")
    return hook


async def subscription(request: Request, state: GraphState) -> Response:
    """GET reads, PATCH renews (a new ``expirationDateTime``), DELETE removes."""
    hook = _subscription(request, state)
    if request.method == "DELETE":
        del state.subscriptions[str(hook.id)]
        return Response(status_code=204)
    if request.method == "PATCH":
        body = await read_json(request)
        wanted = body.get("expirationDateTime") if isinstance(body, dict) else None
        hook.expires = _check_expiry(_time(wanted), datetime.now(UTC))
    return GraphJSON(_json(hook, ",".join(hook.events)))


def notify_group(request: Request, state: GraphState, group: Group, change: str) -> None:
    """Post one notification per subscription on this group (or on all groups) that asked
    for ``change``, after this reply."""
    sender: WebhookSender = request.state.webhooks
    for hook in state.subscriptions.values():
        watched = hook.resource.lower() in ("groups", f"groups/{group.id}".lower())
        if not watched or change not in hook.events:
            continue
        sender.post(hook.url, {"value": [{
            "subscriptionId": str(hook.id), "subscriptionExpirationDateTime": hook.expires,
            "changeType": change, "resource": f"Groups/{group.id}",
            "resourceData": {"@odata.type": "#Microsoft.Graph.Group",
                             "@odata.id": f"Groups/{group.id}", "id": group.id,
                             "organizationId": state.directory_id},
            "clientState": hook.client_state, "tenantId": state.directory_id}]}, {})


async def update_group(request: Request, state: GraphState) -> Response:
    """``PATCH /groups/{id}``: a new display name or description (204), then notifications."""
    group = state.groups.get(request.path_params["group"])
    if group is None:
        raise GraphError(404, "Request_ResourceNotFound",
                         f"Resource '{request.path_params['group']}' does not exist or one of "
                         "its queried reference-property objects are not present.")
    body = await read_json(request)
    if not isinstance(body, dict):
        raise GraphError(400, "Request_BadRequest", "Invalid request.")
    if isinstance(body.get("displayName"), str):
        group.display_name = body["displayName"]
    if "description" in body:
        group.description = body.get("description")
    state.changes.touched(group.id, *(k for k in ("displayName", "description") if k in body))
    notify_group(request, state, group, "updated")
    return Response(status_code=204)


__all__ = ["create_subscription", "notify_group", "subscription", "update_group"]
