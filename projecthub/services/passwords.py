"""Password policy (ASVS 6.2): length, not a common password, not the email; no composition
rules, which make passwords weaker in practice."""

from __future__ import annotations

from functools import lru_cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from projecthub.core.errors import Invalid

MIN_LENGTH = 8
MAX_LENGTH = 1024


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common leaked passwords shipped with zxcvbn (offline)."""
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_password(password: str, *, email: str = "", field: str = "password") -> None:
    """Raise ``Invalid`` with a message a person can act on."""
    if len(password) < MIN_LENGTH:
        raise Invalid(f"Use at least {MIN_LENGTH} characters.",
                      {field: f"Use at least {MIN_LENGTH} characters."})
    if len(password) > MAX_LENGTH:
        raise Invalid("That password is too long.", {field: "That password is too long."})
    lowered = password.lower()
    if lowered in _common_passwords() or (email and lowered == email.lower()):
        message = "This password is too common. Choose one that is harder to guess."
        raise Invalid(message, {field: message})
