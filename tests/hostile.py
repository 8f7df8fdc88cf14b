"""A hostile template and a way to time another request while it is being answered."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

HOSTILE_TEMPLATE = ("name: Hostile\nsteps:\n  - id: s\n    title: S\n    fields:\n"
                    "      - {id: code, label: Code, type: text, pattern: '(a+)+'}\n"
                    "      - {id: name, label: Name, type: text, required: true}\n"
                    "      - {id: key, label: Key, type: text, required: true}\n"
                    "      - {id: project_manager, label: Manager, type: member, "
                    "required: true}\n")
# Python's re backtracks for seconds on this (twice as long per extra "a"; 40 take hours).
EVIL_ANSWER = "a" * 26 + "!"


class Entered:
    """Marks when ``module.name`` is first called: the hostile request has reached it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> None:
        self.event, self.at = threading.Event(), 0.0
        real = getattr(module, name)

        def signal(*args: Any, **kwargs: Any) -> Any:
            if not self.event.is_set():
                self.at = time.monotonic()
                self.event.set()
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, signal)


def seconds_for_other(hostile: Callable[[], object], entered: Entered,
                      other: Callable[[], object]) -> float:
    """Start ``hostile`` in a thread, then ``other`` in this one: seconds from the hostile
    request reaching its check to the other one's answer. Measured from the hostile thread's
    clock, because a regex that holds the GIL also stops this thread from waking up."""
    thread = threading.Thread(target=hostile)
    thread.start()
    try:
        assert entered.event.wait(timeout=60), "the hostile request never started"
        other()
        return time.monotonic() - entered.at
    finally:
        thread.join()
