"""Directory pages: search, entries, changes, suggestions, claims, review, imports, reminders.

Alice (the test group's member) owns the garden; Bob is a member of another group; Rosa is a resident;
Sam is a steward (community organiser).
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.directory.models import ImportRun, Service, ServiceVersion, Suggestion
from commonweal.directory.tests.conftest import term
from tests.factories import OrganisationFactory, make_persona


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _snapshot() -> dict[str, object]:
    return {
        "services": list(Service.objects.order_by("pk").values_list("name", "owner_id", "last_checked_at")),
        "versions": ServiceVersion.objects.count(),
        "suggestions": list(Suggestion.objects.values_list("state", flat=True)),
        "events": AuditEvent.objects.count(),
        "runs": ImportRun.objects.count(),
    }


@pytest.mark.django_db
def test_a_resident_search_finds_gardens_and_social_groups_first_with_reasons_and_a_map(
    client: Client, entries
):
    response = client.get("/directory/", {"q": "lonely, like gardening, near M33 7AA, free"})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row["service"].name for row in rows] == ["Sale Community Garden", "Friendship Café"]
    assert rows[0]["result"].reasons == (
        "“lonely” → Meeting people and making friends",
        "“gardening” is in its name",
        "0.0 km from M33 7AA",
        "Free",
    )
    html = response.content.decode()
    assert "We read “near M33 7AA” as a filter." in html
    assert '<svg viewBox="0 0' in html and 'aria-label="Result 1: Sale Community Garden"' in html
    assert len(response.context["picture"].outlines) > 20


@pytest.mark.django_db
def test_search_filters_for_access_language_and_opening_time(client: Client, entries):
    def names(**query) -> list[str]:
        return [row["service"].name for row in client.get("/directory/", query).context["rows"]]

    assert names(accessibility="wheelchair") == ["Sale Community Garden"]
    assert names(language="polish") == ["Sale Community Garden"]
    assert names(day="TH", part="evening") == ["Friendship Café"]
    assert names(max_cost="4") == ["Friendship Café", "Sale Community Garden", "Tea Dance"]
    assert names(q="dancing", accepting="on") == ["Tea Dance"]


@pytest.mark.django_db
def test_a_place_we_cannot_find_is_explained_and_the_words_are_kept(client: Client, entries):
    response = client.get("/directory/", {"q": "choir", "where": "Atlantis"})
    assert response.status_code == 400
    assert "We could not find a place called “Atlantis”." in response.content.decode()
    assert response.context["form"]["q"].value() == "choir"


@pytest.mark.django_db
def test_the_owner_can_change_an_entry_and_the_history_records_it(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places, full_name="Alice Owner")
    garden = entries["garden"]
    data = {
        "name": "Sale Community Garden",
        "description": "Grow vegetables and fruit together.",
        "terms": [term("community-gardens").pk],
        "postcode": "M33 7AA",
        "sessions": "Wednesday 10:00-13:00\nSaturday 10:00-12:00",
        "cost": "0",
        "accepting_referrals": "waiting_list",
        "waiting_list_band": "under_1_month",
        "status": "active",
    }
    response = _client(alice).post(f"/directory/services/{garden.pk}/edit/", data)
    assert response.status_code == 302
    garden.refresh_from_db()
    assert (garden.accepting_referrals, garden.waiting_list_band) == ("waiting_list", "under_1_month")
    assert garden.last_checked_by == alice
    latest = garden.versions.order_by("-number").first()
    assert (latest.number, latest.via, latest.changed_by) == (2, "edited", alice)
    # The form left out the languages and access features, so those were removed too.
    assert latest.changed_fields == [
        "attributes",
        "description",
        "languages",
        "schedules",
        "service_at_locations",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.RESIDENT, Role.LINK_WORKER, Role.REFERRER, Role.COMMISSIONER, Role.FACILITATOR]
)
def test_only_the_owner_or_a_steward_can_change_an_entry(entries, places, role):
    user = make_persona(role, places)
    garden = entries["garden"]
    before = _snapshot()
    client = _client(user)
    assert client.get(f"/directory/services/{garden.pk}/edit/").status_code == 403
    assert client.post(f"/directory/services/{garden.pk}/edit/", {"name": "Hijacked"}).status_code == 403
    assert client.post(f"/directory/services/{garden.pk}/confirm/").status_code == 403
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_member_of_another_organisation_cannot_change_the_entry(entries, places):
    bob = make_persona(Role.ORGANISATION_MEMBER, places)
    bob.role_assignments.update(organisation=OrganisationFactory.create(name="Another Group"))
    before = _snapshot()
    response = _client(bob).post(f"/directory/services/{entries['garden'].pk}/edit/", {"name": "Hijacked"})
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_resident_suggestion_changes_nothing_until_a_steward_accepts_it(entries, places):
    rosa = make_persona(Role.RESIDENT, places, full_name="Rosa Resident")
    sam = make_persona(Role.COMMUNITY_ORGANISER, places, full_name="Sam Steward")
    dance = entries["dance"]
    form = _client(rosa).get(f"/directory/services/{dance.pk}/suggest/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, [])}
    data.update(organisation_name="ignored", cost="0", note="It became free in January")
    data["terms"] = form.initial["terms"]
    before_versions = dance.versions.count()
    response = _client(rosa).post(f"/directory/services/{dance.pk}/suggest/", data)
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert (suggestion.kind, suggestion.state, suggestion.proposed) == ("change", "pending", {"cost": "0"})
    dance.refresh_from_db()
    assert [cost.amount for cost in dance.cost_options.all()] == [3.5]
    assert dance.versions.count() == before_versions
    response = _client(sam).post(
        f"/directory/review/{suggestion.pk}/", {"decision": "accept", "note": "Checked"}
    )
    assert response.status_code == 302
    assert [cost.amount for cost in dance.cost_options.all()] == [0]
    latest = dance.versions.order_by("-number").first()
    assert (latest.via, latest.changed_by, latest.note) == ("suggestion", sam, "Suggested by Rosa Resident")


@pytest.mark.django_db
def test_a_suggestion_that_changes_nothing_is_explained(entries, places):
    rosa = make_persona(Role.RESIDENT, places)
    dance = entries["dance"]
    form = _client(rosa).get(f"/directory/services/{dance.pk}/suggest/").context["form"]
    data = {name: value for name, value in form.initial.items() if value not in (None, [])}
    response = _client(rosa).post(f"/directory/services/{dance.pk}/suggest/", data)
    assert response.status_code == 400
    assert "You have not changed anything yet." in response.content.decode()
    assert Suggestion.objects.count() == 0


@pytest.mark.django_db
def test_an_organisation_claims_an_entry_and_a_steward_approves_it(entries, places):
    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    sam = make_persona(Role.ADMINISTRATOR, places)
    cafe = entries["cafe"]
    assert _client(alice).post(f"/directory/services/{cafe.pk}/claim/").status_code == 302
    claim = Suggestion.objects.get(kind="claim")
    cafe.refresh_from_db()
    assert cafe.owner is None
    assert _client(sam).post(f"/directory/review/{claim.pk}/", {"decision": "accept"}).status_code == 302
    cafe.refresh_from_db()
    assert cafe.owner == places.vcse
    assert _client(alice).get(f"/directory/services/{cafe.pk}/edit/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.RESIDENT, Role.ORGANISATION_MEMBER, Role.LINK_WORKER, Role.COMMISSIONER]
)
def test_review_and_imports_are_for_stewards_only(entries, places, role):
    user = make_persona(role, places)
    suggestion = Suggestion.objects.create(
        kind="change", service=entries["dance"], proposed={"cost": "0"}, suggested_by=user
    )
    before = _snapshot()
    client = _client(user)
    assert client.get("/directory/review/").status_code == 403
    assert client.post(f"/directory/review/{suggestion.pk}/", {"decision": "accept"}).status_code == 403
    assert (
        client.post("/directory/imports/", {"format": "oruk3_feed", "url": "https://x.example/"}).status_code
        == 403
    )
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_review_without_a_decision_says_what_to_do(entries, places):
    sam = make_persona(Role.COMMUNITY_ORGANISER, places)
    suggestion = Suggestion.objects.create(
        kind="change", service=entries["dance"], proposed={"cost": "0"}, suggested_by=sam
    )
    response = _client(sam).post(f"/directory/review/{suggestion.pk}/", {"note": "hmm"})
    assert response.status_code == 400
    assert "Choose whether to accept or reject the suggestion" in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.state == "pending"


@pytest.mark.django_db
def test_a_steward_imports_a_file_and_sees_the_report(places, taxonomy, django_capture_on_commit_callbacks):
    from commonweal.directory.tests.test_imports import MOCKS

    sam = make_persona(Role.COMMUNITY_ORGANISER, places)
    client = _client(sam)
    # The import is queued once its run is saved; the test task backend then runs it at once.
    with (
        (MOCKS / "V3.0-UK-Fail" / "service_full.json").open("rb") as upload,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post("/directory/imports/", {"format": "oruk3_json", "file": upload})
    run = ImportRun.objects.get()
    assert response["Location"] == f"/directory/imports/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "email: &#x27;email-example_com&#x27; is not a &#x27;email&#x27;" in page
    missing = client.post("/directory/imports/", {"format": "oruk3_json"})
    assert "Choose a file to import" in missing.content.decode()
    assert ImportRun.objects.count() == 1


@pytest.mark.django_db
def test_stale_entries_remind_their_owner_once(entries, places, settings):
    from django.core.management import call_command

    alice = make_persona(Role.ORGANISATION_MEMBER, places)
    settings.DIRECTORY_STALE_AFTER_DAYS = 0
    call_command("directory_reminders", stdout=__import__("io").StringIO())
    assert [(message.subject, message.to) for message in mail.outbox] == [
        ("Please check your directory entry: Sale Community Garden", [alice.email])
    ]
    call_command("directory_reminders", stdout=__import__("io").StringIO())
    assert len(mail.outbox) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["Sale", "Stretford", "Partington", "M33", "sale moor"])
def test_the_places_the_near_box_names_as_examples_are_found(client: Client, entries, where: str):
    response = client.get("/directory/", {"q": "choir", "where": where})
    assert response.status_code == 200, response.context["form"].errors
    assert "We could not find" not in response.content.decode()


@pytest.mark.django_db
def test_a_near_miss_is_asked_whether_it_meant_a_place_we_know(client: Client, entries):
    response = client.get("/directory/", {"q": "choir", "where": "Stretferd"})
    assert response.status_code == 400
    assert "We could not find a place called “Stretferd”. Did you mean “Stretford”?" in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_the_stale_reminder_links_to_the_entry_at_the_sites_own_address(entries, places, settings):
    from django.core.management import call_command

    make_persona(Role.ORGANISATION_MEMBER, places)
    settings.DIRECTORY_STALE_AFTER_DAYS = 0
    settings.SITE_URL = "https://commonweal.example.org/"
    call_command("directory_reminders", stdout=__import__("io").StringIO())
    garden = entries["garden"]
    assert f"https://commonweal.example.org/directory/services/{garden.pk}/\n" in mail.outbox[0].body


@pytest.mark.django_db
def test_sessions_held_at_the_place_show_on_the_edit_form_and_survive_a_save(entries, places):
    import datetime

    from commonweal.directory.models import Schedule

    alice = make_persona(Role.ORGANISATION_MEMBER, places, full_name="Alice Owner")
    garden = entries["garden"]
    garden.schedules.all().delete()
    at_place = garden.service_at_locations.get()
    weekly = Schedule.objects.create(
        service_at_location=at_place,
        freq="WEEKLY",
        interval=1,
        byday="MO,TH",
        opens_at=datetime.time(10),
        closes_at=datetime.time(12),
    )
    monthly = Schedule.objects.create(
        service_at_location=at_place,
        freq="MONTHLY",
        interval=1,
        byday="1TU",
        opens_at=datetime.time(18),
        closes_at=datetime.time(20),
    )
    closure = Schedule.objects.create(service_at_location=at_place, is_closure=True, description="August")
    form = _client(alice).get(f"/directory/services/{garden.pk}/edit/").context["form"]
    shown = form.initial["sessions"]
    assert shown == "Monday 10:00-12:00\nThursday 10:00-12:00\nMonthly on the first Tuesday 18:00-20:00"
    data = {key: value for key, value in form.initial.items() if value not in (None, [])}
    response = _client(alice).post(f"/directory/services/{garden.pk}/edit/", data)
    assert response.status_code == 302
    # Saved as shown: the same records, nothing added, the closure untouched.
    assert sorted(Schedule.objects.filter(pk__in=[weekly.pk, monthly.pk, closure.pk]).values_list("pk")) == [
        (weekly.pk,),
        (monthly.pk,),
        (closure.pk,),
    ]
    assert Schedule.objects.filter(service=garden).count() == 0
    # Thursday taken out: the two-day session is replaced by Monday alone; the monthly one stays.
    data["sessions"] = "Monday 10:00-12:00\nMonthly on the first Tuesday 18:00-20:00"
    _client(alice).post(f"/directory/services/{garden.pk}/edit/", data)
    assert not Schedule.objects.filter(pk=weekly.pk).exists()
    assert Schedule.objects.filter(pk=monthly.pk).exists()
    assert list(Schedule.objects.filter(service=garden).values_list("freq", "byday")) == [("WEEKLY", "MO")]
