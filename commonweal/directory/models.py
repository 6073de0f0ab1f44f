"""The community directory, modelled on Open Referral UK 3.0 (HSDS 3.0 with the UK profile).

Every ORUK record keeps its ORUK identifier (`oruk_id`, a UUID) beside a compact integer key, so the
search index joins on integers while the API and exports speak ORUK identifiers. Capacity and the
co-production records (suggestions, versions, checks, import runs) are Commonweal's additions.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area, Lsoa


class Taxonomy(models.Model):
    """A vocabulary of terms: Commonweal's built-in one, or one imported from elsewhere (e.g. LGA)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.URLField(blank=True, max_length=500)
    version = models.CharField(max_length=50, blank=True)
    is_builtin = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_builtin", "name"]
        verbose_name_plural = "taxonomies"

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """One term of a taxonomy, with the synonyms residents use for it."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="terms")
    code = models.CharField(max_length=200, help_text="The term's code in its taxonomy")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    term_uri = models.URLField(blank=True, max_length=500)
    synonyms = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["taxonomy", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="taxonomy_term_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class DirectoryOrganisation(models.Model):
    """An ORUK organization: whoever provides a service, whether or not they use Commonweal."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "email"],
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True, max_length=500)
    uri = models.URLField(blank=True, max_length=500)
    logo = models.URLField(blank=True, max_length=500)
    # The Commonweal organisation that speaks for this one, once its claim has been approved.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_records"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A community offer people can use: a group, club, class, advice service or hub."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Quality assurance of a directory entry",
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {"assurer_email": "contact"},
        "not_personal": [
            "name",
            "description",
            "email",
            "fees_description",
            "accreditations",
            "eligibility_description",
            "alert",
        ],
    }

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class Referrals(models.TextChoices):
        YES = "yes", "Accepting referrals"
        NO = "no", "Not accepting referrals"
        WAITING_LIST = "waiting_list", "Waiting list"

    class WaitingBand(models.TextChoices):
        UNDER_1_MONTH = "under_1_month", "Under 1 month"
        ONE_TO_3_MONTHS = "1_to_3_months", "1 to 3 months"
        OVER_3_MONTHS = "over_3_months", "Over 3 months"
        UNKNOWN = "unknown", "Unknown"

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    organisation = models.ForeignKey(DirectoryOrganisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=500)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    fees_description = models.TextField(blank=True)
    accreditations = models.TextField(blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    alert = models.TextField(blank=True)
    assured_date = models.DateField(null=True, blank=True)
    assurer_email = models.EmailField(blank=True)
    accepting_referrals = models.CharField(max_length=20, choices=Referrals.choices, default=Referrals.YES)
    waiting_list_band = models.CharField(max_length=20, choices=WaitingBand.choices, blank=True)
    # Co-production: the Commonweal organisation that keeps this entry up to date, and its last check.
    owner = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="directory_services"
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)
    last_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=200, blank=True, help_text="Where an imported entry came from")
    created_at = models.DateTimeField(default=timezone.now)
    last_modified = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(accepting_referrals="waiting_list") | models.Q(waiting_list_band=""),
                name="service_waiting_band_only_with_waiting_list",
            ),
            models.CheckConstraint(
                condition=~models.Q(accepting_referrals="waiting_list") | ~models.Q(waiting_list_band=""),
                name="service_waiting_list_has_band",
            ),
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def capacity_label(self) -> str:
        """Say whether the service takes referrals, and how long its waiting list is."""
        if self.accepting_referrals == self.Referrals.WAITING_LIST:
            return f"Waiting list: {self.get_waiting_list_band_display().lower()}"
        return str(self.get_accepting_referrals_display())


class Location(models.Model):
    """A place where services are delivered (physical), or a postal or virtual location."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "address_1"],
    }

    class Kind(models.TextChoices):
        PHYSICAL = "physical", "Physical"
        POSTAL = "postal", "Postal"
        VIRTUAL = "virtual", "Virtual"

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    location_type = models.CharField(max_length=10, choices=Kind.choices, default=Kind.PHYSICAL)
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    address_1 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    state_province = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True, default="GB")
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name or self.address_1 or str(self.oruk_id)


class ServiceAtLocation(models.Model):
    """A service delivered at one location."""

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="service_at_locations")
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["service", "location"], name="service_at_location_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.service} at {self.location}"


class Accessibility(models.Model):
    """An accessibility feature of a location (step-free access, hearing loop …)."""

    class Feature(models.TextChoices):
        WHEELCHAIR = "wheelchair", "Wheelchair accessible"
        STEP_FREE = "step_free", "Step-free access"
        ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
        HEARING_LOOP = "hearing_loop", "Hearing loop"
        BSL = "bsl", "British Sign Language"
        LARGE_PRINT = "large_print", "Large print"
        PARKING = "parking", "Disabled parking"
        QUIET_SPACE = "quiet_space", "Quiet space"

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    feature = models.CharField(max_length=30, choices=Feature.choices, blank=True)
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.URLField(blank=True, max_length=500)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "accessibility features"

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Name the feature for people."""
        return str(self.get_feature_display()) if self.feature else self.description


