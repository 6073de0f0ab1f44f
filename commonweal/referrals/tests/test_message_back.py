"""The message back document: its sections, and "codes only" consent carrying no free text at all."""

from __future__ import annotations

import datetime
import json

from commonweal.referrals.message_back import (
    CODES_ONLY_KEYS,
    Activity,
    CodedEntry,
    GoalOutcome,
    MessageInput,
    build_message,
)

FREE_TEXT = [
    "Getting back to the allotment",
    "Walking group",
    "Sale Community Garden",
    "Feel less alone on Sundays",
    "Lonely since her husband died",
    "Goals met or connected to ongoing support",
]


def _input(codes_only: bool) -> MessageInput:
    return MessageInput(
        event="closed",
        event_label="Case closed",
        sent_on=datetime.date(2026, 11, 20),
        codes_only=codes_only,
        person_name="Rosa Amberbrook",
        nhs_number="9434765919",
        date_of_birth=datetime.date(1950, 4, 2),
        gp_practice="Willowbank Medical Practice",
        gp_practice_ods_code="ZZ0001",
        received_on=datetime.date(2026, 9, 1),
        source="GP practice",
        referrer="Dr Ravi Mossfield",
        referring_organisation="Willowbank Medical Practice",
        team="Riverside PCN",
        link_worker="Lena Kettleshaw",
        codes=[
            CodedEntry(
                "871731000000106", "Referral to social prescribing service", datetime.date(2026, 9, 2)
            ),
            CodedEntry("1362721000000106", "Social prescribing case closed", datetime.date(2026, 11, 20)),
        ],
        reasons=["Loneliness or isolation", "Lonely since her husband died"],
        what_matters="Getting back to the allotment",
        activities=[Activity("Sale Community Garden", "Walking group", "Completed", 6)],
        goals=[GoalOutcome("Feel less alone on Sundays", "Achieved")],
        outcome="Goals met or connected to ongoing support",
    )


def test_a_full_summary_carries_what_matters_activities_outcomes_and_codes():
    document = build_message(_input(codes_only=False))
    assert document["consent"] == "full_summary"
    assert document["what_matters_to_me"] == "Getting back to the allotment"
    assert document["activities"] == [
        {
            "service": "Sale Community Garden",
            "organisation": "Walking group",
            "status": "Completed",
            "sessions_attended": 6,
        }
    ]
    assert document["outcomes"] == {
        "summary": "Goals met or connected to ongoing support",
        "goals": [{"goal": "Feel less alone on Sundays", "progress": "Achieved"}],
    }
    assert [entry["code"] for entry in document["snomed_ct_codes"]] == ["871731000000106", "1362721000000106"]
    assert document["snomed_ct_codes"][1] == {
        "system": "http://snomed.info/sct",
        "code": "1362721000000106",
        "display": "Social prescribing case closed",
        "recorded_on": "2026-11-20",
    }


def test_codes_only_leaves_out_every_free_text_section():
    document = build_message(_input(codes_only=True))
    assert set(document) == CODES_ONLY_KEYS
    assert document["consent"] == "codes_only"
    text = json.dumps(document)
    for phrase in FREE_TEXT:
        assert phrase not in text
    assert [entry["code"] for entry in document["snomed_ct_codes"]] == ["871731000000106", "1362721000000106"]
    assert document["person"]["nhs_number"] == "9434765919"
