"""JSON API for organisations."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Router, Schema

from commonweal.organisations import rules
from commonweal.organisations.models import Organisation

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    ods_code: str
    parent_id: int | None


@router.get("/organisations", response=list[OrganisationOut], summary="List organisations")
def list_organisations(request: HttpRequest, kind: Organisation.Kind | None = None) -> list[OrganisationOut]:
    """Return active organisations, optionally of one kind."""
    if not rules.may_list_organisations(request.user):
        raise PermissionDenied("Your roles do not allow listing organisations.")
    found = Organisation.objects.filter(is_active=True)
    if kind is not None:
        found = found.filter(kind=kind)
    return [
        OrganisationOut(id=o.pk, kind=o.kind, name=o.name, ods_code=o.ods_code, parent_id=o.parent_id)
        for o in found
    ]
