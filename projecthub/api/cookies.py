"""The browser session cookie: HttpOnly, SameSite=Lax, Secure (and ``__Host-``) in production.
Only the server reads it; the Reflex UI reads it from the websocket handshake headers."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from fastapi import Response

from projecthub.core.config import settings


def session_cookie_name() -> str:
    return "__Host-ph_session" if settings.cookie_secure else "ph_session"


def set_session_cookie(response: Response, token: str) -> None:
    response.set_cookie(session_cookie_name(), token, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, path="/",
                        max_age=settings.SESSION_ABSOLUTE_HOURS * 3600)


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(session_cookie_name(), path="/", httponly=True, samesite="lax",
                           secure=settings.cookie_secure)


def session_token_from_header(cookie_header: str | None) -> str | None:
    """Pick our cookie out of a raw ``Cookie`` header (tolerating other sites' junk)."""
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(session_cookie_name())
    return morsel.value if morsel else None
