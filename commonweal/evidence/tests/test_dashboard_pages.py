"""The dashboards: figures, intervals, small-number protection, filters, CSV, bad input and refusals."""

from __future__ import annotations

import csv
import datetime
import io
import math
import re

import pytest
from django.test import Client
from scipy import stats

from commonweal.accounts.models import Role
from commonweal.audit.models import AuditEvent
from commonweal.evidence.models import Story, SummaryRefresh
from commonweal.evidence.statistics import proportion
from commonweal.evidence.summaries import refresh_summaries
from commonweal.evidence.tests.builders import add_person, add_referral, at
from commonweal.evidence.tests.conftest import REFUSED
from tests.factories import make_persona

pytestmark = pytest.mark.django_db

DASHBOARDS = ["referrals", "uptake", "connections", "outcomes"]


def _text(response) -> str:
    html = re.sub(r"<svg.*?</svg>", " [chart] ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<").replace("&#x27;", "'")


def _row(response, table: str, label: str) -> list[str]:
    """The cells of one row of one table, as shown."""
    html = response.content.decode()
    section = html[html.index(f'id="{table}-table"') :]
    section = section[: section.index("</table>")]
    for row in re.findall(r"<tr class=\"nhsuk-table__row\">(.*?)</tr>", section, flags=re.S):
        cells = [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells and cells[0] == label:
            return [cell.replace("&lt;", "<") for cell in cells[1:]]
    raise AssertionError(f"no row {label!r} in {table}")


def _wilson(numerator: int, denominator: int) -> str:
    estimate = proportion(numerator, denominator, multiplier=100)
    interval = estimate.interval(0.95)
    return f"{estimate.value:.1f}% ({interval.lower:.1f} to {interval.upper:.1f})"


def test_the_uptake_funnel_counts_each_step_with_intervals(commissioner_client: Client, system) -> None:
    response = commissioner_client.get("/evidence/uptake/")
    assert response.status_code == 200
    text = _text(response)
    assert "Showing Jan 2025 to Mar 2025, every place, every organisation." in text
    assert _row(response, "funnel", "Offered")[:2] == ["25", "–"]
    assert _row(response, "funnel", "Referred")[:2] == ["25", _wilson(25, 25)]
    assert _row(response, "funnel", "Seen")[:2] == ["22", _wilson(22, 25)]
    assert _row(response, "funnel", "Connected")[:2] == ["16", _wilson(16, 22)]
    assert _row(response, "funnel", "Attended")[:2] == ["10", _wilson(10, 16)]
    assert _row(response, "sex", "Male") == ["6", "6", "6", "6", "0", _wilson(6, 6), _wilson(0, 6)]
    # South Trafford's three referrals are a small count: shown as "<5", and so is the share built on them.
    assert _row(response, "deprivation", "3") == ["<5", "<5", "0", "0", "0", "not shown", "–"]
    assert _row(response, "deprivation", "9") == [
        "22",
        "22",
        "22",
        "16",
        "10",
        _wilson(16, 22),
        _wilson(10, 16),
    ]
    assert _row(response, "neighbourhood", "South Trafford")[0] == "<5"
    assert "The slope index of inequality is not shown, because some deciles have counts too small" in text
    assert _row(response, "monthly", "Jan 2025") == ["10", "Common cause"]
    assert "Only 3 points: Making Data Count recommends at least 12 before relying on the limits." in text
    assert 'role="img"' in response.content.decode()
    assert '<title id="chart-funnel-title">The uptake funnel</title>' in response.content.decode()


def test_indeterminate_or_not_known_sex_is_a_group_with_its_small_count_protected(
    commissioner_client: Client, system
) -> None:
    for sex in ("indeterminate", ""):
        person = add_person(system.north_9, sex=sex, ethnicity="A", born=datetime.date(1980, 5, 1))
        add_referral(system.journey, person, at(2025, 1, 25), reached="referred")
    refresh_summaries(by=None)
    response = commissioner_client.get("/evidence/uptake/")
    assert _row(response, "funnel", "Offered")[0] == "27"
    assert _row(response, "sex", "Indeterminate or not known") == [
        "<5",
        "<5",
        "0",
        "0",
        "0",
        "not shown",
        "–",
    ]
    # 27 offered and referred, 19 women and 6 men would give the 2 away: the men are hidden as well.
    assert _row(response, "sex", "Female")[:2] == ["19", "19"]
    assert _row(response, "sex", "Male")[:5] == ["suppressed", "suppressed", "6", "6", "0"]


def test_the_referrals_dashboard_shows_who_referred_and_the_monthly_counts(
    commissioner_client: Client, system
):
    response = commissioner_client.get("/evidence/referrals/")
    assert response.status_code == 200
    assert _row(response, "source", "GP practice") == ["25", "25", "0", _wilson(25, 25), _wilson(0, 25)]
    assert [_row(response, "monthly", month)[0] for month in ("Jan 2025", "Feb 2025", "Mar 2025")] == [
        "10",
        "6",
        "9",
    ]
    assert "Referrals received 25" in _text(response)


def test_the_connections_dashboard_shows_at_capacity_rejections_by_service_and_term(
    commissioner_client, system
):
    response = commissioner_client.get("/evidence/connections/")
    assert response.status_code == 200
    assert _row(response, "service", "Stretford Food Club") == [
        "8",
        "0",
        "8",
        "0",
        _wilson(8, 8),
        _wilson(0, 8),
    ]
    assert _row(response, "service", "Sale Walking Group")[:3] == ["16", "16", "0"]
    assert _row(response, "term", "Health walks")[:3] == ["24", "16", "8"]
    assert _row(response, "ethnicity", "Asian or Asian British")[:3] == ["<5", "0", "<5"]
    assert "Turned away at capacity 8" in _text(response)


def test_the_outcomes_dashboard_shows_the_mean_change_with_a_t_interval(commissioner_client: Client, system):
    response = commissioner_client.get("/evidence/outcomes/?score=ucla-3:total")
    assert response.status_code == 200
    # Five went from 8 to 6 and five from 8 to 7: mean change −1.5, standard deviation √(2.5/9).
    half = stats.t.ppf(0.975, 9) * math.sqrt(2.5 / 9) / math.sqrt(10)
    change = f"−1.5 (−{1.5 + half:.1f} to −{1.5 - half:.1f})"
    assert _row(response, "overview", "UCLA-3 loneliness score (lower is better)") == [
        "10",
        "8.0",
        "6.5",
        change,
    ]
    assert _row(response, "sex", "Female") == ["10", "8.0", "6.5", change]
    assert _row(response, "sex", "Male") == ["0", "–", "–", "–"]
    assert "A fall is better" in _text(response)


def test_filters_by_neighbourhood_and_deprivation_quintile(commissioner_client: Client, system) -> None:
    response = commissioner_client.get(
        "/evidence/uptake/?period_from=202501&period_to=202503&neighbourhood=north&quintile=5"
    )
    assert response.status_code == 200
    text = _text(response)
    assert "Showing Jan 2025 to Mar 2025, North Trafford, every organisation, IMD quintile 5." in text
    assert _row(response, "funnel", "Offered")[0] == "22"
    assert 'id="neighbourhood-table"' not in response.content.decode()
    empty = commissioner_client.get(
        "/evidence/uptake/?period_from=202501&period_to=202503&neighbourhood=south&quintile=5"
    )
    assert _row(empty, "funnel", "Offered")[0] == "0"
    most_deprived = commissioner_client.get(
        "/evidence/uptake/?period_from=202501&period_to=202503&quintile=2"
    )
    assert _row(most_deprived, "funnel", "Offered")[0] == "<5"


def test_a_period_filter_counts_only_its_months(commissioner_client: Client, system) -> None:
    response = commissioner_client.get("/evidence/referrals/?period_from=202502&period_to=202502")
    assert "Referrals received 6" in _text(response)
    assert "An SPC chart needs at least two months; choose a longer period." in _text(response)


def test_the_organisation_filter_lists_the_teams_and_counts_only_theirs(commissioner_client, system) -> None:
    team = system.journey.team
    response = commissioner_client.get(f"/evidence/uptake/?organisation={team.pk}")
    assert f'<option value="{team.pk}" selected>{team.name}</option>' in response.content.decode()
    assert _row(response, "funnel", "Offered")[0] == "25"


def test_a_table_downloads_as_csv_with_the_same_protection(commissioner_client: Client, system) -> None:
    response = commissioner_client.get("/evidence/uptake/deprivation.csv?period_from=202501&period_to=202503")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="uptake-deprivation-202501-202503.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "group",
        "offered",
        "referred",
        "seen",
        "connected",
        "attended",
        "connected_of_offered_percent",
        "connected_of_offered_lower_95",
        "connected_of_offered_upper_95",
        "attended_of_connected_percent",
        "attended_of_connected_lower_95",
        "attended_of_connected_upper_95",
    ]
    by_group = {row[0]: row[1:] for row in rows[1:]}
    assert by_group["3"][:5] == ["<5", "<5", "0", "0", "0"]
    assert by_group["9"][:5] == ["22", "22", "22", "16", "10"]
    estimate = proportion(16, 22, multiplier=100)
    assert by_group["9"][5:8] == [
        f"{estimate.value:.2f}",
        f"{estimate.interval(0.95).lower:.2f}",
        f"{estimate.interval(0.95).upper:.2f}",
    ]
    assert len(rows) == 12


