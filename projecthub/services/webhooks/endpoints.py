"""An organization's webhook endpoints: one per connection, turned on and off by its admins
(docs/architecture.md §15). The address carries a random token stored only as its hash; the
secret is encrypted like connection credentials. Both are shown once, when made."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, select

from projecthub.core.config import settings
from projecthub.core.web import API_PREFIX
from projecthub.models import Role, Tool, ToolConnection, WebhookEndpoint
from projecthub.services import audit
from projecthub.services.connections import key_ring
from projecthub.services.principal import Principal, require_role
from projecthub.services.scoping import get_scoped, scoped_select
from projecthub.services.views import View

SECRET_FIELD = "secret"
HOOKS_PATH = f"{API_PREFIX}/hooks"
# What each tool is asked to send; shown in the copy-paste instructions too.
EVENTS: dict[Tool, tuple[str, ...]] = {
    Tool.JIRA: ("jira:issue_created", "jira:issue_updated", "jira:issue_deleted"),
    Tool.CONFLUENCE: ("page_created", "page_updated"),
    Tool.PRODUCTIVE: ("budget", "task", "time entry"),
    Tool.GRAPH: ("updated",),
}


class WebhookView(View):
    """What anyone managing the connection may see again: never the address or the secret."""

    connection_id: uuid.UUID
    tool: Tool
    mode: str  # registered | manual
    external_id: str
    created_at: datetime
    expires_at: datetime | None
    last_delivery_at: datetime | None


class WebhookSetup(WebhookView):
    """Answered once, when the endpoint is made: where the tool must post, with what secret,
    and (when ProjectHub could not register it) how to do it by hand."""

    url: str
    secret: str
    instructions: list[str]
    problem: str = ""  # why the registration by API did not happen


@dataclass(frozen=True)
class NewEndpoint:
    """A fresh endpoint, committed, before the vendor has heard of it."""

    endpoint_id: uuid.UUID
    connection_id: uuid.UUID
    tool: Tool
    url: str
    secret: str = field(repr=False)
    replaced_external_id: str = ""  # the previous endpoint's registration, to remove


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hook_url(token: str, tool: Tool, secret: str) -> str:
    """Productive signs nothing, so its secret rides in the query (vendors.verify_productive)."""
    url = f"{settings.PUBLIC_URL.rstrip('/')}{HOOKS_PATH}/{token}"
    return f"{url}?secret={secret}" if tool == Tool.PRODUCTIVE else url


def endpoint_secret(row: WebhookEndpoint) -> str:
    return key_ring().decrypt(row.secret, org_id=str(row.organization_id), row_id=str(row.id),
                              field=SECRET_FIELD)


def view_of(row: WebhookEndpoint) -> WebhookView:
    return WebhookView(connection_id=row.connection_id, tool=Tool(row.tool), mode=row.mode,
                       external_id=row.external_id, created_at=row.created_at,
                       expires_at=row.expires_at, last_delivery_at=row.last_delivery_at)


def _connection(session: Session, principal: Principal,
                connection_id: uuid.UUID) -> ToolConnection:
    require_role(principal, Role.ADMIN)
    return get_scoped(session, principal, ToolConnection, connection_id, label="Connection")


def _endpoint_of(session: Session, principal: Principal,
                 connection_id: uuid.UUID) -> WebhookEndpoint | None:
    return session.exec(scoped_select(principal, WebhookEndpoint).where(
        WebhookEndpoint.connection_id == connection_id)).first()


def get_webhook(session: Session, principal: Principal,
                connection_id: uuid.UUID) -> WebhookView | None:
    """Admins and owners only; ``None`` while the connection receives no webhooks."""
    connection = _connection(session, principal, connection_id)
    row = _endpoint_of(session, principal, connection.id)
    return view_of(row) if row is not None else None


def list_webhooks(session: Session, principal: Principal) -> dict[uuid.UUID, WebhookView]:
    """The organization's endpoints by connection, for its admins (others see none)."""
    if not principal.has_role(Role.ADMIN):
        return {}
    return {row.connection_id: view_of(row)
            for row in session.exec(scoped_select(principal, WebhookEndpoint)).all()}


