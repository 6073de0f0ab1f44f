"""The Health and Wellbeing Check as a reviewed data file: licences recorded, answers checked."""

from __future__ import annotations

import pytest

from commonweal.households.core.checks import CheckDefinitionError, clean_answers, flags, parse_check
from commonweal.households.definitions import wellbeing_check

CHECK = wellbeing_check()


def test_every_item_records_its_licence_and_the_restricted_one_ships_no_wording() -> None:
    assert CHECK.code == "hwb-check" and CHECK.version == "1.0"
    assert all(item.licence for item in CHECK.items)
    audit_c = next(item for item in CHECK.items if item.id == "audit_c_score")
    assert audit_c.licence_verified is True
    assert "commercial" in audit_c.licence
    # Only the score is asked for: none of AUDIT-C's three questions is in the file.
    assert "How often do you have a drink containing alcohol" not in audit_c.text
    assert audit_c.text.startswith("AUDIT-C score (0 to 12)")


def test_answers_are_checked_against_each_items_range_and_choices() -> None:
    answers, problems = clean_answers(
        CHECK,
        {
            "life_satisfaction": "3",
            "anxious": "11",
            "lonely": "Often or always",
            "smoking": "Sometimes",
            "weight_kg": "72.5",
        },
    )
    assert answers == {"life_satisfaction": 3, "lonely": "Often or always", "weight_kg": 72.5}
    assert problems == {
        "anxious": "Enter a number from 0 to 10",
        "smoking": "Choose one of: Yes, No, I used to, No, never",
    }


def test_answers_that_suggest_a_need_are_flagged_at_their_thresholds() -> None:
    assert flags(CHECK, {"life_satisfaction": 4, "anxious": 5, "audit_c_score": 5, "systolic_bp": 139}) == [
        "life_satisfaction",
        "audit_c_score",
    ]
    assert flags(CHECK, {"life_satisfaction": 5, "anxious": 6, "systolic_bp": 140}) == [
        "anxious",
        "systolic_bp",
    ]


def test_an_item_without_a_licence_is_refused() -> None:
    import datetime

    with pytest.raises(CheckDefinitionError, match="item x: record its licence"):
        parse_check(
            {
                "review": {"authored_by": "a", "reviewed_on": datetime.date(2026, 1, 1)},
                "item": [{"id": "x", "kind": "scale", "min": 0, "max": 1}],
            }
        )
