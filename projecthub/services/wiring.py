"""How the edges (UI, API, background workers) reach the database and the tools: one
engine-backed session per use and real HTTP clients. Tests swap these for in-process fakes."""

from __future__ import annotations

from sqlmodel import Session

from projecthub.core.db import get_engine
from projecthub.services.principal import Principal
from projecthub.services.status.sync import SyncConfig
from projecthub.services.tool_clients import ToolClients


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def tool_clients(principal: Principal) -> ToolClients:
    return ToolClients(new_session, principal)


def sync_config() -> SyncConfig:
    return SyncConfig(session_factory=new_session, tools_factory=tool_clients)
