"""Turning a connection's webhooks on and off: the endpoint is committed first, the vendor is
asked to register it with no transaction open, and the outcome is recorded in a second unit of
work. Where the vendor allows no registration by API (or refuses it), the admin gets copy-paste
instructions with the address and the secret, shown this once (docs/architecture.md §15)."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from projecthub.connectors.errors import ConnectorError
from projecthub.core.clock import utcnow
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import Tool
from projecthub.services.principal import Principal
from projecthub.services.scoping import act_as
from projecthub.services.tool_clients import SessionFactory, ToolClients
from projecthub.services.webhooks.endpoints import (
    EVENTS,
    NewEndpoint,
    WebhookSetup,
    WebhookView,
    endpoint_view,
    prepare_endpoint,
    record_registration,
    remove_endpoint,
)

log = logging.getLogger("projecthub.webhooks")
HOOK_NAME = "ProjectHub instant updates"
# Graph keeps a group subscription at most 41760 minutes; ours lives 3 days and the periodic
# renewal (renewal.py) extends it a day before it ends.
GRAPH_LIFETIME = timedelta(days=3)
GRAPH_RESOURCE = "groups"


@dataclass(frozen=True)
class Registration:
    external_id: str
    expires_at: datetime | None = None


def instructions(new: NewEndpoint) -> list[str]:
    """What an admin does in the tool by hand, step by step."""
    events = ", ".join(EVENTS[new.tool])
    if new.tool in (Tool.JIRA, Tool.CONFLUENCE):
        where = ("Jira: Settings → System → WebHooks" if new.tool == Tool.JIRA
                 else "Confluence: Settings → Webhooks")
        return [f"Open {where} and create a webhook.",
                "Paste the URL below and the secret below into its Secret field.",
                f"Select the events {events}, then save."]
    if new.tool == Tool.PRODUCTIVE:
        return ["Open Productive: Settings → Integrations → Webhooks and add a webhook.",
                "Paste the URL below (the secret is part of it) and choose the "
                f"{events} events, then save."]
    return ["Microsoft Graph subscriptions are made by API only; check the connection's "
            "permissions (Group.Read.All) and try again."]


async def _register(tools: ToolClients, new: NewEndpoint) -> Registration | None:
    """The vendor's registration by API, where one is open to this connection's credentials."""
    if new.tool == Tool.JIRA:
        async with tools.jira(new.connection_id) as jira:
            hook = await jira.register_webhook(name=HOOK_NAME, url=new.url,
                                               events=EVENTS[Tool.JIRA], secret=new.secret)
        return Registration(hook.id)
    if new.tool == Tool.GRAPH:
        async with tools.graph(new.connection_id) as graph:
            subscription = await graph.create_subscription(
                resource=GRAPH_RESOURCE, change_type=",".join(EVENTS[Tool.GRAPH]),
                notification_url=new.url, client_state=new.secret,
                expires=utcnow() + GRAPH_LIFETIME)
        return Registration(subscription.id, subscription.expiration_date_time)
    return None


async def _unregister(tools: ToolClients, tool: Tool, connection_id: uuid.UUID,
                      external_id: str) -> None:
    if not external_id:
        return
    try:
        if tool == Tool.JIRA:
            async with tools.jira(connection_id) as jira:
                await jira.delete_webhook(external_id)
        elif tool == Tool.GRAPH:
            async with tools.graph(connection_id) as graph:
                await graph.delete_subscription(external_id)
    except (ConnectorError, AppError, ValueError) as exc:  # the address already refuses
        log.warning("could not remove the %s webhook registration: %s", tool.value,
                    type(exc).__name__)


async def turn_on(session_factory: SessionFactory, principal: Principal, tools: ToolClients,
                  connection_id: uuid.UUID) -> WebhookSetup:
    """A new endpoint for the connection (admins and owners), registered by API where the
    vendor allows it; otherwise the setup carries the manual instructions."""
    with unit_of_work(session_factory) as session:
        act_as(session, principal)
        new = prepare_endpoint(session, principal, connection_id)
    await _unregister(tools, new.tool, new.connection_id, new.replaced_external_id)
    problem = ""
    try:
        registration = await _register(tools, new)
    except (ConnectorError, AppError) as exc:
        registration, problem = None, str(exc) if isinstance(exc, ConnectorError) \
            else exc.message
    with unit_of_work(session_factory) as session:
        act_as(session, principal)
        view = (record_registration(session, principal, new, external_id=registration.external_id,
                                    expires_at=registration.expires_at)
                if registration is not None else endpoint_view(session, principal,
                                                               new.endpoint_id))
    return WebhookSetup(**view.model_dump(), url=new.url, secret=new.secret,
                        instructions=[] if registration is not None else instructions(new),
                        problem=problem)


async def turn_off(session_factory: SessionFactory, principal: Principal, tools: ToolClients,
                   connection_id: uuid.UUID) -> WebhookView | None:
    """Stop receiving (at once), then remove the vendor's registration if we made one."""
    with unit_of_work(session_factory) as session:
        act_as(session, principal)
        removed = remove_endpoint(session, principal, connection_id)
    if removed is not None and removed.mode == "registered":
        await _unregister(tools, removed.tool, removed.connection_id, removed.external_id)
    return removed


__all__ = ["GRAPH_LIFETIME", "Registration", "WebhookSetup", "instructions", "turn_off",
           "turn_on"]
