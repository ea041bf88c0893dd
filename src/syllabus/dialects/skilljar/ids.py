"""Public ids: lowercase base-36 strings of 12-13 characters, one per row and kind.

Skilljar's ids look like ``24e9465l8oh95``. Ours are the integer primary key passed through a
keyed permutation (a four-round Feistel network over 62 bits whose round function mixes the
half with 64-bit round keys derived, per kind, from the deployment's secret with BLAKE2b), so
they are stable, reversible, and neither sequential nor guessable without the secret; and
cheap enough to encode 10,000 ids per page. The kind is part of the key: a
group's id decodes to nothing as a user id, so ids of the wrong kind are simply unknown.
"""

from __future__ import annotations

import hashlib
import string

HALF_BITS = 31
HALF_MASK = (1 << HALF_BITS) - 1
ROUNDS = 4
MASK64 = (1 << 64) - 1
OFFSET = 36**11
"""Added after the permutation: every output is at least 12 base-36 digits."""
DOMAIN = 1 << (2 * HALF_BITS)
"""OFFSET + DOMAIN < 36**13: every output is at most 13 digits."""
MAX_INT_ID = HALF_MASK
"""Primary keys fit in the low half (INTEGER columns), so the high half of a decoded value
must be zero: that is the check that rejects forged and wrong-kind ids."""
DIGITS = string.digits + string.ascii_lowercase
_DECODABLE = frozenset(DIGITS)
_PAIRS = [a + b for a in DIGITS for b in DIGITS]
"""Two base-36 digits at a time: half the divisions."""


def _to_base36(value: int) -> str:
    out = []
    while value >= 36:
        value, pair = divmod(value, 1296)
        out.append(_PAIRS[pair])
    if value:
        out.append(DIGITS[value])
    return "".join(reversed(out)).lstrip("0") or "0"


class IdCodec:
    """Encodes and decodes one deployment's public ids; keyed by its secret."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.blake2b(
            secret.encode(), digest_size=32, person=b"skilljar-ids"
        ).digest()
        self._round_keys: dict[str, list[tuple[int, int]]] = {}

    def _keys(self, kind: str) -> list[tuple[int, int]]:
        keys = self._round_keys.get(kind)
        if keys is None:
            keys = []
            for r in range(ROUNDS):
                digest = hashlib.blake2b(
                    f"{kind}:{r}".encode(), key=self._key, digest_size=16
                ).digest()
                xor = int.from_bytes(digest[:8], "big")
                multiplier = int.from_bytes(digest[8:], "big") | 1  # odd: invertible mod 2**64
                keys.append((xor, multiplier))
            self._round_keys[kind] = keys
        return keys

    @staticmethod
    def _f(round_key: tuple[int, int], half: int) -> int:
        xor, multiplier = round_key
        mixed = ((half ^ xor) * multiplier) & MASK64
        mixed ^= mixed >> 29
        mixed = (mixed * multiplier) & MASK64
        return (mixed >> 33) & HALF_MASK

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
