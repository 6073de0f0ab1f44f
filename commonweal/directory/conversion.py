"""Turning other directory formats into ORUK 3.0 service documents (pure: no Django).

Every importer speaks one language inside: the fully nested ORUK 3.0 service document. ORUK v1 feed
records and HSDS CSV data packages (HSDS 1.1 as in Open Referral's sample, and HSDS 3.0 tables) are
converted here; identifiers that are not UUIDs become stable UUIDs derived from the source and the
original identifier, so importing the same file twice finds the same records.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# A fixed namespace for identifiers derived from non-UUID source identifiers.
IMPORT_NAMESPACE = uuid.UUID("3f1b9a64-0d7e-4c52-8a57-6a1c1c0de0a1")
_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
_WEEKDAY_NAMES = {
    "monday": "MO",
    "tuesday": "TU",
    "wednesday": "WE",
    "thursday": "TH",
    "friday": "FR",
    "saturday": "SA",
    "sunday": "SU",
}


def stable_id(source: str, value: Any) -> str:
    """Return `value` if it is a UUID, else a UUID derived from the source and the value."""
    text = str(value or "").strip()
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return str(uuid.uuid5(IMPORT_NAMESPACE, f"{source}:{text}"))


def _put(document: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != "" and value != []:
        document[key] = value


def _number(value: Any) -> Any:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value  # left for the schema check to reject with its own message
    return int(number) if number.is_integer() else number


def weekday_code(value: Any) -> str:
    """Read a weekday as 1–7 (ISO, Monday is 1), a name or an iCal code; '' when it is none of these."""
    text = str(value or "").strip()
    if text.isdigit() and 1 <= int(text) <= 7:
        return _WEEKDAYS[int(text) - 1]
    if text.upper() in _WEEKDAYS:
        return text.upper()
    return _WEEKDAY_NAMES.get(text.lower(), "")


# ---------------------------------------------------------------- ORUK v1 ------------------------------


def _v1_schedule(row: dict[str, Any], source: str, *, closed: bool = False) -> dict[str, Any]:
    key = row.get("id") or repr(sorted(row.items()))
    # Holiday and regular schedules are separate tables in v1 and HSDS 1.1, and samples reuse ids
    # across them; a closure's id is derived, so the two can never collide once merged.
    schedule: dict[str, Any] = {
        "id": stable_id(source, f"closed:{key}") if closed else stable_id(source, key)
    }
    byday = row.get("byday") or weekday_code(row.get("weekday"))
    _put(schedule, "freq", str(row.get("freq") or ("WEEKLY" if byday else "")).upper())
    _put(schedule, "interval", _number(row.get("interval")))
    _put(schedule, "byday", byday)
    _put(schedule, "opens_at", row.get("opens_at"))
    _put(schedule, "closes_at", row.get("closes_at"))
    _put(schedule, "valid_from", row.get("valid_from") or row.get("start_date"))
    _put(schedule, "valid_to", row.get("valid_to") or row.get("end_date"))
    _put(schedule, "dtstart", row.get("dtstart"))
    description = str(row.get("description") or "")
    if closed and not description.lower().startswith("closed"):
        description = f"Closed. {description}".strip()
    _put(schedule, "description", description)
    return schedule


def _v1_organisation(organisation: dict[str, Any], source: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": stable_id(source, organisation.get("id"))}
    _put(found, "name", organisation.get("name"))
    _put(found, "description", organisation.get("description") or organisation.get("name"))
    _put(found, "email", organisation.get("email"))
    _put(found, "website", organisation.get("url") or organisation.get("website"))
    _put(found, "logo", organisation.get("logo"))
    _put(found, "uri", organisation.get("uri"))
    return found


def _v1_location_link(link: dict[str, Any], source: str) -> dict[str, Any]:
    """Return one v1 service-at-location with its location, addresses, accessibility and schedules."""
    location = link.get("location") or {}
    converted: dict[str, Any] = {
        "id": stable_id(source, location.get("id") or link.get("id")),
        "location_type": "physical",
    }
    for key in ("name", "description"):
        _put(converted, key, location.get(key))
    _put(converted, "latitude", _number(location.get("latitude")))
    _put(converted, "longitude", _number(location.get("longitude")))
    converted["addresses"] = [
        {
            "id": stable_id(source, address.get("id") or f"{converted['id']}:address"),
            "address_1": str(address.get("address_1") or ""),
            "city": str(address.get("city") or ""),
            "state_province": str(address.get("state_province") or ""),
            "postal_code": str(address.get("postal_code") or ""),
            "country": str(address.get("country") or "GB")[:2],
            "address_type": "physical",
        }
        for address in location.get("physical_addresses") or []
    ]
    converted["accessibility"] = [
        {
            "id": stable_id(source, row.get("id") or f"{converted['id']}:{row.get('accessibility')}"),
            "description": str(row.get("accessibility") or ""),
            "details": str(row.get("details") or ""),
        }
        for row in location.get("accessibility_for_disabilities") or []
    ]
    return {
        "id": stable_id(source, link.get("id") or converted["id"]),
        "location": converted,
        "schedules": [_v1_schedule(row, source) for row in link.get("regular_schedules") or []],
    }


def _v1_contact(row: dict[str, Any], source: str) -> dict[str, Any]:
    contact: dict[str, Any] = {"id": stable_id(source, row.get("id") or row.get("name"))}
    _put(contact, "name", row.get("name"))
    _put(contact, "title", row.get("title"))
    phones = [phone for phone in row.get("phones") or [] if phone.get("number")]
    if phones:
        contact["phones"] = [
            {"id": stable_id(source, phones[0].get("id")), "number": str(phones[0]["number"])}
        ]
    return contact


def _v1_attributes(service: dict[str, Any], document_id: str, source: str) -> list[dict[str, Any]]:
    """Return the v1 service's taxonomy rows as ORUK 3.0 attributes (rows without a name are skipped)."""
    attributes = []
    for row in service.get("service_taxonomys") or []:
        taxonomy = row.get("taxonomy") or {}
        if not taxonomy.get("name"):
            continue
        term_id = stable_id(source, f"{taxonomy.get('vocabulary')}:{taxonomy.get('id')}")
        term: dict[str, Any] = {
            "id": term_id,
            "code": str(taxonomy.get("id") or taxonomy.get("name")),
            "name": str(taxonomy["name"]),
            "description": str(taxonomy["name"]),
            "taxonomy": str(taxonomy.get("vocabulary") or "Imported"),
        }
        attributes.append(
            {
                "id": stable_id(source, row.get("id") or f"{document_id}:{term_id}"),
                "taxonomy_term_id": term_id,
                "link_type": "service",
                "taxonomy_term": term,
            }
        )
    return attributes


