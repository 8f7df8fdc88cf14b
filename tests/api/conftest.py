"""API test client and a helper that gives a member of an organization an API token."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from projecthub.api.main import create_api
from projecthub.models import Organization, User
from projecthub.services import api_tokens
from tests.factories import principal

api_app = create_api()


@pytest.fixture
def client(engine) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(api_app, raise_server_exceptions=False) as test_client:
        yield test_client


def bearer(db: Session, user: User, org: Organization) -> dict[str, str]:
    secret = api_tokens.create_api_token(db, principal(db, user, org), name="test").secret
    return {"Authorization": f"Bearer {secret}"}
