"""Request dependencies: the request's unit of work, and the principal behind a bearer token."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Annotated, TypeVar

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlmodel import Session

from projecthub.api.answer_cache import Answer, AnswerCache
from projecthub.core.async_reads import async_reads
from projecthub.core.db import SINGLE_READ_CONNECTIONS, new_session, single_read, unit_of_work
from projecthub.core.errors import NotAuthenticated, NotFound
from projecthub.services.api_tokens import (
    TokenGrant,
    grant_for_token,
    grant_for_token_async,
    resolve_api_token,
)
from projecthub.services.principal import Actor, Principal
from projecthub.services.scoping import act_as

T = TypeVar("T")

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


def _bearer_secret(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("Send an API token as 'Authorization: Bearer <token>'.")
    return credentials.credentials


def token_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The principal an API token acts as (a user within the token's organization); a
    read-only token is refused for any method that can change something.

    The token is resolved (and its last use recorded) in a short unit of work of its own, so
    the request's transaction holds no write lock while a route waits on a vendor: on SQLite
    that lock would stall every other writer."""
    secret = _bearer_secret(credentials)
    with unit_of_work(new_session) as session:
        return resolve_api_token(session, secret, writes=request.method not in _READ_METHODS)


TokenPrincipalDep = Annotated[Principal, Depends(token_principal)]


ORG_SLUG_MAX = 50
OrgSlug = Annotated[str, Path(description="The organization's slug.", max_length=ORG_SLUG_MAX)]


def _enter_org(session: Session, principal: Principal, org_slug: str) -> None:
    """A slug other than the token's organization is not found; from here the transaction acts
    as that organization (row-level security on PostgreSQL)."""
    _check_org(principal, org_slug)
    act_as(session, principal)


def _check_org(principal: Principal, org_slug: str) -> None:
    if org_slug != principal.org_slug:
        raise NotFound("Organization not found.")


def org_principal(principal: TokenPrincipalDep, org_slug: OrgSlug, db: DbDep) -> Principal:
    """Organization-scoped routes: the token's principal, the request's transaction acting as
    its organization."""
    _enter_org(db, principal, org_slug)
    return principal


PrincipalDep = Annotated[Principal, Depends(org_principal)]


# Read routes' worker threads running at once, per event loop: a few keep the database busy,
# more only queue for the GIL (README "Performance" has the measurements).
READER_THREADS = SINGLE_READ_CONNECTIONS
_readers: RunVar[CapacityLimiter] = RunVar("projecthub_reader_threads")


def _reader_limiter() -> CapacityLimiter:
    try:
        return _readers.get()
    except LookupError:
        limiter = CapacityLimiter(READER_THREADS)
        _readers.set(limiter)
        return limiter


@dataclass(frozen=True)
class OrgReader:
    """A read route's whole database work in one worker-thread call and one transaction: one
    statement for the token (resolved afresh, so a revoked token fails at once), its person,
    membership and organization, and row-level security; then the organization check and the
    route's reads. The usual chain (``PrincipalDep`` with ``DbDep``) costs four thread hops,
    two transactions and seven statements (README "Performance")."""

    secret: str
    org_slug: str
    writes: bool

    async def run(self, work: Callable[[Session, Principal], T]) -> T:
        return await to_thread.run_sync(self._in_one_transaction, work,
                                        limiter=_reader_limiter())

    def _in_one_transaction(self, work: Callable[[Session, Principal], T]) -> T:
        with unit_of_work(new_session) as session:
            principal = grant_for_token(session, self.secret, writes=self.writes,
                                        act=True).principal
            _enter_org(session, principal, self.org_slug)
            return work(session, principal)

    async def cached(self, cache: AnswerCache, key: Callable[[TokenGrant], Hashable],
                     build: Callable[[Session, Principal], bytes]) -> Answer:
        """The answer ``cache`` keeps for ``key(grant)``, else ``build``'s in one transaction
        acting as the organization. A kept answer costs one statement and no transaction: the
        token's (every check above, made afresh). On PostgreSQL that statement runs on the
        event loop (``core.async_reads``) and only a miss goes to a worker thread."""
        reads = async_reads()
        if reads is None:
            return await to_thread.run_sync(self._cached, cache, key, build,
                                            limiter=_reader_limiter())
        grant = await grant_for_token_async(reads, self.secret, writes=self.writes)
        _check_org(grant.principal, self.org_slug)
        wanted = key(grant)
        found = cache.get(wanted)
        if found is not None:
            return found
        return await to_thread.run_sync(cache.answer, wanted,
                                        functools.partial(_build, grant.principal, build),
                                        limiter=_reader_limiter())

    def _cached(self, cache: AnswerCache, key: Callable[[TokenGrant], Hashable],
                build: Callable[[Session, Principal], bytes]) -> Answer:
        grant = single_read(lambda session: grant_for_token(session, self.secret,
                                                            writes=self.writes))
        _check_org(grant.principal, self.org_slug)
        return cache.answer(key(grant), functools.partial(_build, grant.principal, build))


def _build(principal: Principal, build: Callable[[Session, Principal], bytes]) -> bytes:
    """A missed answer, built in one transaction acting as the organization."""
    with unit_of_work(new_session) as session:
        act_as(session, principal)
        return build(session, principal)


async def org_reader(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    org_slug: OrgSlug,
) -> OrgReader:
    """Async, so FastAPI runs it on the event loop instead of a worker thread; no database
    work until the route calls ``run``."""
    return OrgReader(_bearer_secret(credentials), org_slug,
                     writes=request.method not in _READ_METHODS)


OrgReaderDep = Annotated[OrgReader, Depends(org_reader)]


async def direct_org_reader(request: Request) -> OrgReader | None:
    """``org_reader``'s reader built directly (``api.direct_route``), for a path whose slug and
    bearer header FastAPI would accept; None for any other, which FastAPI then answers."""
    org_slug: str = request.path_params["org_slug"]
    if len(org_slug) > ORG_SLUG_MAX:
        return None
    # ``_bearer``'s reading of the header, without its credentials model; anything but a
    # bearer token goes to FastAPI, which refuses it.
    scheme, _, secret = (request.headers.get("authorization") or "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        return None
    return OrgReader(secret, org_slug, writes=request.method not in _READ_METHODS)


def token_actor(principal: TokenPrincipalDep) -> Actor:
    return principal.actor


ActorDep = Annotated[Actor, Depends(token_actor)]


def client_ip(request: Request) -> str:
    """The caller's address, which mail rate limits count per (``services.throttle``)."""
    return request.client.host if request.client else "unknown"


def client_user_agent(request: Request) -> str:
    return request.headers.get("user-agent", "")[:300]
