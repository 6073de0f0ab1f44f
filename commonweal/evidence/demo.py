"""The demo's evidence: the dashboards' summaries, an SROI analysis, an alliance with shared outcomes and a
story told with consent.

Deterministic (its own random stream; every date fixed) and idempotent: the analysis, alliance and story
are added once, and the summaries are rebuilt only when the demo's journey and questionnaires are not yet
all in them (for example after a later demo step added records). The analysis, alliance and story go
through the evidence actions, as the demo's commissioner at a fixed date; the summaries are rebuilt by
`refresh_summaries`, as the background worker does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from commonweal.accounts.models import Role
from commonweal.demokit import AS_OF, moved
from commonweal.evidence import actions
from commonweal.evidence.models import (
    Alliance,
    ConnectionFact,
    ReferralFact,
    ResponseScore,
    SroiAnalysis,
    Story,
)
from commonweal.evidence.summaries import refresh_summaries
from commonweal.measures.models import Response
from commonweal.organisations.models import Organisation
from commonweal.referrals.models import Connection, Referral
from commonweal.referrals.workflow import Status

if TYPE_CHECKING:
    from commonweal.demokit import DemoContext

PERIOD = (moved(datetime.date(2025, 4, 1)), moved(datetime.date(2026, 12, 31)))
ANALYSIS_NAME = f"Social prescribing in Trafford, {PERIOD[0].year} to {PERIOD[1].year} (demo)"
ALLIANCE_NAME = "Trafford Wellbeing Alliance (demo)"
STORY_TITLE = "Back at the allotment"
WRITTEN_AT = AS_OF
AGREED_ON = moved(datetime.date(2025, 4, 1))


def summaries_are_current() -> bool:
    """Tell whether every referral, connection and submitted response is in the summaries."""
    connections = Connection.objects.exclude(status=Status.ENTERED_IN_ERROR.value).count()
    scored = ResponseScore.objects.values("response_id").distinct().count()
    return (
        ReferralFact.objects.count() == Referral.objects.count()
        and ConnectionFact.objects.count() == connections
        and scored == Response.objects.submitted().count()
    )


def _analysis(context: DemoContext) -> None:
    rng = context.rng("evidence")
    commissioner = context.users[Role.COMMISSIONER]
    team = context.organisations["pcn"][0]
    analysis = actions.save_analysis(
        analysis=None,
        fields={
            "name": ANALYSIS_NAME,
            "scope": "The link worker service of the Riverside PCN and the community groups it connects "
            "people to, valued for the people referred, their GP practices and the groups' volunteers.",
            "organisation": team,
            "period_start": PERIOD[0],
            "period_end": PERIOD[1],
            "discount_rate": Decimal("3.50"),
        },
        by=commissioner,
        at=WRITTEN_AT,
    )
    residents = actions.add_stakeholder(
        analysis=analysis,
        name="People referred",
        description="Adults referred for social prescribing",
        by=commissioner,
        at=WRITTEN_AT,
    )
    practices = actions.add_stakeholder(
        analysis=analysis,
        name="GP practices",
        description="The practices of the Riverside PCN",
        by=commissioner,
        at=WRITTEN_AT,
    )
    volunteers = actions.add_stakeholder(
        analysis=analysis,
        name="Volunteers",
        description="Volunteers who run the community groups",
        by=commissioner,
        at=WRITTEN_AT,
    )
    volunteer_hours = rng.randrange(1_800, 2_400, 50)
    actions.add_input(
        analysis=analysis,
        stakeholder=practices,
        description="Two link workers (salary and on-costs, ARRS funded)",
        value=Decimal("78000.00"),
        by=commissioner,
        at=WRITTEN_AT,
    )
    actions.add_input(
        analysis=analysis,
        stakeholder=volunteers,
        description=f"{volunteer_hours:,} volunteer hours at the real living wage (£12.60)",
        value=Decimal(volunteer_hours) * Decimal("12.60"),
        by=commissioner,
        at=WRITTEN_AT,
    )
    common = {"displacement": Decimal("0"), "drop_off": Decimal("20")}
    outcomes = [
        {
            "stakeholder": residents,
            "name": "Less lonely",
            "indicator": "UCLA-3 loneliness score 2 or more points lower at the latest answer than the first",
            "measure": "ucla-3:total",
            "improvement": Decimal("2"),
            "proxy_value": Decimal("1125.00"),
            "proxy_source": "Illustrative value of moving from often to hardly ever lonely (demo; cite your "
            "source)",
            "duration_years": 2,
            "deadweight": Decimal("20"),
            "attribution": Decimal("25"),
            **common,
        },
        {
            "stakeholder": residents,
            "name": "Less depressed",
            "indicator": "PHQ-9 score 6 or more points lower at the latest answer than the first",
            "measure": "phq-9:total",
            "improvement": Decimal("6"),
            "proxy_value": Decimal("1650.00"),
            "proxy_source": "Illustrative value of relief from moderate depression (demo; cite your source)",
            "duration_years": 2,
            "deadweight": Decimal("25"),
            "attribution": Decimal("30"),
            **common,
        },
        {
            "stakeholder": practices,
            "name": "Fewer GP appointments",
            "indicator": "Appointments not needed in the year after referral (practice records)",
            "quantity": Decimal(rng.randrange(180, 260)),
            "proxy_value": Decimal("42.00"),
            "proxy_source": "Unit cost of a GP appointment (PSSRU Unit Costs 2023, illustrative)",
            "duration_years": 1,
            "deadweight": Decimal("30"),
            "attribution": Decimal("40"),
            "displacement": Decimal("10"),
            "drop_off": Decimal("0"),
        },
    ]
    for fields in outcomes:
        actions.save_outcome(analysis=analysis, outcome=None, fields=fields, by=commissioner, at=WRITTEN_AT)


def _alliance(context: DemoContext) -> None:
    commissioner = context.users[Role.COMMISSIONER]
    team = context.organisations["pcn"][0]
    providers = Organisation.objects.filter(pk__in=Connection.objects.values("organisation_id")).order_by(
        "pk"
    )
    alliance = actions.save_alliance(
        alliance=None,
        name=ALLIANCE_NAME,
        description="The PCN's link workers and the community groups they refer to, paid in part on the "
        "outcomes they share.",
        members=[team, *providers[:12], context.organisations["icb"][0]],
        by=commissioner,
        at=WRITTEN_AT,
    )
    targets = [
        ("seen", Decimal("85")),
        ("connected", Decimal("60")),
        ("attended", Decimal("70")),
        ("at_capacity", Decimal("10")),
        ("most_deprived_reach", Decimal("30")),
        ("ucla3_change", Decimal("-1")),
        ("phq9_change", Decimal("-3")),
    ]
    for indicator, target in targets:
        actions.save_shared_outcome(
            alliance=alliance,
            shared_outcome=None,
            indicator=indicator,
            target=target,
            neighbourhood=None,
            imd_quintile=None,
            agreed_on=AGREED_ON,
            by=commissioner,
            at=WRITTEN_AT,
        )


def _story(context: DemoContext) -> None:
    # Lena heard the story; the commissioner, who may attach stories, records it with the consent.
    actions.add_story(
        fields={
            "dashboard": "uptake",
            "chart": "funnel",
            "title": STORY_TITLE,
            "text": "After my husband died I stopped going out. Lena found me a place at the community "
            "garden. Now I'm there on Tuesdays and Thursdays and I've got people to talk to again.",
            "source": Story.Source.JOURNEY,
            "place": context.neighbourhoods[0],
            "told_on": moved(datetime.date(2026, 6, 12)),
            "consent_method": Story.ConsentMethod.WRITTEN,
            "consent_given_on": moved(datetime.date(2026, 6, 12)),
        },
        by=context.users[Role.COMMISSIONER],
        at=WRITTEN_AT,
    )


def build_evidence(context: DemoContext) -> bool:
    """Bring the summaries up to date and add the SROI analysis, alliance and story (False if all there)."""
    changed = False
    if not SroiAnalysis.objects.filter(name=ANALYSIS_NAME).exists():
        _analysis(context)
        changed = True
    if not Alliance.objects.filter(name=ALLIANCE_NAME).exists():
        _alliance(context)
        changed = True
    if not Story.objects.filter(title=STORY_TITLE).exists():
        _story(context)
        changed = True
    if not summaries_are_current():
        refresh_summaries(by=None)
        changed = True
    return changed
