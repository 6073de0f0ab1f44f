import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent, RecordAccess
from tests.factories import PersonFactory, RecordAccessFactory


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


MORNING = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))


def _rows(page: str) -> list[str]:
    """The body rows of the page's first table, as text, tags removed."""
    body = page.split('<tbody class="nhsuk-table__body">', 1)[1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>")[:-1]]


@pytest.fixture
def lena(persona):
    return persona(Role.LINK_WORKER, full_name="Lena Linkworker")


@pytest.fixture
def otis(persona):
    return persona(Role.COMMUNITY_HEALTH_WORKER, full_name="Otis Outreach")


@pytest.mark.django_db
def test_45_views_by_one_link_worker_in_one_minute_show_as_one_row_of_45_views(rosa, lena):
    for second in range(45):
        RecordAccessFactory(
            person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(seconds=second)
        )
    page = _client_for(rosa.user).get("/me/who-has-looked/").content.decode()
    assert _rows(page) == ["3 March 2025, 10:00 45 views Lena Linkworker On their caseload"]
    assert (
        "Views by the same person for the same reason, each within 30 minutes of the one before, "
        "are shown as one row with how many views there were."
    ) in page
    assert RecordAccess.objects.count() == 45


@pytest.mark.django_db
def test_two_viewers_interleaved_stay_in_separate_rows(rosa, lena, otis):
    minute = datetime.timedelta(minutes=1)
    for viewer, at in [(lena, 0), (lena, 1), (otis, 2), (lena, 3), (otis, 4), (otis, 5)]:
        RecordAccessFactory(person=rosa, viewer=viewer, accessed_at=MORNING + at * minute)
    page = _client_for(rosa.user).get("/me/who-has-looked/").content.decode()
    assert _rows(page) == [
        "3 March 2025, 10:04 to 10:05 2 views Otis Outreach On their caseload",
        "3 March 2025, 10:03 Lena Linkworker On their caseload",
        "3 March 2025, 10:02 Otis Outreach On their caseload",
        "3 March 2025, 10:00 to 10:01 2 views Lena Linkworker On their caseload",
    ]


@pytest.mark.django_db
def test_a_look_more_than_30_minutes_after_the_last_starts_a_new_row(rosa, lena):
    for at in [0, 20, 40, 71, 72]:
        RecordAccessFactory(person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(minutes=at))
    RecordAccessFactory(person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(days=1))
    page = _client_for(rosa.user).get("/me/who-has-looked/").content.decode()
    assert _rows(page) == [
        "4 March 2025, 10:00 Lena Linkworker On their caseload",
        "3 March 2025, 11:11 to 11:12 2 views Lena Linkworker On their caseload",
        "3 March 2025, 10:00 to 10:40 3 views Lena Linkworker On their caseload",
    ]


@pytest.mark.django_db
def test_a_run_over_midnight_shows_both_days(rosa, lena):
    late = datetime.datetime(2025, 3, 3, 23, 50, tzinfo=ZoneInfo("Europe/London"))
    for at in [0, 20]:
        RecordAccessFactory(person=rosa, viewer=lena, accessed_at=late + datetime.timedelta(minutes=at))
    page = _client_for(rosa.user).get("/me/who-has-looked/").content.decode()
    assert _rows(page) == [
        "3 March 2025, 23:50 to 4 March 2025, 00:10 2 views Lena Linkworker On their caseload"
    ]


@pytest.mark.django_db
def test_the_log_pages_by_rows_of_runs(rosa, lena, otis):
    # 51 runs: the two viewers take turns, an hour apart.
    for step in range(51):
        RecordAccessFactory(
            person=rosa, viewer=(lena, otis)[step % 2], accessed_at=MORNING + datetime.timedelta(hours=step)
        )
    client = _client_for(rosa.user)
    first = client.get("/me/who-has-looked/").content.decode()
    assert len(_rows(first)) == 50
    assert 'href="?page=2"' in first
    second = client.get("/me/who-has-looked/?page=2").content.decode()
    assert _rows(second) == ["3 March 2025, 10:00 Lena Linkworker On their caseload"]


@pytest.mark.django_db
def test_the_own_record_page_shows_the_latest_views_grouped(rosa, lena):
    for second in range(45):
        RecordAccessFactory(
            person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(seconds=second)
        )
    own = _client_for(rosa.user).get("/me/").content.decode()
    assert _rows(own.split("Who has looked at your record recently</h2>", 1)[1]) == [
        "3 March 2025, 10:00 45 views Lena Linkworker On their caseload"
    ]


@pytest.mark.django_db
def test_the_staff_record_page_shows_the_views_grouped(rosa, lena, otis):
    for second in range(45):
        RecordAccessFactory(
            person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(seconds=second)
        )
    client = _client_for(otis)
    reason = "Welfare check requested by a neighbour today"
    client.post(f"/people/{rosa.pk}/break-glass/", {"reason": reason})
    page = client.get(f"/people/{rosa.pk}/").content.decode()
    rows = _rows(page[page.index('<caption class="nhsuk-table__caption">Who has looked at this record') :])
    assert rows[1:] == ["3 March 2025, 10:00 45 views Lena Linkworker On their caseload"]
    assert rows[0].endswith(f"Otis Outreach Break-glass access: “{reason}”")
    assert RecordAccess.objects.count() == 46


@pytest.mark.django_db
def test_the_downloads_still_list_every_view(rosa, lena):
    for second in range(45):
        RecordAccessFactory(
            person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(seconds=second)
        )
    client = _client_for(rosa.user)
    document = client.get("/me/download.json").json()
    assert [item["who"] for item in document["who_has_looked_at_my_record"]] == ["Lena Linkworker"] * 45
    assert [item["at"] for item in document["who_has_looked_at_my_record"]][:2] == [
        "2025-03-03T10:00:44+00:00",
        "2025-03-03T10:00:43+00:00",
    ]
    page = client.get("/me/download/").content.decode()
    views = [row for row in _rows(page.split("Who has looked at your record</h2>", 1)[1])]
    assert views == ["3 March 2025, 10:00 Lena Linkworker On their caseload"] * 45
