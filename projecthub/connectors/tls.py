"""One client SSL context per process, shared by every connector's client and transport.

Building a context parses the whole CA bundle (10-50 ms of CPU on the event loop each time), and
httpx builds one per ``AsyncClient`` and per ``AsyncHTTPTransport`` unless it is handed one. A
client context holds no per-connection state, so one per process serves every vendor.
``trust_env`` keeps httpx's meaning: only with it do ``SSL_CERT_FILE``/``SSL_CERT_DIR`` count (read
once, at the first use).
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def ssl_context(*, trust_env: bool = False) -> ssl.SSLContext:
    """The process's verifying client context (certifi's CA bundle unless ``trust_env`` names
    another)."""
    return httpx.create_ssl_context(trust_env=trust_env)


__all__ = ["ssl_context"]
