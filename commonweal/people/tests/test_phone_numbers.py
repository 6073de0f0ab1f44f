"""Issue 12, finding 17: phone numbers are UK numbers, letters refused, one stored form."""

import pytest

from commonweal.people.phone_numbers import InvalidPhoneNumberError, normalise_phone_number


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0161 496 0000", "0161 496 0000"),
        ("01614960000", "0161 496 0000"),
        ("+44 161 496 0000", "0161 496 0000"),
        ("+44 (0)161 496 0000", "0161 496 0000"),
        ("0044 161 496 0000", "0161 496 0000"),
        ("(0161) 496-0000", "0161 496 0000"),
        ("07700 900456", "07700 900456"),
        ("+447700900456", "07700 900456"),
        ("020 7946 0000", "020 7946 0000"),
        ("0300 123 4567", "0300 123 4567"),
        ("01632 960001", "01632 960001"),
        ("016977 3456", "01697 73456"),
        ("０７７００ ９００４５６", "07700 900456"),
    ],
)
def test_uk_numbers_are_accepted_in_any_spacing_and_stored_in_one_form(typed, stored):
    assert normalise_phone_number(typed) == stored


@pytest.mark.parametrize("typed", ["abc", "0161 496 OOOO", "call me", "0161\u202e496 0000x"])
def test_letters_are_refused(typed):
    with pytest.raises(InvalidPhoneNumberError, match="numbers only"):
        normalise_phone_number(typed)


@pytest.mark.parametrize("typed", ["123", "0161 496", "0161 496 0000 0000", "00000000000", "+1 212 555 0100"])
def test_numbers_that_are_not_uk_numbers_are_refused(typed):
    with pytest.raises(InvalidPhoneNumberError):
        normalise_phone_number(typed)