class Schedule(models.Model):
    """When a service runs: a weekly or monthly session, a one-off event or a closure (iCal-style)."""

    class Freq(models.TextChoices):
        WEEKLY = "WEEKLY", "Weekly"
        MONTHLY = "MONTHLY", "Monthly"

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    service_at_location = models.ForeignKey(
        ServiceAtLocation, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    freq = models.CharField(max_length=10, choices=Freq.choices, blank=True, help_text="Blank: a one-off")
    interval = models.PositiveSmallIntegerField(null=True, blank=True)
    byday = models.CharField(max_length=60, blank=True, help_text="iCal days, e.g. MO,TH or 2MO")
    bymonthday = models.CharField(max_length=60, blank=True)
    dtstart = models.DateField(null=True, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    attending_type = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    # HSDS 3.0 folded holiday schedules into schedules; a closure is a schedule that says "closed".
    is_closure = models.BooleanField(default=False)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service__isnull=False) | models.Q(service_at_location__isnull=False),
                name="schedule_belongs_to_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.freq or 'One-off'} {self.byday} {self.opens_at}–{self.closes_at}".strip()

    @property
    def days_label(self) -> str:
        """Say the iCal days in words ("MO,TH" → "Monday and Thursday"; "2MO" → "2nd Monday of the month")."""
        names = {
            "MO": "Monday",
            "TU": "Tuesday",
            "WE": "Wednesday",
            "TH": "Thursday",
            "FR": "Friday",
            "SA": "Saturday",
            "SU": "Sunday",
        }
        ordinals = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th", "-1": "last"}
        parts = []
        for part in (piece.strip().upper() for piece in self.byday.split(",") if piece.strip()):
            day, position = names.get(part[-2:], part), part[:-2]
            parts.append(f"{ordinals.get(position, position)} {day} of the month" if position else day)
        return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


class CostOption(models.Model):
    """What a service costs; an amount of 0 means free."""

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=9, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, default="GBP")
    amount_description = models.TextField(blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.option} {self.amount}".strip()

    @property
    def is_free(self) -> bool:
        """Tell whether this option costs nothing."""
        return self.amount is not None and self.amount == Decimal(0)


class Language(models.Model):
    """A language a service is offered in (ISO 639-1 code and name)."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A named contact for a service, with a phone number."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Publishing how to reach a community service",
        "lawful_basis": gdpr.LEGITIMATE_INTERESTS,
        "fields": {"name": "identity", "email": "contact", "phone": "contact"},
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    phone_oruk_id = models.UUIDField(default=uuid.uuid4)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name or self.phone or self.email


class ServiceArea(models.Model):
    """Where a service is available (a borough, a neighbourhood, "nationwide")."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=50, blank=True)
    uri = models.CharField(max_length=500, blank=True)
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ServiceTerm(models.Model):
    """A taxonomy term attached to a service (an ORUK attribute with link_type 'service')."""

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_terms")
    term = models.ForeignKey(TaxonomyTerm, on_delete=models.CASCADE, related_name="service_terms")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["service", "term"], name="service_term_unique")]

    def __str__(self) -> str:
        return f"{self.service} — {self.term}"


class Funding(models.Model):
    """Who funds a service."""

    oruk_id = models.UUIDField(unique=True, default=uuid.uuid4)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="funding")
    source = models.TextField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.source[:60]


