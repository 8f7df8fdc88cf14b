"""A minimal vendor built on the sandbox frame, to test the frame without vendor rules."""

from __future__ import annotations

import itertools
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from projecthub.sandbox.common import SandboxRoute, VendorSandbox, read_json

_ids = itertools.count(1)


def authenticate(request: Request, tenant: Callable[[str], list[str]]) -> list[str] | Response:
    token = request.headers.get("x-token", "")
    if token.startswith("sandbox-"):
        return tenant(token.removeprefix("sandbox-"))
    return render_error(401, "bad token", {})


def render_error(status: int, message: str, fields: dict[str, str]) -> Response:
    return JSONResponse({"error": message, "fields": fields}, status_code=status)


async def list_items(_request: Request, state: list[str]) -> Response:
    return JSONResponse({"items": state})


async def add_item(request: Request, state: list[str]) -> Response:
    state.append(str((await read_json(request))["name"]))
    return JSONResponse({"ok": True}, status_code=201)


def create_toy(sleep, admin_token: str | None = None) -> VendorSandbox[list[str]]:
    return VendorSandbox(
        name="toy",
        routes=[SandboxRoute("/items", list_items), SandboxRoute("/items", add_item, ("POST",))],
        new_state=lambda _tenant: [],
        authenticate=authenticate,
        render_error=render_error,
        reply_headers=lambda: {"X-Request-Id": f"req-{next(_ids)}"},
        seed=lambda state: state.append("seeded"),
        sleep=sleep,
        admin_token=admin_token,
    )
