"""The data migration that stores every NHS number as ten ASCII digits, without merging anyone."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from commonweal.people.models import Person
from tests.factories import PersonFactory

migration = importlib.import_module("commonweal.people.migrations.0003_normalise_nhs_numbers")


@pytest.mark.django_db
def test_stored_numbers_become_ascii_and_duplicates_are_reported_not_merged(capsys):
    lone = PersonFactory.create(nhs_number=None)
    first = PersonFactory.create(nhs_number=None)
    second = PersonFactory.create(nhs_number=None)
    # As the old code stored them: digits as typed.
    Person.objects.filter(pk=lone.pk).update(nhs_number="９４３４７６５９１９")
    Person.objects.filter(pk=first.pk).update(nhs_number="4010232137")
    Person.objects.filter(pk=second.pk).update(nhs_number="٤٠١٠٢٣٢١٣٧")

    migration.normalise(apps, None)

    numbers = dict(Person.objects.values_list("pk", "nhs_number"))
    assert numbers[lone.pk] == "9434765919"
    assert (numbers[first.pk], numbers[second.pk]) == ("4010232137", "٤٠١٠٢٣٢١٣٧")
    assert f"ending 2137 is held by people [{first.pk}, {second.pk}]: not merged" in capsys.readouterr().out