class ServiceVersion(models.Model):
    """One saved state of an entry: the full ORUK document after a change, who made it and how."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["document", "changed_fields", "note"],
    }

    class Via(models.TextChoices):
        CREATED = "created", "Created"
        EDITED = "edited", "Edited"
        SUGGESTION = "suggestion", "Suggestion accepted"
        IMPORTED = "imported", "Imported"
        CHECKED = "checked", "Checked and confirmed"
        CLAIMED = "claimed", "Claimed"

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    via = models.CharField(max_length=20, choices=Via.choices)
    document = models.JSONField()
    changed_fields = models.JSONField(default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["service", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="service_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.service} v{self.number} ({self.via})"


class Suggestion(models.Model):
    """A proposal from a resident or organisation: a new entry, a change, or a claim of an entry."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["proposed", "note", "review_note"],
    }

    class Kind(models.TextChoices):
        NEW = "new", "New entry"
        CHANGE = "change", "Change to an entry"
        CLAIM = "claim", "Claim by an organisation"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestions"
    )
    proposed = models.JSONField(default=dict, blank=True, help_text="Field values proposed")
    note = models.TextField(blank=True)
    claiming_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    suggested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    suggested_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-suggested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="new") | models.Q(service__isnull=False),
                name="suggestion_change_or_claim_names_a_service",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="claim") | models.Q(claiming_organisation__isnull=False),
                name="suggestion_claim_names_an_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_state_display()})"


class ImportRun(models.Model):
    """One import of a file or feed: its progress while it runs and its report of every record."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["report", "message"],
    }

    class Format(models.TextChoices):
        ORUK3_JSON = "oruk3_json", "Open Referral UK 3.0 JSON (file)"
        ORUK3_FEED = "oruk3_feed", "Open Referral UK 3.0 feed (URL)"
        ORUK1_JSON = "oruk1_json", "Open Referral UK 1.0 feed JSON"
        HSDS_CSV = "hsds_csv", "HSDS CSV data package (zip or folder)"
        TAXONOMY_CSV = "taxonomy_csv", "Taxonomy terms (CSV)"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    format = models.CharField(max_length=20, choices=Format.choices)
    source = models.CharField(max_length=1000, help_text="File name, path or feed URL")
    payload = models.BinaryField(null=True, blank=True, help_text="An uploaded file, kept until the run ends")
    partial = models.BooleanField(default=False, help_text="Keep the accepted records when some are rejected")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import {self.pk} of {self.source} ({self.state})"

    @property
    def percent(self) -> int:
        """Return how far the run has got, 0 to 100."""
        return 100 if not self.total else min(100, round(100 * self.processed / self.total))

    @property
    def is_active(self) -> bool:
        """Tell whether the run is still queued or running."""
        return self.state in {self.State.QUEUED, self.State.RUNNING}


class SearchDocument(models.Model):
    """The precomputed search row of one service: what search filters and ranks on, in one place.

    Rebuilt by `search_index.index_services` whenever a service changes. Latitude and longitude are
    indexed for the bounding-box prefilter; the text tokens and facets live in `SearchPosting`.
    """

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name", "name_tokens"],
    }

    service = models.OneToOneField(Service, primary_key=True, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=300)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    is_free = models.BooleanField(default=False)
    lowest_cost = models.DecimalField(max_digits=9, decimal_places=2, null=True)
    accepting = models.CharField(max_length=20)
    # Packed facts the ranking reads without touching other tables (see search_index.pack_*).
    sessions = models.TextField(blank=True, help_text="Weekly sessions, e.g. 'TU 1800 2000;SA 1000 1200'")
    terms = models.TextField(blank=True, help_text="Taxonomy term ids, space separated")
    languages = models.TextField(blank=True)
    accessibility = models.TextField(blank=True)
    name_tokens = models.TextField(blank=True)
    text_tokens = models.TextField(blank=True)
    last_checked_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="search_document_lat_lon")]

    def __str__(self) -> str:
        return self.name


class SearchPosting(models.Model):
    """One token of one service's search document: a word, a term ('t:<id>') or a facet ('f:free')."""

    token = models.CharField(max_length=60)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    weight = models.FloatField(default=1.0)

    class Meta:
        indexes = [
            # (token, service) answers "has this service this token?" (the EXISTS checks) in one probe;
            # (token, weight, service) makes "names and terms first" reads one covering range.
            models.Index(fields=["token", "service"], name="search_posting_token"),
            models.Index(fields=["token", "weight", "service"], name="search_posting_token_weight"),
        ]

    def __str__(self) -> str:
        return f"{self.token} → {self.service_id}"


class SearchVocabulary(models.Model):
    """Every word ever indexed: the dictionary that typo-tolerant search corrects against."""

    token = models.CharField(max_length=60, primary_key=True)

    def __str__(self) -> str:
        return self.token


class SearchIndexState(models.Model):
    """A counter bumped on every index write, so each process knows when to reload its vocabulary."""

    version = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Search index version {self.version}"
