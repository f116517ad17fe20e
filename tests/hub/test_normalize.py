"""ID numbers and phones as departments write them, against the demo's own check digits."""

import random

from demo.idcard import check_digit
from hub.linking.normalize import fold, id_problem, normalize_id_number, normalize_phone


def test_check_digits_agree_with_the_demo_generator() -> None:
    rng = random.Random(5)
    for _ in range(2000):
        body = "".join(rng.choice("0123456789") for _ in range(17))
        full = body + check_digit(body)
        assert normalize_id_number(full) == full
        wrong = body + ("0" if full[-1] != "0" else "1")
        assert normalize_id_number(wrong) is None
        assert id_problem(wrong) == "id_check_digit"


def test_ids_written_differently_normalise_to_one() -> None:
    body = "31010419800101123"
    full = body + check_digit(body)
    fifteen = "310104800101123"  # issued before 1999: no century, no check digit
    assert normalize_id_number(fifteen) == "310104" + "19" + "800101123" + check_digit(
        "31010419800101123"
    )
    widened = full.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert normalize_id_number(f" {widened} ") == full
    ending_x = next(b for n in range(100) if check_digit(b := f"{body[:14]}{n:03d}") == "X")
    assert normalize_id_number(f"{ending_x}x") == f"{ending_x}X"


def test_what_cannot_be_an_id_is_refused_not_guessed() -> None:
    arabic_indic = "٣١٠١٠٤١٩٨٠٠١٠١١٢٣٤"  # digits, but not the ones ID cards carry
    for raw in ("", "3101041980010112", "31010419800101123Y", arabic_indic, "身份证号未填"):
        assert normalize_id_number(raw) is None
        assert id_problem(raw) in (None, "id_format")
    assert id_problem("3101041980010112") == "id_format"


def test_phones_and_folding() -> None:
    assert normalize_phone("+86 138-0013-8000") == "13800138000"
    assert normalize_phone("１３８００１３８０００") == "13800138000"
    assert normalize_phone("021-5555-1234") is None
    assert fold("ＸＸ３幢 ") == "XX3幢"
    assert fold("3101") == "3101"
