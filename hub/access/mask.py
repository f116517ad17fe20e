"""Masking: enough to recognise a value one already knows, never enough to learn it."""

from collections.abc import Callable
from typing import Any


def id_number(value: str) -> str:
    """330206********1234: region and last four kept."""
    return value[:6] + "*" * max(len(value) - 10, 0) + value[-4:] if len(value) > 10 else "*" * 8


def phone(value: str) -> str:
    """138****5678."""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)


def name(value: str) -> str:
    """张*, 欧阳**: the family name (or first letter) kept."""
    return value[:1] + "*" * max(len(value) - 1, 1)


def address(value: str) -> str:
    """The first half kept (road or estate), the rest (building, unit, room) hidden."""
    keep = len(value) // 2
    return value[:keep] + "****"


def _other(value: str) -> str:
    return value[:1] + "***"


_BY_FIELD: dict[str, Callable[[str], str]] = {
    "idNumber": id_number,
    "phone": phone,
    "reporterPhone": phone,
    "name": name,
    "address": address,
    "hukouAddress": address,
    "residenceAddress": address,
}


def mask(field: str, value: Any) -> Any:
    """The masked form of a field's value; values that are not text are withheld (None)."""
    if value is None:
        return None
    if not isinstance(value, str):
        return None
    return _BY_FIELD.get(field, _other)(value)
