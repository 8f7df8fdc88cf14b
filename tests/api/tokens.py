"""API credentials for tests: a member's bearer token, issued by the real token service."""

from __future__ import annotations

from sqlmodel import Session

from projecthub.models import Organization, User
from projecthub.services import api_tokens
from tests.factories import principal


def bearer(db: Session, user: User, org: Organization) -> dict[str, str]:
    """The ``Authorization`` header of a fresh API token for ``user`` in ``org``."""
    secret = api_tokens.create_api_token(db, principal(db, user, org), name="test").secret
    db.commit()  # the API's requests read it in their own sessions
    return {"Authorization": f"Bearer {secret}"}
