"""What the browser-facing edges agree on: URL prefixes and the session cookie's name.

The UI and the API both read these, and neither may import the other, so they live below both.
Setting the cookie stays in the API (``api/cookies.py``): only a response can make it HttpOnly.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from projecthub.core.config import settings

API_PREFIX = "/api/v1"
SANDBOX_PREFIX = "/sandbox"


def session_cookie_name() -> str:
    return "__Host-ph_session" if settings.cookie_secure else "ph_session"


def microsoft_cookie_name() -> str:
    """The handle of a "Sign in with Microsoft" in progress (its flow stays server-side)."""
    return "__Host-ph_microsoft" if settings.cookie_secure else "ph_microsoft"


def session_token_from_header(cookie_header: str | None) -> str | None:
    """Pick our cookie out of a raw ``Cookie`` header (tolerating other sites' junk)."""
    return cookie_from_header(cookie_header, session_cookie_name())


def cookie_from_header(cookie_header: str | None, name: str) -> str | None:
    if not cookie_header:
        return None
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except CookieError:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None
