"""Casting source values to the Python type of a standard FieldType.

Errors never quote the value: source rows carry ID numbers and phone numbers.
"""

from __future__ import annotations

import json
import math
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hub.standard import FieldType

_TRUE = {"1", "true", "t", "yes", "y", "是", "真"}
_FALSE = {"0", "false", "f", "no", "n", "否", "假"}
_LONG_DIGITS = re.compile(r"\d{11,}[Xx]?")  # mobile phones, 15/18-digit ID numbers


def exact_type(field_type: FieldType) -> type | None:
    """The Python type a value of `field_type` is, when a source value of exactly that type
    needs no casting (floats do: they are checked to be finite)."""
    return _EXACT.get(field_type)


def convert_value(value: Any, field_type: FieldType) -> Any:
    """Cast one non-null value; raises ValueError (without the value) when it does not fit."""
    if value is None:
        return None
    caster = _CASTERS[field_type]
    try:
        return caster(value)
    except (TypeError, ValueError, ArithmeticError):
        raise ValueError(f"expected {field_type.value}, got {type(value).__name__}") from None


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise TypeError
    return str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        if value != int(value):
            raise ValueError
        return int(value)
    return int(str(value).strip())


def _float(value: Any) -> float:
    if isinstance(value, bool):
        raise TypeError
    number = float(value.strip()) if isinstance(value, str) else float(value)
    if not math.isfinite(number):
        raise ValueError
    return number


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower() if isinstance(value, str) else None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip().replace("/", "-")
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.fromisoformat(text).date()


def _datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return datetime.fromisoformat(value.strip().replace("/", "-"))


def _json(value: Any) -> Any:
    if isinstance(value, str | bytes):
        return json.loads(value)
    if isinstance(value, dict | list | int | float | bool):
        return value
    raise TypeError


_CASTERS = {
    FieldType.STRING: _string,
    FieldType.INT: _int,
    FieldType.FLOAT: _float,
    FieldType.BOOL: _bool,
    FieldType.DATE: _date,
    FieldType.DATETIME: _datetime,
    FieldType.JSON: _json,
}

_EXACT: dict[FieldType, type] = {
    FieldType.STRING: str,
    FieldType.INT: int,
    FieldType.BOOL: bool,
    FieldType.DATE: date,
    FieldType.DATETIME: datetime,
}


def redact(text: str) -> str:
    """Mask digit runs long enough to be an ID number or a phone number."""
    return _LONG_DIGITS.sub(lambda m: m.group(0)[:3] + "*" * (len(m.group(0)) - 3), text)


def at_or_after(value: datetime | None, since: datetime) -> bool:
    """`value >= since`; unknown times count as after (a sync may over-deliver, never lose).
    A naive value compared with an aware `since` is read in `since`'s zone, and vice versa."""
    if value is None:
        return True
    if (value.tzinfo is None) != (since.tzinfo is None):
        value = value.replace(tzinfo=since.tzinfo)
    return value >= since
