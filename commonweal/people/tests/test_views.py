import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from tests.factories import PersonFactory


@pytest.fixture
def rosa(persona):
    user = persona(Role.RESIDENT, full_name="Rosa Resident")
    return PersonFactory(given_name="Rosa", family_name="Resident", nhs_number="9434765919", user=user)


def _client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_resident_reads_their_own_record_without_it_being_logged(rosa):
    page = _client_for(rosa.user).get("/me/").content.decode()
    assert "Rosa Resident" in page
    assert "9434765919" in page
    assert RecordAccess.objects.count() == 0


@pytest.mark.django_db
def test_a_link_worker_without_a_relationship_is_sent_to_break_glass(persona, rosa):
    client = _client_for(persona(Role.LINK_WORKER))
    response = client.get(f"/people/{rosa.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{rosa.pk}/break-glass/"
    assert RecordAccess.objects.count() == 0


@pytest.mark.django_db
def test_break_glass_needs_a_real_reason_and_keeps_what_was_typed(persona, rosa):
    client = _client_for(persona(Role.LINK_WORKER))
    response = client.post(f"/people/{rosa.pk}/break-glass/", {"reason": "urgent"})
    page = response.content.decode()
    assert "Give a fuller reason (at least 20 characters), so it can be reviewed" in page
    assert "\nurgent</textarea>" in page
    assert AuditEvent.objects.filter(action="people.break_glass").count() == 0


@pytest.mark.django_db
def test_break_glass_opens_the_record_logs_the_reason_and_the_person_sees_it(persona, rosa):
    worker = persona(Role.LINK_WORKER, full_name="Lena Linkworker")
    client = _client_for(worker)
    reason = "Ambulance crew asking for her emergency contacts tonight"
    response = client.post(f"/people/{rosa.pk}/break-glass/", {"reason": reason}, follow=True)
    assert "Rosa Resident" in response.content.decode()
    access = RecordAccess.objects.get()
    assert (access.viewer, access.subject_user, access.reason, access.detail) == (
        worker,
        rosa.user,
        RecordAccess.Reason.BREAK_GLASS,
        reason,
    )
    assert (
        AuditEvent.objects.filter(action="people.break_glass", actor=worker, target_id=rosa.pk).count() == 1
    )
    log = _client_for(rosa.user).get("/me/who-has-looked/").content.decode()
    assert "Lena Linkworker" in log
    assert reason in log


@pytest.mark.django_db
def test_each_further_view_is_logged_again(persona, rosa):
    client = _client_for(persona(Role.COMMUNITY_HEALTH_WORKER))
    client.post(f"/people/{rosa.pk}/break-glass/", {"reason": "Welfare check requested by a neighbour today"})
    client.get(f"/people/{rosa.pk}/")
    client.get(f"/people/{rosa.pk}/")
    assert RecordAccess.objects.count() == 2


@pytest.mark.parametrize(
    "role",
    [
        Role.REFERRER,
        Role.ORGANISATION_MEMBER,
        Role.FACILITATOR,
        Role.COMMUNITY_ORGANISER,
        Role.COMMISSIONER,
        Role.ADMINISTRATOR,
        Role.RESIDENT,
    ],
)
@pytest.mark.django_db
def test_roles_without_break_glass_cannot_open_someone_elses_record(persona, rosa, role):
    client = _client_for(persona(role))
    assert client.get(f"/people/{rosa.pk}/").status_code == 403
    assert client.post(f"/people/{rosa.pk}/break-glass/", {"reason": "x" * 30}).status_code == 403
    assert RecordAccess.objects.count() == 0
    assert AuditEvent.objects.filter(action="people.break_glass").count() == 0


@pytest.mark.django_db
def test_finding_a_person_by_nhs_number(persona, rosa):
    client = _client_for(persona(Role.LINK_WORKER))
    response = client.get("/people/find/", {"nhs_number": "943 476 5919"})
    assert response["Location"] == f"/people/{rosa.pk}/"


@pytest.mark.django_db
def test_finding_with_a_bad_or_unknown_nhs_number_says_why(persona, rosa):
    client = _client_for(persona(Role.LINK_WORKER))
    page = client.get("/people/find/", {"nhs_number": "9434765918"}).content.decode()
    assert "This is not a valid NHS number: its check digit does not match." in page
    page = client.get("/people/find/", {"nhs_number": "4010232137"}).content.decode()
    assert "No one with this NHS number is recorded in Commonweal" in page
