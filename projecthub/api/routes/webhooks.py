"""Webhooks in (docs/architecture.md §15): the open delivery endpoint the tools post to, and an
organization's routes to turn a connection's webhook on and off (admins and owners)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from fastapi.responses import JSONResponse, PlainTextResponse
from starlette.concurrency import run_in_threadpool

from projecthub.api.deps import DbDep, PrincipalDep, client_ip
from projecthub.api.schemas import WebhookPublic, WebhookSetupPublic
from projecthub.core.clock import utcnow
from projecthub.services.webhooks import endpoints, setup
from projecthub.services.webhooks.receive import Outcome, receive_delivery
from projecthub.services.webhooks.vendors import MAX_BODY_BYTES, Incoming
from projecthub.services.wiring import new_session, tool_clients

hooks_router = APIRouter(prefix="/hooks", tags=["webhooks"])
router = APIRouter(prefix="/orgs/{org_slug}/connections/{connection_id}/webhook",
                   tags=["connections"])

# One answer per refusal, whatever the reason, so a caller learns nothing from it.
_REFUSALS = {Outcome.UNKNOWN: status.HTTP_401_UNAUTHORIZED,
             Outcome.FORGED: status.HTTP_401_UNAUTHORIZED,
             Outcome.REPLAYED: status.HTTP_409_CONFLICT}


async def _bounded_body(request: Request) -> bytes | None:
    """The body, or ``None`` past the limit (read in chunks: a chunked upload without a length
    is cut off too, never held whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


@hooks_router.post("/{token}", status_code=status.HTTP_202_ACCEPTED,
                   responses={401: {"description": "Not a delivery of this endpoint's tool."},
                              409: {"description": "A delivery seen before."},
                              413: {"description": "Body too large."}})
async def receive(token: Annotated[str, Path(max_length=100)], request: Request,
                  db: DbDep) -> Response:
    """Where the tools post. Verified, recorded and answered at once (202); the projects it
    names are refreshed by a background job. Graph's validation handshake is echoed as text."""
    body = await _bounded_body(request)
    if body is None:
        return JSONResponse({"detail": "Too large."}, status_code=413)
    incoming = Incoming({k.lower(): v for k, v in request.headers.items()},
                        dict(request.query_params), body)
    # The database work off the event loop (the vendor's other deliveries keep moving).
    received = await run_in_threadpool(receive_delivery, db, token, incoming, utcnow(),
                                       client_ip(request))
    if received.outcome == Outcome.HANDSHAKE:
        return PlainTextResponse(received.handshake)
    if received.outcome in _REFUSALS:  # recorded (audit): the transaction commits
        code = _REFUSALS[received.outcome]
        return JSONResponse({"detail": "Conflict." if code == 409 else "Unauthorized."},
                            status_code=code)
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.get("", response_model=WebhookPublic | None)
def read_webhook(connection_id: uuid.UUID, db: DbDep,
                 principal: PrincipalDep) -> WebhookPublic | None:
    """``null`` while the connection receives no webhooks."""
    view = endpoints.get_webhook(db, principal, connection_id)
    return WebhookPublic.model_validate(view) if view is not None else None


@router.post("", response_model=WebhookSetupPublic, status_code=status.HTTP_201_CREATED)
async def turn_on_webhook(connection_id: uuid.UUID,
                          principal: PrincipalDep) -> WebhookSetupPublic:
    """A new endpoint (replacing any earlier one), registered at the tool where its API
    allows; the address and secret are in this answer only."""
    done = await setup.turn_on(new_session, principal, tool_clients(principal), connection_id)
    return WebhookSetupPublic.model_validate(done)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT)
async def turn_off_webhook(connection_id: uuid.UUID, principal: PrincipalDep) -> None:
    """Deliveries are refused from now on; a registration ProjectHub made is removed."""
    await setup.turn_off(new_session, principal, tool_clients(principal), connection_id)
