"""Anonymising rows by their `personal_data` annotations, field by field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.contrib.auth.hashers import make_password
from django.db import models

from commonweal.privacy.annotations import annotation_of

UNCHANGED = object()


def anonymous_value(field: models.Field, row: models.Model) -> Any:
    """What a personal field becomes once anonymised (UNCHANGED where nothing safe can be put)."""
    current = getattr(row, field.attname)
    if field.name == "password":
        return make_password(None)
    if field.null:
        return None
    if field.unique:
        return (
            f"erased-{row.pk}@erased.invalid" if isinstance(field, models.EmailField) else f"erased-{row.pk}"
        )
    if isinstance(field, models.DateTimeField | models.DateField):
        # A date that may not be empty is kept to its year: ages and cohorts still count, people do not.
        return current.replace(month=1, day=1) if current is not None else UNCHANGED
    if isinstance(field, models.JSONField):
        return field.get_default() if field.has_default() else {}
    if isinstance(field, models.CharField | models.TextField):
        return ""
    return UNCHANGED


def personal_fields(model: type[models.Model], categories: Iterable[str] | None = None) -> list[models.Field]:
    """The annotated personal fields of a model, only those of the given categories when named."""
    annotation = annotation_of(model)
    if annotation is None:
        return []
    wanted = set(categories) if categories is not None else None
    return [
        cast(models.Field, model._meta.get_field(name))
        for name, category in annotation.fields.items()
        if wanted is None or category in wanted
    ]


def anonymise_rows(
    queryset: models.QuerySet,
    fields: list[models.Field],
    *,
    dry_run: bool = False,
    extra: dict[str, Any] | None = None,
) -> int:
    """Clear the fields on every row of the queryset; return how many rows held something to clear.

    Rows are written with UPDATE, not save(): records that refuse edits through the model (responses,
    the audit) are never anonymised here, and nothing else about the row changes.
    """
    changed = 0
    for row in queryset.iterator(chunk_size=500):
        values = {}
        for field in fields:
            if field.name == "password":
                if row.has_usable_password():
                    values[field.attname] = anonymous_value(field, row)
                continue
            value = anonymous_value(field, row)
            if value is not UNCHANGED and value != getattr(row, field.attname):
                values[field.attname] = value
        if not values:
            continue
        changed += 1
        if not dry_run:
            type(row)._default_manager.filter(pk=row.pk).update(**values, **(extra or {}))
    return changed
