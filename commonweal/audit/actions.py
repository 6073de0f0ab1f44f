"""Writing to the audit: one view of a person-level record, or one write made through an action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from commonweal.audit.models import AuditEvent, RecordAccess

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User


@dataclass(frozen=True)
class AccessGrant:
    """Why a viewer may see a record: a reason from RecordAccess.Reason and any detail."""

    reason: str
    detail: str = ""


def record_access(
    *,
    viewer: User,
    subject: models.Model,
    subject_user: User | None,
    grant: AccessGrant,
    path: str = "",
) -> RecordAccess | None:
    """Log one view of a person-level record; a person reading their own record is not logged."""
    if subject_user is not None and subject_user.pk == viewer.pk:
        return None
    return RecordAccess.objects.create(
        viewer=viewer,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        subject_user=subject_user,
        reason=grant.reason,
        detail=grant.detail,
        path=path[:500],
    )


def record_event(
    *, by: User | None, action: str, target: models.Model | None = None, **detail: Any
) -> AuditEvent:
    """Record a write made through an action (who, what, which record)."""
    return AuditEvent.objects.create(
        actor=by,
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=target.pk if target is not None else None,
        detail=detail,
    )
