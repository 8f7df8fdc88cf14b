"""Security headers on every HTTP response the server sends: pages, static files, API, sandbox.

The Content-Security-Policy is what the compiled Reflex app needs and no more: its build has
inline bootstrap scripts and inline styles (Radix, emotion), and ``rx.call_script`` runs code
through ``eval`` (Reflex's state.js), hence ``'unsafe-inline'``/``'unsafe-eval'`` for scripts.
What it still stops: loading or posting anywhere but this origin (and its websocket), plugins,
``<base>`` hijacking, forms posting elsewhere and framing (clickjacking).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projecthub.core.config import settings
from projecthub.core.web import API_PREFIX

# FastAPI's Swagger UI loads its script and styles from jsDelivr and its favicon from its site.
_DOCS_SOURCES = "https://cdn.jsdelivr.net"
_DOCS_FAVICON = "https://fastapi.tiangolo.com"


def websocket_origins(origins: Iterable[str]) -> list[str]:
    """Each allowed http(s) origin with its ws(s) twin: Reflex's event socket connects there."""
    found: list[str] = []
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme in ("http", "https") and parts.netloc:
            found += [f"{parts.scheme}://{parts.netloc}",
                      f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}"]
    return list(dict.fromkeys(found))


def content_security_policy(*, origins: Iterable[str], docs: bool = False) -> str:
    connect = " ".join(["'self'", *websocket_origins(origins)])
    extra, image_extra = (f" {_DOCS_SOURCES}", f" {_DOCS_FAVICON}") if docs else ("", "")
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' 'unsafe-eval'{extra}",
        f"style-src 'self' 'unsafe-inline'{extra}",
        f"img-src 'self' data: blob:{image_extra}",
        "font-src 'self' data:",
        f"connect-src {connect}",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


class SecurityHeaders:
    """ASGI middleware: adds the headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp, *, docs_path: str) -> None:
        self.app = app
        self._docs_path = docs_path
        origins = settings.origins
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"same-origin"),
        ]
        if settings.is_production:
            common.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
        self._app_headers = [*common, (b"content-security-policy",
                                       content_security_policy(origins=origins).encode())]
        self._docs_headers = [*common, (b"content-security-policy",
                                        content_security_policy(origins=origins,
                                                                docs=True).encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_docs = scope.get("path", "") == self._docs_path
        extra = self._docs_headers if is_docs else self._app_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def with_security_headers(app: ASGIApp) -> ASGIApp:
    """The ``api_transformer`` form: wrap the whole server (Reflex, the API, the sandbox)."""
    return SecurityHeaders(app, docs_path=f"{API_PREFIX}/docs")
