"""Sending what is due, outside any request: mail into the outbox (the mail sender delivers
it), Teams posts through the organization's Graph connection, and the daily digests.

``deliver_pending`` is a plain coroutine for the job engine to call every minute or so. Each
delivery is claimed (its ``due_at`` pushed forward) and settled in short units of work of its
own, and no transaction is held across a Graph call."""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape

from sqlmodel import Session, col, select, update

from projecthub.connectors.errors import ConnectorError
from projecthub.connectors.graph import GraphConnector
from projecthub.core.clock import utcnow
from projecthub.core.config import settings
from projecthub.core.db import unit_of_work
from projecthub.core.errors import AppError
from projecthub.models import (
    DeliveryMode,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    Organization,
    ProjectResource,
    Role,
    Tool,
    ToolConnection,
    User,
)
from projecthub.services.mail import queue_mail
from projecthub.services.mail_compose import PRODUCT_NAME, compose
from projecthub.services.notifications.preferences import alert_channel
from projecthub.services.principal import Principal
from projecthub.services.tool_clients import SessionFactory, ToolClients

log = logging.getLogger("projecthub.notifications")
CLAIM_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 5
BATCH = 200
ToolsFactory = Callable[[Principal], ToolClients]


@dataclass(frozen=True)
class _Item:
    id: uuid.UUID
    org_id: uuid.UUID
    user_id: uuid.UUID | None
    channel: NotificationChannel
    mode: DeliveryMode
    project_id: uuid.UUID | None
    title: str
    body: str
    link: str
    reason: str
    attempts: int


@dataclass(frozen=True)
class DeliveryReport:
    mails: int = 0
    posts: int = 0
    failed: int = 0


def absolute(link: str) -> str:
    return f"{settings.PUBLIC_URL.rstrip('/')}{link}" if link.startswith("/") else link


def notifier_principal(org_id: uuid.UUID) -> Principal:
    """Posts to Teams on the organization's behalf (its Graph connection), not a person's."""
    return Principal(user_id=uuid.UUID(int=0), email="notifications", org_id=org_id,
                     org_slug="", role=Role.ADMIN)


def _claim(session_factory: SessionFactory, now: datetime) -> list[_Item]:
    """Take what is due, pushing ``due_at`` forward so a second worker leaves it alone."""
    with unit_of_work(session_factory) as session:
        rows = session.exec(select(NotificationDelivery).where(
            NotificationDelivery.status == DeliveryStatus.PENDING,
            col(NotificationDelivery.due_at) <= now)
            .order_by(col(NotificationDelivery.due_at)).limit(BATCH)).all()
        items = []
        for row in rows:
            claimed = session.exec(update(NotificationDelivery).where(
                col(NotificationDelivery.id) == row.id,
                col(NotificationDelivery.due_at) == row.due_at,
                col(NotificationDelivery.status) == DeliveryStatus.PENDING,
            ).values(due_at=now + CLAIM_LEASE, attempts=row.attempts + 1))
            if claimed.rowcount:
                items.append(_Item(row.id, row.organization_id, row.user_id,
                                   NotificationChannel(row.channel), DeliveryMode(row.mode),
                                   row.project_id, row.title, row.body, row.link, row.reason,
                                   row.attempts + 1))
        return items


def _settle(session: Session, ids: list[uuid.UUID], now: datetime, error: str = "",
            attempts: int = 0) -> None:
    if not error:
        values = {"status": DeliveryStatus.SENT, "sent_at": now, "last_error": ""}
    elif attempts >= MAX_ATTEMPTS:
        values = {"status": DeliveryStatus.FAILED, "last_error": error[:500]}
    else:  # retried with back-off: 2, 4, 8 ... minutes
        values = {"last_error": error[:500],
                  "due_at": now + timedelta(minutes=2 ** max(1, attempts))}
    session.execute(update(NotificationDelivery).where(
        col(NotificationDelivery.id).in_(ids)).values(**values))


async def deliver_pending(session_factory: SessionFactory, tools: ToolsFactory,
                          now: datetime | None = None) -> DeliveryReport:
    """Everything due by ``now``: immediate messages one by one, digests one per person (mail)
    or per channel (Teams) with every item they collected."""
    now = now or utcnow()
    batches: dict[tuple[object, ...], list[_Item]] = defaultdict(list)
    for item in _claim(session_factory, now):
        if item.mode == DeliveryMode.DIGEST:  # one per person (mail) or per channel (Teams)
            project = item.project_id if item.channel == NotificationChannel.TEAMS else None
            batches[(item.org_id, item.user_id, item.channel, project)].append(item)
        else:
            batches[(item.id,)].append(item)
    mails, posts, failed = 0, 0, 0
    for batch in batches.values():
        error = await _send(session_factory, tools, batch, now)
        if error:
            failed += len(batch)
        elif batch[0].channel == NotificationChannel.EMAIL:
            mails += 1
        else:
            posts += 1
    return DeliveryReport(mails, posts, failed)


