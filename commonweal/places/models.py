"""Places: the geography people recognise, from the integrated care system down to the LSOA."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


def imd_quintile_of(decile: int | None) -> int | None:
    """Return the IMD 2019 quintile of a decile (1 = most deprived), or None when the decile is unknown."""
    return None if not decile else (decile + 1) // 2


class Lsoa(models.Model):
    """A Lower-layer Super Output Area (2011 or 2021 census geography) with its deprivation."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    class Vintage(models.IntegerChoices):
        CENSUS_2011 = 2011, "2011"
        CENSUS_2021 = 2021, "2021"

    code = models.CharField(max_length=9)
    vintage = models.PositiveSmallIntegerField(choices=Vintage.choices)
    name = models.CharField(max_length=100)
    local_authority_code = models.CharField(max_length=9, db_index=True)
    # IMD 2019 is published on 2011 LSOAs. A 2021 LSOA gets it only when its code is unchanged
    # from 2011; otherwise it stays null ("unknown") — we never guess across boundary changes.
    imd_rank = models.PositiveIntegerField(null=True, blank=True)
    imd_decile = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    boundary = models.JSONField(null=True, blank=True, help_text="GeoJSON geometry (WGS84)")

    class Meta:
        ordering = ["vintage", "code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "vintage"], name="lsoa_code_vintage_unique"),
            models.CheckConstraint(
                condition=models.Q(imd_decile__isnull=True) | models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="lsoa_imd_decile_1_to_10",
            ),
        ]
        verbose_name = "LSOA"
        verbose_name_plural = "LSOAs"

    def __str__(self) -> str:
        return f"{self.name} ({self.code}, {self.vintage})"

    @property
    def imd_quintile(self) -> int | None:
        """Return the IMD 2019 quintile (1 = most deprived), or None when unknown."""
        return imd_quintile_of(self.imd_decile)


class Area(models.Model):
    """A named place: an integrated care system, a borough or a neighbourhood."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    class Kind(models.TextChoices):
        ICS = "ics", "Integrated care system"
        BOROUGH = "borough", "Borough"
        NEIGHBOURHOOD = "neighbourhood", "Neighbourhood"

    # Which kind of area each kind must sit inside.
    PARENT_KIND = {Kind.ICS: None, Kind.BOROUGH: Kind.ICS, Kind.NEIGHBOURHOOD: Kind.BOROUGH}

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=120)
    code = models.SlugField(max_length=60, unique=True, help_text="ONS code where one exists, else a slug")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A neighbourhood is the set of LSOAs residents recognise as theirs; a borough lists its own.
    lsoas = models.ManyToManyField(Lsoa, blank=True, related_name="areas")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="ics", parent__isnull=True) | ~models.Q(kind="ics"),
                name="area_ics_has_no_parent",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="ics") | models.Q(parent__isnull=False),
                name="area_non_ics_has_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list[Area]:
        """Return this area's parents, nearest first."""
        found: list[Area] = []
        node = self.parent
        while node is not None:
            found.append(node)
            node = node.parent
        return found


class Postcode(models.Model):
    """A postcode with its LSOA 2021 and coordinates (ONS Postcode Directory)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["postcode", "ward_name", "msoa_name", "local_authority_name"],
    }

    postcode = models.CharField(max_length=8, unique=True, help_text="Normalised, e.g. 'M33 7AA'")
    lsoa = models.ForeignKey(Lsoa, on_delete=models.PROTECT, related_name="postcodes")
    latitude = models.FloatField()
    longitude = models.FloatField()
    ward_code = models.CharField(max_length=9, blank=True)
    ward_name = models.CharField(max_length=100, blank=True)
    msoa_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="The middle-layer super output area as the House of Commons Library names it, "
        "e.g. 'Sale Moor': the neighbourhood people know",
    )
    local_authority_code = models.CharField(max_length=9)
    local_authority_name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["postcode"]

    def __str__(self) -> str:
        return self.postcode
