"""The demo's evidence: summaries of the demo journey, an SROI analysis, an alliance and a story; the same
every time, and never added twice."""

from __future__ import annotations

import pytest

from commonweal.demo.builder import _context
from commonweal.evidence.demo import ALLIANCE_NAME, ANALYSIS_NAME, build_evidence, summaries_are_current
from commonweal.evidence.models import (
    ALL_ORGANISATIONS,
    Alliance,
    SroiAnalysis,
    Story,
    SummaryRefresh,
    UptakeCell,
)
from commonweal.evidence.queries import sroi_report
from commonweal.referrals.models import Referral

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_borough")]


def _fingerprint() -> dict[str, object]:
    analysis = SroiAnalysis.objects.get(name=ANALYSIS_NAME)
    return {
        "inputs": list(analysis.inputs.order_by("pk").values_list("description", "value")),
        "outcomes": list(
            analysis.outcomes.order_by("pk").values_list("name", "measure", "improvement", "quantity")
        ),
        "alliance": sorted(Alliance.objects.get(name=ALLIANCE_NAME).members.values_list("name", flat=True)),
        "targets": list(
            Alliance.objects.get(name=ALLIANCE_NAME)
            .shared_outcomes.order_by("pk")
            .values_list("indicator", "target")
        ),
        "cells": sorted(
            UptakeCell.objects.values_list("month", "dimension", "category", "offered", "connected")
        ),
    }


def test_the_demo_summarises_the_journey_and_adds_an_analysis_an_alliance_and_a_story():
    assert summaries_are_current()
    assert sum(
        UptakeCell.objects.filter(
            neighbourhood_id=0, dimension="all", organisation_id=ALL_ORGANISATIONS
        ).values_list("offered", flat=True)
    ) == (Referral.objects.count())
    report = sroi_report(SroiAnalysis.objects.get(name=ANALYSIS_NAME))
    assert report.problem == ""
    assert report.result is not None and report.result.ratio is not None and report.result.ratio > 0
    assert Story.objects.filter(withdrawn_at__isnull=True).count() == 1
    first = _fingerprint()
    runs = SummaryRefresh.objects.count()
    assert build_evidence(_context(2019)) is False
    assert SummaryRefresh.objects.count() == runs
    assert _fingerprint() == first


def test_the_demo_evidence_is_the_same_on_a_rebuilt_database():
    first = _fingerprint()
    Alliance.objects.all().delete()
    SroiAnalysis.objects.all().delete()
    Story.objects.all().delete()
    assert build_evidence(_context(2019)) is True
    assert _fingerprint() == first
