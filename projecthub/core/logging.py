"""Logging set up once, with a filter that masks anything shaped like one of our secrets."""

from __future__ import annotations

import logging
import re

from projecthub.core.config import settings

# Session (phs_), API (pht_) and invitation (inv_) tokens: services/*.py choose these prefixes.
_SECRET_PATTERN = re.compile(r"\b(ph[a-z]_|inv_)[A-Za-z0-9_\-]{8,}")


class RedactSecrets(logging.Filter):
    """Last line of defence: our tokens carry a prefix, so they can be found and masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PATTERN.search(message):
            record.msg = _SECRET_PATTERN.sub(r"\1[redacted]", message)
            record.args = None
        return True


def configure_logging() -> None:
    """Attach the redacting filter to the root handlers; safe to call more than once."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=settings.LOG_LEVEL,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # httpx logs every request at INFO; the connectors report what matters themselves.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    for handler in root.handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
