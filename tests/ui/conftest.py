"""UI state tests: states are instantiated directly (allowed under pytest) with the router data a
browser's websocket handshake would carry, including the HttpOnly session cookie."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import pytest
import reflex as rx
from reflex.istate.data import RouterData
from reflex_base.event import EventSpec
from sqlmodel import Session

from projecthub.core.web import session_cookie_name
from projecthub.models import Membership, User
from projecthub.services import sessions

S = TypeVar("S", bound=rx.State)


def login(db: Session, user: User) -> str:
    """A real session for ``user``; returns the token its cookie would hold."""
    token = sessions.start_session(db, user)
    db.commit()
    return token


def user_of(db: Session, membership: Membership) -> User:
    return db.get_one(User, membership.user_id)


def browser_state(state_cls: type[S], token: str | None, path: str = "/dashboard") -> S:
    """A state as a tab on ``path`` would have it, with (or without) the session cookie."""
    state = state_cls()
    cookie = f"theme=dark; {session_cookie_name()}={token}" if token else "theme=dark"
    state.router = RouterData.from_router_data({
        "token": "client-token", "pathname": path, "asPath": path,
        "headers": {"cookie": cookie, "origin": "http://localhost:3000"},
    })
    return state


def _flatten(result: Any) -> list[EventSpec]:
    if result is None:
        return []
    if isinstance(result, list):
        return [spec for item in result for spec in _flatten(item)]
    return [result]


def redirect_path(result: Any) -> str | None:
    """Where a handler's returned events navigate, if anywhere."""
    for spec in _flatten(result):
        if spec.handler.fn.__qualname__ == "_redirect":
            return next(value._var_value for key, value in spec.args if key._js_expr == "path")
    return None


def toasts(result: Any) -> str:
    """The text of any toasts a handler returned (empty when none)."""
    return " ".join(str(spec.args) for spec in _flatten(result)
                    if "__toast" in str(spec.args))


@pytest.fixture
def as_user(db: Session) -> Callable[..., Any]:
    """``as_user(StateCls, user, path=...)``: a state in a tab where ``user`` is logged in."""
    def make(state_cls: type[S], user: User, path: str = "/dashboard") -> S:
        return browser_state(state_cls, login(db, user), path)
    return make
