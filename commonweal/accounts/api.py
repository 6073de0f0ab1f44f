"""JSON API about the caller: who they are and what their roles allow."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from commonweal.accounts.permissions import capabilities_of, roles_of

router = Router(tags=["accounts"])


class MeOut(Schema):
    email: str
    full_name: str
    roles: list[str]
    capabilities: list[str]


@router.get("/me", response=MeOut, summary="Who am I")
def me(request: HttpRequest) -> MeOut:
    """Return the caller's name, roles and capabilities."""
    user = request.user
    return MeOut(
        email=getattr(user, "email", ""),
        full_name=getattr(user, "full_name", ""),
        roles=sorted(role.value for role in roles_of(user)),
        capabilities=sorted(capability.value for capability in capabilities_of(user)),
    )
