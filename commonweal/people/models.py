"""The person record: who they are, what matters to them, their consent choices, plan and goals."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit import personal_data as gdpr
from commonweal.organisations.models import Organisation
from commonweal.people.nhs_number import InvalidNhsNumberError, normalise_nhs_number
from commonweal.places.models import Lsoa


def validate_nhs_number(value: str) -> None:
    """Reject an NHS number whose modulus-11 check digit does not match."""
    try:
        normalise_nhs_number(value)
    except InvalidNhsNumberError as error:
        raise ValidationError(str(error), code="nhs_number") from error


class Sex(models.TextChoices):
    """Sex as the NHS Data Dictionary's PERSON STATED GENDER CODE records it: 1 Male, 2 Female,
    9 Indeterminate (unable to be classified as either male or female), X Not Known (not recorded).

    The values stored before, "female" and "male", keep their meaning, so no row changes. Not known is
    stored as "": X is the Data Dictionary's default code, for a value that was not recorded, and a
    referral fills a gap in a record but never overwrites what it holds. Why: docs/decisions/0401.
    """

    MALE = "male", "Male"
    FEMALE = "female", "Female"
    INDETERMINATE = "indeterminate", "Indeterminate (cannot be classified as male or female)"
    NOT_KNOWN = "", "Not known"

    @classmethod
    def of(cls, value: str) -> Sex:
        """Return the sex a stored value records; a value that is no code was not recorded as one."""
        return cls(value) if value in cls.values else cls.NOT_KNOWN

    @property
    def data_dictionary_code(self) -> str:
        """Return the PERSON STATED GENDER CODE."""
        return _DATA_DICTIONARY_CODES[self]

    @property
    def fhir_gender(self) -> str:
        """Return the FHIR administrative gender (Patient.gender) HL7 UK maps the code to (below)."""
        return _FHIR_GENDERS[self]


_DATA_DICTIONARY_CODES = {Sex.MALE: "1", Sex.FEMALE: "2", Sex.INDETERMINATE: "9", Sex.NOT_KNOWN: "X"}
# Patient.gender is bound (required) to FHIR administrative gender. HL7 UK's CareConnect ConceptMap "NHS
# Data Model and Dictionary Mapping" (in ValueSet CareConnect-AdministrativeGender-1) pairs male with 1,
# female with 2, other with 9 and unknown with X, each "equivalent"; UK Core, which replaced CareConnect,
# names a ConceptMap UK Core Administrative Gender for Patient.gender, must-support in
# ../shared/standards/fhir/ukcore-r4-profiles/UKCore-Patient.xml (2.6.1).
_FHIR_GENDERS = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.INDETERMINATE: "other", Sex.NOT_KNOWN: "unknown"}


class EthnicCategory(models.TextChoices):
    """NHS Data Dictionary ethnic category codes."""

    WHITE_BRITISH = "A", "White: British"
    WHITE_IRISH = "B", "White: Irish"
    WHITE_OTHER = "C", "White: any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
    MIXED_OTHER = "G", "Mixed: any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British: any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British: African"
    BLACK_OTHER = "P", "Black or Black British: any other Black background"
    CHINESE = "R", "Other ethnic groups: Chinese"
    OTHER = "S", "Other ethnic groups: any other ethnic group"
    NOT_STATED = "Z", "Not stated"


class ContactMethod(models.TextChoices):
    """How a person is happy to be contacted ("don't contact" excludes the others)."""

    PHONE = "phone", "Phone call"
    SMS = "sms", "Text message (SMS)"
    EMAIL = "email", "E-mail"
    POST = "post", "Letter"
    DO_NOT_CONTACT = "none", "Please do not contact me"


class AccessibilityNeed(models.TextChoices):
    """Needs a service must meet (matched against the directory's accessibility information)."""

    WHEELCHAIR = "wheelchair", "Wheelchair access"
    STEP_FREE = "step_free", "Step-free access"
    HEARING_LOOP = "hearing_loop", "Hearing loop"
    BSL = "bsl", "British Sign Language"
    LARGE_PRINT = "large_print", "Large print or easy read"
    ACCESSIBLE_TOILET = "accessible_toilet", "Accessible toilet"
    QUIET_SPACE = "quiet_space", "A quiet space"
    CARER_WELCOME = "carer_welcome", "Carer or companion can come too"


class FreeTime(models.TextChoices):
    """When a person is free for activities."""

    WEEKDAY_MORNING = "weekday_morning", "Weekday mornings"
    WEEKDAY_AFTERNOON = "weekday_afternoon", "Weekday afternoons"
    WEEKDAY_EVENING = "weekday_evening", "Weekday evenings"
    WEEKEND = "weekend", "Weekends"


class GpSharing(models.TextChoices):
    """What the person agrees their GP and referrer may be told in the message back."""

    CODES_ONLY = "codes_only", "Only the codes for my GP record (no details)"
    FULL_SUMMARY = "full_summary", "A full summary: what matters to me, activities and outcomes"


class Person(models.Model):
    """A resident, patient or carer whose record Commonweal holds."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Social prescribing and community care: the person's own record",
        "lawful_basis": gdpr.CARE,
        "fields": {
            "given_name": "identity",
            "family_name": "identity",
            "date_of_birth": "demographic",
            "sex": "demographic",
            "ethnicity": "demographic",
            "nhs_number": "identity",
            "postcode": "location",
            "lsoa": "location",
            "phone": "contact",
            "email": "contact",
            "address": "location",
            "contact_methods": "contact",
            "language": "demographic",
            "accessibility_needs": "health",
            "accessibility_notes": "health",
            "what_matters": "free text",
            "strengths": "free text",
            "interests": "free text",
            "free_times": "free text",
        },
        "person": "pk",
    }

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=20, choices=Sex.choices, blank=True, default=Sex.NOT_KNOWN)
    ethnicity = models.CharField(
        max_length=1, choices=EthnicCategory.choices, default=EthnicCategory.NOT_STATED
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, null=True, blank=True, unique=True, validators=[validate_nhs_number]
    )
    postcode = models.CharField(max_length=8, blank=True)
    lsoa = models.ForeignKey(Lsoa, null=True, blank=True, on_delete=models.PROTECT, related_name="people")
    user = models.OneToOneField(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="person")
    created_at = models.DateTimeField(default=timezone.now)
    gp_practice = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registered_people",
        limit_choices_to={"kind": "gp_practice"},
        verbose_name="GP practice",
    )

    # How to reach them, and how they would like to be reached.
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField("e-mail address", blank=True)
    address = models.TextField(blank=True)
    contact_methods = models.JSONField(
        default=list, blank=True, help_text="ContactMethod values, in the person's order of preference"
    )
    language = models.CharField("preferred language", max_length=60, default="English")
    needs_interpreter = models.BooleanField(default=False)
    accessibility_needs = models.JSONField(default=list, blank=True, help_text="AccessibilityNeed values")
    accessibility_notes = models.TextField(blank=True)

    # Asset-based: in the person's own words.
    what_matters = models.TextField("what matters to me", blank=True)
    strengths = models.TextField(blank=True)
    interests = models.JSONField(default=list, blank=True, help_text="Short phrases, e.g. 'gardening'")
    free_times = models.JSONField(default=list, blank=True, help_text="FreeTime values")

    # Consent choices.
    gp_sharing = models.CharField(
        "what the GP may be told", max_length=20, choices=GpSharing.choices, default=GpSharing.CODES_ONLY
    )
    organisations_may_contact = models.BooleanField(
        "community organisations I am connected to may contact me", default=True
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["family_name", "given_name", "pk"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        """Store the NHS number as its ten ASCII digits, however it was typed (one number, one person)."""
        if self.nhs_number:
            try:
                self.nhs_number = normalise_nhs_number(self.nhs_number)
            except InvalidNhsNumberError as error:
                raise ValidationError({"nhs_number": str(error)}) from error

    @property
    def full_name(self) -> str:
        """Return the name the person is known by."""
        return f"{self.given_name} {self.family_name}"

    @property
    def contact_method_labels(self) -> list[str]:
        """Return the person's contact preferences in words, in their order."""
        labels = dict(ContactMethod.choices)
        return [labels.get(value, value) for value in self.contact_methods]

    @property
    def accessibility_need_labels(self) -> list[str]:
        """Return the accessibility needs in words."""
        labels = dict(AccessibilityNeed.choices)
        return [labels.get(value, value) for value in self.accessibility_needs]

    @property
    def free_time_labels(self) -> list[str]:
        """Return when the person is free, in words."""
        labels = dict(FreeTime.choices)
        return [labels.get(value, value) for value in self.free_times]

    @property
    def shares_codes_only(self) -> bool:
        """Tell whether the person agreed that their GP and referrer get only the codes, no details.

        The one place the consent is read: the message back and the FHIR export both ask here.
        """
        return self.gp_sharing == GpSharing.CODES_ONLY

    @property
    def may_be_contacted(self) -> bool:
        """Tell whether the person has not asked to be left uncontacted."""
        return ContactMethod.DO_NOT_CONTACT not in self.contact_methods


class NetworkMember(models.Model):
    """Someone or some group in the person's network: family, friends, neighbours, groups."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "The people around the person, as they chose to record them",
        "lawful_basis": gdpr.CARE,
        "fields": {"name": "identity", "note": "free text"},
        "person": "person",
    }

    class Kind(models.TextChoices):
        FAMILY = "family", "Family"
        FRIEND = "friend", "Friend"
        NEIGHBOUR = "neighbour", "Neighbour"
        GROUP = "group", "Group or club"
        CARER = "carer", "Carer"
        OTHER = "other", "Other"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="network")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=150)
    note = models.CharField(max_length=300, blank=True, help_text="e.g. 'my daughter, visits on Sundays'")
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["kind", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"


class SafeguardingConcern(models.Model):
    """A safeguarding concern recorded by staff; never shown to the person or to organisations."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Recording and acting on a safeguarding concern",
        "lawful_basis": gdpr.CARE,
        "fields": {"concern": "health", "action_taken": "free text"},
        "person": "person",
        "on_erasure": gdpr.KEEP_SAFEGUARDING,
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="safeguarding_concerns")
    concern = models.TextField()
    action_taken = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"Safeguarding concern about {self.person_id} at {self.recorded_at:%Y-%m-%d}"


