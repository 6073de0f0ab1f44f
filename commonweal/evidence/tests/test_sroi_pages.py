"""SROI pages: an analysis entered step by step, its report worked out by the SROI core, CSV, bad input,
and refusal of every other role. Expected figures are worked out here from the SROI guide's formulas."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client

from commonweal.audit.models import AuditEvent
from commonweal.evidence.models import SroiAnalysis, SroiInput, SroiOutcome, SroiStakeholder
from commonweal.evidence.tests.conftest import REFUSED
from tests.factories import make_persona

pytestmark = pytest.mark.django_db

OUTCOME = {
    "name": "Less lonely",
    "indicator": "UCLA-3 score down at follow-up",
    "measure": "",
    "improvement": "",
    "quantity": "50",
    "proxy_value": "1200",
    "proxy_source": "Illustrative value per person",
    "duration_years": "3",
    "deadweight": "25",
    "displacement": "0",
    "attribution": "20",
    "drop_off": "10",
}


def _text(response) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&amp;", "&")


@pytest.fixture
def analysis(system) -> SroiAnalysis:
    client = Client()
    client.force_login(system.commissioner)
    client.post(
        "/evidence/sroi/new/",
        {
            "name": "Link workers in Trafford",
            "scope": "Social prescribing for lonely adults",
            "organisation": "",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "discount_rate": "3.5",
        },
    )
    found = SroiAnalysis.objects.get()
    client.post(f"/evidence/sroi/{found.pk}/stakeholders/new/", {"name": "Residents", "description": ""})
    client.post(
        f"/evidence/sroi/{found.pk}/stakeholders/new/", {"name": "Integrated care board", "description": ""}
    )
    residents, icb = SroiStakeholder.objects.order_by("pk")
    client.post(
        f"/evidence/sroi/{found.pk}/inputs/new/",
        {"stakeholder": icb.pk, "description": "Grant to the link worker service", "value": "20000"},
    )
    client.post(
        f"/evidence/sroi/{found.pk}/inputs/new/",
        {"stakeholder": residents.pk, "description": "Volunteer time", "value": "5000"},
    )
    client.post(f"/evidence/sroi/{found.pk}/outcomes/new/", {**OUTCOME, "stakeholder": residents.pk})
    return found


def test_an_analysis_entered_step_by_step_is_worked_out_as_the_guide_says(commissioner_client, analysis):
    assert (analysis.discount_rate, SroiInput.objects.count(), SroiOutcome.objects.count()) == (3.5, 2, 1)
    response = commissioner_client.get(f"/evidence/sroi/{analysis.pk}/report/")
    assert response.status_code == 200
    text = _text(response)
    # Year 1: 50 × £1,200 × (1 − 25%) × (1 − 0%) × (1 − 20%) = £36,000; then 10% drop-off a year.
    years = [36_000.0, 32_400.0, 29_160.0]
    present = sum(value / 1.035**year for year, value in enumerate(years, start=1))
    assert "Value of inputs £25,000.00" in text
    assert f"Present value £{present:,.2f} (discounted at 3.50% a year)" in text
    assert f"Net present value £{present - 25_000:,.2f}" in text
    assert f"SROI ratio £{present / 25_000:.2f} of social value for each £1 invested" in text
    assert f"Payback period {25_000 / (36_000 / 12):.1f} months" in text
    assert "Residents Less lonely 50 £1,200.00 £36,000.00 3" in text
    assert "1 £36,000.00" in text and "3 £29,160.00" in text
    # The sensitivity table: deadweight 25% tested at 15% gives 36,000 × 0.85/0.75 in year 1.
    raised = sum(value * 0.85 / 0.75 / 1.035**year for year, value in enumerate(years, start=1)) / 25_000
    assert f"Deadweight Less lonely 25.0% 15.0% {raised:.2f}" in text


def test_the_report_downloads_as_csv(commissioner_client, analysis):
    response = commissioner_client.get(f"/evidence/sroi/{analysis.pk}/report.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["Item", "Value"]
    assert ["Total inputs (£)", "25000.00"] in rows
    assert ["Discount rate (%)", "3.50"] in rows
    assert ["Years"] in rows and ["Sensitivity"] in rows
    assert ["1", "£36,000.00", f"£{36_000 / 1.035:,.2f}"] in rows


def test_a_quantity_can_be_counted_from_questionnaire_answers(commissioner_client, analysis, system):
    residents = SroiStakeholder.objects.get(name="Residents")
    response = commissioner_client.post(
        f"/evidence/sroi/{analysis.pk}/outcomes/new/",
        {
            **OUTCOME,
            "name": "Much less lonely",
            "measure": "ucla-3:total",
            "improvement": "2",
            "quantity": "",
            "stakeholder": residents.pk,
        },
    )
    assert response.status_code == 302
    outcome = SroiOutcome.objects.get(name="Much less lonely")
    assert (outcome.measure, outcome.improvement, outcome.quantity) == ("ucla-3:total", 2, None)
    text = _text(commissioner_client.get(f"/evidence/sroi/{analysis.pk}/"))
    # Five of the ten January women went from 8 to 6 (2 points better); five from 8 to 7.
    assert "5 (People whose UCLA-3 loneliness score was 2 or more points better" in text
    one_point = commissioner_client.post(
        f"/evidence/sroi/{analysis.pk}/outcomes/{outcome.pk}/edit/",
        {
            **OUTCOME,
            "name": "Much less lonely",
            "measure": "ucla-3:total",
            "improvement": "1",
            "quantity": "",
            "stakeholder": residents.pk,
        },
    )
    assert one_point.status_code == 302
    assert "10 (People whose UCLA-3 loneliness score was 1 or more points better" in _text(
        commissioner_client.get(f"/evidence/sroi/{analysis.pk}/")
    )


@pytest.mark.parametrize(
    ("path", "data", "message"),
    [
        (
            "/evidence/sroi/new/",
            {
                "name": "X",
                "scope": "Y",
                "period_start": "2025-12-31",
                "period_end": "2025-01-01",
                "discount_rate": "3.5",
            },
            "The period must end on or after the day it starts.",
        ),
        (
            "/evidence/sroi/new/",
            {
                "name": "X",
                "scope": "Y",
                "period_start": "2025-01-01",
                "period_end": "2025-12-31",
                "discount_rate": "120",
            },
            "Ensure this value is less than or equal to 100.",
        ),
        (
            "/evidence/sroi/{pk}/stakeholders/new/",
            {"name": "Residents"},
            "There is already a stakeholder called Residents",
        ),
        (
            "/evidence/sroi/{pk}/inputs/new/",
            {"stakeholder": "{residents}", "description": "Grant", "value": "-5"},
            "Ensure this value is greater than or equal to 0.",
        ),
        (
            "/evidence/sroi/{pk}/inputs/new/",
            {"stakeholder": "999999", "description": "Grant", "value": "5"},
            "Choose one of this analysis's stakeholders.",
        ),
        (
            "/evidence/sroi/{pk}/outcomes/new/",
            {**OUTCOME, "stakeholder": "{residents}", "quantity": ""},
            "Give the quantity, or choose a questionnaire score to count it from.",
        ),
        (
            "/evidence/sroi/{pk}/outcomes/new/",
            {**OUTCOME, "stakeholder": "{residents}", "measure": "ucla-3:total"},
            "Say how many points of improvement count.",
        ),
        (
            "/evidence/sroi/{pk}/outcomes/new/",
            {**OUTCOME, "stakeholder": "{residents}", "measure": "made-up"},
            "Choose a questionnaire score from the list.",
        ),
        (
            "/evidence/sroi/{pk}/outcomes/new/",
            {**OUTCOME, "stakeholder": "{residents}", "deadweight": "140"},
            "Ensure this value is less than or equal to 100.",
        ),
        (
            "/evidence/sroi/{pk}/outcomes/new/",
            {**OUTCOME, "stakeholder": "{residents}", "duration_years": "0"},
            "Ensure this value is greater than or equal to 1.",
        ),
    ],
)
def test_bad_entries_get_a_clear_message_keep_what_was_typed_and_change_nothing(
    commissioner_client, analysis, path, data, message
):
    residents = SroiStakeholder.objects.get(name="Residents")
    filled = {key: str(value).replace("{residents}", str(residents.pk)) for key, value in data.items()}
    before = (
        SroiAnalysis.objects.count(),
        SroiStakeholder.objects.count(),
        SroiInput.objects.count(),
        SroiOutcome.objects.count(),
    )
    response = commissioner_client.post(path.replace("{pk}", str(analysis.pk)), filled)
    assert response.status_code == 400
    text = _text(response)
    assert "There is a problem" in text
    assert message in text
    assert (
        f'value="{filled["name"] if "name" in filled else filled["description"]}"'
        in response.content.decode()
    )
    after = (
        SroiAnalysis.objects.count(),
        SroiStakeholder.objects.count(),
        SroiInput.objects.count(),
        SroiOutcome.objects.count(),
    )
    assert after == before


def test_a_report_without_inputs_says_what_is_missing(commissioner_client, analysis):
    for item in SroiInput.objects.all():
        commissioner_client.post(f"/evidence/sroi/{analysis.pk}/remove/input/{item.pk}/")
    text = _text(commissioner_client.get(f"/evidence/sroi/{analysis.pk}/report/"))
    assert "Add the inputs (what was invested) to work out the ratio and the sensitivity analysis." in text
    assert "SROI ratio Not worked out: nothing invested" in text


def test_entries_are_removed_and_a_stakeholder_in_use_is_kept(commissioner_client, analysis):
    residents = SroiStakeholder.objects.get(name="Residents")
    response = commissioner_client.post(
        f"/evidence/sroi/{analysis.pk}/remove/stakeholder/{residents.pk}/", follow=True
    )
    assert "Remove Residents's inputs and outcomes first." in _text(response)
    assert SroiStakeholder.objects.filter(pk=residents.pk).exists()
    outcome = SroiOutcome.objects.get()
    commissioner_client.post(f"/evidence/sroi/{analysis.pk}/remove/outcome/{outcome.pk}/")
    assert not SroiOutcome.objects.exists()
    assert (
        AuditEvent.objects.filter(action="evidence.remove_sroi_entry", detail__kind="SroiOutcome").count()
        == 1
    )
    assert commissioner_client.post(f"/evidence/sroi/{analysis.pk}/remove/widget/1/").status_code == 404


def test_the_scope_can_be_changed_and_every_write_is_audited(commissioner_client, analysis):
    response = commissioner_client.post(
        f"/evidence/sroi/{analysis.pk}/edit/",
        {
            "name": "Renamed",
            "scope": "Wider",
            "period_start": "2025-01-01",
            "period_end": "2025-06-30",
            "discount_rate": "1.5",
        },
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert (analysis.name, str(analysis.discount_rate)) == ("Renamed", "1.50")
    actions = set(AuditEvent.objects.filter(action__startswith="evidence.").values_list("action", flat=True))
    assert {
        "evidence.create_analysis",
        "evidence.add_stakeholder",
        "evidence.add_input",
        "evidence.add_outcome",
        "evidence.change_analysis",
    } <= actions


@pytest.mark.parametrize("role", REFUSED, ids=[role.value for role in REFUSED])
def test_every_other_role_is_refused_the_sroi_pages_and_nothing_changes(places, analysis, role):
    client = Client()
    client.force_login(make_persona(role, places))
    residents = SroiStakeholder.objects.get(name="Residents")
    outcome = SroiOutcome.objects.get()
    before = (
        SroiAnalysis.objects.count(),
        SroiStakeholder.objects.count(),
        SroiInput.objects.count(),
        SroiOutcome.objects.count(),
        AuditEvent.objects.count(),
    )
    pk = analysis.pk
    for path in [
        "/evidence/sroi/",
        "/evidence/sroi/new/",
        f"/evidence/sroi/{pk}/",
        f"/evidence/sroi/{pk}/report/",
        f"/evidence/sroi/{pk}/report.csv",
    ]:
        assert client.get(path).status_code == 403, path
    posts = [
        (
            "/evidence/sroi/new/",
            {
                "name": "X",
                "scope": "Y",
                "period_start": "2025-01-01",
                "period_end": "2025-02-01",
                "discount_rate": "3.5",
            },
        ),
        (f"/evidence/sroi/{pk}/stakeholders/new/", {"name": "Others"}),
        (f"/evidence/sroi/{pk}/inputs/new/", {"stakeholder": residents.pk, "description": "X", "value": "1"}),
        (
            f"/evidence/sroi/{pk}/outcomes/{outcome.pk}/edit/",
            {**OUTCOME, "stakeholder": residents.pk, "quantity": "99"},
        ),
        (f"/evidence/sroi/{pk}/remove/outcome/{outcome.pk}/", {}),
    ]
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    after = (
        SroiAnalysis.objects.count(),
        SroiStakeholder.objects.count(),
        SroiInput.objects.count(),
        SroiOutcome.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before
    assert SroiOutcome.objects.get().quantity == 50
