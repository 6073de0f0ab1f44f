"""Stories published with consent, alliances with shared outcomes against targets; bad input; refusals."""

from __future__ import annotations

import csv
import io
import math
import re

import pytest
from django.test import Client
from scipy import stats

from commonweal.audit.models import AuditEvent
from commonweal.evidence.models import Alliance, SharedOutcome, Story
from commonweal.evidence.statistics import proportion
from commonweal.evidence.tests.conftest import REFUSED
from tests.factories import make_persona

pytestmark = pytest.mark.django_db

STORY = {
    "dashboard": "uptake",
    "chart": "deprivation",
    "title": "Out of the house again",
    "text": "I had not left the flat for months. Now I go to the walking group every Tuesday.",
    "source": "journey",
    "place": "",
    "told_on": "2025-03-01",
    "consent_method": "written",
    "consent_given_on": "2025-03-01",
    "confirmed": "on",
}


def _text(response) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_a_story_told_with_consent_is_shown_beside_its_chart(commissioner_client, system):
    response = commissioner_client.post("/evidence/stories/new/", STORY)
    assert response.status_code == 302
    assert response["Location"] == "/evidence/uptake/#deprivation"
    story = Story.objects.get()
    assert (story.consent_recorded_by, story.consent_method) == (system.commissioner, "written")
    page = commissioner_client.get("/evidence/uptake/").content.decode()
    section = page[page.index('id="deprivation"') : page.index('id="ethnicity"')]
    assert "Now I go to the walking group every Tuesday." in section
    assert "Shared with the person's consent (signed a consent form, 1 March 2025)" in _text(
        commissioner_client.get("/evidence/uptake/")
    )
    assert AuditEvent.objects.filter(action="evidence.add_story", actor=system.commissioner).count() == 1


