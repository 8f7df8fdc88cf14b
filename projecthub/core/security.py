"""Password hashing and random tokens.

Passwords: argon2id via passlib's ``CryptContext`` (from the maintained ``libpass`` fork), at or
above OWASP's floor (m=19 MiB, t=2). Older schemes still verify and are rehashed at login.
Tokens: 256 random bits from ``secrets``, stored only as SHA-256 digests (they are not
guessable, so a slow hash buys nothing).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from passlib.context import CryptContext

pwd_context = CryptContext(
    schemes=["argon2", "bcrypt_sha256", "pbkdf2_sha256"],
    deprecated="auto",
    argon2__type="ID",
    argon2__memory_cost=19456,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified against when the email is unknown, so both paths cost the same time.
_DUMMY_HASH = pwd_context.hash("projecthub-timing-equaliser")


def hash_password(password: str) -> str:
    hashed: str = pwd_context.hash(password)
    return hashed


def verify_password(password: str, stored_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; the second item is a new hash when the stored one is outdated."""
    if stored_hash is None:
        pwd_context.verify(password, _DUMMY_HASH)
        return False, None
    try:
        ok, new_hash = pwd_context.verify_and_update(password, stored_hash)
        return bool(ok), new_hash
    except ValueError:
        return False, None


def new_token(prefix: str) -> str:
    """A random bearer secret with a readable prefix (``phs_`` session, ``pht_`` API, ...)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)
