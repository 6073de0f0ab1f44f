import pytest

from commonweal.people.nhs_number import InvalidNhsNumberError, format_nhs_number, normalise_nhs_number


# 943 476 5919 is the worked example in the NHS Data Dictionary and NHS digital service manual.
@pytest.mark.parametrize("typed", ["9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "])
def test_a_valid_nhs_number_is_accepted_in_any_spacing(typed):
    assert normalise_nhs_number(typed) == "9434765919"


def test_a_wrong_check_digit_is_refused():
    with pytest.raises(InvalidNhsNumberError) as raised:
        normalise_nhs_number("9434765918")
    assert str(raised.value) == "This is not a valid NHS number: its check digit does not match."


def test_a_number_whose_check_digit_would_be_ten_is_never_valid():
    # 1000000040: weights give 10*1 + 2*4 = 18; 11 - 18 % 11 = 4 ... choose a prefix whose check is 10:
    # 0000000060 → 6*3 = 18 → 11 - 7 = 4; 1000000010 → 10 + 2*1... use a prefix found by the rule itself.
    prefixes = [f"{n:09d}" for n in range(200)]
    ten = next(
        p
        for p in prefixes
        if (11 - sum(int(d) * w for d, w in zip(p, range(10, 1, -1), strict=True)) % 11) == 10
    )
    for last in "0123456789":
        with pytest.raises(InvalidNhsNumberError):
            normalise_nhs_number(ten + last)


@pytest.mark.parametrize("typed", ["", "123", "94347659190", "943476591A"])
def test_text_that_is_not_ten_digits_is_refused_with_an_example(typed):
    with pytest.raises(InvalidNhsNumberError) as raised:
        normalise_nhs_number(typed)
    assert str(raised.value) == "An NHS number is 10 digits, for example 943 476 5919."


def test_it_formats_three_three_four():
    assert format_nhs_number("9434765919") == "943 476 5919"


# Issue 12, finding 2: `\d` matched any Unicode digit and the digits were kept as typed, so one number
# typed four ways made four people.
FULL_WIDTH = "９４３４７６５９１９"
ARABIC_INDIC = "٩٤٣٤٧٦٥٩١٩"
PART_FULL_WIDTH = "943 ４７６ 5919"


@pytest.mark.parametrize(
    "typed",
    [
        FULL_WIDTH,
        ARABIC_INDIC,
        PART_FULL_WIDTH,
        "۹۴۳ ۴۷۶ ۵۹۱۹",
        "943\u2011476\u20115919",
        "943\u00a0476\u3000 5919",
    ],
)
def test_unicode_digits_spaces_and_hyphens_become_the_ten_ascii_digits(typed):
    assert normalise_nhs_number(typed) == "9434765919"


@pytest.mark.parametrize("typed", ["4010232137", "401 023 2137"])
def test_other_published_valid_examples_are_accepted(typed):
    assert normalise_nhs_number(typed) == "4010232137"


@pytest.mark.parametrize(
    "typed", ["0000000000", "1111111111", "2222222222", "000 000 0000", "００００００００００"]
)
def test_a_number_of_one_repeated_digit_passes_modulus_11_but_is_refused(typed):
    with pytest.raises(InvalidNhsNumberError) as raised:
        normalise_nhs_number(typed)
    assert "not a valid NHS number" in str(raised.value)


@pytest.mark.parametrize("typed", ["943476591²", "943.476.5919", "9434765919\u200b9", "+9434765919"])
def test_superscripts_and_other_marks_are_refused(typed):
    with pytest.raises(InvalidNhsNumberError):
        normalise_nhs_number(typed)
