"""Sex as the NHS Data Dictionary's PERSON STATED GENDER CODE, and HL7 UK's map of it to FHIR."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from commonweal.people.models import Person, Sex
from tests.factories import PersonFactory

BEFORE = [("people", "0004_break_glass_openings")]
AFTER = [("people", "0005_sex_as_person_stated_gender_code")]


def test_sex_offers_the_four_person_stated_gender_codes_in_the_data_dictionarys_order() -> None:
    assert [(sex.data_dictionary_code, sex.label) for sex in Sex] == [
        ("1", "Male"),
        ("2", "Female"),
        ("9", "Indeterminate (cannot be classified as male or female)"),
        ("X", "Not known"),
    ]


def test_each_code_is_the_administrative_gender_hl7_uk_maps_it_to() -> None:
    assert {sex.data_dictionary_code: sex.fhir_gender for sex in Sex} == {
        "1": "male",
        "2": "female",
        "9": "other",
        "X": "unknown",
    }


def test_not_known_is_what_is_stored_when_nothing_was_recorded() -> None:
    """The Data Dictionary's default code X means "not recorded", so an empty value reads as X (and the
    journey's rule of filling gaps in a record, never overwriting them, can still fill it in)."""
    assert Sex.NOT_KNOWN == ""
    assert Person._meta.get_field("sex").get_default() == Sex.NOT_KNOWN
    assert Sex.of("") is Sex.NOT_KNOWN
    assert Sex.of("female") is Sex.FEMALE


def test_a_stored_value_that_is_no_code_reads_as_not_known() -> None:
    assert Sex.of("F") is Sex.NOT_KNOWN


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_every_stored_sex_and_reads_it_as_its_code() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = MigrationExecutor(connection).loader.project_state(BEFORE).apps
    old_person = old.get_model("people", "Person")
    written = {
        sex: old_person.objects.create(
            given_name="Kept", family_name=sex or "blank", date_of_birth="1970-05-17", sex=sex
        ).pk
        for sex in ("female", "male", "")
    }
    try:
        MigrationExecutor(connection).migrate(AFTER)
    finally:
        MigrationExecutor(connection).migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    stored = dict(Person.objects.filter(pk__in=written.values()).values_list("pk", "sex"))
    assert stored == {pk: sex for sex, pk in written.items()}
    assert [Sex.of(stored[written[sex]]).data_dictionary_code for sex in ("female", "male", "")] == [
        "2",
        "1",
        "X",
    ]
    # The longest new value fits the column (PostgreSQL enforces the length; SQLite does not).
    indeterminate = PersonFactory.create(sex=Sex.INDETERMINATE)
    assert Person.objects.get(pk=indeterminate.pk).sex == "indeterminate"