def oruk1_service_to_oruk3(service: dict[str, Any], source: str) -> dict[str, Any]:
    """Convert one ORUK v1 `/services/{id}` record to an ORUK 3.0 service document."""
    document: dict[str, Any] = {"id": stable_id(source, service.get("id"))}
    organisation = service.get("organization") or {}
    if organisation:
        document["organization"] = _v1_organisation(organisation, source)
        document["organization_id"] = document["organization"]["id"]
    for key in ("name", "description", "url", "email", "status", "fees", "accreditations", "assured_date"):
        _put(document, key, service.get(key))
    document.setdefault("status", "active")
    eligibilities = service.get("eligibilitys") or []
    ages = [
        row for row in eligibilities if row.get("minimum_age") not in (None, "") or row.get("maximum_age")
    ]
    if ages:
        _put(document, "minimum_age", _number(ages[0].get("minimum_age")))
        _put(document, "maximum_age", _number(ages[0].get("maximum_age")))
    _put(
        document,
        "eligibility_description",
        "; ".join(str(row.get("eligibility")) for row in eligibilities if row.get("eligibility")),
    )
    schedules = [_v1_schedule(row, source) for row in service.get("regular_schedules") or []]
    schedules += [_v1_schedule(row, source, closed=True) for row in service.get("holiday_schedules") or []]
    document["schedules"] = schedules
    document["service_at_locations"] = [
        _v1_location_link(link, source) for link in service.get("service_at_locations") or []
    ]
    document["cost_options"] = [
        {
            key: value
            for key, value in {
                "id": stable_id(source, row.get("id") or repr(sorted(row.items()))),
                "option": row.get("option"),
                "amount": _number(row.get("amount")),
                "amount_description": row.get("amount_description"),
                "valid_from": row.get("valid_from"),
                "valid_to": row.get("valid_to"),
            }.items()
            if value not in (None, "")
        }
        for row in service.get("cost_options") or []
    ]
    document["languages"] = [
        {
            "id": stable_id(source, row.get("id") or row.get("language")),
            "name": str(row.get("language") or ""),
        }
        for row in service.get("languages") or []
        if row.get("language")
    ]
    document["contacts"] = [_v1_contact(row, source) for row in service.get("contacts") or []]
    document["service_areas"] = [
        {
            key: value
            for key, value in {
                "id": stable_id(source, row.get("id") or row.get("service_area")),
                "name": row.get("service_area"),
                "extent": row.get("extent"),
                "uri": row.get("uri"),
            }.items()
            if value not in (None, "")
        }
        for row in service.get("service_areas") or []
    ]
    document["funding"] = [
        {"id": stable_id(source, row.get("id") or row.get("source")), "source": str(row.get("source"))}
        for row in service.get("fundings") or []
        if row.get("source")
    ]
    document["attributes"] = _v1_attributes(service, document["id"], source)
    return document


