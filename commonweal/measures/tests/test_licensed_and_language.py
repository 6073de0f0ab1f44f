"""A licence holder's definition file (kept outside the repository) is administered like a built-in one, and a
person is asked in their own language where a checked translation exists."""

from __future__ import annotations

from typing import Any

import pytest

from commonweal.measures import registry
from commonweal.measures.models import Response, SafetyAlert
from commonweal.measures.tests.conftest import client_for
from commonweal.measures.tests.fakes import fake_definition, write_definition

pytestmark = pytest.mark.django_db


def _with_welsh(node: Any) -> Any:
    """Add a (synthetic) Welsh text beside every English one."""
    if isinstance(node, dict):
        changed = {key: _with_welsh(value) for key, value in node.items()}
        if "en-GB" in node and isinstance(node["en-GB"], str):
            changed["cy"] = f"Cymraeg: {node['en-GB']}"
        return changed
    if isinstance(node, list):
        return [_with_welsh(value) for value in node]
    return node


@pytest.fixture
def licensed(settings, tmp_path):
    data = _with_welsh(fake_definition())
    data["languages"] = ["en-GB", "cy"]
    data["translations"] = [
        {"language": "cy", "status": "available", "source": "Licence holder's Welsh edition"}
    ]
    write_definition(tmp_path, data)
    settings.MEASURES_LICENSED_DIR = str(tmp_path)
    registry.clear_cache()
    yield registry.definition("fake-wellbeing")
    registry.clear_cache()


def test_a_welsh_speaker_answers_the_licensed_questionnaire_in_welsh(cast, licensed):
    cast.rosa.language = "Welsh"
    cast.rosa.save()
    client = client_for(cast.rosa.user)
    client.post("/measures/me/start/", {"instrument": "fake-wellbeing"})
    response = Response.objects.get()
    assert (response.instrument_code, response.instrument_version, response.language) == (
        "fake-wellbeing",
        "2.1",
        "cy",
    )
    page = client.get(f"/measures/responses/{response.pk}/answer/1/").content.decode()
    assert '<h1 class="nhsuk-fieldset__heading">Cymraeg: Synthetic statement one</h1>' in page
    assert "Cymraeg: Synthetic answer one" in page
    for number, value in enumerate([3, 3, 2, 1], start=1):
        client.post(f"/measures/responses/{response.pk}/answer/{number}/", {f"q{number}": str(value)})
    client.post(f"/measures/responses/{response.pk}/answer/check/")
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    # The licence holder's risk rule raises an alert just as a built-in one does.
    assert SafetyAlert.objects.get().rule_id == "q4_lowest"
    staff_page = client_for(cast.lena).get(f"/measures/people/{cast.rosa.pk}/").content.decode()
    assert "Fake total: every answer" in staff_page


def test_an_english_speaker_gets_english_and_a_language_without_translation_falls_back(cast, licensed):
    assert registry.language_for(licensed, "English") == "en-GB"
    assert registry.language_for(licensed, "Polish") == "en-GB"
    assert registry.language_for(licensed, "cy") == "cy"


def test_the_instruments_page_shows_the_licensed_definition(cast, licensed):
    page = client_for(cast.lena).get("/measures/instruments/").content.decode()
    assert "Fake wellbeing scale (synthetic, for tests)" in page
    assert "4 questions, loaded from a licence holder's file" in page
    assert "English, Cymraeg (Welsh)" in page


def test_a_broken_licensed_file_is_shown_and_the_built_ins_stay_usable(cast, settings, tmp_path):
    write_definition(tmp_path, fake_definition(licensed=False))
    settings.MEASURES_LICENSED_DIR = str(tmp_path)
    registry.clear_cache()
    page = client_for(cast.lena).get("/measures/instruments/").content.decode()
    registry.clear_cache()
    assert "A licence holder's file could not be loaded" in page
    assert "fake-wellbeing_2.1.json: $.licensed: a licence holder&#x27;s file must say" in page
    assert "Patient Health Questionnaire (PHQ-9)" in page
