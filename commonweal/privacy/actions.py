"""Erasure on request: a person's personal data anonymised wherever the law allows, audited."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.people.models import Person
from commonweal.privacy import rules
from commonweal.privacy.annotations import annotation_of, project_models
from commonweal.privacy.anonymise import anonymise_rows, personal_fields


@dataclass
class ErasureReport:
    """Rows anonymised per kind of record, and what was kept and why."""

    anonymised: dict[str, int] = field(default_factory=dict)
    kept: dict[str, str] = field(default_factory=dict)


def _rows_of(model: type[models.Model], lookups: list[tuple[str, object]]) -> models.QuerySet:
    query = models.Q()
    for lookup, value in lookups:
        query |= models.Q(**{lookup: value})
    return model._default_manager.filter(query)


def erase_person(
    person: Person, *, by: User, reason: str, at: datetime.datetime | None = None, dry_run: bool = False
) -> ErasureReport:
    """Anonymise the person's personal data in every annotated record that reaches them.

    Records whose annotation says they must be kept (the audit, safety alerts, safeguarding, what was
    already sent to the GP) are kept and named in the report; pseudonymised evidence facts stay as
    counts. The person's account, if any, is anonymised and can no longer sign in. One audit event
    records who did it, why, and what was done. A dry run reports what would be done and writes nothing.
    """
    if not rules.may_erase_personal_data(by, person):
        raise PermissionDenied("Only an administrator may carry out a request for erasure.")
    if not reason.strip() and not dry_run:
        raise ValidationError({"reason": "Say why the request is granted (the request and its date)."})
    report = ErasureReport()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        user_id = person.user_id
        for model in project_models():
            annotation = annotation_of(model)
            if annotation is None or not annotation.fields:
                continue
            lookups: list[tuple[str, object]] = []
            if annotation.person:
                lookups.append((annotation.person, person.pk))
            if annotation.user and user_id is not None:
                lookups.append((annotation.user, user_id))
            if not lookups:
                continue
            rows = _rows_of(model, lookups)
            if annotation.on_erasure:
                count = rows.count()
                if count:
                    report.kept[annotation.label] = (
                        f"{count} kept: {annotation.on_erasure.removeprefix('keep: ')}"
                    )
                continue
            changed = anonymise_rows(rows, personal_fields(model), dry_run=dry_run)
            if changed:
                report.anonymised[annotation.label] = changed
        report.kept["audit"] = "the access log and the write log are kept whole (hash-chained)"
        if dry_run:
            return report
        if user_id is not None:
            User.objects.filter(pk=user_id).update(is_active=False)
            apps.get_model("accounts", "ApiToken")._default_manager.filter(user_id=user_id).delete()
        record_event(
            by=by,
            action="privacy.erase_person",
            target=person,
            at=at or timezone.now(),
            reason=reason.strip(),
            anonymised=report.anonymised,
            kept=report.kept,
        )
    return report
