"""ID numbers (GB 11643) and phones: checking and masking."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from volunteers.identity import check_digit, mask_id, mask_phone, parse_id_number, validate_mobile


def make_id(prefix17: str) -> str:
    return prefix17 + check_digit(prefix17)


def test_it_reads_birth_date_and_gender():
    info = parse_id_number(make_id("61072419900101123"))
    assert info.birth_date == date(1990, 1, 1)
    assert info.gender == "male"
    assert parse_id_number(make_id("61072419900101122")).gender == "female"


def test_it_accepts_a_lowercase_x_check_digit():
    number = next(
        make_id(f"610724198506{d:02d}234") for d in range(1, 29) if make_id(f"610724198506{d:02d}234")[-1] == "X"
    )
    assert parse_id_number(number.lower()).number == number


@pytest.mark.parametrize(
    "raw, code",
    [("12345", "id_format"), ("61072419900101123A", "id_format"), ("610724199013011230", "id_birth")],
)
def test_it_refuses_malformed_numbers(raw, code):
    with pytest.raises(ValidationError) as err:
        parse_id_number(raw[:17] + check_digit(raw[:17]) if code == "id_birth" else raw)
    assert err.value.code == code


def test_it_refuses_a_wrong_check_digit():
    good = make_id("61072419900101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as err:
        parse_id_number(bad)
    assert err.value.code == "id_check"


def test_it_refuses_a_future_birth_date():
    with pytest.raises(ValidationError):
        parse_id_number(make_id("61072420990101123"), today=date(2026, 1, 1))


def test_phones_are_mainland_mobiles():
    assert validate_mobile("+86 138-1234-5678") == "13812345678"
    for bad in ["12812345678", "1381234567", "phone"]:
        with pytest.raises(ValidationError):
            validate_mobile(bad)


def test_masks_show_only_the_ends():
    assert mask_id("61010119900101123X") == "6101**********123X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id("") == "" and mask_phone("") == ""