def test_a_withdrawn_story_is_shown_nowhere_and_cannot_be_withdrawn_twice(commissioner_client, system):
    commissioner_client.post("/evidence/stories/new/", STORY)
    story = Story.objects.get()
    response = commissioner_client.post(f"/evidence/stories/{story.pk}/withdraw/", {"note": "Asked by phone"})
    assert response.status_code == 302
    assert "walking group every Tuesday" not in commissioner_client.get("/evidence/uptake/").content.decode()
    assert "Withdrawn on" in _text(commissioner_client.get("/evidence/stories/"))
    again = commissioner_client.post(f"/evidence/stories/{story.pk}/withdraw/", {"note": ""})
    assert again.status_code == 400
    assert "This story was already withdrawn." in _text(again)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"confirmed": ""}, "Confirm that the person agreed, and that nothing could identify them."),
        ({"consent_method": ""}, "This field is required."),
        ({"consent_given_on": "2099-01-01"}, "The consent cannot have been given in the future."),
        ({"told_on": "not a date"}, "Enter a valid date."),
        ({"chart": "service"}, "That chart is not on the dashboard you chose."),
        ({"dashboard": "made-up"}, "Select a valid choice. made-up is not one of the available choices."),
    ],
)
def test_a_story_without_recorded_consent_or_with_bad_entries_is_refused_with_a_message(
    commissioner_client, system, change, message
):
    response = commissioner_client.post(
        "/evidence/stories/new/", {key: value for key, value in {**STORY, **change}.items() if value != ""}
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert "Now I go to the walking group every Tuesday." in response.content.decode()
    assert not Story.objects.exists()


@pytest.fixture
def alliance(commissioner_client, system) -> Alliance:
    journey = system.journey
    members = [journey.team.pk, journey.other_team.pk, journey.food_club.pk, journey.walking_group.pk]
    response = commissioner_client.post(
        "/evidence/alliances/new/",
        {"name": "Trafford Wellbeing Alliance", "description": "", "members": members},
    )
    assert response.status_code == 302
    return Alliance.objects.get()


def _agree(client, alliance, indicator, target) -> None:
    response = client.post(
        f"/evidence/alliances/{alliance.pk}/outcomes/new/",
        {
            "indicator": indicator,
            "target": target,
            "neighbourhood": "",
            "imd_quintile": "",
            "agreed_on": "2025-01-01",
        },
    )
    assert response.status_code == 302, _text(response)


def test_shared_outcomes_are_computed_by_quarter_against_their_targets(commissioner_client, alliance):
    _agree(commissioner_client, alliance, "seen", "80")
    _agree(commissioner_client, alliance, "at_capacity", "10")
    _agree(commissioner_client, alliance, "ucla3_change", "-1")
    response = commissioner_client.get(f"/evidence/alliances/{alliance.pk}/")
    assert response.status_code == 200
    text = _text(response)
    seen = proportion(22, 25, multiplier=100)
    at_capacity = proportion(8, 24, multiplier=100)
    half = stats.t.ppf(0.975, 9) * math.sqrt(2.5 / 9) / math.sqrt(10)
    # January to March 2025 is the fourth quarter of the NHS financial year 2024/25.
    low, high = seen.interval(0.95).lower, seen.interval(0.95).upper
    assert f"2024/25 Q4 22 25 {seen.value:.1f}% ({low:.1f} to {high:.1f}) Not significantly different" in text
    assert (
        f"2024/25 Q4 8 24 {at_capacity.value:.1f}% ({at_capacity.interval(0.95).lower:.1f} to "
        f"{at_capacity.interval(0.95).upper:.1f}) Worse than the target" in text
    )
    assert f"2024/25 Q4 10 −1.50 (−{1.5 + half:.2f} to −{1.5 - half:.2f}) Better than the target" in text
    assert "Target 80%" in response.content.decode()


def test_the_shared_outcomes_download_as_csv(commissioner_client, alliance):
    _agree(commissioner_client, alliance, "seen", "80")
    response = commissioner_client.get(f"/evidence/alliances/{alliance.pk}/outcomes.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    estimate = proportion(22, 25, multiplier=100)
    assert rows == [
        [
            "indicator",
            "place",
            "imd_quintile",
            "target",
            "unit",
            "quarter",
            "counted",
            "out_of",
            "value",
            "lower_95",
            "upper_95",
            "against_target",
        ],
        [
            "seen",
            "every place",
            "",
            "80.00",
            "%",
            "2024/25 Q4",
            "22",
            "25",
            f"{estimate.value:.3f}",
            f"{estimate.interval(0.95).lower:.3f}",
            f"{estimate.interval(0.95).upper:.3f}",
            "similar",
        ],
    ]


def test_a_shared_outcome_for_a_small_group_hides_its_small_counts(commissioner_client, alliance):
    response = commissioner_client.post(
        f"/evidence/alliances/{alliance.pk}/outcomes/new/",
        {
            "indicator": "seen",
            "target": "80",
            "neighbourhood": "",
            "imd_quintile": "2",
            "agreed_on": "2025-01-01",
        },
    )
    assert response.status_code == 302
    text = _text(commissioner_client.get(f"/evidence/alliances/{alliance.pk}/"))
    assert "2024/25 Q4 0 <5 not shown Not enough data to tell" in text.replace("&lt;", "<")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"indicator": "seen", "target": "150"}, "A target for a percentage is from 0 to 100."),
        ({"indicator": "made-up", "target": "1"}, "Choose an indicator from the list."),
        ({"indicator": "seen", "target": "lots"}, "Enter a number."),
        (
            {"indicator": "seen", "target": "80", "imd_quintile": "9"},
            "Choose a deprivation quintile from the list.",
        ),
        (
            {"indicator": "seen", "target": "80", "neighbourhood": "424242"},
            "Choose a neighbourhood from the list.",
        ),
    ],
)
def test_a_shared_outcome_with_bad_entries_gets_a_message_and_changes_nothing(
    commissioner_client, alliance, data, message
):
    response = commissioner_client.post(
        f"/evidence/alliances/{alliance.pk}/outcomes/new/",
        {"agreed_on": "2025-01-01", "neighbourhood": "", "imd_quintile": "", **data},
    )
    assert response.status_code == 400
    assert message in _text(response)
    assert not SharedOutcome.objects.exists()