def test_an_unknown_table_or_dashboard_is_not_found(commissioner_client: Client, system) -> None:
    assert commissioner_client.get("/evidence/uptake/no-such-table.csv").status_code == 404
    assert commissioner_client.get("/evidence/no-such-dashboard/").status_code == 404


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period_from=2025-13&period_to=202503", "Choose a first month from the list."),
        ("period_from=202501&period_to=abc", "Choose a last month from the list."),
        ("period_from=202503&period_to=202501", "The period must end in or after the month it starts."),
        (
            "period_from=202501&period_to=202503&neighbourhood=atlantis",
            "Choose a neighbourhood from the list.",
        ),
        ("period_from=202501&period_to=202503&organisation=999999", "Choose an organisation from the list."),
        ("period_from=202501&period_to=202503&quintile=7", "Choose a deprivation quintile from the list."),
    ],
)
def test_malformed_filters_get_a_clear_message_and_keep_what_was_typed(
    commissioner_client, system, query, message
):
    response = commissioner_client.get(f"/evidence/uptake/?{query}")
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert message in text
    assert "The uptake funnel: the numbers" not in text
    csv_response = commissioner_client.get(f"/evidence/uptake/funnel.csv?{query}")
    assert csv_response.status_code == 400
    assert message in _text(csv_response)


