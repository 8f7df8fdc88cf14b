"""Connections' vendor limits are kept in Redis when it is configured, so every process shares
them, and in this process otherwise."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from projecthub.connectors.ratelimit import process_store
from projecthub.connectors.throttle_store import RedisThrottleStore
from projecthub.core.config import settings
from projecthub.models import Role
from projecthub.services import wiring
from projecthub.services.principal import Principal


@pytest.fixture
def fresh_wiring() -> Iterator[None]:
    wiring.throttle_store.cache_clear()
    yield
    wiring.throttle_store.cache_clear()


def test_limits_live_in_redis_when_it_is_configured(fresh_wiring, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", "redis://127.0.0.1:6379/0")
    store = wiring.throttle_store()
    assert isinstance(store, RedisThrottleStore) and store is wiring.throttle_store()
    principal = Principal(uuid.uuid4(), "a@projecthub.example", uuid.uuid4(), "acme",
                          Role.MEMBER)
    assert wiring.tool_clients(principal)._throttle_store is store


def test_limits_stay_in_process_without_redis(fresh_wiring, monkeypatch):
    monkeypatch.setattr(settings, "REDIS_URL", None)
    assert wiring.throttle_store() is process_store()
