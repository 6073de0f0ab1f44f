"""The Open Referral UK 3.0 API: public, read-only, paginated, with CORS, as the UK profile defines it.

Paths, parameters and page shape follow the published OpenAPI document (shipped in
`data/oruk-3.0/openapi.json`). Every answer is JSON; a malformed parameter gets a 400 with a JSON body
that says which parameter and why, never a stack trace.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from commonweal.directory import oruk
from commonweal.directory.models import Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from commonweal.directory.queries import PlaceNotFoundError, SearchRequest, find_place, search_services
from commonweal.directory.schemas import openapi_document
from commonweal.directory.search.schedule import DAYS, ScheduleError, minutes_of
from commonweal.directory.search.text import fold

DEFAULT_PER_PAGE = 50
NO_SUCH_DAY = "none"
MAX_PER_PAGE = 200
_DAY_NAMES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}

ApiView = Callable[..., HttpResponse]


class BadParameterError(ValueError):
    """A query parameter that cannot be understood."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


def _cors(response: HttpResponse) -> HttpResponse:
    # The UK profile asks feeds to allow any origin, so browser-based directory finders can read them.
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response["Access-Control-Allow-Headers"] = "Accept, Content-Type, Authorization"
    response["Access-Control-Max-Age"] = "86400"
    return response


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": code, "detail": message}, status=status)


def oruk_endpoint(view: ApiView) -> ApiView:
    """Wrap an API view: GET/HEAD only, CORS on every answer, clear JSON errors.

    The API is read-only and keeps no session state, so it is exempt from the CSRF check: otherwise a
    POST, PUT or QUERY from a client without a token would get Django's CSRF 403 instead of this 405.
    """

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "OPTIONS":
            return _cors(HttpResponse(status=204))
        if request.method not in {"GET", "HEAD"}:
            refusal = _error(405, "method_not_allowed", "This API is read-only: use GET.")
            refusal["Allow"] = "GET, HEAD, OPTIONS"
            return _cors(refusal)
        response: HttpResponse
        try:
            response = view(request, *args, **kwargs)
        except BadParameterError as error:
            response = _error(400, "bad_parameter", f"{error.name}: {error}")
        except Http404 as error:
            response = _error(404, "not_found", str(error) or "Nothing was found with this id.")
        return _cors(response)

    return cast(ApiView, wrapped)


def _integer(request: HttpRequest, name: str, default: int) -> int:
    raw = request.GET.get(name, "")
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise BadParameterError(name, f"“{raw}” is not a whole number.") from error


def _number(request: HttpRequest, name: str) -> float | None:
    raw = request.GET.get(name, "")
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError as error:
        raise BadParameterError(name, f"“{raw}” is not a number.") from error
    if not math.isfinite(value):
        raise BadParameterError(name, f"“{raw}” is not a finite number.")
    return value


def _page(
    request: HttpRequest, total: int, contents: Callable[[int, int], list[dict[str, Any]]]
) -> JsonResponse:
    per_page = _integer(request, "per_page", DEFAULT_PER_PAGE)
    # Values the document allows but that make no sense are read generously, as a person would expect.
    per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, MAX_PER_PAGE)
    page = max(1, _integer(request, "page", 1))
    total_pages = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    items = contents(start, start + per_page) if start < total else []
    return JsonResponse(
        {
            "total_items": total,
            "total_pages": total_pages,
            "page_number": page,
            "size": len(items),
            "first_page": page == 1,
            "last_page": page >= total_pages,
            "empty": not items,
            "contents": items,
        }
    )


