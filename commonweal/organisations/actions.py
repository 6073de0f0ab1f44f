"""Write use cases for organisations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from commonweal.audit.actions import record_event
from commonweal.organisations import rules
from commonweal.organisations.models import Organisation

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User


@transaction.atomic
def register_organisation(*, by: User, **fields: Any) -> Organisation:
    """Add an organisation to Commonweal."""
    if not rules.may_register_organisation(by):
        raise PermissionDenied("Only an administrator can add an organisation.")
    organisation = Organisation.objects.create(**fields)
    record_event(by=by, action="organisations.register", target=organisation, name=organisation.name)
    return organisation
