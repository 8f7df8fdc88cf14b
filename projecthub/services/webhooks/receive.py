"""Receiving a delivery: find the endpoint by its token, let the vendor's rule verify it, refuse
replays, and hand the rest to a background job once the caller commits. Nothing here calls a
tool, so the vendor gets its answer in milliseconds (docs/architecture.md §15).

The endpoint is found across organizations (the token is all a delivery has); a refused
delivery is audited under the endpoint's organization, or as an instance event when no
endpoint has the token (the first ones an hour per client address: see
``AUDITED_REFUSALS_PER_IP``). The reply never says which check failed.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, delete, select

from projecthub.core import metrics
from projecthub.core.crypto import DecryptionError
from projecthub.core.errors import TooManyAttempts
from projecthub.models import Project, ProjectResource, Tool, WebhookDelivery, WebhookEndpoint
from projecthub.services import audit, dispatch, throttle
from projecthub.services.webhooks.endpoints import endpoint_secret, system_endpoint_by_token
from projecthub.services.webhooks.vendors import (
    REPLAY_WINDOW,
    VERIFIERS,
    Handshake,
    Incoming,
    Refused,
)

KEEP_IDS = REPLAY_WINDOW * 2  # longer than any timestamp we still accept
# Refused deliveries audited per hour, per client address and in all; the rest are only counted
# (projecthub_webhook_deliveries), so a flood of guesses cannot bury the audit log.
AUDITED_REFUSALS_PER_IP = 20
AUDITED_REFUSALS = 200


class Outcome(enum.StrEnum):
    ACCEPTED = "accepted"
    HANDSHAKE = "handshake"
    UNKNOWN = "unknown"
    FORGED = "forged"
    REPLAYED = "replayed"


@dataclass(frozen=True)
class Received:
    outcome: Outcome
    tool: str = ""
    handshake: str = ""  # Graph's validation token, to echo


def receive_delivery(session: Session, token: str, incoming: Incoming,
                     now: datetime, client_ip: str | None = None) -> Received:
    """``client_ip`` (None outside a web request) bounds how many refusals reach the audit log."""
    endpoint = system_endpoint_by_token(session, token)
    if endpoint is None:
        return _refuse(session, None, Outcome.UNKNOWN, "unknown endpoint", client_ip)
    try:
        verified = VERIFIERS[Tool(endpoint.tool)](incoming, endpoint_secret(endpoint), now)
    except Refused as exc:
        return _refuse(session, endpoint, Outcome.FORGED, exc.reason, client_ip)
    except DecryptionError:
        return _refuse(session, endpoint, Outcome.FORGED, "secret unreadable", client_ip)
    if isinstance(verified, Handshake):
        metrics.webhook_delivery(endpoint.tool, Outcome.HANDSHAKE)
        return Received(Outcome.HANDSHAKE, endpoint.tool, verified.token)
    seen = session.exec(select(WebhookDelivery.id).where(
        WebhookDelivery.endpoint_id == endpoint.id,
        WebhookDelivery.delivery_key == verified.key)).first()
    if seen is not None:
        return _refuse(session, endpoint, Outcome.REPLAYED, "delivery seen before", client_ip)
    delivery = WebhookDelivery(organization_id=endpoint.organization_id,
                               endpoint_id=endpoint.id, delivery_key=verified.key,
                               event=verified.event, refs=list(verified.refs),
                               received_at=now, expires_at=now + KEEP_IDS)
    endpoint.last_delivery_at = now
    session.add(delivery)
    session.add(endpoint)
    dispatch.after_commit(session, lambda queue: queue.webhook_received(delivery.id))
    metrics.webhook_delivery(endpoint.tool, Outcome.ACCEPTED)
    return Received(Outcome.ACCEPTED, endpoint.tool)


def _refuse(session: Session, endpoint: WebhookEndpoint | None, outcome: Outcome,
            reason: str, client_ip: str | None) -> Received:
    tool = endpoint.tool if endpoint is not None else ""
    metrics.webhook_delivery(tool or "none", outcome)
    if _audit_budget_spent(session, client_ip):
        return Received(outcome, tool)
    audit.record(session, None, f"webhook.{outcome.value}",
                 org_id=endpoint.organization_id if endpoint is not None else None,
                 target_type="connection" if endpoint is not None else "webhook",
                 target_id=endpoint.connection_id if endpoint is not None else "",
                 detail={"tool": tool, "reason": reason})
    return Received(outcome, tool)


def _audit_budget_spent(session: Session, client_ip: str | None) -> bool:
    """True once this hour's refusals from ``client_ip`` (or from everyone) have been audited
    enough: someone guessing endpoint addresses must not be able to flood the audit log. The
    refusal itself and its metric are unchanged; only the audit row is left out."""
    try:
        if client_ip is not None:
            throttle.hit(session, "webhook-refusal-ip", client_ip or "unknown",
                         limit=AUDITED_REFUSALS_PER_IP, window=timedelta(hours=1))
        throttle.hit(session, "webhook-refusal", "all", limit=AUDITED_REFUSALS,
                     window=timedelta(hours=1))
    except TooManyAttempts:
        return True
    return False


@dataclass(frozen=True)
class Affected:
    """What a delivery changed: the tool that sent it and the projects it names."""

    tool: Tool
    project_ids: list[uuid.UUID]


def system_affected_projects(session: Session, delivery_id: uuid.UUID) -> Affected | None:
    """The projects whose resources in the endpoint's connection have one of the delivery's
    ids or keys; for the background job only (it works across organizations)."""
    delivery = session.get(WebhookDelivery, delivery_id)
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id) if delivery else None
    if delivery is None or endpoint is None:
        return None
    refs = [str(r) for r in delivery.refs]
    ids = session.exec(select(ProjectResource.project_id).join(
        Project, col(Project.id) == col(ProjectResource.project_id)).where(
        ProjectResource.organization_id == endpoint.organization_id,
        ProjectResource.connection_id == endpoint.connection_id,
        ProjectResource.tool == endpoint.tool,
        col(ProjectResource.external_id).in_(refs) | col(ProjectResource.external_key).in_(refs),
    )).all() if refs else []
    return Affected(Tool(endpoint.tool), sorted(set(ids)))


def system_mark_handled(session: Session, delivery_id: uuid.UUID, now: datetime) -> None:
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is not None:
        delivery.handled_at = now
        session.add(delivery)


def purge_expired_deliveries(session: Session, now: datetime) -> None:
    """Delivery ids are kept only as long as a replay of them could still be accepted."""
    session.exec(delete(WebhookDelivery).where(col(WebhookDelivery.expires_at) < now))


__all__ = ["Affected", "Outcome", "Received", "purge_expired_deliveries", "receive_delivery",
           "system_affected_projects", "system_mark_handled"]
