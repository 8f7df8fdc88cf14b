"""Answers serialized once. FastAPI, given a model and a ``response_model``, dumps the model to a
dict, validates that dict against the response model and serializes it again; for a page of
project rows (nested figures with custom serializers) that was a third of the request's CPU.
A route that has built its response model returns ``json_response(model)`` instead; its
``response_model`` stays, so the OpenAPI schema is unchanged."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def json_response(model: BaseModel) -> Response:
    """The model as JSON, as FastAPI would have sent it (no aliases in our schemas)."""
    return Response(model.model_dump_json(), media_type="application/json")
