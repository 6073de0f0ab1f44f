"""Users, their roles and API tokens (the access audit is the `audit` app)."""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac

from commonweal.audit import personal_data as gdpr

# Titles people put before their name: a full name is one field, written as the person writes it.
TITLES = frozenset(
    {
        "dr",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mx",
        "prof",
        "professor",
        "rev",
        "revd",
        "sir",
        "dame",
        "lady",
        "lord",
        "cllr",
    }
)


class UserManager(BaseUserManager["User"]):
    """Creates users who sign in with their e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create a user with a normalised e-mail address and a hashed password."""
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        """Create a Django-admin superuser (for operators, not a product role)."""
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: a resident, a member of staff or a volunteer."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "purpose": "Signing in, and naming who did what",
        "lawful_basis": gdpr.PUBLIC_TASK,
        "fields": {
            "email": "contact",
            "full_name": "identity",
            "password": "account",
            "last_login": "account",
        },
        "user": "pk",
    }

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin site (operators only).")
    date_joined = models.DateTimeField(default=timezone.now)
    credential_epoch = models.PositiveIntegerField(
        default=0,
        help_text="Goes up when the password changes, the person signs out everywhere or an administrator "
        "resets their factors: every session and API token of an earlier epoch stops working.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        """The first name to greet someone by; with a title ("Dr Amina Shah") the whole name, since a
        title goes with the name and not alone ("Hello, Dr")."""
        words = self.full_name.split()
        if not words:
            return self.email
        return self.full_name.strip() if words[0].rstrip(".").lower() in TITLES else words[0]

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a changed password (not a new account's first, nor a hash upgrade) starts a new epoch."""
        if self._password is not None and not self._state.adding:  # type: ignore[attr-defined]
            self.credential_epoch += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "credential_epoch"}
        super().save(*args, **kwargs)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Tie sessions to the password and the credential epoch (Django ties them to the password only)."""
        return salted_hmac(
            "commonweal.accounts.User.session_auth_hash",
            f"{self.password}:{self.credential_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Role(models.TextChoices):
    """What a person does in Commonweal; a user may hold several, each with a scope."""

    RESIDENT = "resident", "Resident"
    LINK_WORKER = "link_worker", "Link worker"
    REFERRER = "referrer", "Referrer"
    ORGANISATION_MEMBER = "organisation_member", "Community organisation member"
    COMMUNITY_HEALTH_WORKER = "community_health_worker", "Community health worker"
    FACILITATOR = "facilitator", "Facilitator or volunteer"
    COMMUNITY_ORGANISER = "community_organiser", "Community organiser"
    COMMISSIONER = "commissioner", "Commissioner or analyst"
    ADMINISTRATOR = "administrator", "Administrator"
    VOLUNTEER_COORDINATOR = "volunteer_coordinator", "Volunteer coordinator"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Designated safeguarding lead"


class RoleAssignment(models.Model):
    """One role held by one user, scoped to an organisation or a place."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=30, choices=Role.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    area = models.ForeignKey(
        "places.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="role_assignments"
    )
    granted_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when seeded",
    )
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["role"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(area__isnull=False),
                name="role_assignment_has_scope",
            ),
            # One constraint per shape of scope, because NULLs never compare equal in a unique index.
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=models.Q(area__isnull=True),
                name="role_assignment_unique_in_organisation",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "area"],
                condition=models.Q(organisation__isnull=True),
                name="role_assignment_unique_in_place",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation", "area"],
                condition=models.Q(organisation__isnull=False, area__isnull=False),
                name="role_assignment_unique_in_both",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} — {self.scope_name}"

    @property
    def scope_name(self) -> str:
        """Name the organisation or place the role is held in."""
        if self.organisation_id is not None and self.organisation is not None:
            return self.organisation.name
        return self.area.name if self.area is not None else ""


class ApiToken(models.Model):
    """A bearer token for a machine client, stored only as a SHA-256 digest."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="First characters, to tell tokens apart")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text="The token stops working at this time")
    credential_epoch = models.PositiveIntegerField(
        default=0, help_text="The holder's credential epoch when it was made; works only while it is theirs"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def status(self, now: datetime.datetime | None = None) -> str:
        """Say whether the token works, in words for the tokens page."""
        if self.revoked_at is not None:
            return "Revoked"
        if self.expires_at <= (now or timezone.now()):
            return "Expired"
        if self.credential_epoch != self.user.credential_epoch:
            return "Stopped: your password changed or you signed out everywhere"
        return "Active"

    @staticmethod
    def digest_of(secret: str) -> str:
        """Return the stored digest of a token secret."""
        return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class Passkey(models.Model):
    """A WebAuthn credential (a passkey) a user signs in with as their second factor."""

    personal_data = {  # what it holds about people: commonweal/audit/personal_data.py
        "not_personal": ["name"],  # what the person calls the device, as an API token's name
    }

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(max_length=100, help_text="What the person calls it, e.g. their phone")
    credential_id = models.CharField(max_length=1400, unique=True, help_text="base64url, as sent")
    public_key = models.BinaryField()
    sign_count = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
