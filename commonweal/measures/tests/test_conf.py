"""Measures settings: defaults, overrides, and a clear message (and a failed system check) for bad values."""

from __future__ import annotations

import pytest

from commonweal.measures import conf
from commonweal.measures.checks import measures_settings_are_valid


def test_the_defaults():
    assert conf.follow_up_weeks() == (6, 12)
    assert conf.default_instruments() == ("ons4", "ucla-3", "phq-9")
    assert conf.escalate_after_minutes() == 60
    assert [(c.name, c.phone) for c in conf.crisis_contacts()] == [
        ("NHS 111", "111"),
        ("Samaritans", "116 123"),
        ("Emergency services", "999"),
    ]
    assert measures_settings_are_valid() == []


def test_crisis_contacts_come_from_json(settings):
    settings.MEASURES_CRISIS_CONTACTS = (
        '[{"name": "Local crisis line", "phone": "0800 000 000", "text": "Any time."}]'
    )
    assert conf.crisis_contacts() == (conf.CrisisContact("Local crisis line", "0800 000 000", "Any time."),)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "MEASURES_ALERT_ESCALATE_AFTER_MINUTES",
            "soon",
            "MEASURES_ALERT_ESCALATE_AFTER_MINUTES must be a whole number, not 'soon'.",
        ),
        (
            "MEASURES_ALERT_ESCALATE_AFTER_MINUTES",
            "0",
            "MEASURES_ALERT_ESCALATE_AFTER_MINUTES must be 1 or more, not 0.",
        ),
        (
            "MEASURES_FOLLOW_UP_WEEKS",
            "12,6",
            "MEASURES_FOLLOW_UP_WEEKS must be different whole numbers of weeks above 0, in rising order.",
        ),
        ("MEASURES_CRISIS_CONTACTS", "[]", "MEASURES_CRISIS_CONTACTS must be a non-empty list of contacts."),
        (
            "MEASURES_CRISIS_CONTACTS",
            '[{"name": "X"}]',
            "MEASURES_CRISIS_CONTACTS entry 1 needs a non-empty name, phone and text.",
        ),
        (
            "MEASURES_CRISIS_CONTACTS",
            "[{",
            "MEASURES_CRISIS_CONTACTS must be a JSON list such as "
            '[{"name": "NHS 111", "phone": "111", "text": "Call 111 …"}]: '
            "Expecting property name enclosed in double quotes at character 2.",
        ),
        (
            "SITE_URL",
            "commonweal.example.org",
            "SITE_URL must start with http:// or https://, not 'commonweal.example.org'.",
        ),
    ],
)
def test_a_bad_setting_names_itself_and_fails_the_system_check(settings, name, value, message):
    setattr(settings, name, value)
    (error,) = measures_settings_are_valid()
    assert (error.id, error.msg) == ("measures.E001", message)


def test_an_unknown_default_instrument_fails_the_system_check(settings):
    settings.MEASURES_DEFAULT_INSTRUMENTS = "phq-9,wellbeing-wheel"
    (error,) = measures_settings_are_valid()
    assert (error.id, error.msg) == (
        "measures.E004",
        "MEASURES_DEFAULT_INSTRUMENTS: There is no instrument 'wellbeing-wheel' here.",
    )


def test_a_licensed_folder_that_is_missing_fails_the_system_check(settings, tmp_path):
    settings.MEASURES_LICENSED_DIR = str(tmp_path / "missing")
    (error,) = measures_settings_are_valid()
    assert (error.id, error.msg) == (
        "measures.E002",
        f"MEASURES_LICENSED_DIR is {tmp_path / 'missing'}, which is not a folder.",
    )
