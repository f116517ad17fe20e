"""Pseudonymous keys: raw ID numbers and phones become keyed hashes before they reach the graph."""

import hashlib
import hmac


class Keyring:
    """Keyed hashes for linking keys and deterministic hub ids, under one secret."""

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def digest(self, purpose: str, value: str, length: int = 32) -> str:
        mac = hmac.new(self._secret, f"{purpose}\x1f{value}".encode(), hashlib.sha256)
        return mac.hexdigest()[:length]

    def id_key(self, id18: str) -> str:
        return self.digest("id", id18)

    def phone_key(self, phone: str) -> str:
        return self.digest("phone", phone)

    def hub_id(self, prefix: str, identity: str) -> str:
        return f"{prefix}_{self.digest(prefix, identity, 16)}"
