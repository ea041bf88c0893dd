"""Recently verified credentials, so a busy integration's key costs no database round trip.

Only successful checks are remembered, for ``ttl`` seconds, keyed by the secret's hash (never
the secret) and the acct_key it came with. The price is that a revoked key keeps working for
up to ``ttl`` seconds in server processes that saw it just before; ``ttl=0`` turns caching off.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from syllabus.auth.keys import Principal
from syllabus.auth.secrets import hash_secret
from syllabus.core.credentials import CredentialKind

CacheKey = tuple[CredentialKind, str, str]


@dataclass
class PrincipalCache:
    ttl: float
    max_entries: int = 10_000

    def __post_init__(self) -> None:
        self._entries: OrderedDict[CacheKey, tuple[float, Principal]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(kind: CredentialKind, secret: str, scope: str) -> CacheKey:
        return (kind, hash_secret(secret), scope.strip().lower())

    def get(self, key: CacheKey) -> Principal | None:
        if self.ttl <= 0:
            return None
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, principal = entry
            if expires < time.monotonic():
                del self._entries[key]
                return None
            return principal

    def put(self, key: CacheKey, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries[key] = (time.monotonic() + self.ttl, principal)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
