"""`{% form_token %}`: the hidden one-time token of a form that creates something (ui/idempotency.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from commonweal.ui import idempotency

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: Any) -> SafeString:
    """A new token, or the one the form was sent with when it comes back with errors."""
    request = context.get("request")
    token = idempotency.token_of(request) if request is not None and request.method == "POST" else ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FIELD, token or idempotency.new_token()
    )
