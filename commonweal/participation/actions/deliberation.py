"""Write use cases for assemblies and steering groups at work: members, sessions, evidence,
recommendations, votes, the responsible organisation's responses and delivery."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.organisations.models import Organisation
from commonweal.participation.errors import ParticipationError
from commonweal.participation.models import (
    Body,
    DeliveryUpdate,
    EvidenceItem,
    Membership,
    Recommendation,
    Response,
    Session,
    Vote,
)
from commonweal.places.models import Area


def _long_date(day: datetime.date) -> str:
    """Return a date as people write it, e.g. `1 February 2026`."""
    return f"{day.day} {day:%B %Y}"


@transaction.atomic
def create_steering_group(
    *,
    place: Area,
    name: str,
    remit: str,
    responsible_organisation: Organisation | None = None,
    by: User | None,
) -> Body:
    """Set up a neighbourhood steering group for a place."""
    body = Body.objects.create(
        kind=Body.Kind.STEERING_GROUP,
        name=name,
        place=place,
        remit=remit,
        responsible_organisation=responsible_organisation,
        created_by=by,
    )
    record_event(by=by, action="participation.create_steering_group", target=body, place=place.code)
    return body


@transaction.atomic
def add_member(
    *,
    body: Body,
    full_name: str,
    role: str,
    affiliation: str,
    joined_on: datetime.date,
    by: User | None,
) -> Membership:
    """Give someone a seat on a steering group."""
    if body.is_assembly:
        raise ParticipationError(
            "Members of a citizens' assembly are chosen by lottery: "
            "record who has left and draw replacements."
        )
    membership = Membership.objects.create(
        body=body,
        full_name=full_name,
        role=role,
        affiliation=affiliation,
        route=Membership.Route.APPOINTED,
        joined_on=joined_on,
    )
    record_event(by=by, action="participation.add_member", target=body, membership=membership.pk, role=role)
    return membership


@transaction.atomic
def end_membership(
    *, membership: Membership, left_on: datetime.date, reason: str, by: User | None
) -> Membership:
    """Record that a member has left (for an assembly, a drop-out whose seat a replacement can fill)."""
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        raise ParticipationError(f"{membership.full_name} left on {_long_date(membership.left_on)}.")
    if left_on < membership.joined_on:
        raise ParticipationError(
            f"{membership.full_name} joined on {_long_date(membership.joined_on)}; "
            "they cannot leave before that.",
            field="left_on",
        )
    membership.left_on = left_on
    membership.left_reason = reason
    membership.save(update_fields=["left_on", "left_reason"])
    record_event(
        by=by, action="participation.end_membership", target=membership.body, membership=membership.pk
    )
    return membership


@transaction.atomic
def record_session(
    *,
    body: Body,
    title: str,
    held_on: datetime.date,
    venue: str,
    agenda: str,
    notes: str,
    by: User | None,
    session: Session | None = None,
) -> Session:
    """Add a session (or change one): its date, agenda and notes."""
    if session is None:
        session = Session.objects.create(
            body=body, title=title, held_on=held_on, venue=venue, agenda=agenda, notes=notes, created_by=by
        )
        action = "participation.add_session"
    else:
        if session.body_id != body.pk:
            raise ParticipationError("This session belongs to another body.")
        session.title, session.held_on, session.venue = title, held_on, venue
        session.agenda, session.notes = agenda, notes
        session.save(update_fields=["title", "held_on", "venue", "agenda", "notes"])
        action = "participation.change_session"
    record_event(by=by, action=action, target=session)
    return session


@transaction.atomic
def add_evidence(
    *, session: Session, title: str, presented_by: str, link: str, summary: str, by: User | None
) -> EvidenceItem:
    """Add an item to a session's evidence pack."""
    item = EvidenceItem.objects.create(
        session=session, title=title, presented_by=presented_by, link=link, summary=summary
    )
    record_event(by=by, action="participation.add_evidence", target=session, item=item.pk)
    return item


