"""Reading directory services for connecting and suggesting (the directory app's models, read only)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from commonweal.directory import queries as directory_queries
from commonweal.directory.models import Accessibility, Location, Schedule, Service, ServiceAtLocation
from commonweal.directory.queries import SearchRequest
from commonweal.directory.search.geo import Point
from commonweal.people.models import AccessibilityNeed, Person
from commonweal.places.queries import point_of
from commonweal.referrals.models import ReferralReason
from commonweal.referrals.suggestions import PersonProfile, ServiceFacts, Session, Suggestion, suggest

_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def connectable_services() -> QuerySet[Service]:
    """Return active services with what connecting and suggesting read about them (fixed queries)."""
    return (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .select_related("organisation__organisation", "owner")
        .prefetch_related(
            Prefetch(
                "service_at_locations",
                queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                    Prefetch("location__accessibility", queryset=Accessibility.objects.all()),
                    Prefetch("schedules", queryset=Schedule.objects.filter(is_closure=False)),
                ),
            ),
            Prefetch("schedules", queryset=Schedule.objects.filter(is_closure=False)),
            "languages",
            "service_terms__term",
        )
        .order_by("name", "pk")
    )


def search_services(
    text: str, near: Point | None = None, limit: int = 20
) -> list[tuple[Service, tuple[str, ...]]]:
    """Search the directory with its own search (words, synonyms, typos); return services with reasons."""
    found = directory_queries.search_services(SearchRequest(text=text, centre=near))
    ranked = found.results[:limit]
    services = connectable_services().in_bulk([item.service_id for item in ranked])
    return [(services[item.service_id], item.reasons) for item in ranked if item.service_id in services]


def home_point(person: Person) -> Point | None:
    """Return where the person lives (their postcode, else their area's centre), if known."""
    if person.postcode:
        found = point_of(person.postcode)
        if found is not None:
            return Point(found.latitude, found.longitude)
    if person.lsoa is not None and person.lsoa.latitude is not None and person.lsoa.longitude is not None:
        return Point(person.lsoa.latitude, person.lsoa.longitude)
    return None


def _minutes(value: datetime.time | None) -> int | None:
    return None if value is None else value.hour * 60 + value.minute


def _sessions(schedules: list[Schedule]) -> list[Session]:
    sessions = []
    for schedule in schedules:
        opens, closes = _minutes(schedule.opens_at), _minutes(schedule.closes_at)
        if opens is None or closes is None or not schedule.byday:
            continue
        for part in schedule.byday.split(","):
            day = part.strip().upper()[-2:]
            if day in _DAYS:
                sessions.append(Session(day, opens, closes if closes > opens else 24 * 60))
    return sessions


def facts_of(service: Service) -> ServiceFacts:
    """Turn a prefetched directory service into the suggester's facts."""
    locations: list[Point] = []
    accessibility: set[str] = set()
    schedules: list[Schedule] = list(service.schedules.all())
    for at in service.service_at_locations.all():
        location: Location = at.location
        if location.latitude is not None and location.longitude is not None:
            locations.append(Point(location.latitude, location.longitude))
        accessibility |= {feature.feature for feature in location.accessibility.all() if feature.feature}
        schedules.extend(at.schedules.all())
    terms = " ".join(service_term.term.name for service_term in service.service_terms.all())
    return ServiceFacts(
        service_id=service.pk,
        name=service.name,
        text=f"{service.name} {service.description} {terms}",
        accessibility=frozenset(accessibility),
        languages=frozenset(language.name for language in service.languages.all()),
        sessions=tuple(_sessions(schedules)),
        locations=tuple(locations),
        accepting=service.accepting_referrals,
        waiting_band_label=service.get_waiting_list_band_display() if service.waiting_list_band else "",
        minimum_age=service.minimum_age,
        maximum_age=service.maximum_age,
    )


def profile_of(person: Person, reasons: list[str] | None = None) -> PersonProfile:
    """Build the suggester's view of a person from their record (and their referral's reasons)."""
    home = home_point(person)
    today = timezone.localdate()
    born = person.date_of_birth
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    reason_labels = dict(ReferralReason.choices)
    return PersonProfile(
        interests=tuple(person.interests),
        what_matters=person.what_matters,
        needs=tuple(reason_labels[reason] for reason in reasons or [] if reason in reason_labels),
        accessibility_needs=frozenset(person.accessibility_needs),
        accessibility_labels=dict(AccessibilityNeed.choices),
        language=person.language or "English",
        needs_interpreter=person.needs_interpreter,
        free_times=frozenset(person.free_times),
        home=home,
        age=age,
    )


def suggestions_for(
    person: Person, reasons: list[str] | None = None, limit: int = 8
) -> list[tuple[Suggestion, Any]]:
    """Return suggested services for a person with the services themselves, best first."""
    services = {service.pk: service for service in connectable_services()}
    ranked = suggest(profile_of(person, reasons), [facts_of(service) for service in services.values()], limit)
    return [(suggestion, services[suggestion.service_id]) for suggestion in ranked]
