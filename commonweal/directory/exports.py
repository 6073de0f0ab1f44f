"""Exporting the directory: ORUK 3.0 JSON (a page of fully nested services) and HSDS 3.0 CSV tables.

The CSV tables are the HSDS 3.0 tabular form (the same file names and columns as the standard's
`examples/csv/`), so the package can be read back by any HSDS tool, including our own importer.
"""

from __future__ import annotations

import io
from typing import Any

from commonweal.directory import oruk
from commonweal.directory.models import Service
from commonweal.ui import spreadsheets

TABLE_COLUMNS: dict[str, list[str]] = {
    "organizations": ["id", "name", "description", "email", "website", "uri", "logo"],
    "services": [
        "id",
        "organization_id",
        "name",
        "description",
        "url",
        "email",
        "status",
        "fees_description",
        "accreditations",
        "eligibility_description",
        "minimum_age",
        "maximum_age",
        "assured_date",
        "assurer_email",
        "alert",
        "last_modified",
    ],
    "locations": ["id", "location_type", "name", "description", "latitude", "longitude"],
    "addresses": [
        "id",
        "location_id",
        "address_1",
        "city",
        "region",
        "state_province",
        "postal_code",
        "country",
        "address_type",
    ],
    "service_at_location": ["id", "service_id", "location_id", "description"],
    "schedules": [
        "id",
        "service_id",
        "service_at_location_id",
        "valid_from",
        "valid_to",
        "dtstart",
        "freq",
        "interval",
        "byday",
        "bymonthday",
        "description",
        "opens_at",
        "closes_at",
        "attending_type",
        "notes",
    ],
    "cost_options": [
        "id",
        "service_id",
        "valid_from",
        "valid_to",
        "option",
        "currency",
        "amount",
        "amount_description",
    ],
    "languages": ["id", "service_id", "name", "code", "note"],
    "contacts": ["id", "service_id", "name", "title", "email"],
    "phones": ["id", "contact_id", "number"],
    "service_areas": ["id", "service_id", "name", "description", "extent", "extent_type", "uri"],
    "accessibility": ["id", "location_id", "description", "details", "url"],
    "funding": ["id", "service_id", "source"],
    "attributes": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity"],
    "taxonomy_terms": [
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "taxonomy_id",
        "term_uri",
    ],
}


def _services() -> list[Service]:
    return list(oruk.full_services(Service.objects.order_by("name", "pk")))


def oruk_json() -> dict[str, Any]:
    """Return every service, fully nested, as one ORUK 3.0 page."""
    contents = oruk.documents_of(_services())
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def csv_tables() -> dict[str, str]:
    """Return the HSDS 3.0 CSV tables of the whole directory, by table name."""
    rows: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in TABLE_COLUMNS}
    for document in oruk_json()["contents"]:
        organisation = document["organization"]
        rows["organizations"][organisation["id"]] = organisation
        rows["services"][document["id"]] = {**document, "fees_description": document.get("fees", "")}
        for schedule in document["schedules"]:
            rows["schedules"][schedule["id"]] = schedule
        for link in document["service_at_locations"]:
            location = link["location"]
            rows["locations"][location["id"]] = location
            rows["service_at_location"][link["id"]] = link
            for address in location.get("addresses", []):
                rows["addresses"][address["id"]] = address
            for feature in location.get("accessibility", []):
                rows["accessibility"][feature["id"]] = feature
            for schedule in link.get("schedules", []):
                rows["schedules"][schedule["id"]] = schedule
        for key, table in (
            ("cost_options", "cost_options"),
            ("languages", "languages"),
            ("service_areas", "service_areas"),
            ("funding", "funding"),
        ):
            for item in document[key]:
                rows[table][item["id"]] = item
        for contact in document["contacts"]:
            rows["contacts"][contact["id"]] = contact
            for phone in contact.get("phones", []):
                rows["phones"][phone["id"]] = phone
        for attribute in document["attributes"]:
            rows["attributes"][attribute["id"]] = attribute
            rows["taxonomy_terms"][attribute["taxonomy_term"]["id"]] = attribute["taxonomy_term"]
    tables = {}
    for name, columns in TABLE_COLUMNS.items():
        buffer = io.StringIO()
        writer = spreadsheets.dict_writer(
            buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n"
        )
        writer.writeheader()
        for row in rows[name].values():
            writer.writerow(
                {column: "" if row.get(column) is None else row.get(column) for column in columns}
            )
        tables[name] = buffer.getvalue()
    return tables