async def _send(session_factory: SessionFactory, tools: ToolsFactory, batch: list[_Item],
                now: datetime) -> str:
    """Send one message (or one digest); settle its deliveries; return the error, if any."""
    first = batch[0]
    error = ""
    if first.channel == NotificationChannel.EMAIL:
        with unit_of_work(session_factory) as session:
            error = _mail(session, batch)
            _settle(session, [i.id for i in batch], now, error, first.attempts)
        return error
    try:
        target = _teams_target(session_factory, first)
        if target is None:
            error = "No Teams channel: the project has no team and no alert channel is set."
        else:
            connection_id, team_id, channel_id = target
            async with tools(notifier_principal(first.org_id)).graph(connection_id) as graph:
                if not channel_id:
                    channel_id = await _general_channel(graph, team_id)
                await graph.post_channel_message(team_id, channel_id, html=_teams_html(batch),
                                                 subject=_subject(batch))
    except (ConnectorError, AppError) as exc:
        error = str(exc)
    no_channel = error.startswith("No Teams channel")
    if error:  # a project without a team is a setting, not a fault: no warning for it
        log.log(logging.INFO if no_channel else logging.WARNING,
                "A Teams notification was not posted: %s", error)
    with unit_of_work(session_factory) as session:
        # A missing channel will not appear by retrying: settle it as failed at once.
        attempts = MAX_ATTEMPTS if no_channel else first.attempts
        _settle(session, [i.id for i in batch], now, error, attempts)
    return error


def _subject(batch: list[_Item]) -> str:
    if len(batch) == 1:
        return batch[0].title
    return f"Your daily digest: {len(batch)} notifications"


def _mail(session: Session, batch: list[_Item]) -> str:
    first = batch[0]
    user = session.get(User, first.user_id) if first.user_id else None
    org = session.get(Organization, first.org_id)
    if user is None or not user.is_active or org is None:
        return "The recipient no longer exists."
    if len(batch) == 1:
        content = compose(subject=first.title, paragraphs=[org.name, *first.body.split("\n")],
                          reason=f"{first.reason} in {org.name}, and your notification "
                                 "settings send this event by email. Change them on your "
                                 "account page.",
                          link=absolute(first.link), link_label="See what happened")
    else:
        paragraphs = [f"{len(batch)} things happened in {org.name} since the last digest:"]
        paragraphs += [f"• {i.title}: {absolute(i.link)}" for i in batch]
        content = compose(subject=_subject(batch), paragraphs=paragraphs,
                          reason=f"your notification settings collect these events in a daily "
                                 f"digest for {org.name}. Change them on your account page.",
                          link=absolute("/account"), link_label="Notification settings")
    return "" if queue_mail(session, to=user.email, kind="notification",
                            content=content) else "This instance cannot send mail."


def _teams_html(batch: list[_Item]) -> str:
    """The post: title, the reasons, the link to the page that explains it, and the product."""
    parts = []
    for item in batch:
        lines = "".join(f"<br>{escape(line)}" for line in item.body.split("\n") if line)
        parts.append(f"<p><b>{escape(item.title)}</b>{lines}<br>"
                     f'<a href="{escape(absolute(item.link), quote=True)}">Open in '
                     f"{PRODUCT_NAME}</a></p>")
    return "".join(parts) + f"<p><i>Sent by {PRODUCT_NAME}.</i></p>"


def _teams_target(session_factory: SessionFactory,
                  item: _Item) -> tuple[str, str, str] | None:
    """The project's own team (its General channel), else the organization's alert channel
    on the chosen (or only) Graph connection."""
    with session_factory() as session:
        if item.project_id is not None:
            team = session.exec(select(ProjectResource).where(
                ProjectResource.project_id == item.project_id,
                ProjectResource.tool == Tool.GRAPH, ProjectResource.kind == "team")).first()
            if team is not None and team.connection_id is not None:
                return str(team.connection_id), team.external_id, ""
        org = session.get(Organization, item.org_id)
        target = alert_channel(org) if org else None
        if target is None or not target.team_id or not target.channel_id:
            return None
        connection_id = target.connection_id or str(session.exec(select(ToolConnection.id).where(
            ToolConnection.organization_id == item.org_id,
            ToolConnection.tool == Tool.GRAPH)).first() or "")
        return (connection_id, target.team_id, target.channel_id) if connection_id else None


async def _general_channel(graph: GraphConnector, team_id: str) -> str:
    first = ""
    async for channel in graph.iter_channels(team_id):
        first = first or channel.id
        if channel.display_name == "General":
            return channel.id
    if not first:
        raise AppError(f"The team {team_id} has no channel.")
    return first
