"""Resident identity numbers (居民身份证号码) per GB 11643-1999, plus the legacy 15-digit form."""

from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


def check_digit(first17: str) -> str:
    """The 18th character for the 17 leading digits (ISO 7064 MOD 11-2)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError(f"need 17 digits, got {first17!r}")
    total = sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def make_id18(region: str, birth: date, sequence: int) -> str:
    """An 18-digit number; an odd sequence means male, an even one female."""
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + check_digit(body)


def to_legacy15(id18: str) -> str:
    """The 15-digit form issued before 1999: 2-digit year, no check character."""
    if len(id18) != 18:
        raise ValueError(f"not an 18-digit number: {id18!r}")
    return id18[:6] + id18[8:17]


def upgrade15(id15: str) -> str:
    """The 18-digit number a 15-digit one becomes (born in the 1900s by definition)."""
    if len(id15) != 15 or not id15.isdigit():
        raise ValueError(f"not a 15-digit number: {id15!r}")
    body = id15[:6] + "19" + id15[6:]
    return body + check_digit(body)


def is_valid(number: str) -> bool:
    """True for a well-formed 18-digit number (check character, case-insensitive) or 15 digits."""
    if len(number) == 15:
        return number.isdigit()
    if len(number) != 18 or not number[:17].isdigit():
        return False
    return check_digit(number[:17]) == number[17].upper()


def gender_digit_ok(number: str, gender: str) -> bool:
    """The sequence's last digit is odd for men and even for women."""
    digit = int(number[16] if len(number) == 18 else number[14])
    return (digit % 2 == 1) == (gender == "男")
