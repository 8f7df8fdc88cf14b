"""The last line of defence: our token shapes are masked in every log line."""

from __future__ import annotations

import logging

from projecthub.core.logging import RedactSecrets


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