def oruk1_records(data: Any) -> list[dict[str, Any]]:
    """Return the service records of a v1 feed page (`content`), a list of records, or one record."""
    if isinstance(data, dict) and isinstance(data.get("content"), list):
        return [record for record in data["content"] if isinstance(record, dict)]
    if isinstance(data, list):
        return [record for record in data if isinstance(record, dict)]
    if isinstance(data, dict) and "id" in data:
        return [data]
    raise ValueError(
        "This is not an ORUK v1 feed: expected a page with 'content', a list of services, or one service."
    )


# ---------------------------------------------------------------- HSDS CSV packages --------------------

# HSDS 1.1 table names mapped to their HSDS 3.0 equivalents.
_TABLE_ALIASES = {
    "services_at_location": "service_at_location",
    "regular_schedules": "schedules",
    "accessibility_for_disabilities": "accessibility",
    "physical_addresses": "addresses",
    "services_taxonomy": "service_taxonomy",
    "taxonomy": "taxonomy_terms_v1",
}


def csv_package_version(table_names: Iterable[str]) -> str:
    """Tell an HSDS 1.1 package ('1.1') from an HSDS 3.0 one ('3.0') by its table names."""
    names = set(table_names)
    if {"regular_schedules", "services_at_location", "physical_addresses"} & names:
        return "1.1"
    return "3.0"


def _group(rows: list[dict[str, str]], key: str) -> dict[str, list[dict[str, str]]]:
    grouped: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        if row.get(key):
            grouped[row[key]].append(row)
    return grouped


def _schedule_from_row(row: dict[str, str], source: str) -> dict[str, Any]:
    closed = str(row.get("closed", "")).lower() in {"true", "1", "yes"}
    return _v1_schedule(dict(row), source, closed=closed)


@dataclass(frozen=True)
class _CsvPackage:
    """A CSV package's tables, each row grouped under the record it belongs to."""

    source: str
    version: str
    organisations: dict[str, dict[str, str]]
    locations: dict[str, dict[str, str]]
    terms: dict[str, dict[str, str]]
    taxonomies: dict[str, dict[str, str]]
    addresses: dict[str, list[dict[str, str]]]
    accessibility: dict[str, list[dict[str, str]]]
    links: dict[str, list[dict[str, str]]]
    schedules_by_service: dict[str, list[dict[str, str]]]
    schedules_by_link: dict[str, list[dict[str, str]]]
    holidays: dict[str, list[dict[str, str]]]
    languages: dict[str, list[dict[str, str]]]
    costs: dict[str, list[dict[str, str]]]
    contacts: dict[str, list[dict[str, str]]]
    phones_by_contact: dict[str, list[dict[str, str]]]
    areas: dict[str, list[dict[str, str]]]
    funding: dict[str, list[dict[str, str]]]
    eligibility: dict[str, list[dict[str, str]]]
    attributes: dict[str, list[dict[str, str]]]
    service_taxonomy: dict[str, list[dict[str, str]]]