class Plan(models.Model):
    """The person's own plan: in their words, alongside the goals they set."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Personalised care and support planning",
        "lawful_basis": gdpr.CARE,
        "fields": {"summary": "free text"},
        "person": "person",
    }

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="plan")
    summary = models.TextField("my plan in my own words", blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Plan of person {self.person_id}"


class GoalProgress(models.TextChoices):
    """How far along a goal is, in the person's terms."""

    NOT_STARTED = "not_started", "Not started yet"
    STARTED = "started", "Started"
    GOOD_PROGRESS = "good_progress", "Making good progress"
    ACHIEVED = "achieved", "Achieved"
    NO_LONGER_WANTED = "no_longer_wanted", "No longer what I want"


class Goal(models.Model):
    """A goal the person sets, in their own words, with steps, who helps and a target date."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Personalised care and support planning",
        "lawful_basis": gdpr.CARE,
        "fields": {"steps": "free text"},
        "person": "person",
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="goals")
    description = models.CharField("my goal", max_length=300)
    steps = models.TextField("steps I will take", blank=True)
    who_helps = models.CharField("who will help", max_length=300, blank=True)
    target_date = models.DateField(null=True, blank=True)
    progress = models.CharField(max_length=20, choices=GoalProgress.choices, default=GoalProgress.NOT_STARTED)
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.description

    @property
    def is_open(self) -> bool:
        """Tell whether the goal is still being worked on."""
        return self.progress not in (GoalProgress.ACHIEVED, GoalProgress.NO_LONGER_WANTED)


class GoalReview(models.Model):
    """A look back at a goal: when, by whom, how far along, and what was said."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Personalised care and support planning",
        "lawful_basis": gdpr.CARE,
        "fields": {"note": "free text"},
        "person": "goal__person",
    }

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="reviews")
    reviewed_at = models.DateTimeField(default=timezone.now)
    reviewed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    progress = models.CharField(max_length=20, choices=GoalProgress.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-reviewed_at", "-pk"]

    def __str__(self) -> str:
        return f"Review of goal {self.goal_id} at {self.reviewed_at:%Y-%m-%d}"


class BreakGlassOpening(models.Model):
    """A record opened by staff with no relationship to the person, the reason given, and its review."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Accountability for records opened with no relationship (break-glass), and their review",
        "lawful_basis": gdpr.LEGAL_OBLIGATION,
        "fields": {"reason": "free text", "review_note": "free text"},
        "person": "person",
        "on_erasure": gdpr.KEEP_AUDIT,
    }

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="break_glass_openings")
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    reason = models.TextField()
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        indexes = [models.Index(fields=["opened_by", "opened_at"], name="break_glass_by_user")]

    def __str__(self) -> str:
        return f"Break-glass opening of person {self.person_id} at {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def is_reviewed(self) -> bool:
        """Tell whether an administrator has reviewed it."""
        return self.reviewed_at is not None
