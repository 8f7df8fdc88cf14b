"""Tool connections of an organization (secrets are write-only)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.schemas import (
    ConnectionCheck,
    ConnectionCreate,
    ConnectionPublic,
    ConnectionUpdate,
)
from projecthub.services import connection_checks, connections
from projecthub.services.wiring import tool_clients

router = APIRouter(prefix="/orgs/{org_slug}/connections", tags=["connections"])


def _public(view: connections.ConnectionView) -> ConnectionPublic:
    return ConnectionPublic.model_validate(view)


@router.get("", response_model=list[ConnectionPublic])
def list_connections(db: DbDep, principal: PrincipalDep) -> list[ConnectionPublic]:
    return [_public(v) for v in connections.list_connections(db, principal)]


@router.post("", response_model=ConnectionPublic, status_code=status.HTTP_201_CREATED)
def create_connection(body: ConnectionCreate, db: DbDep,
                      principal: PrincipalDep) -> ConnectionPublic:
    return _public(connections.create_connection(
        db, principal, tool=body.tool, name=body.name, base_url=body.base_url,
        settings_values=body.settings, secret_values=body.secrets))


@router.get("/{connection_id}", response_model=ConnectionPublic)
def read_connection(connection_id: uuid.UUID, db: DbDep,
                    principal: PrincipalDep) -> ConnectionPublic:
    return _public(connections.get_connection(db, principal, connection_id))


@router.patch("/{connection_id}", response_model=ConnectionPublic)
def update_connection(connection_id: uuid.UUID, body: ConnectionUpdate, db: DbDep,
                      principal: PrincipalDep) -> ConnectionPublic:
    return _public(connections.update_connection(
        db, principal, connection_id, name=body.name, base_url=body.base_url,
        settings_values=body.settings, secret_values=body.secrets))


@router.delete("/{connection_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_connection(connection_id: uuid.UUID, db: DbDep, principal: PrincipalDep) -> None:
    connections.delete_connection(db, principal, connection_id)


@router.post("/{connection_id}/test", response_model=ConnectionCheck)
async def test_connection(connection_id: uuid.UUID, db: DbDep,
                          principal: PrincipalDep) -> ConnectionCheck:
    """Call the tool's identity endpoint with the saved credentials."""
    result = await connection_checks.check_connection(db, principal, tool_clients(principal),
                                                      connection_id)
    return ConnectionCheck(ok=result.ok, message=result.message)
