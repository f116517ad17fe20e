"""FalkorDB query parameters as the `CYPHER name=value …` header, at C speed.

The client library stringifies parameters value by value in Python, which dominated batched
writes (~1.5 M values per 70 k records). JSON is Cypher literal syntax except for map keys,
which Cypher wants bare: `{"id": 1}` → `{id: 1}`. Keys come from our own code (row fields)
and are identifiers; `"key":` can never occur inside a JSON string, where every quote is
escaped, so a plain replace of each key is safe.
"""

import json
import re
from collections.abc import Mapping
from typing import Any

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _keys(value: Any, found: set[str]) -> set[str]:
    """Every map key in `value` (visits maps and lists, not the strings in them)."""
    if isinstance(value, dict):
        found.update(value)
        for item in value.values():
            if isinstance(item, dict | list):
                _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict | list):
                _keys(item, found)
    return found


def cypher_literal(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for key in _keys(value, set()):
        if not _NAME.match(key):
            raise ValueError(f"not a map key Cypher takes bare: {key!r}")
        text = text.replace(f'"{key}":', f"{key}:")
    return text


def params_header(params: Mapping[str, Any] | None) -> str:
    """'CYPHER a=1 rows=[{id:"x"}] ' for `params` (empty when there are none)."""
    if not params:
        return ""
    for name in params:
        if not _NAME.match(name):
            raise ValueError(f"not a parameter name: {name!r}")
    return "CYPHER " + " ".join(f"{k}={cypher_literal(v)}" for k, v in params.items()) + " "
