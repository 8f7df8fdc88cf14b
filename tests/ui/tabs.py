"""A browser tab as UI state tests see it: a real session, the router data a websocket handshake
would carry (the HttpOnly session cookie included), and what a handler's returned events do."""

from __future__ import annotations

from typing import Any, TypeVar

import reflex as rx
from reflex.istate.data import RouterData
from reflex_base.event import EventSpec
from reflex_base.utils.format import format_ref
from sqlmodel import Session

from projecthub.core.web import session_cookie_name
from projecthub.models import User
from projecthub.services import sessions

S = TypeVar("S", bound=rx.State)


def login(db: Session, user: User) -> str:
    """A real session for ``user``; returns the token its cookie would hold."""
    token = sessions.start_session(db, user)
    db.commit()
    return token


def browser_state(state_cls: type[S], token: str | None, path: str = "/dashboard") -> S:
    """A state as a tab on ``path`` would have it, with (or without) the session cookie; made
    as the framework makes it, so benchmarks outside pytest can use it too."""
    state = state_cls(_reflex_internal_init=True)
    cookie = f"theme=dark; {session_cookie_name()}={token}" if token else "theme=dark"
    state.router = RouterData.from_router_data({
        "token": "client-token", "pathname": path, "asPath": path,
        "headers": {"cookie": cookie, "origin": "http://localhost:3000"},
    })
    return state


def _flatten(result: Any) -> list[EventSpec]:
    """The event specs a handler returned (handlers it chains, such as a search, carry none of
    the toasts, redirects or values asked about here)."""
    if result is None:
        return []
    if isinstance(result, list):
        return [spec for item in result for spec in _flatten(item)]
    return [result] if isinstance(result, EventSpec) else []


def redirect_path(result: Any) -> str | None:
    """Where a handler's returned events navigate, if anywhere."""
    for spec in _flatten(result):
        if spec.handler.fn.__qualname__ == "_redirect":
            return next(value._var_value for key, value in spec.args if key._js_expr == "path")
    return None


def revealed(result: Any, element_id: str) -> str | None:
    """The one-time value a handler's returned events write into ``element_id`` in the browser
    (``dialogs.reveal``), if any."""
    ref = format_ref(element_id)
    for spec in _flatten(result):
        if spec.handler.fn.__qualname__ == "_set_value":
            args = {key._js_expr: value._var_value for key, value in spec.args}
            if args["ref"] == ref:
                return str(args["value"])
    return None


def toasts(result: Any) -> str:
    """The text of any toasts a handler returned (empty when none)."""
    return " ".join(str(spec.args) for spec in _flatten(result)
                    if isinstance(spec, EventSpec) and "__toast" in str(spec.args))
