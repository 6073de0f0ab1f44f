import pytest

from commonweal.places.postcodes import MalformedPostcodeError, normalise_postcode


@pytest.mark.parametrize("typed", ["m33 7aa", "M337AA", " M33  7AA ", "m 3 3 7 a a", "M33\t7AA"])
def test_it_normalises_every_spelling_of_a_postcode(typed):
    assert normalise_postcode(typed) == "M33 7AA"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("sw1a1aa", "SW1A 1AA"), ("W1A 0AX", "W1A 0AX"), ("ec1a 1bb", "EC1A 1BB"), ("gir0aa", "GIR 0AA")],
)
def test_it_accepts_every_shape_of_outward_code(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize(
    "typed", ["", "   ", "M33", "7AA M33", "M33 7A", "M33 7AAA", "123 456", "M33-7AA", "ZZZZ 1ZZ"]
)
def test_it_rejects_text_that_is_not_a_postcode_with_a_clear_message(typed):
    with pytest.raises(MalformedPostcodeError) as raised:
        normalise_postcode(typed)
    assert "is not a valid UK postcode. A postcode looks like M33 7AA" in str(raised.value)


def test_the_message_names_what_was_typed():
    with pytest.raises(MalformedPostcodeError) as raised:
        normalise_postcode(" hello ")
    assert str(raised.value).startswith("“hello” is not a valid UK postcode.")
