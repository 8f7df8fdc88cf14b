"""The test process's environment, set before ``projecthub`` reads its settings: a fresh SQLite
file, or the PostgreSQL database named by ``PROJECTHUB_TEST_DATABASE_URL``, and test keys."""

from __future__ import annotations

import base64
import os
import tempfile
from pathlib import Path

_TMP = Path(tempfile.mkdtemp(prefix="projecthub-tests-"))
TEST_DATABASE_URL = (os.environ.get("PROJECTHUB_TEST_DATABASE_URL")
                     or f"sqlite:///{_TMP / 'test.db'}")
os.environ["PROJECTHUB_DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("PROJECTHUB_SECRET_KEYS", base64.urlsafe_b64encode(b"k" * 32).decode())

__all__ = ["TEST_DATABASE_URL"]
