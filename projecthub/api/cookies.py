"""The browser session cookie: HttpOnly, SameSite=Lax, Secure (and ``__Host-``) in production.
Only the server reads it; the Reflex UI reads it from the websocket handshake headers."""

from __future__ import annotations

from fastapi import Response

from projecthub.core.config import settings
from projecthub.core.web import session_cookie_name


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(session_cookie_name(), token, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, path="/",
                        max_age=settings.SESSION_ABSOLUTE_HOURS * 3600)


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(session_cookie_name(), path="/", httponly=True, samesite="lax",
                           secure=settings.cookie_secure)
