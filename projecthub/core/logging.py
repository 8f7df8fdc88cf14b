"""Logging set up once: JSON lines in production (for a log collector), readable text in
development, each line carrying the request, organization, user, run and project it is about
(``core/log_context.py``), and on every handler a filter that masks anything shaped like one of
our secrets."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

from pythonjsonlogger.json import JsonFormatter

from projecthub.core import log_context
from projecthub.core.config import settings

# Session (phs_), API (pht_) and invitation (inv_) tokens: services/*.py choose these prefixes.
_SECRET_PATTERN = re.compile(r"\b(ph[a-z]_|inv_)[A-Za-z0-9_\-]{8,}")
HANDLER_NAME = "projecthub"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def redact(text: str) -> str:
    return _SECRET_PATTERN.sub(r"\1[redacted]", text)


class RedactSecrets(logging.Filter):
    """Last line of defence: our tokens carry a prefix, so they can be found and masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PATTERN.search(message):
            record.msg = redact(message)
            record.args = None
        return True


class ContextFields(logging.Filter):
    """Copy the unit of work's ids (request, organization, user, run, project) onto the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in log_context.current().items():
            setattr(record, key, value)
        return True


class TextFormatter(logging.Formatter):
    """Development: one readable line, the ids in brackets; tracebacks masked too."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = " ".join(f"{key}={getattr(record, key)}" for key in log_context.FIELDS
                       if hasattr(record, key))
        if ids:
            head, newline, rest = line.partition("\n")
            line = f"{head} [{ids}]{newline}{rest}"
        return redact(line)


class JsonLines(JsonFormatter):
    """Production: one JSON object per line with ``time``, ``level``, ``logger``, ``message``,
    the ids in force and any ``extra=``; the whole line (traceback included) masked."""

    def __init__(self) -> None:
        super().__init__("{asctime}{levelname}{name}{message}", style="{",
                         rename_fields={"asctime": "time", "levelname": "level",
                                        "name": "logger"})

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))

    def formatTime(self, record: logging.LogRecord,
                   datefmt: str | None = None) -> str:  # noqa: ARG002 (the override's signature)
        """ISO 8601 in UTC, which every log collector parses."""
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def _formatter() -> logging.Formatter:
    return JsonLines() if settings.log_json else TextFormatter()


def _ensure_filters(handler: logging.Handler) -> None:
    for kind in (RedactSecrets, ContextFields):
        if not any(isinstance(f, kind) for f in handler.filters):
            handler.addFilter(kind())


def configure_logging() -> None:
    """Give the root logger our handler (unless it already has one) in the configured format,
    and the masking and context filters on every root handler; safe to call more than once."""
    root = logging.getLogger()
    if not root.handlers:
        handler: logging.Handler = logging.StreamHandler()
        handler.set_name(HANDLER_NAME)
        root.addHandler(handler)
        root.setLevel(settings.LOG_LEVEL)
    for handler in root.handlers:
        if handler.get_name() == HANDLER_NAME:
            handler.setFormatter(_formatter())
        _ensure_filters(handler)
    # httpx logs every request at INFO; the connectors report what matters themselves.
    logging.getLogger("httpx").setLevel(logging.WARNING)

