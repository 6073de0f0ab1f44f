"""Reminders about due questionnaires, each carrying a fresh one-time link.

`remind` is what the background task `tasks.send_measure_reminder` runs; it sits below the actions
(which queue that task), so the task never imports the module that queues it.
"""

from __future__ import annotations

import datetime
import logging

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from commonweal.audit.actions import record_event
from commonweal.measures import conf, registry
from commonweal.measures.links import make_link
from commonweal.measures.models import ScheduledMeasure
from commonweal.people.models import ContactMethod, Person

logger = logging.getLogger("commonweal.measures")


def _reminder_address(person: Person) -> tuple[str, str]:
    """Return (address, "") to remind by e-mail, or ("", why not) in words."""
    if not person.may_be_contacted:
        return "", "Not reminded: the person asked not to be contacted. Follow up in a conversation."
    if person.contact_methods and ContactMethod.EMAIL not in person.contact_methods:
        return (
            "",
            "Not reminded by e-mail: it is not one of the person's chosen ways. Contact them another way.",
        )
    address = person.email or (person.user.email if person.user is not None else "")
    if not address:
        return "", "Not reminded: no e-mail address is recorded. Contact the person another way."
    return address, ""


@transaction.atomic
def remind(*, scheduled: ScheduledMeasure, at: datetime.datetime | None = None) -> str:
    """Send one reminder with a fresh one-time link (or record why none could go); return what happened."""
    moment = at or timezone.now()
    scheduled = (
        ScheduledMeasure.objects.select_for_update(of=("self",))
        .select_related("person__user")
        .get(pk=scheduled.pk)
    )
    if scheduled.is_done:
        return "Already answered."
    if scheduled.last_reminded_at is not None and scheduled.last_reminded_at > moment - datetime.timedelta(
        days=conf.reminder_every_days()
    ):
        # The task ran before (its worker died after it committed, or a later sweep queued it again):
        # the reminder and its record were written in one transaction, so none goes twice.
        return "Already reminded."
    definition = registry.definition(scheduled.instrument_code)
    address, note = _reminder_address(scheduled.person)
    if address and not registry.is_answerable(definition):
        address, note = "", f"Not reminded: {definition.short_name} is entered as a score by staff."
    sent = False
    if address:
        _, token = make_link(
            person=scheduled.person, definition=definition, scheduled=scheduled, by=None, at=moment
        )
        url = conf.site_url() + reverse("measures:link", kwargs={"token": token})
        try:
            sent = (
                send_mail(
                    subject="A short questionnaire from your link worker",
                    message=(
                        f"It is time for your {scheduled.timepoint_label.lower()} questionnaire "
                        f"({definition.title.in_language()}). It takes a few minutes.\n\n"
                        f"Answer it here (the link works once, for {conf.link_valid_days()} days): {url}\n"
                    ),
                    from_email=None,
                    recipient_list=[address],
                )
                == 1
            )
            note = f"Reminder e-mailed on {timezone.localtime(moment):%-d %B %Y}." if sent else ""
        except Exception as error:  # a failed reminder is recorded and retried at the next sweep
            note = f"The reminder e-mail could not be sent ({type(error).__name__}). It will be tried again."
            logger.warning("Reminder for scheduled measure %s not sent: %s", scheduled.pk, error)
        if not sent and not note:
            note = "The reminder e-mail was not sent. It will be tried again."
    scheduled.last_reminded_at = moment
    scheduled.reminders_sent += 1 if sent else 0
    scheduled.reminder_note = note
    scheduled.save(update_fields=["last_reminded_at", "reminders_sent", "reminder_note"])
    record_event(by=None, action="measures.remind", target=scheduled, at=moment, sent=sent, note=note)
    return note
