"""Which fields of which models hold personal data: read from each model's `personal_data` annotation.

Every model with a field that looks personal (by its name, or free text in a model about a person)
declares `personal_data = {...}` as a class attribute:

    personal_data = {
        "purpose": "why it is held",
        "lawful_basis": "UK GDPR Article 6 (and Article 9 for health) basis",
        "fields": {"given_name": "identity", ...},   # each personal field and its category
        "not_personal": ["name"],                   # fields that look personal but are not
        "person": "referral__person",               # lookup to the people.Person it is about (or "user":
                                                    # a lookup to accounts.User), for erasure on request
        "on_erasure": "keep: why",                  # kept on erasure, and why (default: anonymised)
    }
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

LOOKS_PERSONAL = re.compile(
    r"(^|_)(name|first_name|last_name|email|phone|telephone|mobile|nhs_number|date_of_birth|dob|"
    r"birth|address|postcode|ethnicity|sex|gender|religion|sexual|what_matters|strengths)($|_)"
)
PERSON_MODELS = ("accounts.User", "people.Person")
CATEGORIES = {
    "identity": "name or identifier",
    "contact": "contact details",
    "demographic": "age, sex, ethnicity (special category where ethnicity)",
    "health": "health and care (special category)",
    "free text": "free text about the person",
    "location": "address or postcode",
    "account": "sign-in and account",
    "vote": "how a person voted (political opinion: special category)",
}


# Numbers, flags and opaque identifiers say nothing about a person by themselves, whatever their names.
NOT_TEXT = (
    models.IntegerField,
    models.FloatField,
    models.DecimalField,
    models.BooleanField,
    models.UUIDField,
)


def _about_a_person(model: type[models.Model]) -> bool:
    if model._meta.label in PERSON_MODELS:
        return True
    related = (getattr(field.related_model, "_meta", None) for field in model._meta.concrete_fields)
    return any(meta is not None and meta.label in PERSON_MODELS for meta in related)


def looks_personal(model: type[models.Model]) -> list[str]:
    """The fields of a model that look like personal data and so must be annotated one way or the other."""
    about_person = _about_a_person(model)
    found = []
    for model_field in model._meta.concrete_fields:
        if isinstance(model_field, NOT_TEXT):
            continue
        free_text = isinstance(model_field, (models.TextField, models.JSONField))
        if LOOKS_PERSONAL.search(model_field.name) or (about_person and free_text):
            found.append(model_field.name)
    return found


@dataclass(frozen=True)
class Annotation:
    """One model's declared personal data."""

    label: str
    purpose: str
    lawful_basis: str
    fields: dict[str, str]
    not_personal: list[str] = field(default_factory=list)
    person: str = ""
    user: str = ""
    on_erasure: str = ""


def project_models() -> list[type[models.Model]]:
    return sorted(
        (model for model in apps.get_models() if model.__module__.startswith("commonweal.")),
        key=lambda model: model._meta.label,
    )


def annotation_of(model: type[models.Model]) -> Annotation | None:
    declared: dict[str, Any] | None = getattr(model, "personal_data", None)
    if declared is None:
        return None
    return Annotation(
        label=model._meta.label,
        purpose=declared.get("purpose", ""),
        lawful_basis=declared.get("lawful_basis", ""),
        fields=dict(declared.get("fields", {})),
        not_personal=list(declared.get("not_personal", [])),
        person=declared.get("person", ""),
        user=declared.get("user", ""),
        on_erasure=declared.get("on_erasure", ""),
    )


def problems() -> list[str]:
    """Every model whose personal-looking fields are not all annotated, and every bad annotation."""
    found = []
    for model in project_models():
        annotation = annotation_of(model)
        names = {f.name for f in model._meta.concrete_fields}
        suspects = looks_personal(model)
        declared = set(annotation.fields) | set(annotation.not_personal) if annotation else set()
        missing = [name for name in suspects if name not in declared]
        if missing:
            found.append(
                f"{model._meta.label}: {', '.join(missing)} look personal but are not annotated "
                "(add them to personal_data['fields'] or ['not_personal'])"
            )
        if annotation is None:
            continue
        unknown = sorted((set(annotation.fields) | set(annotation.not_personal)) - names)
        if unknown:
            found.append(f"{model._meta.label}: personal_data names no such field: {', '.join(unknown)}")
        if annotation.fields and not (annotation.purpose and annotation.lawful_basis):
            found.append(f"{model._meta.label}: personal_data needs a purpose and a lawful basis")
        bad = sorted(category for category in annotation.fields.values() if category not in CATEGORIES)
        if bad:
            found.append(
                f"{model._meta.label}: unknown categories {', '.join(bad)}; use {', '.join(CATEGORIES)}"
            )
    return found