def test_the_same_indicator_cannot_be_agreed_twice_for_the_same_group(commissioner_client, alliance):
    _agree(commissioner_client, alliance, "seen", "80")
    response = commissioner_client.post(
        f"/evidence/alliances/{alliance.pk}/outcomes/new/",
        {
            "indicator": "seen",
            "target": "70",
            "neighbourhood": "",
            "imd_quintile": "",
            "agreed_on": "2025-01-01",
        },
    )
    assert response.status_code == 400
    assert "The alliance already has this indicator for this place and deprivation group." in _text(response)
    assert SharedOutcome.objects.count() == 1


def test_an_alliance_needs_two_members_and_a_unique_name(commissioner_client, alliance, system):
    one = commissioner_client.post(
        "/evidence/alliances/new/", {"name": "Solo", "members": [system.journey.team.pk]}
    )
    assert one.status_code == 400
    assert "An alliance needs at least two member organisations." in _text(one)
    same = commissioner_client.post(
        "/evidence/alliances/new/",
        {
            "name": "trafford wellbeing alliance",
            "members": [system.journey.team.pk, system.journey.other_team.pk],
        },
    )
    assert "There is already an alliance called trafford wellbeing alliance." in _text(same)
    assert Alliance.objects.count() == 1


def test_a_shared_outcome_can_be_changed_and_stopped(commissioner_client, alliance):
    _agree(commissioner_client, alliance, "seen", "80")
    shared = SharedOutcome.objects.get()
    commissioner_client.post(
        f"/evidence/alliances/{alliance.pk}/outcomes/{shared.pk}/edit/",
        {
            "indicator": "seen",
            "target": "85",
            "neighbourhood": "",
            "imd_quintile": "",
            "agreed_on": "2025-02-01",
        },
    )
    shared.refresh_from_db()
    assert str(shared.target) == "85.00"
    commissioner_client.post(f"/evidence/alliances/{alliance.pk}/outcomes/{shared.pk}/remove/")
    assert not SharedOutcome.objects.exists()
    assert AuditEvent.objects.filter(action="evidence.remove_shared_outcome").count() == 1


@pytest.mark.parametrize("role", REFUSED, ids=[role.value for role in REFUSED])
def test_every_other_role_is_refused_stories_and_alliances_and_nothing_changes(
    places, alliance, system, role
):
    Story.objects.create(
        dashboard="uptake",
        title="T",
        text="Words",
        source="journey",
        told_on="2025-01-01",
        consent_method="spoken",
        consent_given_on="2025-01-01",
        consent_recorded_by=system.commissioner,
    )
    _agree_client = Client()
    _agree_client.force_login(system.commissioner)
    _agree(_agree_client, alliance, "seen", "80")
    story, shared = Story.objects.get(), SharedOutcome.objects.get()
    client = Client()
    client.force_login(make_persona(role, places))
    before = (
        Story.objects.count(),
        Alliance.objects.count(),
        SharedOutcome.objects.count(),
        AuditEvent.objects.count(),
    )
    for path in [
        "/evidence/stories/",
        "/evidence/stories/new/",
        f"/evidence/stories/{story.pk}/withdraw/",
        "/evidence/alliances/",
        "/evidence/alliances/new/",
        f"/evidence/alliances/{alliance.pk}/",
        f"/evidence/alliances/{alliance.pk}/outcomes.csv",
    ]:
        assert client.get(path).status_code == 403, path
    posts = [
        ("/evidence/stories/new/", STORY),
        (f"/evidence/stories/{story.pk}/withdraw/", {"note": ""}),
        (
            "/evidence/alliances/new/",
            {"name": "Other", "members": [system.journey.team.pk, system.journey.other_team.pk]},
        ),
        (
            f"/evidence/alliances/{alliance.pk}/outcomes/new/",
            {"indicator": "attended", "target": "50", "agreed_on": "2025-01-01"},
        ),
        (f"/evidence/alliances/{alliance.pk}/outcomes/{shared.pk}/remove/", {}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    after = (
        Story.objects.count(),
        Alliance.objects.count(),
        SharedOutcome.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert Story.objects.get().withdrawn_at is None
