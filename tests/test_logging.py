"""The last line of defence: our token shapes are masked in every log line."""

from __future__ import annotations

import logging

from projecthub.core.logging import RedactSecrets


def test_tokens_are_masked_in_log_messages():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "used %s and %s",
                               ("pht_abcdefghijklmnop", "phs_qrstuvwxyz012345"), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "used pht_[redacted] and phs_[redacted]"