def test_a_malformed_outcome_score_gets_a_clear_message(commissioner_client: Client, system) -> None:
    response = commissioner_client.get("/evidence/outcomes/?score=made-up:total")
    assert response.status_code == 400
    assert "Choose an outcome score from the list." in _text(response)


def test_before_any_refresh_the_pages_say_so_and_offer_to_work_the_figures_out(places) -> None:
    client = Client()
    client.force_login(make_persona(Role.COMMISSIONER, places))
    response = client.get("/evidence/uptake/")
    assert response.status_code == 200
    text = _text(response)
    assert "The figures have not been worked out yet." in text
    assert "There are no figures to show yet" in text


def test_the_figures_are_brought_up_to_date_on_request_and_the_request_is_audited(
    commissioner_client, system, django_capture_on_commit_callbacks
):
    before = SummaryRefresh.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = commissioner_client.post("/evidence/refresh/", follow=True)
    assert response.status_code == 200
    assert "The figures are being brought up to date." in _text(response)
    latest = SummaryRefresh.objects.order_by("-pk").first()
    assert SummaryRefresh.objects.count() == before + 1
    assert latest.state == SummaryRefresh.State.FINISHED
    assert latest.requested_by == system.commissioner
    assert (
        AuditEvent.objects.filter(action="evidence.request_refresh", actor=system.commissioner).count() == 1
    )


def test_a_second_refresh_is_not_queued_while_one_is_waiting(commissioner_client: Client, system) -> None:
    SummaryRefresh.objects.create(requested_by=system.commissioner)
    before = SummaryRefresh.objects.count()
    response = commissioner_client.post("/evidence/refresh/", follow=True)
    assert "The figures are already being brought up to date." in _text(response)
    assert SummaryRefresh.objects.count() == before


def test_a_change_in_the_journey_after_the_refresh_is_pointed_out(
    commissioner_client: Client, system
) -> None:
    AuditEvent.objects.create(action="referrals.accept_referral")
    assert "Records have changed since then." in _text(commissioner_client.get("/evidence/"))


@pytest.mark.parametrize("role", REFUSED, ids=[role.value for role in REFUSED])
def test_every_other_role_is_refused_every_evidence_page_and_nothing_changes(places, system, role) -> None:
    client = Client()
    client.force_login(make_persona(role, places))
    snapshot = (SummaryRefresh.objects.count(), Story.objects.count(), AuditEvent.objects.count())
    for path in ["/evidence/", *(f"/evidence/{key}/" for key in DASHBOARDS), "/evidence/uptake/funnel.csv"]:
        assert client.get(path).status_code == 403, path
    assert (
        '<a class="nhsuk-header__navigation-link" href="/evidence/">'
        not in client.get("/home/").content.decode()
    )
    assert client.post("/evidence/refresh/").status_code == 403
    assert (SummaryRefresh.objects.count(), Story.objects.count(), AuditEvent.objects.count()) == snapshot


def test_anonymous_visitors_are_sent_to_sign_in(system) -> None:
    response = Client().get("/evidence/uptake/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.ADMINISTRATOR])
def test_commissioners_and_administrators_see_every_dashboard_and_the_link_to_it(
    places, system, role
) -> None:
    client = Client()
    client.force_login(make_persona(role, places))
    home = client.get("/evidence/")
    assert home.status_code == 200
    assert '<a href="/evidence/" class="nhsuk-header__navigation-link"' in client.get(
        "/home/"
    ).content.decode() or ("/evidence/" in client.get("/home/").content.decode())
    for key in DASHBOARDS:
        assert client.get(f"/evidence/{key}/").status_code == 200, key
