"""The last line of defence: our token shapes are masked in every log line."""

from __future__ import annotations

import contextvars
import functools
import json
import logging
import re
import sys
import threading

import pytest

from projecthub.core import log_context
from projecthub.core.config import settings
from projecthub.core.logging import (
    HANDLER_NAME,
    ContextFields,
    JsonLines,
    RedactSecrets,
    TextFormatter,
    configure_logging,
)


def test_tokens_are_masked_in_log_messages():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "used %s and %s",
                               ("pht_abcdefghijklmnop", "phs_qrstuvwxyz012345"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "used pht_[redacted] and phs_[redacted]"


def test_invitation_tokens_are_masked_too_even_inside_a_link():
    link = "https://hub.example/invite/inv_Zq3xVbN8kLmP0aW2sT5y"
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "invited bob: %s", (link,), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "invited bob: https://hub.example/invite/inv_[redacted]"


def _fresh(test):  # type: ignore[no-untyped-def]
    """Run in an empty context: a UI state test elsewhere may have left an event's ids in this
    thread's context (in the app each event has a task of its own)."""
    @functools.wraps(test)
    def run(*args, **kwargs):  # type: ignore[no-untyped-def]
        return contextvars.Context().run(test, *args, **kwargs)
    return run


def _record(message: str = "hello %s", args: tuple[object, ...] = ("world",),
            exc_info: object = None) -> logging.LogRecord:
    record = logging.LogRecord("projecthub.test", logging.WARNING, __file__, 1, message, args,
                               exc_info)  # type: ignore[arg-type]
    for log_filter in (RedactSecrets(), ContextFields()):
        log_filter.filter(record)
    return record


@_fresh
def test_production_lines_are_json_with_the_ids_of_the_unit_of_work():
    with log_context.scope(request_id="req-12345678", org_id="org-1"):
        log_context.bind(project_id="p-9")
        line = JsonLines().format(_record())
    data = json.loads(line)
    assert data["message"] == "hello world"
    assert data["level"] == "WARNING" and data["logger"] == "projecthub.test"
    assert {data["request_id"], data["org_id"], data["project_id"]} == {
        "req-12345678", "org-1", "p-9"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", data["time"])


def test_secrets_are_masked_in_json_lines_and_in_their_tracebacks():
    try:
        raise RuntimeError("boom with phs_abcdefghijklmnop")
    except RuntimeError:
        record = _record("used %s", ("pht_abcdefghijklmnop",), exc_info=sys.exc_info())
    line = JsonLines().format(record)
    assert "abcdefghijklmnop" not in line
    assert json.loads(line)["message"] == "used pht_[redacted]"


@_fresh
def test_development_lines_are_text_with_the_ids_in_brackets():
    with log_context.scope(request_id="req-12345678", run_id="r-1"):
        line = TextFormatter().format(_record())
    assert line.endswith("projecthub.test: hello world [request_id=req-12345678 run_id=r-1]")


@_fresh
def test_lines_outside_any_unit_of_work_carry_no_ids():
    log_context.bind(org_id="nowhere")  # outside a unit of work: ignored
    assert "org_id" not in json.loads(JsonLines().format(_record()))


@_fresh
def test_a_field_bound_in_a_worker_thread_reaches_the_rest_of_the_request():
    """FastAPI resolves sync dependencies in threads that copied the context."""
    with log_context.scope(request_id="req-12345678"):
        thread = threading.Thread(target=contextvars.copy_context().run,
                                  args=(log_context.bind,), kwargs={"org_id": "org-7"})
        thread.start()
        thread.join()
        assert log_context.current() == {"request_id": "req-12345678", "org_id": "org-7"}
    assert log_context.current() == {}


@_fresh
def test_a_ui_event_starts_its_own_fields_whatever_its_task_inherited():
    with log_context.scope(request_id="socket-connection", org_id="someone-elses"):
        log_context.begin_event("event-1")
        assert log_context.current() == {"request_id": "event-1"}
        log_context.bind(user_id="u-1")
        log_context.begin_event("event-1")  # a second call within the same event keeps them
        assert log_context.current() == {"request_id": "event-1", "user_id": "u-1"}


def test_unknown_fields_are_refused():
    with pytest.raises(ValueError, match="unknown log fields"):
        log_context.bind(organisation="typo")


@pytest.mark.parametrize("given", [None, "", "short", "phs_abcdefghijklmnop",
                                   "a" * 65, "line\nbreak-injected"])
def test_an_unusable_client_request_id_is_replaced(given):
    assert log_context.accepted_request_id(given) != given


def test_a_sane_client_request_id_is_kept():
    assert log_context.accepted_request_id("3f2a-91bc.edge-7") == "3f2a-91bc.edge-7"


def test_configure_logging_puts_both_filters_on_every_root_handler_and_formats_its_own(
        monkeypatch):
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    monkeypatch.setattr(settings, "LOG_FORMAT", "json")
    try:
        root.handlers = []
        configure_logging()
        other = logging.NullHandler()
        root.addHandler(other)
        configure_logging()
        ours = next(h for h in root.handlers if h.get_name() == HANDLER_NAME)
        assert isinstance(ours.formatter, JsonLines)
        assert len(root.handlers) == 2
        for handler in root.handlers:
            kinds = [type(f) for f in handler.filters]
            assert kinds.count(RedactSecrets) == 1 and kinds.count(ContextFields) == 1
    finally:
        root.handlers = saved
        root.setLevel(level)
