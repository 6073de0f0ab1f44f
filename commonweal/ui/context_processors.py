"""Values every page's shell needs: service name, place and the navigation for the user's roles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.urls import reverse

from commonweal.accounts.permissions import navigation_for
from commonweal.places.models import Area


@dataclass(frozen=True)
class ShownLink:
    label: str
    href: str
    current: bool


def _place_name() -> str:
    borough = (
        Area.objects.filter(kind=Area.Kind.BOROUGH).order_by("pk").values_list("name", flat=True).first()
    )
    return borough or ""


def shell(request: HttpRequest) -> dict[str, Any]:
    """Return the service name, the place and the user's navigation links."""
    # A request refused before AuthenticationMiddleware ran (a Host header not in ALLOWED_HOSTS, which
    # CommonMiddleware turns into the 400 page) has no user: its error page shows no navigation.
    user = getattr(request, "user", None) or AnonymousUser()
    links = []
    for item in navigation_for(user):
        href = reverse(item.url_name)
        links.append(ShownLink(item.label, href, request.path == href))
    return {
        "service_name": settings.COMMONWEAL_SERVICE_NAME,
        "place_name": _place_name(),
        "navigation_links": links,
    }
