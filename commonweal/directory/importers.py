"""Importing directory data: ORUK 3.0 files and feeds, ORUK v1 feed JSON and HSDS CSV packages.

A run first reads and checks every record against the UK 3.0 schemas (progress is saved as it goes, so
the run's page can show it), then writes. By default a run is atomic: if any record is rejected, nothing
is written and the report says why. A *partial* run writes the accepted records and reports the rest.
Records are matched on their ORUK id, so importing the same data again updates rather than duplicates,
and a record whose data has not changed is reported as unchanged and left alone.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import logging
import re
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.directory import feeds, oruk, rules, schemas
from commonweal.directory.conversion import (
    csv_package_services,
    oruk1_records,
    oruk1_service_to_oruk3,
    stable_id,
)
from commonweal.directory.models import (
    Accessibility,
    Contact,
    CostOption,
    DirectoryOrganisation,
    Funding,
    ImportRun,
    Language,
    Location,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceTerm,
    ServiceVersion,
    Taxonomy,
    TaxonomyTerm,
)
from commonweal.directory.search.schedule import ScheduleError, minutes_of
from commonweal.directory.search_index import bump_version, index_services
from commonweal.directory.taxonomy import (
    CAPACITY_TAXONOMY_ID,
    TaxonomyFileError,
    capacity_from_code,
    read_term_rows,
)

logger = logging.getLogger(__name__)

Fetch = Callable[[str], Any]
MAX_REASONS = 8
FEED_PAGE_SIZE = 100
FEED_MAX_PAGES = 1000
# ORUK 3.0 data nests about ten levels (a page, a service, its locations, their addresses …); nothing
# deeper is read, so a file of thousands of brackets is refused before the parser recurses into it.
MAX_JSON_DEPTH = 40
# A CSV package holds a few dozen tables; CSV text compresses about 5 to 20 times, never 100.
MAX_ZIP_MEMBERS = 100
MAX_ZIP_RATIO = 100
FAILED_UNEXPECTEDLY = (
    "The import stopped because of an error on our side, and nothing was imported. Try again later; "
    "if it happens again, tell the site's administrators (import {pk})."
)


class ImportSourceError(ValueError):
    """The file or feed as a whole cannot be read; the message says why in one line."""


class ImportRefused(ValueError):
    """An import cannot start (too large, or too many running); the message says why for the form."""


def size_text(size: int) -> str:
    """Write a number of bytes for people: '10.0 MB', or '12 KB' below a megabyte."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, -(-size // 1024))} KB"


def upload_problem(size: int) -> str:
    """Return why an upload of this many bytes is refused, or '' when it is within the cap."""
    cap = settings.DIRECTORY_IMPORT_MAX_UPLOAD_BYTES
    if size <= cap:
        return ""
    return (
        f"The file is {size_text(size)}; the largest file an import takes is {size_text(cap)}. "
        "Split it into smaller files, or import it from a feed."
    )


@dataclass
class Outcome:
    """What happened to one record: created, updated, unchanged or rejected, and why."""

    number: int
    kind: str
    record_id: str
    name: str
    result: str = "accepted"
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the outcome as stored in the run's report."""
        return {
            "number": self.number,
            "kind": self.kind,
            "id": self.record_id,
            "name": self.name,
            "result": self.result,
            "reasons": self.reasons,
        }


@dataclass(frozen=True)
class Record:
    """One record to import: its kind ('service', 'organization', 'taxonomy', 'taxonomy_term', …)."""

    kind: str
    document: dict[str, Any]
    context_problems: tuple[str, ...] = ()


# ------------------------------------------------------------------ reading ------------------------------


def record_kind(item: dict[str, Any]) -> str:
    """Tell which ORUK 3.0 object a record is, from the fields it carries."""
    keys = set(item)
    if keys & {"status", "service_at_locations", "schedules", "cost_options"} or "organization" in keys:
        return "service"
    if keys & {"location", "service"}:
        return "service_at_location"
    if keys & {"website", "organization_identifiers", "services", "logo", "parent_organization_id"}:
        return "organization"
    if keys & {"taxonomy_terms", "version"}:
        return "taxonomy"
    if keys & {"taxonomy_id", "parent_id", "term_uri", "code", "term", "taxonomy"}:
        return "taxonomy_term"
    if "uri" in keys:
        return "taxonomy"
    return "unknown"


def oruk3_records(data: Any) -> list[Record]:
    """Return the records of an ORUK 3.0 document: a page (`contents`), a list, or one object."""
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        items = data["contents"]
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        raise ImportSourceError(
            "This is not ORUK 3.0 JSON: expected an object, a list or a page with 'contents'."
        )
    return [
        Record(record_kind(item), item) if isinstance(item, dict) else Record("unknown", {"value": item})
        for item in items
    ]


