"""One SSL context for every connector in the process.

Building a context parses the CA bundle again (about 50 ms of CPU, on the event loop), so each
``httpx`` client and transport we make is handed this one instead of building its own.
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """The process's verifying context; the environment's proxy and CA settings are ignored, as
    :class:`~projecthub.connectors.hosts.PinnedTransport` always did."""
    return httpx.create_ssl_context(trust_env=False)


__all__ = ["shared_ssl_context"]