@transaction.atomic
def make_recommendation(
    *,
    body: Body,
    title: str,
    text: str,
    made_on: datetime.date,
    session: Session | None,
    by: User | None,
) -> Recommendation:
    """Record a recommendation the body has agreed, numbered in order."""
    if session is not None and session.body_id != body.pk:
        raise ParticipationError("Choose one of this body's sessions.", field="session")
    Body.objects.select_for_update().get(pk=body.pk)
    number = (body.recommendations.aggregate(last=Max("number"))["last"] or 0) + 1
    recommendation = Recommendation.objects.create(
        body=body, session=session, number=number, title=title, text=text, made_on=made_on, created_by=by
    )
    record_event(by=by, action="participation.make_recommendation", target=recommendation, number=number)
    return recommendation


def eligible_voters(recommendation: Recommendation) -> list[Membership]:
    """Return the members who sat on the body on the day the recommendation was made."""
    return list(
        recommendation.body.memberships.filter(joined_on__lte=recommendation.made_on)
        .exclude(left_on__lt=recommendation.made_on)
        .order_by("full_name", "pk")
    )


@transaction.atomic
def record_votes(
    *, recommendation: Recommendation, choices: Mapping[int, str | None], by: User | None
) -> dict[str, int]:
    """Record how each member voted (None: did not vote); replaces the earlier record. Returns the tally."""
    eligible = {membership.pk: membership for membership in eligible_voters(recommendation)}
    strangers = sorted(set(choices) - set(eligible))
    if strangers:
        raise ParticipationError("Only members who sat on the body that day can vote.")
    allowed = set(Vote.Choice.values)
    recommendation.votes.all().delete()
    votes = []
    for membership_id, choice in choices.items():
        if choice is None or choice == "":
            continue
        if choice not in allowed:
            raise ParticipationError(f"{choice!r} is not a way to vote.")
        votes.append(Vote(recommendation=recommendation, membership=eligible[membership_id], choice=choice))
    Vote.objects.bulk_create(votes)
    tally = {choice: sum(1 for vote in votes if vote.choice == choice) for choice in Vote.Choice.values}
    record_event(by=by, action="participation.record_votes", target=recommendation, tally=tally)
    return tally


@transaction.atomic
def record_response(
    *,
    recommendation: Recommendation,
    decision: str,
    reasons: str,
    responder: str,
    responded_on: datetime.date,
    by: User | None,
) -> Response:
    """Record the responsible organisation's answer; an earlier answer stays in the history."""
    if decision not in Response.Decision.values:
        raise ParticipationError("Choose accepted, partly accepted or rejected.", field="decision")
    if not reasons.strip():
        raise ParticipationError(
            "Give the reasons for the decision, in the organisation's words.", field="reasons"
        )
    if responded_on < recommendation.made_on:
        raise ParticipationError(
            f"The recommendation was made on {_long_date(recommendation.made_on)}; "
            "the response cannot come before it.",
            field="responded_on",
        )
    response = Response.objects.create(
        recommendation=recommendation,
        decision=decision,
        reasons=reasons,
        responder=responder,
        responded_on=responded_on,
        recorded_by=by,
    )
    record_event(by=by, action="participation.record_response", target=recommendation, decision=decision)
    return response


@transaction.atomic
def record_delivery(
    *,
    recommendation: Recommendation,
    status: str,
    note: str,
    reported_on: datetime.date,
    by: User | None,
) -> DeliveryUpdate:
    """Record progress on delivering an accepted (or partly accepted) recommendation."""
    response = recommendation.current_response()
    if response is None:
        raise ParticipationError("Record the responsible organisation's response before tracking delivery.")
    if response.decision == Response.Decision.REJECTED:
        raise ParticipationError("This recommendation was rejected, so there is nothing to deliver.")
    if status not in DeliveryUpdate.Status.values:
        raise ParticipationError("Choose a delivery status.", field="status")
    update = DeliveryUpdate.objects.create(
        recommendation=recommendation, status=status, note=note, reported_on=reported_on, recorded_by=by
    )
    record_event(by=by, action="participation.record_delivery", target=recommendation, status=status)
    return update
