"""Directory records as Open Referral UK 3.0 documents (the API, exports and every entry's history).

Empty values are left out rather than sent as null or "", because the UK schemas type most fields as
plain strings and check formats (uri, email, uuid) on any value present. Capacity has no field in ORUK
3.0, so it travels as an attribute whose term comes from Commonweal's capacity taxonomy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from commonweal.directory.models import (
    Accessibility,
    DirectoryOrganisation,
    Location,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    Taxonomy,
    TaxonomyTerm,
)

HSDS_VERSION = "3.0"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile/blob/main/docs/index.md"
OPENAPI_URL = "https://openreferraluk.org/specifications/3.0/openapi.json"
CAPACITY_TAXONOMY_CODE = "commonweal-capacity"


def clean(document: dict[str, Any]) -> dict[str, Any]:
    """Drop keys whose value is None or an empty string (lists and zero are kept)."""
    return {key: value for key, value in document.items() if value is not None and value != ""}


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: datetime.time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value else None


def _number(value: Decimal | int | None) -> int | float | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def taxonomy_document(taxonomy: Taxonomy) -> dict[str, Any]:
    """Return a taxonomy as ORUK 3.0 (without its terms)."""
    return clean(
        {
            "id": str(taxonomy.oruk_id),
            "name": taxonomy.name,
            "description": taxonomy.description or taxonomy.name,
            "uri": taxonomy.uri,
            "version": taxonomy.version,
        }
    )


def term_document(term: TaxonomyTerm) -> dict[str, Any]:
    """Return a taxonomy term as ORUK 3.0."""
    return clean(
        {
            "id": str(term.oruk_id),
            "code": term.code,
            "term": term.code,
            "name": term.name,
            "description": term.description or term.name,
            "parent_id": str(term.parent.oruk_id) if term.parent_id and term.parent else None,
            "taxonomy": term.taxonomy.name,
            "taxonomy_id": str(term.taxonomy.oruk_id),
            "term_uri": term.term_uri,
        }
    )


def organisation_document(organisation: DirectoryOrganisation) -> dict[str, Any]:
    """Return an organisation as ORUK 3.0 (one-to-one fields)."""
    return clean(
        {
            "id": str(organisation.oruk_id),
            "name": organisation.name,
            "description": organisation.description or organisation.name,
            "email": organisation.email,
            "website": organisation.website,
            "uri": organisation.uri,
            "logo": organisation.logo,
        }
    )


def service_summary(service: Service) -> dict[str, Any]:
    """Return a service's one-to-one fields and its organisation (the list shape)."""
    return clean(
        {
            "id": str(service.oruk_id),
            "organization_id": str(service.organisation.oruk_id),
            "name": service.name,
            "description": service.description,
            "url": service.url,
            "email": service.email,
            "status": service.status,
            "fees": service.fees_description,
            "accreditations": service.accreditations,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "assured_date": _date(service.assured_date),
            "assurer_email": service.assurer_email,
            "alert": service.alert,
            "last_modified": service.last_modified.isoformat().replace("+00:00", "Z"),
            "organization": organisation_document(service.organisation),
        }
    )


def schedule_document(schedule: Schedule) -> dict[str, Any]:
    """Return a schedule as ORUK 3.0; a closure says so in its description."""
    description = schedule.description
    if schedule.is_closure and not description.lower().startswith("closed"):
        description = f"Closed. {description}".strip()
    return clean(
        {
            "id": str(schedule.oruk_id),
            "service_id": str(schedule.service.oruk_id) if schedule.service_id and schedule.service else None,
            "service_at_location_id": (
                str(schedule.service_at_location.oruk_id)
                if schedule.service_at_location_id and schedule.service_at_location
                else None
            ),
            "valid_from": _date(schedule.valid_from),
            "valid_to": _date(schedule.valid_to),
            "dtstart": _date(schedule.dtstart),
            "freq": schedule.freq,
            "interval": schedule.interval,
            "byday": schedule.byday,
            "bymonthday": schedule.bymonthday,
            "description": description,
            "opens_at": _time(schedule.opens_at),
            "closes_at": _time(schedule.closes_at),
            "attending_type": schedule.attending_type,
            "notes": schedule.notes,
        }
    )


def accessibility_document(feature: Accessibility) -> dict[str, Any]:
    """Return an accessibility feature as ORUK 3.0."""
    return clean(
        {
            "id": str(feature.oruk_id),
            "location_id": str(feature.location.oruk_id),
            "description": feature.description or feature.label,
            "accessibility": feature.label,
            "details": feature.details,
            "url": feature.url,
        }
    )


