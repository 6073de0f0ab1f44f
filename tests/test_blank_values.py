from tests.blank_values import blank_values


def row(key: str, value: str) -> str:
    return (
        '<div class="nhsuk-summary-list__row"><dt class="nhsuk-summary-list__key">'
        f'{key}</dt><dd class="nhsuk-summary-list__value">{value}</dd></div>'
    )


def test_an_empty_or_blank_summary_list_value_is_reported_with_its_key():
    rows = row("Contact", " ") + row("Postcode", "") + row("Place", "Sale")
    page = f'<dl class="nhsuk-summary-list">{rows}</dl>'
    assert blank_values(page) == ["'Contact' has an empty value", "'Postcode' has an empty value"]


def test_text_that_is_just_none_is_reported_with_what_came_before():
    table = "<table><tr><td>Alerts</td><td> None </td></tr></table>"
    page = f'<dl class="nhsuk-summary-list">{row("ODS code", "None")}</dl>{table}'
    assert blank_values(page) == ["\"None\" after 'ODS code'", "\"None\" after 'ODS code None Alerts'"]


def test_words_that_start_with_none_a_value_with_markup_and_scripts_are_not_reported():
    link = '<a href="mailto:a@b.example">a@b.example</a>'
    image = '<img src="x.png" alt="">'
    rows = row("Email", link) + row("Photo", image) + row("Needs", "None recorded")
    page = (
        f'<dl class="nhsuk-summary-list">{rows}</dl>'
        "<p>Share your ideas: None at the moment.</p><script>None</script>"
    )
    assert blank_values(page) == []