_JSON_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def json_depth(payload: bytes, stop_after: int | None = None) -> int:
    """Return how deeply JSON nests its arrays and objects (brackets inside strings do not count).

    Reads strings and brackets only, without building anything, so it cannot recurse; stops as soon as
    the depth passes `stop_after`.
    """
    depth = deepest = 0
    for match in _JSON_TOKENS.finditer(payload):
        token = match.group()
        if token in (b"[", b"{"):
            depth += 1
            deepest = max(deepest, depth)
            if stop_after is not None and deepest > stop_after:
                break
        elif token in (b"]", b"}"):
            depth -= 1
    return deepest


def parse_json(payload: bytes, source: str) -> Any:
    """Parse JSON bytes, with a one-line message when they are not JSON or nest absurdly deep."""
    if json_depth(payload, stop_after=MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise ImportSourceError(
            f"{source} is nested more than {MAX_JSON_DEPTH} levels deep; ORUK data never is."
        )
    try:
        return json.loads(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportSourceError(f"{source} is not valid JSON ({error}).") from error
    except RecursionError as error:  # the depth scan should have refused it first
        raise ImportSourceError(
            f"{source} is nested more than {MAX_JSON_DEPTH} levels deep; ORUK data never is."
        ) from error


# A zip that is corrupt, truncated or uses a method Python cannot unpack raises one of these.
_UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    OSError,
    zlib.error,
)


def _read_zip_tables(payload: bytes, source: str) -> dict[str, bytes]:
    """Unpack the CSV tables of a zip, checking sizes and ratios before unpacking and bytes while doing so.

    Declared sizes are checked first (each member's, their total, and how far each would expand), and
    the real bytes are counted as they come, so a member whose header lies about its size stops there.
    """
    cap = settings.DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES
    refused = f"{source} was refused: "
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir() and info.filename.lower().endswith(".csv")
            ]
            if len(members) > MAX_ZIP_MEMBERS:
                raise ImportSourceError(f"{refused}it holds more than {MAX_ZIP_MEMBERS} CSV files.")
            for info in members:
                name = Path(info.filename).name
                ratio = info.file_size / max(info.compress_size, 1)
                if info.file_size > cap or (info.file_size > 1024 * 1024 and ratio > MAX_ZIP_RATIO):
                    raise ImportSourceError(
                        f"{refused}{name} would unpack to {size_text(info.file_size)} from "
                        f"{size_text(info.compress_size)}, which is not a CSV table an import takes "
                        f"(at most {size_text(cap)}, compressed at most {MAX_ZIP_RATIO} times)."
                    )
            if sum(info.file_size for info in members) > cap:
                raise ImportSourceError(f"{refused}its tables would unpack to more than {size_text(cap)}.")
            files: dict[str, bytes] = {}
            budget = cap
            for info in members:
                chunks = []
                with archive.open(info) as stream:
                    while chunk := stream.read(64 * 1024):
                        budget -= len(chunk)
                        if budget < 0:
                            raise ImportSourceError(
                                f"{refused}its tables would unpack to more than {size_text(cap)}."
                            )
                        chunks.append(chunk)
                files[Path(info.filename).name] = b"".join(chunks)
            return files
    except _UNREADABLE_ZIP as error:
        raise ImportSourceError(f"{source} is not a zip file of CSV tables.") from error


def read_csv_package(payload: bytes | Path, source: str) -> dict[str, list[dict[str, str]]]:
    """Read every CSV table of an HSDS package, from a zip file or a folder, within the size caps."""
    tables: dict[str, list[dict[str, str]]] = {}
    if isinstance(payload, Path):
        paths = sorted(payload.glob("*.csv"))
        if sum(path.stat().st_size for path in paths) > settings.DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES:
            raise ImportSourceError(
                f"{source} was refused: its tables are larger than "
                f"{size_text(settings.DIRECTORY_IMPORT_MAX_UNZIPPED_BYTES)}."
            )
        files = {path.name: path.read_bytes() for path in paths}
    else:
        files = _read_zip_tables(payload, source)
    if "services.csv" not in files:
        raise ImportSourceError(f"{source} has no services.csv, so it is not an HSDS data package.")
    most = settings.DIRECTORY_IMPORT_MAX_ROWS
    for name, content in files.items():
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportSourceError(
                f"{source}: {name} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8."
            ) from error
        rows: list[dict[str, str]] = []
        try:
            for row in csv.DictReader(io.StringIO(text)):
                if len(rows) == most:
                    raise ImportSourceError(f"{source} was refused: {name} has more than {most} rows.")
                rows.append(row)
        except csv.Error as error:
            raise ImportSourceError(f"{source}: {name} cannot be read as CSV ({error}).") from error
        tables[name.removesuffix(".csv")] = rows
    return tables


