"""What the cache keeps, sealed: the Redis that holds it may be the embedded FalkorDB, whose
snapshots (`falkordb.rdb` in the data dir) outlive every TTL, or a server others administer.

Values are AES-256-GCM under a key derived from `HUB_LINK_SECRET` (random nonce per value; the
Redis key is the associated data, so a value moved to another key does not open). Key names
carry a keyed hash of the source's record key, which may itself be an ID number. A value that
does not open (another secret, an older layout) is a miss, never an error.
"""

import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class Seal:
    def __init__(self, secret: str) -> None:
        root = hmac.new(secret.encode(), digestmod=hashlib.sha256)
        self._aead = AESGCM(_derive(root, b"cache values"))
        self._names = _derive(root, b"cache names")

    def seal(self, name: str, plain: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, name.encode())

    def open(self, name: str, sealed: bytes) -> bytes | None:
        try:
            return self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], name.encode())
        except (InvalidTag, ValueError):
            return None

    def name(self, key: str) -> str:
        """A record key as it may appear in a Redis key name."""
        return hashlib.blake2b(key.encode(), key=self._names, digest_size=16).hexdigest()


def _derive(root: "hmac.HMAC", purpose: bytes) -> bytes:
    mac = root.copy()
    mac.update(purpose)
    return mac.digest()
