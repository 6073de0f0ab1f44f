import json

import pytest
from django.test import Client, RequestFactory

from commonweal.accounts.models import Role
from commonweal.ui.views import server_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/places/",
        "/places/postcode/",
        "/components/",
        "/privacy/",
        "/accessibility/",
        "/sign-in/",
        "/password-reset/",
    ],
)
def test_public_pages_open_without_signing_in(client, places, path):
    response = client.get(path)
    assert response.status_code == 200
    page = response.content.decode()
    skip_link = (
        '<a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href="#maincontent">'
        "Skip to main content</a>"
    )
    assert skip_link in page
    assert '<span class="nhsuk-header__service-name">Commonweal</span>' in page
    assert '<p class="cw-place-name">Trafford</p>' in page
    assert "nhsuk-footer" in page


@pytest.mark.django_db
def test_the_component_page_shows_every_wrapped_component(client, places):
    page = client.get("/components/").content.decode()
    for marker in [
        "nhsuk-button",
        "nhsuk-button--secondary",
        "nhsuk-button--warning",
        "nhsuk-back-link",
        "nhsuk-inset-text",
        "nhsuk-warning-callout",
        "nhsuk-tag",
        "nhsuk-summary-list",
        "nhsuk-table",
        "nhsuk-card",
        "nhsuk-pagination",
        "nhsuk-radios",
        "nhsuk-checkboxes",
        "nhsuk-select",
        "nhsuk-textarea",
        "nhsuk-error-summary",
        "nhsuk-error-message",
        "nhsuk-notification-banner",
        "nhsuk-hint",
    ]:
        assert marker in page, marker


@pytest.mark.django_db
def test_pages_load_no_asset_from_another_site(client, places):
    page = client.get("/components/").content.decode()
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


@pytest.mark.django_db
def test_the_dashboard_lists_the_users_roles_and_pages(signed_in_client):
    page = signed_in_client(Role.COMMUNITY_ORGANISER).get("/home/").content.decode()
    assert "Community organiser in North Trafford" in page
    assert '<a href="/organisations/">Organisations</a>' in page
    assert "People and access" not in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("full_name", "greeting"),
    [
        ("Dr Amina Shah", "<h1>Hello, Dr Amina Shah</h1>"),
        ("Prof. Ada Lovelace", "<h1>Hello, Prof. Ada Lovelace</h1>"),
        ("Noor Quillgate", "<h1>Hello, Noor</h1>"),
    ],
)
def test_the_dashboard_greets_by_first_name_or_by_title_and_whole_name(signed_in_client, full_name, greeting):
    page = signed_in_client(Role.REFERRER, full_name=full_name).get("/home/").content.decode()
    assert greeting in page
    assert "Hello, Dr</h1>" not in page
    assert "Hello, Prof.</h1>" not in page


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/home/")
    assert response["Location"] == "/sign-in/?next=/home/"


@pytest.mark.django_db
def test_an_unknown_url_gets_the_styled_404(client, places):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "<h1>Page not found</h1>" in page
    assert "nhsuk-header" in page


@pytest.mark.django_db
def test_a_refused_page_gets_the_styled_403(signed_in_client):
    response = signed_in_client(Role.RESIDENT).get("/access/users/")
    assert response.status_code == 403
    assert "<h1>You do not have access to this page</h1>" in response.content.decode()


def test_the_500_page_needs_no_database_and_shows_no_trace():
    response = server_error(RequestFactory().get("/broken/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in page
    assert "Traceback" not in page


def test_an_api_500_is_json():
    response = server_error(RequestFactory().get("/api/broken"))
    assert response.status_code == 500
    assert json.loads(response.content)["error"] == "server_error"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/places/postcode/?postcode=%00%01",
        "/places/postcode/?postcode=" + "A" * 5000,
        "/places/postcode/?postcode=%F0%9F%98%80",
        "/organisations/?page=abc",
        "/organisations/?page=-1&kind=castle",
        "/access/users/?page=99999",
        "/people/find/?nhs_number=%27%3B--",
        "/places/%E2%98%83/",
        "/api/postcodes/%00",
        "/sign-in/?next=https://evil.example.org",
    ],
)
def test_no_input_produces_a_stack_trace(places, persona, path):
    client = Client(raise_request_exception=False)
    client.force_login(persona(Role.ADMINISTRATOR))
    response = client.get(path)
    assert response.status_code in {200, 302, 400, 403, 404, 422}, (path, response.status_code)
    assert b"Traceback" not in response.content


@pytest.mark.django_db
def test_the_public_home_page_leads_to_the_directory_self_referral_budgeting_and_assemblies(client):
    html = client.get("/").content.decode()
    for path in (
        "/directory/",
        "/refer/yourself/",
        "/participation/budgets/",
        "/participation/you-said-we-did/",
    ):
        assert f'href="{path}"' in html, path


@pytest.mark.django_db
def test_a_signed_in_home_page_leads_with_the_roles_work_before_the_roles_themselves(client, persona):
    client.force_login(persona(Role.LINK_WORKER))
    html = client.get("/home/").content.decode()
    main = html[html.index("<main") :]
    assert main.index("Your work") < main.index('href="/caseload/"') < main.index("Your roles")
    assert main.count("Your work") == 1
