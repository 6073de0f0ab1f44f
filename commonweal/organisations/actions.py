"""Write use cases for organisations."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from commonweal.accounts.audit import record_event
from commonweal.accounts.models import User
from commonweal.organisations.models import Organisation


@transaction.atomic
def register_organisation(*, by: User | None, **fields: Any) -> Organisation:
    """Add an organisation to Commonweal."""
    organisation = Organisation.objects.create(**fields)
    record_event(by=by, action="organisations.register", target=organisation, name=organisation.name)
    return organisation
