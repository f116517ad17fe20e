"""Planning page requests for `page` (page/page_size) and `offset` (offset/limit) listings."""

from __future__ import annotations

from typing import Literal

Style = Literal["page", "offset"]


def page_plan(style: Style, offset: int, limit: int, max_size: int) -> list[tuple[int, int]]:
    """(start, size) requests covering [offset, offset+limit), fewest first.

    `page` listings can only start at a multiple of the page size, so look for one page size
    that holds the whole window; otherwise walk pages of `max_size`. `limit == 0` still makes
    one tiny request, for the total.
    """
    if limit == 0:
        return [(0, 1)]
    if style == "offset":
        return [
            (start, min(max_size, offset + limit - start))
            for start in range(offset, offset + limit, max_size)
        ]
    for size in range(min(limit, max_size), max_size + 1):
        if limit <= size and offset // size == (offset + limit - 1) // size:
            return [(offset // size * size, size)]
    first, last = offset // max_size, (offset + limit - 1) // max_size
    return [(page * max_size, max_size) for page in range(first, last + 1)]


def page_params(style: Style, start: int, size: int) -> dict[str, str]:
    if style == "offset":
        return {"offset": str(start), "limit": str(size)}
    return {"page": str(start // size + 1), "page_size": str(size)}