def prepare_endpoint(session: Session, principal: Principal,
                     connection_id: uuid.UUID) -> NewEndpoint:
    """A new address and secret for the connection (replacing any earlier ones, which stop
    working at once). The caller commits before asking the vendor to register it."""
    connection = _connection(session, principal, connection_id)
    old = _endpoint_of(session, principal, connection.id)
    replaced = ""
    if old is not None:
        replaced = old.external_id
        session.delete(old)
        session.flush()
    token, secret = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    row = WebhookEndpoint(organization_id=principal.org_id, connection_id=connection.id,
                          tool=connection.tool, token_hash=token_hash(token), secret="",
                          created_by=principal.user_id)
    row.secret = key_ring().encrypt(secret, org_id=str(row.organization_id), row_id=str(row.id),
                                    field=SECRET_FIELD)
    session.add(row)
    audit.record(session, principal, "webhook.created", target_type="connection",
                 target_id=connection.id, detail={"tool": str(connection.tool)})
    tool = Tool(connection.tool)
    return NewEndpoint(row.id, connection.id, tool, hook_url(token, tool, secret), secret,
                       replaced)


def record_registration(session: Session, principal: Principal, new: NewEndpoint, *,
                        external_id: str, expires_at: datetime | None) -> WebhookView:
    """The vendor registered the endpoint: keep its id (to remove or renew it later)."""
    row = get_scoped(session, principal, WebhookEndpoint, new.endpoint_id, label="Webhook")
    row.mode, row.external_id, row.expires_at = "registered", external_id[:200], expires_at
    session.add(row)
    audit.record(session, principal, "webhook.registered", target_type="connection",
                 target_id=row.connection_id, detail={"tool": row.tool})
    return view_of(row)


def endpoint_view(session: Session, principal: Principal, endpoint_id: uuid.UUID) -> WebhookView:
    return view_of(get_scoped(session, principal, WebhookEndpoint, endpoint_id, label="Webhook"))


def remove_endpoint(session: Session, principal: Principal,
                    connection_id: uuid.UUID) -> WebhookView | None:
    """Stop receiving at once (the address answers 401 from now on); returns what was there,
    so the caller can remove the vendor's registration."""
    connection = _connection(session, principal, connection_id)
    row = _endpoint_of(session, principal, connection.id)
    if row is None:
        return None
    removed = view_of(row)
    session.delete(row)
    audit.record(session, principal, "webhook.removed", target_type="connection",
                 target_id=connection.id, detail={"tool": row.tool})
    return removed


def reencrypt_all_endpoints(session: Session) -> int:
    """Operator key rotation (``rotate-keys``), beside the connections' secrets: every
    endpoint secret not under the newest key is re-encrypted. Returns how many changed."""
    ring, count = key_ring(), 0
    for row in session.exec(select(WebhookEndpoint)).all():
        if ring.needs_rotation(row.secret):
            row.secret = ring.encrypt(endpoint_secret(row), org_id=str(row.organization_id),
                                      row_id=str(row.id), field=SECRET_FIELD)
            session.add(row)
            count += 1
    return count


def system_endpoint_by_token(session: Session, token: str) -> WebhookEndpoint | None:
    """Across organizations by necessity: a delivery names its endpoint only by the token."""
    if not token or len(token) > 100:
        return None
    return session.exec(select(WebhookEndpoint).where(
        WebhookEndpoint.token_hash == token_hash(token))).first()


__all__ = ["EVENTS", "HOOKS_PATH", "NewEndpoint", "WebhookSetup", "WebhookView",
           "endpoint_secret", "endpoint_view", "get_webhook", "hook_url", "list_webhooks",
           "prepare_endpoint", "record_registration", "reencrypt_all_endpoints",
           "remove_endpoint",
           "system_endpoint_by_token", "token_hash"]
