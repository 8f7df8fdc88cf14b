"""The FastAPI application that Reflex mounts through ``api_transformer``."""

from __future__ import annotations

from fastapi import FastAPI

API_PREFIX = "/api/v1"


def create_api() -> FastAPI:
    """Build the API app; routers are included here and nowhere else."""
    api = FastAPI(
        title="ProjectHub API",
        version="1.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
    )

    @api.get(f"{API_PREFIX}/health", tags=["health"])
    def health() -> dict[str, str]:
        """Liveness probe for load balancers."""
        return {"status": "ok"}

    return api


api_app = create_api()
