"""The hash chain: each entry's hash covers its sequence number, its payload and the previous hash.

Altering an entry breaks its hash; removing or reordering entries breaks the next entry's link.
"""

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from hub.audit.table import PAYLOAD

GENESIS = "0" * 64


def entry_hash(seq: int, prev_hash: str, payload: Mapping[str, Any]) -> str:
    body = json.dumps(
        [seq, prev_hash, *(payload[name] for name in PAYLOAD)],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def link(payloads: list[dict[str, Any]], last_seq: int, last_hash: str) -> list[dict[str, Any]]:
    """Rows ready to insert after (last_seq, last_hash)."""
    rows = []
    prev = last_hash
    for offset, payload in enumerate(payloads, start=1):
        seq = last_seq + offset
        digest = entry_hash(seq, prev, payload)
        rows.append({**payload, "seq": seq, "prev_hash": prev, "hash": digest})
        prev = digest
    return rows
