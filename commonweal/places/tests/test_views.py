import pytest

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.places.models import Area, Lsoa


@pytest.mark.django_db
def test_a_trafford_postcode_shows_its_lsoa_and_imd_decile(client, places):
    response = client.get("/places/postcode/", {"postcode": "m33 7aa"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "M33 7AA" in page
    assert "Trafford 015C (E01006161)" in page
    decile = Lsoa.objects.get(code="E01006161", vintage=2021).imd_decile
    assert f"{decile} of 10" in page


@pytest.mark.django_db
def test_a_malformed_postcode_gets_its_own_message_and_keeps_what_was_typed(client, places):
    response = client.get("/places/postcode/", {"postcode": "M33 7"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "“M33 7” is not a valid UK postcode." in page
    assert 'value="M33 7"' in page


@pytest.mark.django_db
def test_a_postcode_outside_the_area_gets_its_own_message(client, places):
    response = client.get("/places/postcode/", {"postcode": "sw1a1aa"})
    assert response.status_code == 400
    assert "SW1A 1AA is a valid postcode, but it is not in Trafford, the area this service covers." in (
        response.content.decode()
    )


@pytest.mark.django_db
def test_an_empty_postcode_asks_for_one(client, places):
    response = client.get("/places/postcode/", {"postcode": ""})
    assert "Enter a postcode" in response.content.decode()


@pytest.mark.django_db
def test_the_area_tree_and_an_area_profile_are_public(client, places):
    assert "North Trafford" in client.get("/places/").content.decode()
    page = client.get("/places/trafford/").content.decode()
    assert "Areas by IMD 2019 decile" in page
    assert 'Unknown (LSOA code changed in 2021)</td><td class="nhsuk-table__cell cw-numeric">2</td>' in page


@pytest.mark.django_db
def test_an_unknown_area_is_the_styled_404(client, places):
    response = client.get("/places/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.django_db
def test_an_organiser_draws_a_neighbourhood(signed_in_client, places):
    client = signed_in_client(Role.COMMUNITY_ORGANISER)
    chosen = list(places.borough.lsoas.order_by("code")[30:33])
    response = client.post(
        "/places/trafford/neighbourhoods/new/",
        {
            "name": "Partington and Carrington",
            "description": "As we know it",
            "lsoas": [lsoa.pk for lsoa in chosen],
        },
    )
    neighbourhood = Area.objects.get(name="Partington and Carrington")
    assert response.status_code == 302
    assert response["Location"] == f"/places/{neighbourhood.code}/"
    assert neighbourhood.parent == places.borough
    assert set(neighbourhood.lsoas.all()) == set(chosen)
    assert (
        AuditEvent.objects.filter(action="places.create_neighbourhood", target_id=neighbourhood.pk).count()
        == 1
    )


@pytest.mark.django_db
def test_an_organiser_redraws_a_neighbourhood(signed_in_client, places):
    client = signed_in_client(Role.COMMUNITY_ORGANISER)
    chosen = list(places.borough.lsoas.order_by("code")[:3])
    response = client.post(
        "/places/north/edit/", {"name": "North", "description": "", "lsoas": [lsoa.pk for lsoa in chosen]}
    )
    assert response.status_code == 302
    places.north.refresh_from_db()
    assert places.north.name == "North"
    assert set(places.north.lsoas.all()) == set(chosen)


@pytest.mark.django_db
def test_a_neighbourhood_without_areas_is_refused_with_a_message_and_keeps_the_name(signed_in_client, places):
    client = signed_in_client(Role.COMMUNITY_ORGANISER)
    before = Area.objects.count()
    response = client.post("/places/trafford/neighbourhoods/new/", {"name": "Sale Moor", "lsoas": []})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choose at least one area (LSOA) for the neighbourhood" in page
    assert 'value="Sale Moor"' in page
    assert Area.objects.count() == before


@pytest.mark.django_db
def test_an_lsoa_outside_the_borough_is_refused(signed_in_client, places):
    client = signed_in_client(Role.COMMUNITY_ORGANISER)
    stockport = Lsoa.objects.filter(local_authority_code="E08000007", vintage=2021).first()
    response = client.post(
        "/places/trafford/neighbourhoods/new/", {"name": "Elsewhere", "lsoas": [stockport.pk]}
    )
    assert response.status_code == 400
    assert "Select a valid choice." in response.content.decode()
    assert not Area.objects.filter(name="Elsewhere").exists()
