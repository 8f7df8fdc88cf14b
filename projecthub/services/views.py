"""The base of every read model a service returns. The API's public schemas subclass these
(``ConnectionPublic(ConnectionView)``), so a field is declared once from service to API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class View(BaseModel):
    """Immutable, and readable from any object with the same attributes (a subclass reads its
    parent's instances). Every field is always sent, so a response schema lists them required."""

    model_config = ConfigDict(frozen=True, from_attributes=True,
                              json_schema_serialization_defaults_required=True)
