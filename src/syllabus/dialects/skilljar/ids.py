"""Public ids: lowercase base-36 strings of 12-13 characters, one per row and kind.

Skilljar's ids look like ``24e9465l8oh95``. Ours are the integer primary key passed through a
keyed permutation (a four-round Feistel network over 62 bits, its round function a keyed
BLAKE2b of the kind, the round and the half), so they are stable, reversible, and neither
sequential nor guessable without the deployment's secret. The kind is part of the key: a
group's id decodes to nothing as a user id, so ids of the wrong kind are simply unknown.
"""

from __future__ import annotations

import hashlib
import string

HALF_BITS = 31
HALF_MASK = (1 << HALF_BITS) - 1
ROUNDS = 4
OFFSET = 36**11
"""Added after the permutation: every output is at least 12 base-36 digits."""
DOMAIN = 1 << (2 * HALF_BITS)
"""OFFSET + DOMAIN < 36**13: every output is at most 13 digits."""
MAX_INT_ID = HALF_MASK
"""Primary keys fit in the low half (INTEGER columns), so the high half of a decoded value
must be zero: that is the check that rejects forged and wrong-kind ids."""
DIGITS = string.digits + string.ascii_lowercase
_DECODABLE = frozenset(DIGITS)


def _to_base36(value: int) -> str:
    out = []
    while value:
        value, digit = divmod(value, 36)
        out.append(DIGITS[digit])
    return "".join(reversed(out)) or "0"


class IdCodec:
    """Encodes and decodes one deployment's public ids; keyed by its secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.blake2b(
            secret.encode(), digest_size=32, person=b"skilljar-ids"
        ).digest()
        self._round_keys: dict[str, list[bytes]] = {}

    def _keys(self, kind: str) -> list[bytes]:
        keys = self._round_keys.get(kind)
        if keys is None:
            keys = [
                hashlib.blake2b(f"{kind}:{r}".encode(), key=self._key, digest_size=32).digest()
                for r in range(ROUNDS)
            ]
            self._round_keys[kind] = keys
        return keys

    @staticmethod
    def _f(round_key: bytes, half: int) -> int:
        digest = hashlib.blake2b(half.to_bytes(4, "big"), key=round_key, digest_size=4).digest()
        return int.from_bytes(digest, "big") & HALF_MASK

    def encode(self, kind: str, row_id: int) -> str:
        if not 0 < row_id <= MAX_INT_ID:
            raise ValueError(f"id out of range: {row_id}")
        left, right = 0, row_id
        for round_key in self._keys(kind):
            left, right = right, left ^ self._f(round_key, right)
        return _to_base36(OFFSET + ((left << HALF_BITS) | right))

    def decode(self, kind: str, public_id: object) -> int | None:
        """The row id behind ``public_id``, or None for anything that is not one of ours."""
        if not isinstance(public_id, str) or not 12 <= len(public_id) <= 13:
            return None
        if not _DECODABLE.issuperset(public_id):
            return None
        value = int(public_id, 36) - OFFSET
        if not 0 <= value < DOMAIN:
            return None
        left, right = value >> HALF_BITS, value & HALF_MASK
        for round_key in reversed(self._keys(kind)):
            left, right = right ^ self._f(round_key, left), left
        if left != 0 or right == 0:
            return None
        return right
