"""Who may act on a person's data protection rights: named predicates; nothing here writes."""

from __future__ import annotations

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.people.models import Person


def may_erase_personal_data(user: User, person: Person) -> bool:
    """Only an administrator (who manages people's access) carries out a request for erasure."""
    return person.pk is not None and can(user, Capability.MANAGE_ACCESS)
