"""Hub ids and page cursors: validated at the door, so bad ones get a clear error code."""

import base64
import binascii
import re

from graph.model import KIND_OF_PREFIX
from hub.errors import BadInput, ErrorCode

_ID = re.compile(r"^(prs|plc|evt|thg|org)_[0-9a-f]{16}$")


def kind_of(hub_id: str) -> str:
    """The entity kind an id names, or BAD_ID when it cannot be a hub id."""
    match = _ID.match(hub_id)
    if match is None:
        raise BadInput(
            f"'{hub_id[:40]}' is not a hub id",
            ErrorCode.BAD_ID,
            suggestion="hub ids look like prs_0123456789abcdef (prs, plc, evt, thg or org)",
        )
    return KIND_OF_PREFIX[match.group(1)]


def check_kind(hub_id: str, kind: str) -> None:
    if kind_of(hub_id) != kind:
        raise BadInput(f"'{hub_id}' is not a {kind} id", ErrorCode.BAD_ID)


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def decode_cursor(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        prefix, value = text.split(":", 1)
        offset = int(value)
        if prefix != "offset" or offset < 0:
            raise ValueError(text)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadInput(f"'{cursor[:40]}' is not a cursor of this API", ErrorCode.BAD_PAGE) from None
    return offset + 1


def check_first(first: int, maximum: int) -> int:
    if first < 0 or first > maximum:
        raise BadInput(
            f"first must be between 0 and {maximum}, got {first}",
            ErrorCode.BAD_PAGE,
            suggestion=f"page through with `after: pageInfo.endCursor`, {maximum} at a time",
        )
    return first
