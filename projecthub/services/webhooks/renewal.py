"""Keeping Graph subscriptions alive: Graph deletes a subscription when it expires, so a
periodic job renews each one a day ahead (docs/architecture.md §15). It works across
organizations, as the organization itself (a principal that exists only here), and owns its
transactions: the due list is read, each renewal is called with no transaction open, and its
new expiry is committed on its own."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from projecthub.connectors.errors import ConnectorError
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import Role, Tool, WebhookEndpoint
from projecthub.services.principal import Principal
from projecthub.services.tool_clients import SessionFactory, ToolClients
from projecthub.services.webhooks.setup import GRAPH_LIFETIME

log = logging.getLogger("projecthub.webhooks")
RENEW_AHEAD = timedelta(days=1)


def webhook_principal(org_id: uuid.UUID) -> Principal:
    """The renewal acts for the organization, not for a person."""
    return Principal(user_id=uuid.UUID(int=0), email="webhook-renewal", org_id=org_id,
                     org_slug="", role=Role.ADMIN)


def system_due(session: Session, now: datetime) -> list[WebhookEndpoint]:
    return list(session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.tool == Tool.GRAPH.value, WebhookEndpoint.mode == "registered",
        col(WebhookEndpoint.expires_at) < now + RENEW_AHEAD)).all())


async def renew_subscriptions(session_factory: SessionFactory,
                              tools_factory: Callable[[Principal], ToolClients],
                              now: datetime) -> int:
    """Renew every Graph subscription ending within a day; returns how many were renewed. A
    failure is logged and tried again at the next run (polling covers the gap)."""
    with unit_of_work(session_factory) as session:
        due = [(e.id, e.organization_id, e.connection_id, e.external_id)
               for e in system_due(session, now)]
    renewed = 0
    for endpoint_id, org_id, connection_id, subscription_id in due:
        try:
            async with tools_factory(webhook_principal(org_id)).graph(connection_id) as graph:
                subscription = await graph.renew_subscription(subscription_id,
                                                              now + GRAPH_LIFETIME)
        except (ConnectorError, AppError) as exc:
            log.warning("could not renew a Graph subscription: %s", type(exc).__name__)
            continue
        with unit_of_work(session_factory) as session:
            row = session.get(WebhookEndpoint, endpoint_id)
            if row is not None and row.external_id == subscription_id:
                row.expires_at = subscription.expiration_date_time
                session.add(row)
                renewed += 1
    return renewed


__all__ = ["RENEW_AHEAD", "renew_subscriptions", "system_due", "webhook_principal"]
