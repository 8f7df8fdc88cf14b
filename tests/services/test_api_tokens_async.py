"""``grant_for_token_async``: the token's statement on an async psycopg connection (PostgreSQL),
with the same checks as ``grant_for_token``, on a bounded pool that survives dead connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import text

from projecthub.core.async_reads import AsyncReads
from projecthub.core.clock import utcnow
from projecthub.core.errors import NotAuthenticated, PermissionDenied
from projecthub.models import ApiToken
from projecthub.services import api_tokens
from tests.factories import make_org, make_user, principal


@pytest.fixture
async def reads(engine) -> AsyncIterator[AsyncReads]:  # type: ignore[no-untyped-def]
    if engine.dialect.name != "postgresql":
        pytest.skip("the async path is PostgreSQL's")
    pool = AsyncReads(engine.url.set(drivername="postgresql")
                      .render_as_string(hide_password=False), size=2)
    yield pool
    await pool.close()


def _token(db, *, read_only: bool = False) -> api_tokens.CreatedToken:  # type: ignore[no-untyped-def]
    owner = make_user(db)
    org = make_org(db, owner, slug="acme")
    created = api_tokens.create_api_token(db, principal(db, owner, org), name="t",
                                          read_only=read_only)
    db.commit()
    return created


async def test_the_async_grant_is_the_sync_grant(db, reads):
    created = _token(db)
    grant = await api_tokens.grant_for_token_async(reads, created.secret)
    assert grant == api_tokens.grant_for_token(db, created.secret)


async def test_a_read_only_token_is_refused_for_writes_on_the_async_path(db, reads):
    created = _token(db, read_only=True)
    await api_tokens.grant_for_token_async(reads, created.secret)
    with pytest.raises(PermissionDenied):
        await api_tokens.grant_for_token_async(reads, created.secret, writes=True)


async def test_a_revoked_or_unknown_token_is_refused_on_the_async_path(db, reads):
    created = _token(db)
    api_tokens.revoke_user_tokens(db, created.token.user_id)
    db.commit()
    for secret in (created.secret, "pht_unknown"):
        with pytest.raises(NotAuthenticated):
            await api_tokens.grant_for_token_async(reads, secret)


async def test_the_last_use_is_recorded_once_a_minute_on_the_async_path(db, reads):
    created = _token(db)
    await api_tokens.grant_for_token_async(reads, created.secret)
    db.expire_all()
    first = db.get(ApiToken, created.token.id).last_used_at
    assert first is not None and utcnow() - first < timedelta(minutes=1)
    await api_tokens.grant_for_token_async(reads, created.secret)
    db.expire_all()
    assert db.get(ApiToken, created.token.id).last_used_at == first


async def test_the_pool_opens_no_more_connections_than_its_size(db, reads):
    created = _token(db)
    grants = await asyncio.gather(*(api_tokens.grant_for_token_async(reads, created.secret)
                                    for _ in range(20)))
    assert len(set(grants)) == 1 and reads.opened == reads.size == 2


async def test_a_dead_connection_is_retried_once_on_a_fresh_one(db, engine, reads):
    created = _token(db)
    await api_tokens.grant_for_token_async(reads, created.secret)
    with engine.connect() as connection:
        connection.exec_driver_sql("RESET ROLE")  # the superuser may end any backend
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    await api_tokens.grant_for_token_async(reads, created.secret)
    assert reads.opened == 2
