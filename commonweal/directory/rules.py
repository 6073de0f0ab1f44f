"""Who may do what in the directory: named predicates, read by actions (which refuse) and views (early).

Anyone may read the directory. A steward looks after all of it; an organisation looks after the
entries it owns. Nothing here writes.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.directory.models import Service, Suggestion
from commonweal.organisations.models import Organisation
from commonweal.organisations.queries import organisation_ids_of


def is_steward(user: User | AnonymousUser) -> bool:
    """Tell whether the user stewards the whole directory."""
    return can(user, Capability.STEWARD_DIRECTORY)


def may_add_service(user: User | AnonymousUser, owner: Organisation | None) -> bool:
    """A steward may add any entry; an organisation may add an entry that it will own itself."""
    if is_steward(user):
        return True
    return (
        can(user, Capability.MAINTAIN_DIRECTORY_ENTRIES)
        and owner is not None
        and owner.pk in organisation_ids_of(user)
    )


def may_edit_service(user: User | AnonymousUser, service: Service) -> bool:
    """Only a directory steward, or a member of the organisation that owns the entry, may change it."""
    if is_steward(user):
        return True
    return (
        can(user, Capability.MAINTAIN_DIRECTORY_ENTRIES)
        and service.owner_id is not None
        and service.owner_id in organisation_ids_of(user)
    )


def may_suggest(user: User | AnonymousUser) -> bool:
    """Anyone signed in may suggest a new entry or a change; a steward reviews it."""
    return user.is_authenticated and user.is_active


def may_claim(user: User | AnonymousUser, service: Service, organisation: Organisation) -> bool:
    """A member may ask for their organisation to look after an entry it does not already own."""
    return (
        can(user, Capability.MAINTAIN_DIRECTORY_ENTRIES)
        and organisation.pk in organisation_ids_of(user)
        and service.owner_id != organisation.pk
    )


def may_offer_claim(user: User | AnonymousUser, service: Service) -> bool:
    """Tell whether to offer the user the claim button: they maintain entries and do not own this one."""
    return can(user, Capability.MAINTAIN_DIRECTORY_ENTRIES) and service.owner_id not in organisation_ids_of(
        user
    )


def may_review_suggestion(user: User | AnonymousUser, suggestion: Suggestion) -> bool:
    """Only a directory steward may accept or reject a suggestion or a claim."""
    return is_steward(user)


def may_import(user: User | AnonymousUser) -> bool:
    """Only a directory steward may import entries or taxonomies."""
    return is_steward(user)
