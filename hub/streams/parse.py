"""One message's payload, mapped by the department's `[stream.payload]` into an event, or
the reason it is kept aside."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

import orjson

from connectors.stream_config import StreamOptions

CST = timezone(timedelta(hours=8))
MAX_KEY = 128


@dataclass(frozen=True)
class Incoming:
    key: str
    device: str
    type: str
    at: datetime
    value: float | None = None
    person: str | None = None
    detail: str | None = None


class Refused(ValueError):
    """Why a message is kept aside: `reason` is a short code (counted per code)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def parse(payload: bytes, options: StreamOptions) -> Incoming:
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        raise Refused("not_json") from None
    if not isinstance(data, dict):
        raise Refused("not_an_object")
    fields = options.payload
    kind = options.types.get(str(data.get(fields.type, "")))
    if kind is None:
        raise Refused("unknown_type")
    return Incoming(
        key=_text(data, fields.key, "no_key"),
        device=_text(data, fields.device, "no_device"),
        type=kind,
        at=_when(data.get(fields.at)),
        value=_number(data.get(fields.value)) if fields.value else None,
        person=_optional(data.get(fields.person)) if fields.person else None,
        detail=_optional(data.get(fields.detail)) if fields.detail else None,
    )


def _text(data: dict, name: str, reason: str) -> str:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise Refused(reason)
    text = str(value)
    if len(text) > MAX_KEY or "/" in text:
        raise Refused(reason)
    return text


def _optional(value: object) -> str | None:
    return None if value is None or value == "" else str(value)[:500]


def _when(value: object) -> datetime:
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC).astimezone(CST)
        except (OverflowError, OSError, ValueError):
            raise Refused("bad_time") from None
    if not isinstance(value, str):
        raise Refused("bad_time")
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        raise Refused("bad_time") from None
    if at.tzinfo is None:
        raise Refused("time_without_offset")
    return at


def _number(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Refused("bad_value")
    return float(value)