def taxonomy_records(payload: bytes, *, taxonomy_name: str) -> list[Record]:
    """Read a CSV of one external taxonomy's terms (e.g. LGA service types) into records, parents first."""
    try:
        rows = read_term_rows(payload.decode("utf-8-sig"))
    except (UnicodeDecodeError, TaxonomyFileError) as error:
        raise ImportSourceError(str(error)) from error
    records = []
    for row in sorted(rows, key=lambda row: (bool(row.parent), row.line)):
        document: dict[str, Any] = {
            "id": stable_id(taxonomy_name, row.code),
            "code": row.code,
            "name": row.name,
            "description": row.description or row.name,
            "taxonomy": taxonomy_name,
        }
        if row.parent:
            document["parent_id"] = stable_id(taxonomy_name, row.parent)
        if row.uri:
            document["term_uri"] = row.uri
        records.append(Record("taxonomy_term", document))
    return records


def default_fetch(url: str) -> Any:
    """Fetch JSON from a feed URL through the SSRF guard (feeds.py).

    Every failure, a refused address, a closed port or an answer that is not JSON, gives the same
    message, so the importer cannot tell anyone which ports are open inside the network; the log keeps
    the reason.
    """
    try:
        return parse_json(feeds.fetch_bytes(url), url)
    except (feeds.FeedError, ImportSourceError) as error:
        logger.warning("Feed not fetched: %s", error)
        raise ImportSourceError(feeds.COULD_NOT_FETCH) from error


def feed_records(base_url: str, fetch: Fetch) -> tuple[list[Record], list[str]]:
    """Walk an ORUK 3.0 feed: check its root, page through /services, fetch each service in full.

    Returns the records and the problems with the feed itself (its root and its pagination).
    """
    base = base_url.rstrip("/")
    problems: list[str] = []
    root = fetch(base + "/")
    if not isinstance(root, dict):
        problems.append("The feed's root (/) did not answer with a JSON object.")
    else:
        if not str(root.get("version", "")).endswith("3.0"):
            problems.append(f"The feed's root says version “{root.get('version')}”, not ORUK 3.0.")
        if not root.get("profile"):
            problems.append("The feed's root does not give its profile URL.")
        openapi_url = str(root.get("openapi_url", ""))
        if not re.match(r"^https?://", openapi_url):
            problems.append(f"The feed's openapi_url “{openapi_url}” is not a web address.")
    records: list[Record] = []
    page = 1
    while page <= FEED_MAX_PAGES:
        listing = fetch(f"{base}/services?{urlencode({'page': page, 'per_page': FEED_PAGE_SIZE})}")
        if not isinstance(listing, dict) or not isinstance(listing.get("contents"), list):
            problems.append(f"Page {page} of /services is not an ORUK page with 'contents'.")
            break
        contents = listing["contents"]
        for item in contents:
            requested = str(item.get("id", "")) if isinstance(item, dict) else ""
            full = fetch(f"{base}/services/{requested}") if requested else item
            context: tuple[str, ...] = ()
            if isinstance(full, dict) and requested and str(full.get("id")) != requested:
                context = (f"/services/{requested} answered with a different service ({full.get('id')}).",)
            records.append(Record("service", full if isinstance(full, dict) else item, context))
        total_pages = listing.get("total_pages")
        if (
            listing.get("last_page") is True
            or not contents
            or (isinstance(total_pages, int) and page >= total_pages)
        ):
            break
        page += 1
    return records, problems


# ------------------------------------------------------------------ checking ------------------------------

_SCHEMA_KIND = {
    "service": "service",
    "taxonomy": "taxonomy",
    "taxonomy_term": "taxonomy_term",
    "organization": "organization",
    "service_at_location": "service_at_location_list_item",
}


def _time_problems(schedules: list[Any], where: str) -> list[str]:
    found: list[str] = []
    if not isinstance(schedules, list):
        return found
    for index, schedule in enumerate(schedules):
        if not isinstance(schedule, dict):
            continue
        for key in ("opens_at", "closes_at"):
            if schedule.get(key):
                try:
                    minutes_of(str(schedule[key]))
                except ScheduleError as error:
                    found.append(f"{where}[{index}].{key}: {error}")
    return found


def check(record: Record) -> list[str]:
    """Return why a record cannot be imported (empty when it can)."""
    if record.kind == "unknown":
        return ["Not an ORUK 3.0 service, organisation, service at location, taxonomy or taxonomy term."]
    if record.kind == "unreadable":
        return list(record.context_problems)
    reasons = list(record.context_problems)
    reasons += [str(problem) for problem in schemas.problems(record.document, _SCHEMA_KIND[record.kind])]
    document = record.document
    if record.kind == "service":
        minimum, maximum = document.get("minimum_age"), document.get("maximum_age")
        if isinstance(minimum, int | float) and isinstance(maximum, int | float) and minimum > maximum:
            reasons.append(f"minimum_age {minimum} is above maximum_age {maximum}.")
        reasons += _time_problems(document.get("schedules") or [], "schedules")
        for index, link in enumerate(document.get("service_at_locations") or []):
            if isinstance(link, dict):
                reasons += _time_problems(
                    link.get("schedules") or [], f"service_at_locations[{index}].schedules"
                )
    return reasons[:MAX_REASONS]


