"""The retention schedule (retention.toml, reviewed data) and the sweep that carries it out."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.db.models import ProtectedError

from commonweal.audit.actions import record_event
from commonweal.privacy.annotations import CATEGORIES
from commonweal.privacy.anonymise import anonymise_rows, personal_fields

SCHEDULE = Path(__file__).with_name("retention.toml")
ACTIONS = ("anonymise", "erase")


class ScheduleError(ValueError):
    """The retention schedule names something that does not exist or is incomplete."""


@dataclass(frozen=True)
class RetentionKind:
    """One line of the schedule: a kind of record, its period and what is done when it ends."""

    model: str
    description: str
    start: str
    action: str
    legal_basis: str
    years: int = 0
    days: int = 0
    categories: tuple[str, ...] | None = None

    @property
    def period(self) -> str:
        parts = [f"{self.years} years"] if self.years else []
        parts += [f"{self.days} days"] if self.days else []
        return " and ".join(parts)

    def cut_off(self, now: datetime.datetime) -> datetime.datetime:
        """Rows whose start is before this are due."""
        year = now.year - self.years
        try:
            moved = now.replace(year=year)
        except ValueError:  # 29 February in a year without one
            moved = now.replace(year=year, day=28)
        return moved - datetime.timedelta(days=self.days)


def _check_lookup(model: type[models.Model], lookup: str) -> None:
    current = model
    for part in lookup.split("__"):
        try:
            model_field = current._meta.get_field(part)
        except FieldDoesNotExist as error:
            raise ScheduleError(
                f"{model._meta.label}: no field {lookup!r} to count the period from"
            ) from error
        if model_field.is_relation and model_field.related_model is not None:
            current = model_field.related_model


def load_schedule(path: Path = SCHEDULE) -> list[RetentionKind]:
    """Read and check the schedule: every kind names a model, a start field, a period and a legal basis."""
    entries = tomllib.loads(path.read_text())["kind"]
    kinds = []
    for entry in entries:
        label = entry.get("model", "")
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError) as error:
            raise ScheduleError(f"The retention schedule names no such model: {label!r}") from error
        if entry.get("action") not in ACTIONS:
            raise ScheduleError(f"{label}: action must be one of {', '.join(ACTIONS)}")
        if not entry.get("legal_basis"):
            raise ScheduleError(f"{label}: every kind needs its legal basis")
        if not (entry.get("years") or entry.get("days")):
            raise ScheduleError(f"{label}: a period in years or days is needed")
        _check_lookup(model, entry.get("from", ""))
        categories = entry.get("categories")
        if categories is not None and set(categories) - set(CATEGORIES):
            raise ScheduleError(f"{label}: unknown categories {sorted(set(categories) - set(CATEGORIES))}")
        if entry["action"] == "anonymise" and not personal_fields(model, categories):
            raise ScheduleError(
                f"{label}: nothing to anonymise: its personal_data annotation names no such fields"
            )
        kinds.append(
            RetentionKind(
                model=label,
                description=entry.get("description", ""),
                start=entry["from"],
                action=entry["action"],
                legal_basis=entry["legal_basis"],
                years=int(entry.get("years", 0)),
                days=int(entry.get("days", 0)),
                categories=tuple(categories) if categories is not None else None,
            )
        )
    return kinds


@dataclass
class KindReport:
    """What the sweep did (or, in a dry run, would do) for one kind of record."""

    model: str
    action: str
    due: int = 0
    done: int = 0
    problem: str = ""


def sweep(
    *, at: datetime.datetime, dry_run: bool = False, schedule: list[RetentionKind] | None = None
) -> list[KindReport]:
    """Anonymise or erase every row the schedule says is due; record the report as an audit event."""
    reports = []
    for kind in schedule if schedule is not None else load_schedule():
        model = apps.get_model(kind.model)
        due = model._default_manager.filter(**{f"{kind.start}__lt": kind.cut_off(at)})
        report = KindReport(kind.model, kind.action, due=due.count())
        if kind.action == "anonymise":
            with transaction.atomic():
                report.done = anonymise_rows(due, personal_fields(model, kind.categories), dry_run=dry_run)
        elif dry_run:
            report.done = report.due
        else:
            try:
                with transaction.atomic():
                    report.done = due.delete()[1].get(kind.model, 0)
            except ProtectedError:
                report.problem = "kept: other records that must be kept depend on them"
        reports.append(report)
    if not dry_run:
        record_event(
            by=None,
            action="privacy.retention_sweep",
            at=at,
            report={report.model: vars(report) for report in reports},
        )
    return reports
