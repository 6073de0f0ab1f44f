"""Template helpers for the NHS.UK design system wrappers."""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
    "selectmultiple": "nhsuk-select",
}


@register.filter
def nhsuk_widget(field: BoundField) -> SafeString:
    """Render a text-like widget with the design system's classes and described-by links."""
    base = _WIDGET_CLASSES.get(field.widget_type, "nhsuk-input")
    classes = [base]
    if field.errors:
        classes.append(f"{base}--error")
    width = field.field.widget.attrs.get("data-width")
    if width:
        classes.append(f"nhsuk-input--width-{width}")
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}-hint")
    if field.errors:
        described.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)