# ------------------------------------------------------------------ writing ------------------------------


class _NoChange(Exception):
    """Raised inside a savepoint to undo a write that changed nothing."""


def _date(value: Any) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _time(value: Any) -> datetime.time | None:
    if not value:
        return None
    minutes = minutes_of(str(value))
    return datetime.time(min(minutes // 60, 23), minutes % 60 if minutes < 24 * 60 else 59)


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _text(document: dict[str, Any], key: str, limit: int | None = None) -> str:
    value = document.get(key)
    text = "" if value is None else str(value)
    return text[:limit] if limit else text


def _feature_of(text: str) -> str:
    lowered = text.lower()
    for feature, words in (
        ("hearing_loop", ("hearing loop", "induction loop", "hearing aid")),
        ("wheelchair", ("wheelchair",)),
        ("accessible_toilet", ("toilet",)),
        ("step_free", ("step-free", "step free", "level access", "ramp")),
        ("bsl", ("sign language", "bsl")),
        ("large_print", ("large print",)),
        ("parking", ("parking",)),
        ("quiet_space", ("quiet",)),
    ):
        if any(word in lowered for word in words):
            return feature
    return ""


def upsert_organisation(document: dict[str, Any]) -> DirectoryOrganisation:
    """Create or update an organisation from its ORUK 3.0 document."""
    organisation, _ = DirectoryOrganisation.objects.update_or_create(
        oruk_id=document["id"],
        defaults={
            "name": _text(document, "name", 300) or "Organisation",
            "description": _text(document, "description"),
            "email": _text(document, "email", 254),
            "website": _text(document, "website", 500),
            "uri": _text(document, "uri", 500),
            "logo": _text(document, "logo", 500),
        },
    )
    return organisation


def upsert_term(document: dict[str, Any]) -> TaxonomyTerm:
    """Create or update a taxonomy term (and its taxonomy, by id or by name)."""
    taxonomy_id = document.get("taxonomy_id")
    taxonomy = Taxonomy.objects.filter(oruk_id=taxonomy_id).first() if taxonomy_id else None
    if taxonomy is None:
        name = _text(document, "taxonomy", 200) or "Imported terms"
        taxonomy = Taxonomy.objects.filter(name=name).first()
        if taxonomy is None:
            taxonomy = Taxonomy.objects.create(
                name=name,
                description=f"Imported: {name}",
                **({"oruk_id": taxonomy_id} if taxonomy_id else {}),
            )
    existing = TaxonomyTerm.objects.filter(oruk_id=document["id"]).first()
    code = _text(document, "code", 200) or _text(document, "term", 200) or str(document["id"])
    if existing is None and TaxonomyTerm.objects.filter(taxonomy=taxonomy, code=code).exists():
        code = f"{code}-{str(document['id'])[:8]}"
    parent = (
        TaxonomyTerm.objects.filter(oruk_id=str(document["parent_id"])).first()
        if document.get("parent_id")
        else None
    )
    fields = {
        "taxonomy": taxonomy,
        "code": existing.code if existing else code,
        "name": _text(document, "name", 200) or code,
        "description": _text(document, "description"),
        "term_uri": _text(document, "term_uri", 500),
        "parent": parent,
    }
    if existing is not None:
        if taxonomy.is_builtin:
            return existing  # built-in terms are changed only through their reviewed data file
        for key, value in fields.items():
            setattr(existing, key, value)
        existing.save()
        return existing
    return TaxonomyTerm.objects.create(oruk_id=document["id"], **fields)


def upsert_taxonomy(document: dict[str, Any]) -> Taxonomy:
    """Create or update a taxonomy and any terms it carries."""
    taxonomy, _ = Taxonomy.objects.update_or_create(
        oruk_id=document["id"],
        defaults={
            "name": _text(document, "name", 200),
            "description": _text(document, "description"),
            "uri": _text(document, "uri", 500),
            "version": _text(document, "version", 50),
        },
    )
    for term in document.get("taxonomy_terms") or []:
        if isinstance(term, dict) and term.get("id"):
            upsert_term({**term, "taxonomy_id": str(taxonomy.oruk_id)})
    return taxonomy


def _schedule_fields(document: dict[str, Any]) -> dict[str, Any]:
    description = _text(document, "description")
    interval = document.get("interval")
    return {
        "freq": _text(document, "freq", 10).upper()
        if _text(document, "freq").upper() in {"WEEKLY", "MONTHLY"}
        else "",
        "interval": int(interval) if isinstance(interval, int | float) and interval >= 0 else None,
        "byday": _text(document, "byday", 60),
        "bymonthday": _text(document, "bymonthday", 60),
        "dtstart": _date(document.get("dtstart")),
        "valid_from": _date(document.get("valid_from")),
        "valid_to": _date(document.get("valid_to")),
        "opens_at": _time(document.get("opens_at")),
        "closes_at": _time(document.get("closes_at")),
        "description": description,
        "attending_type": _text(document, "attending_type", 200),
        "notes": _text(document, "notes"),
        "is_closure": description.lower().startswith("closed"),
    }


def _write_location(document: dict[str, Any]) -> Location:
    address = next((item for item in document.get("addresses") or [] if isinstance(item, dict)), {})
    latitude, longitude = document.get("latitude"), document.get("longitude")
    location, _ = Location.objects.update_or_create(
        oruk_id=document["id"],
        defaults={
            "location_type": document.get("location_type") or Location.Kind.PHYSICAL,
            "name": _text(document, "name", 300),
            "description": _text(document, "description"),
            "latitude": float(latitude) if isinstance(latitude, int | float) else None,
            "longitude": float(longitude) if isinstance(longitude, int | float) else None,
            "address_1": _text(address, "address_1", 300),
            "city": _text(address, "city", 100),
            "region": _text(address, "region", 100),
            "state_province": _text(address, "state_province", 100),
            "postal_code": _text(address, "postal_code", 20),
            "country": _text(address, "country", 2),
        },
    )
    if "accessibility" in document:
        location.accessibility.all().delete()
        for item in document.get("accessibility") or []:
            text = _text(item, "description") or _text(item, "accessibility")
            Accessibility.objects.create(
                oruk_id=item["id"],
                location=location,
                feature=_feature_of(f"{text} {_text(item, 'accessibility')}"),
                description=text,
                details=_text(item, "details"),
                url=_text(item, "url", 500),
            )
    return location


def _organisation_of(document: dict[str, Any], source: str) -> DirectoryOrganisation:
    """Return the organisation a service document names (nested, by id, or a stand-in for the source)."""
    organisation_document = document.get("organization")
    if isinstance(organisation_document, dict) and organisation_document.get("id"):
        return upsert_organisation(organisation_document)
    if document.get("organization_id"):
        return DirectoryOrganisation.objects.filter(oruk_id=document["organization_id"]).first() or (
            DirectoryOrganisation.objects.create(
                oruk_id=document["organization_id"],
                name=f"Organisation {str(document['organization_id'])[:8]}",
            )
        )
    organisation, _ = DirectoryOrganisation.objects.get_or_create(
        name=f"Not named in {source}"[:300], defaults={"description": "The import did not name it."}
    )
    return organisation


def _write_service_fields(service: Service, document: dict[str, Any]) -> None:
    """Copy the service's own fields from the document and save it."""
    service.name = _text(document, "name", 300)
    for key, model_field in (
        ("description", "description"),
        ("url", "url"),
        ("email", "email"),
        ("fees", "fees_description"),
        ("accreditations", "accreditations"),
        ("eligibility_description", "eligibility_description"),
        ("alert", "alert"),
        ("assurer_email", "assurer_email"),
    ):
        if key in document:
            setattr(service, model_field, _text(document, key))
    service.status = _text(document, "status") or Service.Status.ACTIVE
    for key in ("minimum_age", "maximum_age"):
        if key in document:
            value = document.get(key)
            setattr(service, key, int(value) if isinstance(value, int | float) and value >= 0 else None)
    if "assured_date" in document:
        service.assured_date = _date(document.get("assured_date"))
    modified = (
        parse_datetime(str(document.get("last_modified") or "")) if document.get("last_modified") else None
    )
    service.last_modified = modified or service.last_modified or timezone.now()
    service.save()


def _write_locations(service: Service, items: list[dict[str, Any]]) -> None:
    """Replace the service's locations (and each location's own schedules) with the document's."""
    service.service_at_locations.all().delete()
    for item in items:
        location_document = item.get("location") or {"id": item.get("location_id") or item["id"]}
        location = _write_location(location_document)
        link, _ = ServiceAtLocation.objects.update_or_create(
            oruk_id=item["id"],
            defaults={
                "service": service,
                "location": location,
                "description": _text(item, "description"),
            },
        )
        for schedule in item.get("schedules") or []:
            Schedule.objects.update_or_create(
                oruk_id=schedule["id"],
                defaults={"service": None, "service_at_location": link, **_schedule_fields(schedule)},
            )


def _write_contacts(service: Service, items: list[dict[str, Any]]) -> None:
    """Replace the service's contacts, each with the first of its phones that has a number."""
    service.contacts.all().delete()
    for item in items:
        phones = [
            phone for phone in item.get("phones") or [] if isinstance(phone, dict) and phone.get("number")
        ]
        Contact.objects.create(
            oruk_id=item["id"],
            service=service,
            name=_text(item, "name", 200),
            title=_text(item, "title", 200),
            email=_text(item, "email", 254),
            phone=str(phones[0]["number"])[:40] if phones else "",
            **({"phone_oruk_id": phones[0]["id"]} if phones and phones[0].get("id") else {}),
        )


def _write_attributes(service: Service, items: list[dict[str, Any]]) -> None:
    """Replace the service's taxonomy terms; a capacity term sets its referrals and waiting list instead."""
    service.service_terms.all().delete()
    for item in items:
        term_document = item.get("taxonomy_term")
        term = None
        if isinstance(term_document, dict) and term_document.get("id"):
            term = upsert_term(term_document)
        elif item.get("taxonomy_term_id"):
            term = TaxonomyTerm.objects.filter(oruk_id=item["taxonomy_term_id"]).first()
        if term is None:
            continue
        if term.taxonomy.oruk_id == CAPACITY_TAXONOMY_ID:
            capacity = capacity_from_code(term.code)
            if capacity is not None:
                service.accepting_referrals, service.waiting_list_band = capacity
                service.save(update_fields=["accepting_referrals", "waiting_list_band"])
            continue
        ServiceTerm.objects.get_or_create(service=service, term=term, defaults={"oruk_id": item["id"]})


def _write_service(document: dict[str, Any], source: str) -> Service:
    """Create or update a service, and replace each of its parts the document carries."""
    service = Service.objects.filter(oruk_id=document["id"]).first() or Service(
        oruk_id=document["id"], source=source[:200]
    )
    service.organisation = _organisation_of(document, source)
    _write_service_fields(service, document)
    if "schedules" in document:
        service.schedules.all().delete()
        for item in document["schedules"] or []:
            Schedule.objects.create(oruk_id=item["id"], service=service, **_schedule_fields(item))
    if "service_areas" in document:
        service.service_areas.all().delete()
        for item in document["service_areas"] or []:
            ServiceArea.objects.create(
                oruk_id=item["id"],
                service=service,
                name=_text(item, "name", 200),
                description=_text(item, "description"),
                extent=_text(item, "extent"),
                extent_type=_text(item, "extent_type", 50),
                uri=_text(item, "uri", 500),
            )
    if "service_at_locations" in document:
        _write_locations(service, document["service_at_locations"] or [])
    if "languages" in document:
        service.languages.all().delete()
        for item in document["languages"] or []:
            Language.objects.create(
                oruk_id=item["id"],
                service=service,
                name=_text(item, "name", 100) or _text(item, "code", 100) or "Not named",
                code=_text(item, "code", 10),
                note=_text(item, "note"),
            )
    if "funding" in document:
        service.funding.all().delete()
        for item in document["funding"] or []:
            Funding.objects.create(oruk_id=item["id"], service=service, source=_text(item, "source"))
    if "cost_options" in document:
        service.cost_options.all().delete()
        for item in document["cost_options"] or []:
            CostOption.objects.create(
                oruk_id=item["id"],
                service=service,
                option=_text(item, "option", 200),
                amount=_decimal(item.get("amount")),
                currency=(_text(item, "currency", 3) or "GBP").upper(),
                amount_description=_text(item, "amount_description"),
                valid_from=_date(item.get("valid_from")),
                valid_to=_date(item.get("valid_to")),
            )
    if "contacts" in document:
        _write_contacts(service, document["contacts"] or [])
    if "attributes" in document:
        _write_attributes(service, document["attributes"] or [])
    return service


def _comparable(service: Service) -> dict[str, Any]:
    document = oruk.service_document(oruk.full_services(Service.objects.filter(pk=service.pk)).get())
    return {key: value for key, value in document.items() if key != "last_modified"}


def import_service(document: dict[str, Any], *, source: str, by: User | None) -> tuple[str, Service | None]:
    """Write one checked service document; return ('created'|'updated'|'unchanged', the service)."""
    existing = Service.objects.filter(oruk_id=document["id"]).first()
    before = _comparable(existing) if existing else None
    try:
        with transaction.atomic():
            service = _write_service(document, source)
            after = _comparable(service)
            if before is not None and before == after:
                raise _NoChange
    except _NoChange:
        return "unchanged", existing
    last = service.versions.order_by("-number").first()
    ServiceVersion.objects.create(
        service=service,
        number=(last.number + 1) if last else 1,
        via=ServiceVersion.Via.IMPORTED,
        document={**after, "last_modified": service.last_modified.isoformat()},
        changed_fields=sorted(key for key in after if before is None or before.get(key) != after.get(key)),
        changed_by=by,
        note=f"Imported from {source}"[:500],
    )
    return ("created" if existing is None else "updated"), service


def _import_record(record: Record, *, source: str, by: User | None) -> tuple[str, list[int]]:
    document = record.document
    if record.kind == "service":
        result, service = import_service(document, source=source, by=by)
        return result, [service.pk] if service is not None and result != "unchanged" else []
    if record.kind == "organization":
        existed = DirectoryOrganisation.objects.filter(oruk_id=document["id"]).exists()
        upsert_organisation(document)
        touched: list[int] = []
        for service in document.get("services") or []:
            if isinstance(service, dict) and service.get("id"):
                result, saved = import_service(
                    {
                        **service,
                        "organization": {
                            key: document[key] for key in ("id", "name", "description") if key in document
                        },
                    },
                    source=source,
                    by=by,
                )
                if saved is not None and result != "unchanged":
                    touched.append(saved.pk)
        return ("updated" if existed else "created"), touched
    if record.kind == "service_at_location":
        service_document = document.get("service") or {}
        if service_document.get("id"):
            location = document.get("location") or {"id": document.get("location_id")}
            merged = {
                **service_document,
                "service_at_locations": [{"id": document["id"], "location": location}],
            }
            result, service = import_service(merged, source=source, by=by)
            return result, [service.pk] if service is not None and result != "unchanged" else []
        return "unchanged", []
    if record.kind == "taxonomy":
        existed = Taxonomy.objects.filter(oruk_id=document["id"]).exists()
        upsert_taxonomy(document)
        return ("updated" if existed else "created"), []
    existed = TaxonomyTerm.objects.filter(oruk_id=document["id"]).exists()
    upsert_term(document)
    return ("updated" if existed else "created"), []


def _save_progress(run: ImportRun, **fields: Any) -> None:
    for key, value in fields.items():
        setattr(run, key, value)
    ImportRun.objects.filter(pk=run.pk).update(**fields)


def records_for(run: ImportRun, fetch: Fetch = default_fetch) -> tuple[list[Record], list[str]]:
    """Read a run's source into records, with any problems of the source as a whole."""
    payload = bytes(run.payload) if run.payload is not None else None
    if run.format == ImportRun.Format.ORUK3_FEED:
        return feed_records(run.source, fetch)
    if payload is None:
        path = Path(run.source)
        if run.format == ImportRun.Format.HSDS_CSV and path.is_dir():
            return _package_records(read_csv_package(path, run.source), run.source, path.name), []
        if not path.is_file():
            raise ImportSourceError(f"There is no file at {run.source}.")
        payload = path.read_bytes()
    if run.format == ImportRun.Format.TAXONOMY_CSV:
        return taxonomy_records(payload, taxonomy_name=run.source), []
    if run.format == ImportRun.Format.HSDS_CSV:
        tables = read_csv_package(payload, run.source)
        return _package_records(tables, run.source, Path(run.source).name), []
    data = parse_json(payload, run.source)
    if run.format == ImportRun.Format.ORUK1_JSON:
        try:
            services = oruk1_records(data)
        except ValueError as error:
            raise ImportSourceError(str(error)) from error
        label = Path(run.source).name
        return [_oruk1_record(service, label) for service in services], []
    return oruk3_records(data), []


# What goes wrong when a record's fields have the wrong types (a list where text belongs, a number where
# an object does) and code that expects the format's types reads them.
_SHAPE_ERRORS = (TypeError, AttributeError, KeyError, ValueError, IndexError)
WRONG_SHAPE = (
    "A field has the wrong type (a list or object where text or a number belongs, or the other way "
    "round), so this record cannot be read."
)


def _oruk1_record(service: dict[str, Any], label: str) -> Record:
    """Convert one ORUK 1.0 service; one whose fields have the wrong types becomes a rejected record."""
    try:
        return Record("service", oruk1_service_to_oruk3(service, label))
    except _SHAPE_ERRORS:
        return Record("unreadable", {"id": str(service.get("id", ""))[:100]}, (WRONG_SHAPE,))


def _package_records(tables: dict[str, list[dict[str, str]]], source: str, label: str) -> list[Record]:
    """Build the service records of an HSDS package; tables that do not fit together fail the run."""
    try:
        return [Record("service", document) for document in csv_package_services(tables, label)]
    except _SHAPE_ERRORS as error:
        raise ImportSourceError(
            f"{source}: the tables do not fit together as an HSDS package ({type(error).__name__}: {error})."
        ) from error


def run_import(run: ImportRun, *, fetch: Fetch = default_fetch) -> ImportRun:
    """Carry out an import run: read, check every record (saving progress), then write; fill the report.

    A run never stays RUNNING once this returns or raises: an unexpected error ends it FAILED with a
    message for the steward (the log keeps the trace), and since every write happens in one transaction
    that the error undoes, nothing of it is written.
    """
    try:
        return _carry_out(run, fetch)
    except Exception:
        logger.exception("Import run %s stopped by an unexpected error", run.pk)
        _save_progress(
            run,
            state=ImportRun.State.FAILED,
            message=FAILED_UNEXPECTEDLY.format(pk=run.pk),
            finished_at=timezone.now(),
            payload=None,
        )
        return run
    finally:
        # Even an error that is no Exception (the process told to stop) does not leave it running.
        if ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.RUNNING).exists():
            _save_progress(
                run,
                state=ImportRun.State.FAILED,
                message=FAILED_UNEXPECTEDLY.format(pk=run.pk),
                finished_at=timezone.now(),
                payload=None,
            )


def _carry_out(run: ImportRun, fetch: Fetch) -> ImportRun:
    _save_progress(run, state=ImportRun.State.RUNNING, message="Reading the source")
    try:
        records, source_problems = records_for(run, fetch)
    except ImportSourceError as error:
        _save_progress(
            run, state=ImportRun.State.FAILED, message=str(error), finished_at=timezone.now(), payload=None
        )
        return run
    _save_progress(run, total=len(records), message="Checking records")
    outcomes: list[Outcome] = []
    for number, record in enumerate(records, start=1):
        document = record.document
        outcome = Outcome(
            number, record.kind, str(document.get("id", ""))[:200], str(document.get("name", ""))[:200]
        )
        try:
            outcome.reasons = check(record)
        except _SHAPE_ERRORS:
            outcome.reasons = [WRONG_SHAPE]
        if outcome.reasons:
            outcome.result = "rejected"
        outcomes.append(outcome)
        if number % 50 == 0:
            _save_progress(run, processed=number)
    _save_progress(run, processed=len(records))
    rejected = sum(1 for outcome in outcomes if outcome.result == "rejected")
    report_header = (
        [
            {
                "number": 0,
                "kind": "source",
                "id": "",
                "name": run.source,
                "result": "rejected",
                "reasons": source_problems,
            }
        ]
        if source_problems
        else []
    )
    if (rejected or source_problems) and not run.partial:
        for outcome in outcomes:
            if outcome.result != "rejected":
                outcome.result = "not imported"
                outcome.reasons = ["Nothing was imported because other records were rejected (atomic run)."]
        _save_progress(
            run,
            state=ImportRun.State.FINISHED,
            rejected=rejected,
            report=report_header + [outcome.as_dict() for outcome in outcomes],
            message=(
                f"Nothing was imported: {rejected} of {len(records)} records were rejected"
                + (" and the feed itself has problems" if source_problems else "")
                + ". Fix them, or run the import again choosing to keep the accepted records."
            ),
            finished_at=timezone.now(),
            payload=None,
        )
        return run
    _save_progress(run, message="Saving records")
    touched: list[int] = []
    with transaction.atomic():
        for outcome, record in zip(outcomes, records, strict=True):
            if outcome.result == "rejected":
                continue
            result, ids = _import_record(record, source=run.source, by=run.started_by)
            outcome.result = result
            touched.extend(ids)
        index_services(sorted(set(touched)))
        bump_version()
        # The run's end and its audit are written with the records: all of it, or (on an error) none.
        counts = {
            result: sum(1 for outcome in outcomes if outcome.result == result)
            for result in ("created", "updated", "unchanged")
        }
        _save_progress(
            run,
            state=ImportRun.State.FINISHED,
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=rejected,
            report=report_header + [outcome.as_dict() for outcome in outcomes],
            message=(
                f"{counts['created']} created, {counts['updated']} updated, "
                f"{counts['unchanged']} unchanged, {rejected} rejected."
            ),
            finished_at=timezone.now(),
            payload=None,
        )
        record_event(
            by=run.started_by,
            action="directory.import",
            target=run,
            created=counts["created"],
            updated=counts["updated"],
            unchanged=counts["unchanged"],
            rejected=rejected,
        )
    return run


@transaction.atomic
def start_import(
    *,
    by: User | None,
    format: str,
    source: str,
    payload: bytes | None = None,
    partial: bool = False,
    at: datetime.datetime | None = None,
) -> ImportRun:
    """Record an import run (a steward, or `by=None` from the command line) for `run_import` to carry out.

    Refuses (ImportRefused) a payload over the upload cap, a second run while the steward's earlier one
    is still queued or running, and any run while DIRECTORY_IMPORT_MAX_RUNNING are. A run older than
    DIRECTORY_IMPORT_STALE_MINUTES no longer counts, so one left behind by a dead worker blocks no one.
    """
    at = at or timezone.now()
    if by is not None and not rules.may_import(by):
        raise PermissionDenied("Only a directory steward can import entries.")
    if payload is not None and (problem := upload_problem(len(payload))):
        raise ImportRefused(problem)
    active = ImportRun.objects.filter(
        state__in=[ImportRun.State.QUEUED, ImportRun.State.RUNNING],
        created_at__gte=at - datetime.timedelta(minutes=settings.DIRECTORY_IMPORT_STALE_MINUTES),
    )
    if by is not None and active.filter(started_by=by).exists():
        raise ImportRefused(
            "Your earlier import is still running. Wait for it to finish (its page shows how far it "
            "has got), then start this one."
        )
    most = settings.DIRECTORY_IMPORT_MAX_RUNNING
    if active.count() >= most:
        running = "An import is" if most == 1 else f"{most} imports are"
        raise ImportRefused(
            f"{running} already running, the most this site runs at once. Try again in a few minutes."
        )
    run = ImportRun.objects.create(
        format=format, source=source[:1000], payload=payload, partial=partial, started_by=by, created_at=at
    )
    record_event(
        by=by, action="directory.start_import", target=run, at=at, format=format, source=source[:200]
    )
    return run
