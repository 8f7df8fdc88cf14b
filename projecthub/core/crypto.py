"""Credential encryption at rest: AES-256-GCM under a key ring, bound to the row it belongs to.

Stored form: ``v1.<key id>.<base64(nonce || ciphertext)>``. The key id is a short digest of the
key, so any configured key can decrypt while only the newest encrypts. The associated data names
organization, connection and field, so a ciphertext copied to another row fails to decrypt.
A failed decrypt raises :class:`DecryptionError`; it never returns the stored text.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = "v1"


class DecryptionError(Exception):
    """The ciphertext is corrupt, bound to another row, or under a key no longer configured."""


def _key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def _aad(org_id: str, row_id: str, field: str) -> bytes:
    return f"{_VERSION}|org={org_id}|row={row_id}|field={field}".encode()


@dataclass(frozen=True)
class KeyRing:
    """AES-256 keys, newest first."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("the key ring is empty")
        for key in self.keys:
            if len(key) != 32:
                raise ValueError("each secret key must be 32 bytes (base64 of 32 random bytes)")

    @property
    def newest_id(self) -> str:
        return _key_id(self.keys[0])

    def encrypt(self, plaintext: str, *, org_id: str, row_id: str, field: str) -> str:
        nonce = os.urandom(12)
        aad = _aad(org_id, row_id, field)
        sealed = AESGCM(self.keys[0]).encrypt(nonce, plaintext.encode(), aad)
        body = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{_VERSION}.{self.newest_id}.{body}"

    def decrypt(self, stored: str, *, org_id: str, row_id: str, field: str) -> str:
        try:
            version, key_id, body = stored.split(".", 2)
            raw = base64.urlsafe_b64decode(body)
        except ValueError as exc:
            raise DecryptionError("stored credential is malformed") from exc
        key = next((k for k in self.keys if _key_id(k) == key_id), None)
        if version != _VERSION or key is None:
            raise DecryptionError("stored credential is under an unknown key")
        try:
            plain = AESGCM(key).decrypt(raw[:12], raw[12:], _aad(org_id, row_id, field))
        except InvalidTag as exc:
            raise DecryptionError("stored credential does not belong to this row") from exc
        return plain.decode()

    def needs_rotation(self, stored: str) -> bool:
        """True when the value is not under the newest key."""
        parts = stored.split(".", 2)
        return len(parts) != 3 or parts[1] != self.newest_id
