"""Directory pages: search with a map, an entry and its history, editing, suggestions, review, imports."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commonweal.accounts.permissions import (
    Capability,
    requires,
    signed_in,
    signed_in_user,
)
from commonweal.directory import actions, exports, rules
from commonweal.directory.forms import ImportForm, NoteForm, ReviewForm, SearchForm, ServiceForm, initial_for
from commonweal.directory.importers import ImportRefused
from commonweal.directory.maps import Marker, draw
from commonweal.directory.models import ImportRun, SearchDocument, Service, Suggestion, Taxonomy
from commonweal.directory.queries import (
    PlaceNotFoundError,
    SearchRequest,
    default_radius_km,
    find_place,
    home_of,
    is_stale,
    low_cost_limit,
    pending_suggestions,
    search_services,
    stale_services,
)
from commonweal.directory.search.geo import Point
from commonweal.directory.search.query import parse_query
from commonweal.directory.search_index import language_key
from commonweal.organisations.models import Organisation
from commonweal.organisations.queries import organisation_ids_of
from commonweal.places.models import Lsoa
from commonweal.ui.forms import show_error
from commonweal.ui.idempotency import submitted_once

PER_PAGE = 20


def _local_authorities() -> set[str]:
    """Return the local authorities whose LSOA boundaries are loaded (drawn on the map when in view)."""
    return set(
        Lsoa.objects.filter(vintage=Lsoa.Vintage.CENSUS_2021, boundary__isnull=False)
        .values_list("local_authority_code", flat=True)
        .distinct()
    )


def _search_request(request: HttpRequest, form: SearchForm) -> tuple[SearchRequest, list[str]]:
    """Turn the search form (and what the search box says) into a search request and its notes."""
    data = form.cleaned_data
    parsed = parse_query(data.get("q") or "")
    notes = [f"We read “{part}” as a filter." for part in parsed.recognised]
    centre: Point | None = None
    label = ""
    where = (data.get("where") or "").strip() or parsed.postcode
    if where:
        try:
            centre, label = find_place(where)
        except PlaceNotFoundError as error:
            form.add_error("where" if data.get("where") else "q", str(error))
    elif data.get("near_home") or parsed.near_home:
        home = home_of(request.user)
        if home is None:
            form.add_error(
                "near_home", "We do not know your home postcode. Type a postcode or place instead."
            )
        else:
            centre, label = home
    radius = data.get("radius")
    radius_km = float(radius) if radius else None
    if centre is not None and not radius and "radius" not in request.GET:
        radius_km = default_radius_km()
    language = (data.get("language") or "").strip()
    return (
        SearchRequest(
            text=parsed.text,
            term_ids=frozenset(int(term) for term in data.get("terms") or []),
            centre=centre,
            centre_label=label,
            radius_km=radius_km if centre is not None else None,
            day=data.get("day") or parsed.day,
            part_of_day=data.get("part") or parsed.part_of_day,
            free_only=bool(data.get("free")) or parsed.free,
            max_cost=data.get("max_cost")
            if data.get("max_cost") is not None
            else (low_cost_limit() if parsed.low_cost else None),
            accepting_only=bool(data.get("accepting")),
            languages=frozenset({language_key(language)}) if language else frozenset(),
            accessibility=frozenset(data.get("accessibility") or []),
        ),
        notes,
    )


def search(request: HttpRequest) -> HttpResponse:
    """Find community services: free text, filters, distance; ranked, explained, with a map."""
    form = SearchForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "searched": False}
    status = 200
    if form.is_bound:
        if form.is_valid():
            search_request, notes = _search_request(request, form)
            if not form.errors:
                results = search_services(search_request)
                page = Paginator(results.results, PER_PAGE).get_page(request.GET.get("page"))
                services = Service.objects.select_related("organisation").in_bulk(
                    [result.service_id for result in page]
                )
                rows: list[dict[str, Any]] = [
                    {
                        "number": page.start_index() + index,
                        "result": result,
                        "service": services[result.service_id],
                    }
                    for index, result in enumerate(page)
                    if result.service_id in services
                ]
                # The index holds each service's point, so the map costs one query, not one per result.
                points = {
                    service_id: Point(latitude, longitude)
                    for service_id, latitude, longitude in SearchDocument.objects.filter(
                        service_id__in=services
                    ).values_list("service_id", "latitude", "longitude")
                    if latitude is not None and longitude is not None
                }
                markers = [
                    Marker(
                        row["number"],
                        points[row["service"].pk],
                        row["service"].name,
                        reverse("directory:service", kwargs={"pk": row["service"].pk}),
                    )
                    for row in rows
                    if row["service"].pk in points
                ]
                query = request.GET.copy()
                query.pop("page", None)
                context.update(
                    searched=True,
                    page=page,
                    rows=rows,
                    total=results.total,
                    truncated=results.truncated,
                    notes=notes,
                    query=query.urlencode(),
                    picture=draw(
                        markers=markers,
                        centre=search_request.centre,
                        radius_km=search_request.radius_km,
                        local_authorities=_local_authorities(),
                    ),
                    centre_label=search_request.centre_label,
                )
        if form.errors:
            status = 400
    return render(request, "directory/search.html", context, status=status)


def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show one entry: everything about it, when it was last checked and by whom."""
    service = get_object_or_404(
        Service.objects.select_related("organisation", "owner", "last_checked_by"), pk=pk
    )
    links = service.service_at_locations.select_related("location").prefetch_related(
        "location__accessibility", "schedules"
    )
    user = request.user
    return render(
        request,
        "directory/service_detail.html",
        {
            "service": service,
            "links": links,
            "schedules": service.schedules.all(),
            "costs": service.cost_options.all(),
            "languages": service.languages.all(),
            "contacts": service.contacts.all(),
            "terms": service.service_terms.select_related("term__taxonomy"),
            "stale": is_stale(service),
            "can_change": rules.may_edit_service(user, service),
            "can_claim": rules.may_offer_claim(user, service),
            "signed_in": user.is_authenticated,
            "version_count": service.versions.count(),
        },
    )


