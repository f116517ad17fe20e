from datetime import date

import pytest

from demo import idcard


def test_check_digit_matches_the_standard_examples() -> None:
    assert idcard.check_digit("11010519491231002") == "X"
    assert idcard.check_digit("44052418800101001") == "4"


def test_make_and_validate_round_trip() -> None:
    number = idcard.make_id18("330105", date(1948, 3, 9), 123)
    assert len(number) == 18 and number.startswith("33010519480309123")
    assert idcard.is_valid(number)
    assert idcard.gender_digit_ok(number, "男")
    broken = number[:17] + ("0" if number[17] != "0" else "1")
    assert not idcard.is_valid(broken)


def test_legacy_form_upgrades_back() -> None:
    number = idcard.make_id18("330105", date(1950, 12, 1), 40)
    legacy = idcard.to_legacy15(number)
    assert legacy == "330105501201040"
    assert idcard.upgrade15(legacy) == number
    assert idcard.is_valid(legacy)


def test_lowercase_x_is_still_valid_and_bad_input_is_refused() -> None:
    assert idcard.is_valid("11010519491231002x")
    assert not idcard.is_valid("1101051949123100")
    with pytest.raises(ValueError):
        idcard.check_digit("12345")
