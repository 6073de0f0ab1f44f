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
    # No maxlength attribute: a browser cuts pasted or typed text at it without a word, so 10,000
    # characters became 3,000 and a long postcode lost its end. The form's own max_length check refuses
    # the whole text with a message instead, and the page keeps what was typed (False drops the attribute).
    attrs: dict[str, str | bool] = {"class": " ".join(classes), "maxlength": False}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def date_parts(field: BoundField) -> dict[str, str]:
    """The day, month and year boxes' values of a memorable date field (see MemorableDateInput)."""
    from commonweal.ui.forms import MemorableDateInput

    return MemorableDateInput.parts(field.value())
