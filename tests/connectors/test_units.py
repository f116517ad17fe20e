"""Pure helpers: value casting, redaction, scope arithmetic, page planning."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from connectors.base import effective_scope
from connectors.convert import at_or_after, convert_value, redact
from connectors.paging import page_plan
from hub.standard import FieldType as T


@pytest.mark.parametrize(
    ("value", "field_type", "expected"),
    [
        ("42", T.INT, 42),
        (6.0, T.INT, 6),
        ("82.5", T.FLOAT, 82.5),
        (800, T.FLOAT, 800.0),
        ("是", T.BOOL, True),
        ("false", T.BOOL, False),
        (0, T.BOOL, False),
        ("1980/05/01", T.DATE, date(1980, 5, 1)),
        ("1980-05-01 00:00:00", T.DATE, date(1980, 5, 1)),
        ("2024-01-03T10:00:00", T.DATETIME, datetime(2024, 1, 3, 10)),
        ("2024-01-03 10:00:00.000000", T.DATETIME, datetime(2024, 1, 3, 10)),
        (date(2024, 1, 3), T.DATETIME, datetime(2024, 1, 3)),
        ('[{"a": 1}]', T.JSON, [{"a": 1}]),
        (502, T.STRING, "502"),
        (None, T.INT, None),
    ],
)
def test_convert_value(value: object, field_type: T, expected: object) -> None:
    got = convert_value(value, field_type)
    assert got == expected and type(got) is type(expected)


@pytest.mark.parametrize(
    ("value", "field_type"),
    [
        ("1.5", T.INT),
        (1.5, T.INT),
        (True, T.INT),
        ("约85平", T.FLOAT),
        ("nan", T.FLOAT),
        ("maybe", T.BOOL),
        ("19800701X", T.DATE),
        ("昨天", T.DATETIME),
        ("{", T.JSON),
        ({"a": 1}, T.STRING),
        (True, T.STRING),
    ],
)
def test_convert_value_rejects_without_quoting(value: object, field_type: T) -> None:
    with pytest.raises(ValueError) as caught:
        convert_value(value, field_type)
    assert str(value) not in str(caught.value)


def test_redact_masks_phones_and_id_numbers() -> None:
    text = redact("key 33010519800101001X phone 13800000001 no GA00000001")
    assert "33010519800101001X" not in text and "13800000001" not in text
    assert "GA00000001" in text


def test_effective_scope() -> None:
    assert effective_scope(None, None) is None
    assert effective_scope(["330105004", "330105004001", "330106"], None) == ["330105004", "330106"]
    assert effective_scope(None, "330105") == ["330105"]
    assert effective_scope(["330105004", "330106"], "330105004001") == ["330105004001"]
    assert effective_scope(["330105004"], "330106") == []
    assert effective_scope([], None) == []


def test_at_or_after_mixes_naive_and_aware() -> None:
    since = datetime(2024, 3, 1, tzinfo=UTC)
    assert at_or_after(datetime(2024, 3, 2), since)
    assert not at_or_after(datetime(2024, 2, 1), since)
    assert at_or_after(None, since)


@pytest.mark.parametrize("style", ["page", "offset"])
def test_page_plan_covers_every_window(style: str) -> None:
    for offset in range(0, 25):
        for limit in range(1, 13):
            plan = page_plan(style, offset, limit, 5)  # type: ignore[arg-type]
            covered = [i for start, size in plan for i in range(start, start + size)]
            assert covered == list(range(plan[0][0], plan[0][0] + len(covered)))
            assert covered[0] <= offset and covered[-1] >= offset + limit - 1
            assert all(size <= 5 for _, size in plan)
            if style == "page":
                assert all(start % size == 0 for start, size in plan)


def test_page_plan_prefers_one_request() -> None:
    assert page_plan("page", 0, 4, 500) == [(0, 4)]
    assert page_plan("page", 10, 10, 500) == [(10, 10)]
    assert page_plan("page", 3, 2, 500) == [(3, 3)]
    assert page_plan("offset", 7, 0, 50) == [(0, 1)]
    assert page_plan("offset", 7, 120, 50) == [(7, 50), (57, 50), (107, 20)]