def _csv_package(tables: dict[str, list[dict[str, str]]], source: str) -> _CsvPackage:
    named = {_TABLE_ALIASES.get(name, name): rows for name, rows in tables.items()}
    return _CsvPackage(
        source=source,
        version=csv_package_version(tables),
        organisations={row["id"]: row for row in named.get("organizations", []) if row.get("id")},
        locations={row["id"]: row for row in named.get("locations", []) if row.get("id")},
        terms={
            row["id"]: row for row in named.get("taxonomy_terms", []) + named.get("taxonomy_terms_v1", [])
        },
        taxonomies={row["id"]: row for row in named.get("taxonomies", []) if row.get("id")},
        addresses=_group(named.get("addresses", []), "location_id"),
        accessibility=_group(named.get("accessibility", []), "location_id"),
        links=_group(named.get("service_at_location", []), "service_id"),
        schedules_by_service=_group(
            [row for row in named.get("schedules", []) if not row.get("service_at_location_id")], "service_id"
        ),
        schedules_by_link=_group(named.get("schedules", []), "service_at_location_id"),
        holidays=_group(named.get("holiday_schedules", []), "service_id"),
        languages=_group(named.get("languages", []), "service_id"),
        costs=_group(named.get("cost_options", []), "service_id"),
        contacts=_group(named.get("contacts", []), "service_id"),
        phones_by_contact=_group(named.get("phones", []), "contact_id"),
        areas=_group(named.get("service_areas", []), "service_id"),
        funding=_group(named.get("funding", []), "service_id"),
        eligibility=_group(named.get("eligibility", []), "service_id"),
        attributes=_group(named.get("attributes", []), "link_id"),
        service_taxonomy=_group(named.get("service_taxonomy", []), "service_id"),
    )


def _present(fields: dict[str, Any], *, keep_zero: bool = False) -> dict[str, Any]:
    """Drop the empty fields (and, unless keep_zero, the zeros and falses) of a nested record."""
    if keep_zero:
        return {key: value for key, value in fields.items() if value not in (None, "")}
    return {key: value for key, value in fields.items() if value}


def _csv_organisation(row: dict[str, str], source: str) -> dict[str, Any]:
    found: dict[str, Any] = {"id": stable_id(source, row["id"])}
    _put(found, "name", row.get("name"))
    _put(found, "description", row.get("description") or row.get("name"))
    _put(found, "email", row.get("email"))
    _put(found, "website", row.get("website") or row.get("url"))
    _put(found, "uri", row.get("uri"))
    _put(found, "logo", row.get("logo"))
    return found


def _csv_location_link(link: dict[str, str], package: _CsvPackage) -> dict[str, Any]:
    """Return one service-at-location with its location, addresses, accessibility and schedules."""
    source = package.source
    location_row = package.locations.get(link.get("location_id", ""), {"id": link.get("location_id", "")})
    location_key = location_row.get("id", "")
    location: dict[str, Any] = {
        "id": stable_id(source, location_row.get("id")),
        "location_type": location_row.get("location_type") or "physical",
    }
    _put(location, "name", location_row.get("name"))
    _put(location, "description", location_row.get("description"))
    _put(location, "latitude", _number(location_row.get("latitude")))
    _put(location, "longitude", _number(location_row.get("longitude")))
    location["addresses"] = [
        {
            "id": stable_id(source, address.get("id")),
            "address_1": address.get("address_1", ""),
            "city": address.get("city", ""),
            "state_province": address.get("state_province", ""),
            "postal_code": address.get("postal_code", ""),
            "country": (address.get("country") or "GB")[:2],
            "address_type": address.get("address_type") or "physical",
        }
        for address in package.addresses.get(location_key, [])
    ]
    location["accessibility"] = [
        {
            "id": stable_id(source, item.get("id")),
            "description": item.get("description") or item.get("accessibility", ""),
            "details": item.get("details", ""),
        }
        for item in package.accessibility.get(location_key, [])
    ]
    nested: dict[str, Any] = {"id": stable_id(source, link.get("id")), "location": location}
    _put(nested, "description", link.get("description"))
    nested["schedules"] = [
        _schedule_from_row(item, source) for item in package.schedules_by_link.get(link.get("id", ""), [])
    ]
    return nested


def _csv_contact(item: dict[str, str], package: _CsvPackage) -> dict[str, Any]:
    """Return one contact, with the first of its phone numbers that has a number."""
    contact: dict[str, Any] = {"id": stable_id(package.source, item.get("id"))}
    _put(contact, "name", item.get("name"))
    _put(contact, "title", item.get("title"))
    _put(contact, "email", item.get("email"))
    numbers = [
        phone for phone in package.phones_by_contact.get(item.get("id", ""), []) if phone.get("number")
    ]
    if numbers:
        contact["phones"] = [
            {"id": stable_id(package.source, numbers[0].get("id")), "number": numbers[0]["number"].strip('"')}
        ]
    return contact


