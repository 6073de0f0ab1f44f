"""One-time answer links: how one is made and how its token is signed.

Below the actions: both `actions.create_answer_link` (staff) and `reminders.remind` (the background
task) make links here, so the task never needs the actions module that queues it.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core import signing
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.measures import conf
from commonweal.measures.definitions import InstrumentDefinition
from commonweal.measures.models import AnswerLink, ScheduledMeasure
from commonweal.people.models import Person

LINK_SALT = "commonweal.measures.answer-link"


def digest(secret: str) -> str:
    """Return the stored form of a link's secret (the secret itself is only ever in the token)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def make_link(
    *,
    person: Person,
    definition: InstrumentDefinition,
    scheduled: ScheduledMeasure | None,
    by: User | None,
    at: datetime.datetime | None = None,
) -> tuple[AnswerLink, str]:
    """Save a new one-time link (audited) and return it with its signed token; callers check first."""
    secret = secrets.token_urlsafe(24)
    now = at or timezone.now()
    link = AnswerLink.objects.create(
        person=person,
        scheduled=scheduled,
        instrument_code=definition.code,
        instrument_version=definition.version,
        secret_digest=digest(secret),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=conf.link_valid_days()),
    )
    token = signing.dumps({"link": link.pk, "secret": secret}, salt=LINK_SALT)
    record_event(
        by=by, action="measures.create_answer_link", target=person, link=link.pk, instrument=definition.code
    )
    return link, token
