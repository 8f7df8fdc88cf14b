"""Request dependencies: the request's unit of work, and the principal behind a bearer token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from projecthub.core.db import new_session, unit_of_work
from projecthub.core.errors import NotAuthenticated, NotFound
from projecthub.services.api_tokens import resolve_api_token
from projecthub.services.principal import Actor, Principal
from projecthub.services.scoping import act_as

_bearer = HTTPBearer(auto_error=False, description="An API token from your account screen.")


def get_db() -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back when it
    raises (the error handlers then answer). Services never commit on their own."""
    with unit_of_work(new_session) as session:
        yield session


# "function" scope: the commit happens before the response is sent, so a failed commit is an
# error response, never a success the database did not keep.
DbDep = Annotated[Session, Depends(get_db, scope="function")]


_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def token_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal an API token acts as (a user within the token's organization); a
    read-only token is refused for any method that can change something.

    The token is resolved (and its last use recorded) in a short unit of work of its own, so
    the request's transaction holds no write lock while a route waits on a vendor: on SQLite
    that lock would stall every other writer."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("Send an API token as 'Authorization: Bearer <token>'.")
    with unit_of_work(new_session) as session:
        return resolve_api_token(session, credentials.credentials,
                                 writes=request.method not in _READ_METHODS)


TokenPrincipalDep = Annotated[Principal, Depends(token_principal)]


def org_principal(
    principal: TokenPrincipalDep,
    org_slug: Annotated[str, Path(description="The organization's slug.", max_length=50)],
    db: DbDep,
) -> Principal:
    """Organization-scoped routes: a slug other than the token's organization is not found;
    the request's transaction acts as that organization (row-level security on PostgreSQL)."""
    if org_slug != principal.org_slug:
        raise NotFound("Organization not found.")
    act_as(db, principal)
    return principal


PrincipalDep = Annotated[Principal, Depends(org_principal)]


def token_actor(principal: TokenPrincipalDep) -> Actor:
    return principal.actor


ActorDep = Annotated[Actor, Depends(token_actor)]


def client_ip(request: Request) -> str:
    """The caller's address, which mail rate limits count per (``services.throttle``)."""
    return request.client.host if request.client else "unknown"


def client_user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]