def _csv_attributes(service_id: str, package: _CsvPackage) -> list[dict[str, Any]]:
    """Return the service's taxonomy terms (HSDS 3.0 attributes or HSDS 1.1 service_taxonomy rows)."""
    source = package.source
    rows = [
        (item.get("id", ""), item.get("taxonomy_term_id", ""))
        for item in package.attributes.get(service_id, [])
    ] + [
        (item.get("id", ""), item.get("taxonomy_id", ""))
        for item in package.service_taxonomy.get(service_id, [])
    ]
    found = []
    for attribute_id, term_key in rows:
        term_row = package.terms.get(term_key)
        if term_row is None:
            continue
        taxonomy_row = package.taxonomies.get(term_row.get("taxonomy_id", ""), {})
        term: dict[str, Any] = {
            "id": stable_id(source, term_row["id"]),
            "code": term_row.get("code") or term_row["id"],
            "name": term_row.get("name") or term_row["id"],
            "description": term_row.get("description") or term_row.get("name") or term_row["id"],
            "taxonomy": taxonomy_row.get("name")
            or term_row.get("taxonomy")
            or term_row.get("vocabulary")
            or "Imported",
        }
        found.append(
            {"id": stable_id(source, attribute_id), "taxonomy_term_id": term["id"], "taxonomy_term": term}
        )
    return found


def _csv_service(row: dict[str, str], package: _CsvPackage) -> dict[str, Any]:
    """Return one service row of a CSV package as an ORUK 3.0 service document."""
    source = package.source
    service_id = row.get("id", "")
    document: dict[str, Any] = {"id": stable_id(source, service_id)}
    organisation = package.organisations.get(row.get("organization_id", ""))
    if organisation:
        document["organization"] = _csv_organisation(organisation, source)
        document["organization_id"] = document["organization"]["id"]
    for key in (
        "name",
        "description",
        "url",
        "email",
        "status",
        "accreditations",
        "eligibility_description",
        "assured_date",
        "assurer_email",
        "alert",
    ):
        _put(document, key, row.get(key))
    _put(document, "fees", row.get("fees_description") or row.get("fees"))
    _put(document, "minimum_age", _number(row.get("minimum_age")))
    _put(document, "maximum_age", _number(row.get("maximum_age")))
    _put(document, "last_modified", row.get("last_modified"))
    if package.eligibility.get(service_id) and "eligibility_description" not in document:
        document["eligibility_description"] = "; ".join(
            item["eligibility"] for item in package.eligibility[service_id]
        )
    document["schedules"] = [
        _schedule_from_row(item, source) for item in package.schedules_by_service.get(service_id, [])
    ] + [
        _v1_schedule(dict(item), source, closed=str(item.get("closed", "")).lower() in {"true", "1", "yes"})
        for item in package.holidays.get(service_id, [])
    ]
    document["service_at_locations"] = [
        _csv_location_link(link, package) for link in package.links.get(service_id, [])
    ]
    document["languages"] = [
        _present(
            {
                "id": stable_id(source, item.get("id")),
                "name": item.get("name") or item.get("language"),
                "code": item.get("code"),
                "note": item.get("note"),
            }
        )
        for item in package.languages.get(service_id, [])
    ]
    document["cost_options"] = [
        _present(
            {
                "id": stable_id(source, item.get("id")),
                "option": item.get("option"),
                "amount": _number(item.get("amount")),
                "currency": (item.get("currency") or "").upper() or None,
                "amount_description": item.get("amount_description"),
                "valid_from": item.get("valid_from"),
                "valid_to": item.get("valid_to"),
            },
            keep_zero=True,
        )
        for item in package.costs.get(service_id, [])
    ]
    document["contacts"] = [_csv_contact(item, package) for item in package.contacts.get(service_id, [])]
    document["service_areas"] = [
        _present(
            {
                "id": stable_id(source, item.get("id")),
                "name": item.get("name") or item.get("service_area"),
                "description": item.get("description"),
                "extent": item.get("extent"),
                "extent_type": item.get("extent_type"),
                "uri": item.get("uri"),
            }
        )
        for item in package.areas.get(service_id, [])
    ]
    document["funding"] = [
        {"id": stable_id(source, item.get("id")), "source": item["source"]}
        for item in package.funding.get(service_id, [])
        if item.get("source")
    ]
    document["attributes"] = _csv_attributes(service_id, package)
    if package.version == "1.1":
        document.setdefault("status", "active")
    return document


def csv_package_services(tables: dict[str, list[dict[str, str]]], source: str) -> list[dict[str, Any]]:
    """Build ORUK 3.0 service documents from the tables of an HSDS 1.1 or 3.0 CSV package."""
    package = _csv_package(tables, source)
    named = {_TABLE_ALIASES.get(name, name): rows for name, rows in tables.items()}
    return [_csv_service(row, package) for row in named.get("services", [])]
