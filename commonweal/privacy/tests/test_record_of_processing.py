"""The record of processing is generated from the models' annotations and kept complete and current."""

from __future__ import annotations

from typing import cast

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from commonweal.people.models import Person
from commonweal.privacy.annotations import problems
from commonweal.privacy.record import document_path, out_of_date, render


def test_every_field_that_looks_personal_is_annotated() -> None:
    assert problems() == []


def test_a_personal_field_left_out_of_the_annotation_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = dict(cast(dict[str, str], Person.personal_data["fields"]))
    del fields["nhs_number"]
    annotation = {**Person.personal_data, "fields": fields}
    monkeypatch.setattr(Person, "personal_data", annotation)
    assert problems() == [
        "people.Person: nhs_number look personal but are not annotated "
        "(add them to personal_data['fields'] or ['not_personal'])"
    ]


def test_a_model_without_an_annotation_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    from commonweal.directory.models import Contact

    monkeypatch.delattr(Contact, "personal_data")
    assert any(
        problem.startswith("directory.Contact: name, email, phone look personal") for problem in problems()
    )


def test_an_annotation_needs_a_purpose_and_a_lawful_basis(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Person, "personal_data", {**Person.personal_data, "lawful_basis": ""})
    assert "people.Person: personal_data needs a purpose and a lawful basis" in problems()


def test_the_generated_document_is_up_to_date() -> None:
    assert document_path().read_text() == render(), "run `commonweal record_of_processing`"
    call_command("record_of_processing", check=True)


def test_a_changed_annotation_makes_the_document_out_of_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Person, "personal_data", {**Person.personal_data, "purpose": "Something else"})
    assert out_of_date()
    with pytest.raises(CommandError, match="is out of date"):
        call_command("record_of_processing", check=True)


def test_the_document_names_each_personal_field_with_its_purpose_basis_and_retention() -> None:
    text = render()
    assert "### people.Person (person)" in text
    assert "| `nhs_number` | identity |" in text
    assert "- Lawful basis: Art. 6(1)(e) public task; Art. 9(2)(h) health or social care" in text
    assert "- Retention: anonymise 8 years after `closed_at`" in text
    assert "keep: a safeguarding record" in text
