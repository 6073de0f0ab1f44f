"""Organisations that refer, provide, commission or hold people to account."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from commonweal.places.models import Area

# ODS codes: GP practices are a letter and five digits (e.g. P91004); PCNs are "U" and five digits;
# other organisations use three to six letters and digits. We check the shape, not the register.
ODS_CODE_SHAPE = re.compile(r"^[A-Z0-9]{3,6}$")


def validate_ods_code(value: str) -> None:
    """Reject text that is not shaped like an ODS code."""
    if not ODS_CODE_SHAPE.fullmatch(value):
        raise ValidationError(
            "An ODS code is 3 to 6 capital letters and digits, for example P91004.", code="ods_code"
        )


class Organisation(models.Model):
    """A GP practice, primary care network, VCSE organisation, council team or other body."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "postcode", "email", "phone"],
    }

    class Kind(models.TextChoices):
        GP_PRACTICE = "gp_practice", "GP practice"
        PCN = "pcn", "Primary care network"
        VCSE = "vcse", "VCSE organisation"
        COUNCIL_TEAM = "council_team", "Council team"
        ICB = "icb", "Integrated care board"
        OTHER_AGENCY = "other_agency", "Other agency"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=6, blank=True, validators=[validate_ods_code], help_text="Where it has one"
    )
    charity_number = models.CharField(max_length=20, blank=True)
    # A practice belongs to a primary care network; a council team to its council; and so on.
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.PROTECT, related_name="organisations"
    )
    postcode = models.CharField(max_length=8, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["ods_code"],
                condition=~models.Q(ods_code=""),
                name="organisation_ods_code_unique",
                violation_error_message="An organisation with this ODS code is already registered.",
            ),
        ]

    def __str__(self) -> str:
        return self.name
