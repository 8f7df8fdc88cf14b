"""How the edges (UI, API, background workers) reach the database and the tools: one
engine-backed session per use and real HTTP clients. Tests swap these for in-process fakes."""

from __future__ import annotations

from functools import cache

from sqlmodel import Session

from projecthub.connectors.ratelimit import process_store
from projecthub.connectors.throttle_store import RedisThrottleStore, ThrottleStore
from projecthub.core.config import settings
from projecthub.core.db import get_engine
from projecthub.services.principal import Principal
from projecthub.services.status.sync import SyncConfig
from projecthub.services.tool_clients import ToolClients


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


@cache
def throttle_store() -> ThrottleStore:
    """Vendor limits per connection for the whole deployment: in Redis when configured, so
    every process counts against the same allowance; in this process otherwise."""
    if settings.REDIS_URL:
        return RedisThrottleStore(settings.REDIS_URL)
    return process_store()


def tool_clients(principal: Principal) -> ToolClients:
    return ToolClients(new_session, principal, throttle_store=throttle_store())


def sync_config() -> SyncConfig:
    return SyncConfig(session_factory=new_session, tools_factory=tool_clients)