def _uuid_or_none(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _day(request: HttpRequest) -> str:
    raw = request.GET.get("day", "").strip()
    if not raw:
        return ""
    code = raw.upper()[:2] if raw.upper()[:2] in DAYS and len(raw) <= 3 else _DAY_NAMES.get(fold(raw), "")
    # The document types `day` as any string ("services with a day equal to the value"): a value that
    # is no day of the week is answered, correctly, with no services rather than an error.
    return code or NO_SUCH_DAY


def _time(request: HttpRequest, name: str) -> int | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    try:
        return minutes_of(raw)
    except ScheduleError as error:
        raise BadParameterError(name, str(error)) from error


def _term_ids(request: HttpRequest) -> frozenset[int] | None:
    """Return the term ids to filter on; an unknown id gives an empty set (nothing matches)."""
    found: set[int] = set()
    asked = False
    term_value = request.GET.get("taxonomy_term_id", "").strip()
    if term_value:
        asked = True
        term_uuid = _uuid_or_none(term_value)
        if term_uuid:
            found.update(TaxonomyTerm.objects.filter(oruk_id=term_uuid).values_list("pk", flat=True))
    taxonomy_value = request.GET.get("taxonomy_id", "").strip()
    if taxonomy_value:
        asked = True
        taxonomy_uuid = _uuid_or_none(taxonomy_value)
        if taxonomy_uuid:
            in_taxonomy = set(
                TaxonomyTerm.objects.filter(taxonomy__oruk_id=taxonomy_uuid).values_list("pk", flat=True)
            )
            found = (found & in_taxonomy) if term_value else in_taxonomy
    return frozenset(found) if asked else None


def _filtered_services(request: HttpRequest) -> QuerySet[Service] | list[int]:
    """Return the services a list request asks for: ranked ids when searching, else a queryset."""
    term_ids = _term_ids(request)
    day = _day(request)
    start, end = _time(request, "start_time"), _time(request, "end_time")
    minimum_age, maximum_age = _number(request, "minimum_age"), _number(request, "maximum_age")
    text = request.GET.get("search", "").strip()
    postcode = request.GET.get("postcode", "").strip()
    proximity_text = request.GET.get("proximity", "").strip()
    try:
        proximity = float(proximity_text) if proximity_text else None
    except ValueError:
        return []  # typed as a string in the document: "within 'abc' metres" matches nothing
    if proximity is not None and not math.isfinite(proximity):
        return []
    if (term_ids is not None and not term_ids) or day == NO_SUCH_DAY:
        return []
    services = Service.objects.filter(status=Service.Status.ACTIVE)
    if minimum_age is not None:
        services = services.filter(minimum_age__gte=minimum_age)
    if maximum_age is not None:
        services = services.filter(maximum_age__lte=maximum_age)
    if text or postcode or day or start is not None or end is not None:
        centre = label = None
        if postcode:
            try:
                centre, label = find_place(postcode)
            except PlaceNotFoundError:
                return []
        window = None
        if start is not None or end is not None:
            window = (start or 0, end if end is not None and end > (start or 0) else 24 * 60)
        results = search_services(
            SearchRequest(
                text=text[:500],
                term_ids=term_ids or frozenset(),
                centre=centre,
                centre_label=label or "",
                radius_km=(proximity / 1000)
                if (centre is not None and proximity and proximity > 0)
                else None,
                day=day,
                window=window if day else None,
            )
        )
        ranked = [result.service_id for result in results.results]
        if (window is not None and not day) or minimum_age is not None or maximum_age is not None:
            allowed = set(services.filter(pk__in=ranked).values_list("pk", flat=True))
            if window is not None and not day:
                allowed &= _open_in_window(window, ranked)
            ranked = [service_id for service_id in ranked if service_id in allowed]
        return ranked
    if term_ids is not None:
        services = services.filter(service_terms__term_id__in=term_ids).distinct()
    return services.order_by("name", "pk")


def _open_in_window(window: tuple[int, int], service_ids: list[int]) -> set[int]:
    from commonweal.directory.models import SearchDocument
    from commonweal.directory.search.schedule import unpack

    found = set()
    for service_id, packed in SearchDocument.objects.filter(service_id__in=service_ids).values_list(
        "service_id", "sessions"
    ):
        if any(session.overlaps(*window) for session in unpack(packed)):
            found.add(service_id)
    return found


def _summaries(service_ids: list[int]) -> list[dict[str, Any]]:
    services = Service.objects.select_related("organisation").in_bulk(service_ids)
    return [
        oruk.service_summary(services[service_id]) for service_id in service_ids if service_id in services
    ]


@oruk_endpoint
def api_root(request: HttpRequest) -> HttpResponse:
    """Describe this API: its HSDS version, profile and OpenAPI document."""
    return JsonResponse(
        {
            "version": "HSDS-UK-3.0",
            "profile": oruk.PROFILE_URL,
            "openapi_url": request.build_absolute_uri("openapi.json"),
        }
    )


@oruk_endpoint
def openapi(request: HttpRequest) -> HttpResponse:
    """Serve the published ORUK 3.0 OpenAPI document this API conforms to."""
    return JsonResponse(openapi_document())


@oruk_endpoint
def service_list(request: HttpRequest) -> HttpResponse:
    """List services (one-to-one fields), searchable and filterable as the profile defines."""
    found = _filtered_services(request)
    if isinstance(found, list):
        return _page(request, len(found), lambda start, end: _summaries(found[start:end]))
    queryset = found.select_related("organisation")
    return _page(
        request,
        queryset.count(),
        lambda start, end: [oruk.service_summary(service) for service in queryset[start:end]],
    )


@oruk_endpoint
def service_detail(request: HttpRequest, service_id: str) -> HttpResponse:
    """Return one service, fully nested."""
    key = _uuid_or_none(service_id)
    service = oruk.full_services(Service.objects.filter(oruk_id=key)).first() if key else None
    if service is None:
        raise Http404(f"No service has the id “{service_id}”.")
    return JsonResponse(oruk.service_document(service))


@oruk_endpoint
def service_at_location_list(request: HttpRequest) -> HttpResponse:
    """List services at locations, with the same filters plus postcode and proximity."""
    found = _filtered_services(request)
    links = ServiceAtLocation.objects.select_related("location", "service__organisation")
    if isinstance(found, list):
        order = {service_id: index for index, service_id in enumerate(found)}
        rows = sorted(links.filter(service_id__in=found), key=lambda link: (order[link.service_id], link.pk))
        return _page(
            request,
            len(rows),
            lambda start, end: [oruk.service_at_location_summary(row) for row in rows[start:end]],
        )
    queryset = links.filter(service__in=found).order_by("service__name", "pk")
    return _page(
        request,
        queryset.count(),
        lambda start, end: [oruk.service_at_location_summary(row) for row in queryset[start:end]],
    )


@oruk_endpoint
def service_at_location_detail(request: HttpRequest, link_id: str) -> HttpResponse:
    """Return the service of one service-at-location, fully nested (as the profile's document says)."""
    key = _uuid_or_none(link_id)
    link = ServiceAtLocation.objects.filter(oruk_id=key).first() if key else None
    if link is None:
        raise Http404(f"No service at location has the id “{link_id}”.")
    service = oruk.full_services(Service.objects.filter(pk=link.service_id)).get()
    return JsonResponse(oruk.service_document(service))


@oruk_endpoint
def taxonomy_list(request: HttpRequest) -> HttpResponse:
    """List taxonomies."""
    taxonomies = Taxonomy.objects.order_by("name", "pk")
    return _page(
        request,
        taxonomies.count(),
        lambda start, end: [oruk.taxonomy_document(item) for item in taxonomies[start:end]],
    )


@oruk_endpoint
def taxonomy_detail(request: HttpRequest, taxonomy_id: str) -> HttpResponse:
    """Return one taxonomy."""
    key = _uuid_or_none(taxonomy_id)
    taxonomy = Taxonomy.objects.filter(oruk_id=key).first() if key else None
    if taxonomy is None:
        raise Http404(f"No taxonomy has the id “{taxonomy_id}”.")
    return JsonResponse(oruk.taxonomy_document(taxonomy))


@oruk_endpoint
def taxonomy_term_list(request: HttpRequest) -> HttpResponse:
    """List taxonomy terms (optionally of one taxonomy)."""
    terms = TaxonomyTerm.objects.select_related("taxonomy", "parent").order_by("taxonomy__name", "name", "pk")
    taxonomy_value = request.GET.get("taxonomy_id", "").strip()
    if taxonomy_value:
        key = _uuid_or_none(taxonomy_value)
        terms = terms.filter(taxonomy__oruk_id=key) if key else terms.none()
    search = request.GET.get("search", "").strip()
    if search:
        terms = terms.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return _page(
        request, terms.count(), lambda start, end: [oruk.term_document(term) for term in terms[start:end]]
    )


@oruk_endpoint
def taxonomy_term_detail(request: HttpRequest, term_id: str) -> HttpResponse:
    """Return one taxonomy term."""
    key = _uuid_or_none(term_id)
    term = (
        TaxonomyTerm.objects.select_related("taxonomy", "parent").filter(oruk_id=key).first() if key else None
    )
    if term is None:
        raise Http404(f"No taxonomy term has the id “{term_id}”.")
    return JsonResponse(oruk.term_document(term))
