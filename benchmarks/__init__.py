"""Performance benchmarks (issue 6): one module per benchmark, run as
``python -m benchmarks.<name>``. Not part of the test suite; each one prints a table and a final
ratio line against a baseline measured in the same process, and stops by itself.

Benchmarks make their own databases and sandboxes, so a throwaway encryption key is enough for
the tool connections they store (set here, before any ``projecthub`` module reads settings).
"""

from __future__ import annotations

import base64
import os

os.environ.setdefault("PROJECTHUB_SECRET_KEYS", base64.urlsafe_b64encode(b"b" * 32).decode())
os.environ.setdefault("PROJECTHUB_LOG_LEVEL", "WARNING")

__all__: list[str] = []
