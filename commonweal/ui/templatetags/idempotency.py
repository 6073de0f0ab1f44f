"""`{% form_token %}`: the hidden one-time token of a form that creates something (ui/idempotency.py)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from commonweal.ui import idempotency

register = template.Library()


@register.simple_tag(takes_context=True)
def form_token(context: Any, form: Any = None) -> SafeString:
    """A new token, or the one the form was sent with when it comes back with errors.

    On a page with several forms, name the form (`{% form_token spend_form %}`): only the form that was
    sent (the bound one) keeps the token it was sent with; the others get new ones. Two forms sharing
    one token would make the second one sent look like a repeat of the first, and make nothing.
    """
    request = context.get("request")
    sent = request is not None and request.method == "POST" and (form is None or bool(form.is_bound))
    token = idempotency.token_of(request) if sent else ""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', idempotency.FIELD, token or idempotency.new_token()
    )
