"""Pseudonymous keys: raw ID numbers and phones become keyed hashes before they reach the graph."""

import hashlib
import hmac
from functools import lru_cache


class Keyring:
    """Keyed hashes (HMAC-SHA256) for linking keys and deterministic hub ids, under one secret."""

    def __init__(self, secret: str) -> None:
        # The keyed state is computed once and copied per message: HMAC without re-keying.
        self._base = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        # Authors, households and the like repeat across records.
        self.digest = lru_cache(maxsize=1 << 18)(self._digest)

    def _digest(self, purpose: str, value: str, length: int = 32) -> str:
        mac = self._base.copy()
        mac.update(f"{purpose}\x1f{value}".encode())
        return mac.hexdigest()[:length]

    def key(self, purpose: str, value: str) -> str:
        """A linking key (purpose: id, phone, name, sound), not cached: callers that see the
        same values again keep their own (hub.linking.people, for a run)."""
        return self._digest(purpose, value)

    def hub_id(self, prefix: str, identity: str) -> str:
        return f"{prefix}_{self._digest(prefix, identity, 16)}"
