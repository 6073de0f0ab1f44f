"""The journey's SNOMED CT codes are exactly those in the NHS England codelist in shared/standards."""

from __future__ import annotations

import csv

from commonweal.reference_data import standards_dir
from commonweal.referrals.snomed import JOURNEY_CODES, JourneyEvent


def _codelist() -> dict[str, dict[str, str]]:
    with (standards_dir() / "snomed_social_prescribing.csv").open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row for row in csv.DictReader(handle)}


def test_every_journey_code_is_in_the_codelist_with_its_term():
    codelist = _codelist()
    for concept in JOURNEY_CODES.values():
        assert codelist[concept.code]["term"] == concept.term


def test_each_event_uses_the_code_the_codelist_names_for_it():
    codelist = _codelist()
    by_category = {row["category"]: code for code, row in codelist.items()}
    assert JOURNEY_CODES[JourneyEvent.OFFERED].code == by_category["offered"]
    assert JOURNEY_CODES[JourneyEvent.SEEN].code == by_category["link worker contact"]
    assert JOURNEY_CODES[JourneyEvent.CLOSED].code == by_category["case closure"]
    core = {row["term"]: code for code, row in codelist.items() if row["category"] == "core NHSE SPLW code"}
    assert JOURNEY_CODES[JourneyEvent.REFERRED].code == core["Referral to social prescribing service"]
    assert JOURNEY_CODES[JourneyEvent.DECLINED].code == core["Social prescribing declined"]
