"""Who may do what with measures: named predicates, read by actions (which refuse) and views (early).

A person answers their own questionnaires; link workers record them, plan them and send links; link
workers told about a safety alert act on it. Staff see one person's answers only with a reason (a
relationship through the journey, or a break-glass reason given in their session), which the pages
record. Nothing here writes.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.audit.actions import AccessGrant
from commonweal.measures import queries
from commonweal.measures.models import AnswerLink, Response, SafetyAlert
from commonweal.people import rules as people_rules
from commonweal.people.models import Person


def may_record_measures(user: User | AnonymousUser) -> bool:
    """Tell whether the user's roles let them record, plan and correct other people's measures."""
    return can(user, Capability.RECORD_MEASURES)


def may_record_measure(user: User | AnonymousUser, person: Person) -> bool:
    """Staff who record measures may record, plan and send links for a person other than themselves.

    The page that leads here also needs a reason to open the person's record (`staff_grant`); the
    action cannot see the session that holds a break-glass reason, so it checks the role.
    """
    return may_record_measures(user) and not (person.user_id is not None and person.user_id == user.pk)


def may_answer(user: User | AnonymousUser, response: Response) -> bool:
    """The person answers their own questionnaire; staff who record measures answer with them."""
    if not user.is_authenticated:
        return False
    return response.person.user_id == user.pk or may_record_measures(user)


def may_answer_through_link(link: AnswerLink, response: Response, now: datetime.datetime) -> bool:
    """A one-time link answers only its own response, and only while it is usable."""
    return link.response_id == response.pk and link.is_usable(now)


def may_start_answering(user: User | AnonymousUser, person: Person) -> bool:
    """The person starts their own questionnaire; staff who record measures start one with them."""
    if not user.is_authenticated:
        return False
    return person.user_id == user.pk or may_record_measure(user, person)


def may_correct_response(user: User | AnonymousUser, response: Response) -> bool:
    """Only staff who record measures may correct a submitted response (never the person's own)."""
    return may_record_measure(user, response.person)


def may_respond_to_alert(user: User | AnonymousUser, alert: SafetyAlert) -> bool:
    """Link workers told about an alert (or responsible for it, or supervising its team) act on it."""
    if not isinstance(user, User):
        return False
    return queries.alerts_for(user).filter(pk=alert.pk).exists()


def staff_grant(request: HttpRequest, user: User, person: Person) -> AccessGrant | None:
    """Return the reason a user who records measures may see this person's answers, or None.

    Organisation members may have a relationship through a connection, but they see only what the
    person agreed to share, and answers to questionnaires are never among it.
    """
    if not may_record_measures(user):
        return None
    return people_rules.relationship_grant(user, person) or (
        people_rules.break_glass_grant(request, person) if can(user, Capability.BREAK_GLASS) else None
    )
