"""Mail fixtures shared by service, API and CLI tests: a real SMTP server the app sends to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from projecthub.core.config import settings
from tests.smtp_server import Inbox, smtp_server


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    """Point PROJECTHUB_SMTP_URL at an in-process aiosmtpd server and yield what it receives."""
    with smtp_server() as (inbox, port):
        monkeypatch.setattr(settings, "SMTP_URL", SecretStr(f"smtp://127.0.0.1:{port}"))
        yield inbox


def link_in(message_text: str, path: str) -> str:
    """The first link to ``path`` in a message body."""
    for word in message_text.split():
        if path in word:
            return word
    raise AssertionError(f"no {path} link in: {message_text}")
