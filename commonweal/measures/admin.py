"""Django admin for operators: read-only views of the measures tables.

Every change goes through the actions (audited, and a submitted response is never edited), so the admin
offers no adding, changing or deleting here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from commonweal.measures.models import (
    AlertDelivery,
    AnswerLink,
    MeasureSchedule,
    Response,
    SafetyAlert,
    ScheduledMeasure,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """An admin page that shows rows and never changes them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MeasureSchedule)
class MeasureScheduleAdmin(ReadOnlyAdmin):
    list_display = ("person", "baseline_on", "origin", "created_at")
    list_filter = ("origin",)


@admin.register(ScheduledMeasure)
class ScheduledMeasureAdmin(ReadOnlyAdmin):
    list_display = (
        "person",
        "instrument_code",
        "weeks_after_baseline",
        "due_on",
        "completed_at",
        "reminders_sent",
    )
    list_filter = ("instrument_code", "weeks_after_baseline")


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ("pk", "person", "instrument_code", "instrument_version", "status", "mode", "version")
    list_filter = ("instrument_code", "status", "mode")


@admin.register(AnswerLink)
class AnswerLinkAdmin(ReadOnlyAdmin):
    list_display = ("pk", "person", "instrument_code", "created_at", "expires_at", "used_at", "revoked_at")
    exclude = ("secret_digest",)


@admin.register(SafetyAlert)
class SafetyAlertAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "person",
        "rule_id",
        "raised_at",
        "status",
        "escalation_level",
        "has_delivery_failure",
    )
    list_filter = ("status", "has_delivery_failure", "escalation_level")


@admin.register(AlertDelivery)
class AlertDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("alert", "audience", "channel", "recipient", "address", "outcome", "attempted_at")
    list_filter = ("outcome", "channel", "audience")