@signed_in
def service_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Show every saved version of an entry: when, who, how and which fields changed."""
    service = get_object_or_404(Service, pk=pk)
    versions = service.versions.select_related("changed_by").order_by("-number")
    return render(request, "directory/history.html", {"service": service, "versions": versions})


def _entry_form_page(
    request: HttpRequest, form: ServiceForm, title: str, service: Service | None, status: int
) -> HttpResponse:
    return render(
        request,
        "directory/service_form.html",
        {"form": form, "title": title, "service": service},
        status=400 if form.errors else status,
    )


@signed_in
@submitted_once
def service_create(request: HttpRequest) -> HttpResponse:
    """Add an entry directly (a steward, or an organisation for itself)."""
    user = signed_in_user(request)
    own = sorted(organisation_ids_of(user))
    owner = None if rules.is_steward(user) or not own else Organisation.objects.get(pk=own[0])
    if not rules.may_add_service(user, owner):
        raise PermissionDenied(
            "Only directory stewards and community organisations can add entries directly."
        )
    form = ServiceForm(request.POST or None, initial={"organisation_name": owner.name if owner else ""})
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.create_service(
                by=user,
                organisation_name=form.cleaned_data["organisation_name"],
                fields=form.entry_fields(),
                owner=owner,
            )
        except actions.EntryError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{service.name} is now in the directory.")
            return redirect("directory:service", pk=service.pk)
    return _entry_form_page(request, form, "Add a service to the directory", None, 200)


@signed_in
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an entry: only its owner organisation or a steward."""
    service = get_object_or_404(Service.objects.select_related("organisation"), pk=pk)
    if not rules.may_edit_service(request.user, service):
        raise PermissionDenied(
            "Only the organisation that owns this entry, or a directory steward, can change it."
        )
    form = ServiceForm(request.POST or None, initial=initial_for(service))
    form.fields["organisation_name"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            version = actions.update_service(
                service=service, by=signed_in_user(request), fields=form.entry_fields()
            )
        except actions.EntryError as error:
            show_error(form, error)
        else:
            messages.success(
                request, "Saved." if version else "Nothing had changed; we recorded that you checked it."
            )
            return redirect("directory:service", pk=service.pk)
    return _entry_form_page(request, form, f"Change {service.name}", service, 200)


@require_POST
@signed_in
def service_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that the entry was checked and is still right (owner or steward)."""
    service = get_object_or_404(Service, pk=pk)
    if not rules.may_edit_service(request.user, service):
        raise PermissionDenied(
            "Only the organisation that owns this entry, or a directory steward, can confirm it."
        )
    actions.confirm_checked(service=service, by=signed_in_user(request))
    messages.success(request, "Thank you: the entry is marked as checked today.")
    return redirect("directory:service", pk=service.pk)


@signed_in
@submitted_once
def suggest_change(request: HttpRequest, pk: int) -> HttpResponse:
    """Anyone signed in can suggest a change; it waits for a steward."""
    service = get_object_or_404(Service.objects.select_related("organisation"), pk=pk)
    form = ServiceForm(request.POST or None, initial=initial_for(service))
    form.fields["organisation_name"].disabled = True
    note = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and note.is_valid():
        initial = ServiceForm(initial=initial_for(service))
        changed = {
            name: value
            for name, value in form.entry_fields().items()
            if str(value if value is not None else "")
            != str(initial.initial.get(name) if initial.initial.get(name) is not None else "")
        }
        if not changed:
            form.add_error(
                None, "You have not changed anything yet. Change the details that are wrong, then send."
            )
        else:
            actions.suggest(
                by=signed_in_user(request),
                kind=Suggestion.Kind.CHANGE,
                fields=changed,
                note=note.cleaned_data["note"],
                service=service,
            )
            messages.success(
                request, "Thank you. A directory steward will check your suggestion before it appears."
            )
            return redirect("directory:service", pk=service.pk)
    return render(
        request,
        "directory/suggest.html",
        {"form": form, "note": note, "service": service, "title": f"Suggest a change to {service.name}"},
        status=400 if form.errors or note.errors else 200,
    )


@signed_in
@submitted_once
def suggest_new(request: HttpRequest) -> HttpResponse:
    """Anyone signed in can suggest a new entry; it waits for a steward."""
    form = ServiceForm(request.POST or None)
    note = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and note.is_valid():
        fields = form.entry_fields() | {"organisation_name": form.cleaned_data["organisation_name"]}
        actions.suggest(
            by=signed_in_user(request),
            kind=Suggestion.Kind.NEW,
            fields=fields,
            note=note.cleaned_data["note"],
        )
        messages.success(
            request, "Thank you. A directory steward will check your suggestion before it appears."
        )
        return redirect("directory:search")
    return render(
        request,
        "directory/suggest.html",
        {"form": form, "note": note, "service": None, "title": "Suggest something for the directory"},
        status=400 if form.errors or note.errors else 200,
    )


@require_POST
@requires(Capability.MAINTAIN_DIRECTORY_ENTRIES)
def service_claim(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation asks to look after an entry; a steward approves it."""
    service = get_object_or_404(Service, pk=pk)
    user = signed_in_user(request)
    own = sorted(organisation_ids_of(user))
    if not own:
        raise PermissionDenied("You are not a member of an organisation.")
    organisation = Organisation.objects.get(pk=own[0])
    if not rules.may_claim(user, service, organisation):
        raise PermissionDenied("Your organisation already looks after this entry.")
    try:
        actions.claim(service=service, organisation=organisation, by=user)
    except actions.AlreadyClaimedError as error:
        messages.info(request, str(error))
    else:
        messages.success(
            request, f"We have asked a directory steward to confirm that {organisation.name} runs this."
        )
    return redirect("directory:service", pk=service.pk)


@requires(Capability.MAINTAIN_DIRECTORY_ENTRIES)
def my_entries(request: HttpRequest) -> HttpResponse:
    """The entries an organisation looks after, stale ones first."""
    own = organisation_ids_of(request.user)
    services = list(
        Service.objects.filter(owner_id__in=own)
        .select_related("last_checked_by")
        .order_by("last_checked_at", "name")
    )
    claims = Suggestion.objects.filter(
        kind=Suggestion.Kind.CLAIM, claiming_organisation_id__in=own
    ).select_related("service")
    return render(
        request,
        "directory/mine.html",
        {"services": [(service, is_stale(service)) for service in services], "claims": claims},
    )


@requires(Capability.STEWARD_DIRECTORY)
def review(request: HttpRequest) -> HttpResponse:
    """The steward's desk: suggestions and claims to review, stale entries, imports."""
    return render(
        request,
        "directory/review.html",
        {
            "suggestions": pending_suggestions(),
            "stale": stale_services().select_related("owner").order_by("last_checked_at", "name")[:50],
            "stale_count": stale_services().count(),
            "runs": ImportRun.objects.select_related("started_by")[:5],
        },
    )


@requires(Capability.STEWARD_DIRECTORY)
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Review one suggestion: see what would change, then accept or reject it."""
    suggestion = get_object_or_404(Suggestion.objects.select_related("service", "suggested_by"), pk=pk)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.review_suggestion(
                suggestion=suggestion,
                by=signed_in_user(request),
                accept=form.cleaned_data["decision"] == "accept",
                note=form.cleaned_data["note"],
            )
        except actions.EntryError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, "Accepted and applied." if form.cleaned_data["decision"] == "accept" else "Rejected."
            )
            return (
                redirect("directory:service", pk=service.pk)
                if service and form.cleaned_data["decision"] == "accept"
                else redirect("directory:review")
            )
    current = initial_for(suggestion.service) if suggestion.service else {}
    changes = [
        (name.replace("_", " ").capitalize(), current.get(name, ""), value)
        for name, value in sorted(suggestion.proposed.items())
    ]
    return render(
        request,
        "directory/review_detail.html",
        {"suggestion": suggestion, "form": form, "changes": changes},
        status=400 if form.errors else 200,
    )


@requires(Capability.STEWARD_DIRECTORY)
def imports(request: HttpRequest) -> HttpResponse:
    """Start an import (file or feed) and see earlier runs."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        source = data.get("url") or (upload.name if upload else "")
        if data["format"] == ImportRun.Format.TAXONOMY_CSV:
            source = data["taxonomy_name"]
        try:
            run = actions.queue_import(
                by=signed_in_user(request),
                format=data["format"],
                source=source,
                payload=upload.read() if upload else None,
                partial=bool(data.get("partial")),
            )
        except ImportRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            return redirect("directory:import", pk=run.pk)
    return render(
        request,
        "directory/imports.html",
        {"form": form, "runs": ImportRun.objects.select_related("started_by")[:20]},
        status=400 if form.errors else 200,
    )


@requires(Capability.STEWARD_DIRECTORY)
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show an import's progress (refreshing while it runs) and its report of every record."""
    run = get_object_or_404(ImportRun.objects.select_related("started_by"), pk=pk)
    report = run.report or []
    rejected = [row for row in report if row.get("result") == "rejected"]
    return render(
        request,
        "directory/import_detail.html",
        {"run": run, "report": report[:500], "rejected": rejected[:200], "report_size": len(report)},
    )


def taxonomies(request: HttpRequest) -> HttpResponse:
    """List the taxonomies and their terms, with synonyms."""
    found = Taxonomy.objects.prefetch_related("terms__parent")
    return render(request, "directory/taxonomies.html", {"taxonomies": found})


def export_json(request: HttpRequest) -> HttpResponse:
    """Download the whole directory as ORUK 3.0 JSON (open data)."""
    response = HttpResponse(
        json.dumps(exports.oruk_json(), indent=1, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="directory-oruk-3.0.json"'
    return response


def export_csv(request: HttpRequest) -> HttpResponse:
    """Download the whole directory as an HSDS 3.0 CSV data package (a zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in exports.csv_tables().items():
            archive.writestr(f"{name}.csv", text)
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="directory-hsds-3.0-csv.zip"'
    return response