def location_document(location: Location) -> dict[str, Any]:
    """Return a location with its address and accessibility as ORUK 3.0."""
    addresses = []
    if location.address_1 and location.postal_code:
        addresses.append(
            {
                "id": str(location.oruk_id),
                "location_id": str(location.oruk_id),
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.state_province or location.region,
                "postal_code": location.postal_code,
                "country": location.country or "GB",
                "address_type": "postal" if location.location_type == Location.Kind.POSTAL else "physical",
            }
        )
        if location.region:
            addresses[0]["region"] = location.region
    return clean(
        {
            "id": str(location.oruk_id),
            "location_type": location.location_type,
            "name": location.name,
            "description": location.description,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": addresses,
            "accessibility": [accessibility_document(feature) for feature in location.accessibility.all()],
        }
    )


def _attribute(link: ServiceTerm) -> dict[str, Any]:
    return {
        "id": str(link.oruk_id),
        "link_id": str(link.service.oruk_id),
        "link_type": "service",
        "link_entity": "service",
        "taxonomy_term_id": str(link.term.oruk_id),
        "taxonomy_term": term_document(link.term),
    }


def service_document(service: Service) -> dict[str, Any]:
    """Return a service fully nested, as `/services/{id}` answers (UK 3.0 compiled service)."""
    document = service_summary(service)
    document["schedules"] = [schedule_document(schedule) for schedule in service.schedules.all()]
    document["service_areas"] = [
        clean(
            {
                "id": str(area.oruk_id),
                "service_id": str(service.oruk_id),
                "name": area.name,
                "description": area.description,
                "extent": area.extent,
                "extent_type": area.extent_type,
                "uri": area.uri,
            }
        )
        for area in service.service_areas.all()
    ]
    document["service_at_locations"] = [
        clean(
            {
                "id": str(link.oruk_id),
                "service_id": str(service.oruk_id),
                "location_id": str(link.location.oruk_id),
                "description": link.description,
                "schedules": [schedule_document(schedule) for schedule in link.schedules.all()],
                "location": location_document(link.location),
            }
        )
        for link in service.service_at_locations.all()
    ]
    document["languages"] = [
        clean(
            {
                "id": str(language.oruk_id),
                "service_id": str(service.oruk_id),
                "name": language.name,
                "code": language.code,
                "note": language.note,
            }
        )
        for language in service.languages.all()
    ]
    document["funding"] = [
        {"id": str(funding.oruk_id), "service_id": str(service.oruk_id), "source": funding.source}
        for funding in service.funding.all()
    ]
    document["cost_options"] = [
        clean(
            {
                "id": str(cost.oruk_id),
                "service_id": str(service.oruk_id),
                "valid_from": _date(cost.valid_from),
                "valid_to": _date(cost.valid_to),
                "option": cost.option,
                "amount": _number(cost.amount),
                "currency": cost.currency if cost.amount is not None else None,
                "amount_description": cost.amount_description,
            }
        )
        for cost in service.cost_options.all()
    ]
    document["contacts"] = [
        clean(
            {
                "id": str(contact.oruk_id),
                "service_id": str(service.oruk_id),
                "name": contact.name,
                "title": contact.title,
                "email": contact.email,
                "phones": (
                    [
                        {
                            "id": str(contact.phone_oruk_id),
                            "contact_id": str(contact.oruk_id),
                            "number": contact.phone,
                        }
                    ]
                    if contact.phone
                    else []
                ),
            }
        )
        for contact in service.contacts.all()
    ]
    document["attributes"] = [_attribute(link) for link in service.service_terms.all()]
    return document


def service_at_location_summary(link: ServiceAtLocation) -> dict[str, Any]:
    """Return a service at a location in the list shape (one-to-one fields, service and location)."""
    location = link.location
    return clean(
        {
            "id": str(link.oruk_id),
            "service_id": str(link.service.oruk_id),
            "location_id": str(location.oruk_id),
            "location": clean(
                {
                    "id": str(location.oruk_id),
                    "location_type": location.location_type,
                    "name": location.name,
                    "description": location.description,
                    "latitude": location.latitude,
                    "longitude": location.longitude,
                }
            ),
            "service": service_summary(link.service),
        }
    )


def full_services(services: QuerySet[Service]) -> QuerySet[Service]:
    """Prefetch everything `service_document` reads, so a page of services costs a fixed few queries."""
    terms = ServiceTerm.objects.select_related("term__taxonomy", "term__parent", "service")
    locations = ServiceAtLocation.objects.select_related("location", "service").prefetch_related(
        Prefetch("location__accessibility", queryset=Accessibility.objects.select_related("location")),
        Prefetch("schedules", queryset=Schedule.objects.select_related("service", "service_at_location")),
    )
    return services.select_related("organisation").prefetch_related(
        Prefetch("schedules", queryset=Schedule.objects.select_related("service", "service_at_location")),
        "service_areas",
        Prefetch("service_at_locations", queryset=locations),
        "languages",
        "funding",
        "cost_options",
        "contacts",
        Prefetch("service_terms", queryset=terms),
    )


def documents_of(services: Iterable[Service]) -> list[dict[str, Any]]:
    """Return the full ORUK document of each service."""
    return [service_document(service) for service in services]
