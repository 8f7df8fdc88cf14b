"""What a log line is about: the request, organization, user, run and project being worked on.

The fields live in a context variable holding one mutable mapping per unit of work (an HTTP
request, a UI event, a provisioning run, a project's sync). :func:`scope` starts one;
:func:`bind` adds to the current one *in place*, so a field bound in a thread or task that copied
the context (FastAPI runs sync dependencies in worker threads) still reaches the request's later
log lines. The logging filter in ``core/logging.py`` copies the fields onto every record.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = ("request_id", "org_id", "user_id", "run_id", "project_id")
_fields: ContextVar[dict[str, str] | None] = ContextVar("projecthub_log_fields", default=None)
# Letters, digits, dots and dashes: a client's id is logged as given, so nothing shaped like one
# of our tokens (``phs_...``, which needs an underscore) or a log-injection payload gets in.
_REQUEST_ID = re.compile(r"[A-Za-z0-9.\-]{8,64}")


def _clean(fields: dict[str, object]) -> dict[str, str]:
    unknown = set(fields) - set(FIELDS)
    if unknown:  # a typo would silently drop a field from every line
        raise ValueError(f"unknown log fields: {sorted(unknown)}")
    return {key: str(value) for key, value in fields.items() if value is not None}


def current() -> dict[str, str]:
    """A copy of the fields in force here."""
    return dict(_fields.get() or {})


@contextmanager
def scope(**fields: object) -> Iterator[None]:
    """A unit of work of its own, inheriting the fields in force (a run's steps, a request)."""
    token = _fields.set({**current(), **_clean(fields)})
    try:
        yield
    finally:
        _fields.reset(token)


def bind(**fields: object) -> None:
    """Add fields to the current unit of work; outside one (a CLI command, a test) nothing, so
    no id outlives the work it belongs to."""
    values = _fields.get()
    cleaned = _clean(fields)
    if values is not None:
        values.update(cleaned)


def begin_event(event_id: str) -> None:
    """A UI event, named by the UI framework's id for it: its own fields, whatever the task it
    runs in inherited (an event task is copied from a long-lived queue task)."""
    if (_fields.get() or {}).get("request_id") != event_id:
        _fields.set({"request_id": event_id})


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(value: str | None) -> str:
    """The client's request id when it is sane, else a new one."""
    if value and _REQUEST_ID.fullmatch(value):
        return value
    return new_request_id()


__all__ = ["FIELDS", "accepted_request_id", "begin_event", "bind", "current", "new_request_id",
           "scope"]
