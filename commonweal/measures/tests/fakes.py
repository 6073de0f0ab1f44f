"""A synthetic instrument for tests: invented wording, so no licensed text is ever needed in a test."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

FAKE_DEFINITION: dict[str, Any] = {
    "schema_version": 1,
    "code": "fake-wellbeing",
    "version": "2.1",
    "title": {"en-GB": "Fake wellbeing scale (synthetic, for tests)"},
    "short_name": "FAKE-4",
    "kind": "questionnaire",
    "licensed": True,
    "licence": {
        "holder": "Example Licence Holder Ltd",
        "summary": "Supplied by a licence holder for its own use; never shipped.",
        "instrument_requires_licence": True,
        "item_text_included": True,
        "notice": "Fake wellbeing scale © Example Licence Holder Ltd.",
        "verification": {"status": "verified", "sources": ["fake_manual"]},
    },
    "citations": [{"id": "fake_manual", "text": "Example Licence Holder Ltd. Fake scale manual, 2026."}],
    "review": {
        "authored_by": "Licence holder",
        "checked_by": "Licence holder's second reviewer",
        "reviewed_on": "2026-01-01",
        "next_review_due": "2027-01-01",
    },
    "languages": ["en-GB"],
    "translations": [{"language": "cy", "status": "not-available"}],
    "item_text_verification": {"status": "verified", "sources": ["fake_manual"]},
    "response_sets": {
        "agreement": [
            {"value": 1, "label": {"en-GB": "Synthetic answer one"}},
            {"value": 2, "label": {"en-GB": "Synthetic answer two"}},
            {"value": 3, "label": {"en-GB": "Synthetic answer three"}},
            {"value": 4, "label": {"en-GB": "Synthetic answer four"}},
        ]
    },
    "items": [
        {
            "id": "q1",
            "type": "choice",
            "response_set": "agreement",
            "scored": True,
            "text": {"en-GB": "Synthetic statement one"},
        },
        {
            "id": "q2",
            "type": "choice",
            "response_set": "agreement",
            "scored": True,
            "text": {"en-GB": "Synthetic statement two"},
        },
        {
            "id": "q3",
            "type": "choice",
            "response_set": "agreement",
            "scored": True,
            "text": {"en-GB": "Synthetic statement three"},
        },
        {
            "id": "q4",
            "type": "choice",
            "response_set": "agreement",
            "scored": True,
            "text": {"en-GB": "Synthetic statement four"},
        },
    ],
    "scores": [
        {
            "id": "total",
            "label": {"en-GB": "Fake total"},
            "method": "sum",
            "items": ["q1", "q2", "q3", "q4"],
            "minimum": 4,
            "maximum": 16,
            "higher_is_better": True,
            "measurement": "interval",
            "missing": {
                "rule": "prorate",
                "max_missing": 1,
                "rounding": "nearest-integer",
                "verification": {"status": "verified", "sources": ["fake_manual"]},
            },
            "scoring_verification": {"status": "verified", "sources": ["fake_manual"]},
            "bands": {
                "bands": [
                    {"id": "low", "label": {"en-GB": "Low"}, "minimum": 4, "maximum": 9},
                    {"id": "high", "label": {"en-GB": "High"}, "minimum": 10, "maximum": 16},
                ],
                "verification": {"status": "verified", "sources": ["fake_manual"]},
            },
            "reliable_change": {
                "threshold": 3,
                "verification": {"status": "verified", "sources": ["fake_manual"]},
            },
        }
    ],
    "risk_rules": [
        {
            "id": "q4_lowest",
            "item": "q4",
            "operator": "in",
            "value": [1],
            "reason": {"en-GB": "The lowest answer to question 4 needs a call back."},
            "verification": {"status": "local-policy", "sources": []},
        }
    ],
}


def fake_definition(**changes: Any) -> dict[str, Any]:
    """Return a deep copy of the synthetic definition with top-level keys replaced."""
    data = copy.deepcopy(FAKE_DEFINITION)
    data.update(changes)
    return data


def write_definition(folder: Path, data: dict[str, Any], name: str | None = None) -> Path:
    """Write a definition as a licence holder would supply it and return its path."""
    path = folder / (name or f"{data['code']}_{data['version']}.json")
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path
