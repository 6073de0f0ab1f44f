"""System check: a URL that names a person must be served by a view that logs access to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.checks import Error, Tags, register
from django.urls import URLPattern, URLResolver, get_resolver

from commonweal.audit.views import PERSON_URL_KEYWORDS, PersonRecordView


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


@register(Tags.security)
def person_views_are_audited(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Refuse any URL with a person keyword whose view does not derive from PersonRecordView."""
    errors: list[Error] = []
    for route, pattern in _patterns(get_resolver()):
        if not PERSON_URL_KEYWORDS & set(pattern.pattern.converters):
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        audited = view_class is not None and issubclass(view_class, PersonRecordView)
        declared_free = getattr(view_class or pattern.callback, "shows_no_person_data", False)
        if not (audited or declared_free):
            errors.append(
                Error(
                    f"The URL {route!r} names a person but its view does not log access.",
                    hint="Build it on commonweal.audit.views.PersonRecordView.",
                    id="commonweal.E001",
                )
            )
    return errors
