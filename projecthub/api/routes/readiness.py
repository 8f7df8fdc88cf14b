"""``GET /api/v1/ready``: the readiness probe (``/health`` stays the cheap liveness probe)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from projecthub.api.schemas import CheckPublic, Readiness
from projecthub.core.config import settings
from projecthub.core.db import get_engine
from projecthub.core.readiness import check_database, check_redis, check_workers

router = APIRouter(tags=["health"])


@router.get("/ready", response_model=Readiness,
            responses={503: {"model": Readiness, "description": "A check failed"}})
def ready() -> JSONResponse:
    """Database reachable, migrations at head, Redis reachable when configured, a job worker's
    heartbeat seen recently (PostgreSQL): 200, else 503 naming the failed checks. Needs no
    token, so it says nothing secret."""
    engine = get_engine()
    checks = [*check_database(engine), check_redis(settings.REDIS_URL),
              check_workers(engine, settings.WORKER_STALLED_SECONDS)]
    failed = [c.name for c in checks if not c.ok]
    body = Readiness(status="unavailable" if failed else "ready", failed=failed,
                     checks={c.name: CheckPublic(ok=c.ok, detail=c.detail) for c in checks})
    return JSONResponse(body.model_dump(), status_code=503 if failed else 200)
