"""The reliability suite reuses the API tests' client."""

from tests.api.conftest import client

__all__ = ["client"]
