"""Masked values have their rule's exact shape and never carry the hidden part of the clear
value (hub/access/mask.py), judged by bench/leaks.masked_shape as the leak checks judge it."""

import pytest

from bench.leaks import masked_shape
from hub.access.mask import mask

CASES = [
    ("idNumber", "33010519900101123X", "330105********123X", "19900101"),
    ("idNumber", "330105900101123", "330105*****1123", "90010"),
    ("idNumber", "12345", "********", "12345"),
    ("phone", "13912345678", "139****5678", "1234"),
    ("reporterPhone", "13800001111", "138****1111", "0000"),
    ("name", "张三", "张*", "三"),
    ("name", "欧阳娜娜", "欧***", "阳娜娜"),
    ("name", "李", "李*", None),
    ("residenceAddress", "景芳新村7幢2单元301室", "景芳新村7幢****", "2单元301室"),
    ("hukouAddress", "浙江省杭州市上城区小河路12号", "浙江省杭州市上****", "城区小河路12号"),
    ("careLevel", "重度失能", "重***", "度失能"),
]


@pytest.mark.parametrize(("field", "clear", "masked", "hidden"), CASES)
def test_each_rule_has_its_exact_shape(
    field: str, clear: str, masked: str, hidden: str | None
) -> None:
    assert mask(field, clear) == masked
    assert hidden is None or hidden not in masked
    assert masked_shape(field, masked)
    assert not masked_shape(field, clear)


def test_values_that_are_not_text_are_withheld() -> None:
    assert mask("subsidyAmount", 800.0) is None
    assert mask("livingAlone", True) is None
    assert mask("phone", None) is None


@pytest.mark.parametrize(("field", "value"), [
    ("idNumber", "330105*19900101123X"), ("phone", "139*12345678"), ("name", "张三*"),
    ("residenceAddress", "景芳新村7幢2单元301室*"), ("idNumber", "*"),
])
def test_a_star_somewhere_is_not_a_mask(field: str, value: str) -> None:
    assert not masked_shape(field, value)
