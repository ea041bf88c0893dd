"""Random secrets, shown once and stored only as hashes.

The secrets carry 256 bits of entropy, so an unsalted SHA-256 is enough: there is nothing to
brute-force, and a fast hash keeps the per-request key check cheap. Lookups go by hash;
the final comparison is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from syllabus.core.credentials import CredentialKind

SECRET_BYTES = 32
PREFIXES = {CredentialKind.API_KEY: "sk_", CredentialKind.SCIM_TOKEN: "scim_"}
SHOWN_PREFIX_LENGTH = 12


def new_secret(kind: CredentialKind) -> str:
    return PREFIXES[kind] + secrets.token_urlsafe(SECRET_BYTES)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def shown_prefix(secret: str) -> str:
    return secret[:SHOWN_PREFIX_LENGTH]


def hashes_match(expected_hash: str, secret: str) -> bool:
    return hmac.compare_digest(expected_hash, hash_secret(secret))


def new_token(nbytes: int = 16) -> str:
    """A non-credential random token (calendar keys, subscribe keys)."""
    return secrets.token_urlsafe(nbytes)
