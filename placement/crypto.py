"""AES-GCM encryption of identifying fields, with a key id stored beside each value.

Stored form: ``<key_id>:<base64url(nonce || ciphertext+tag)>``. The first configured key
encrypts; every configured key decrypts, so keys can be rotated (``boendekedjan rotate-keys``).
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class KeyringError(ValueError):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    active_id: str

    @classmethod
    def parse(cls, spec: str) -> Keyring:
        keys: dict[str, bytes] = {}
        active: str | None = None
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            key_id, sep, encoded = part.partition(":")
            if not sep or not key_id:
                raise KeyringError("each encryption key must look like 'key_id:base64'")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if len(raw) != 32:
                raise KeyringError(f"encryption key {key_id!r} must be 32 bytes (AES-256)")
            keys[key_id] = raw
            active = active or key_id
        if active is None:
            raise KeyringError("no encryption key configured")
        return cls(keys=keys, active_id=active)

    def encrypt(self, plaintext: str, *, associated: str = "") -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.active_id]).encrypt(
            nonce, plaintext.encode(), associated.encode()
        )
        return f"{self.active_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str, *, associated: str = "") -> str:
        key_id, _, encoded = stored.partition(":")
        if key_id not in self.keys:
            raise KeyringError(f"unknown encryption key id {key_id!r}")
        blob = base64.urlsafe_b64decode(encoded)
        plain = AESGCM(self.keys[key_id]).decrypt(
            blob[:NONCE_BYTES], blob[NONCE_BYTES:], associated.encode()
        )
        return plain.decode()

    def key_id_of(self, stored: str) -> str:
        return stored.partition(":")[0]

    def needs_rotation(self, stored: str) -> bool:
        return self.key_id_of(stored) != self.active_id


def encrypt_optional(keyring: Keyring, value: str | None, *, associated: str = "") -> str | None:
    return None if value is None else keyring.encrypt(value, associated=associated)


def decrypt_optional(keyring: Keyring, value: str | None, *, associated: str = "") -> str | None:
    return None if value is None else keyring.decrypt(value, associated=associated)
