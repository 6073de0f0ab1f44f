"""`{% form_token %}` on a page with several forms: only the form that was sent keeps its token."""

from __future__ import annotations

from django import forms
from django.template import Context, Template
from django.test import RequestFactory

PAGE = "{% load idempotency %}<form>{% form_token first %}</form><form>{% form_token second %}</form>"


class _Form(forms.Form):
    name = forms.CharField()


def _tokens(first: forms.Form, second: forms.Form) -> list[str]:
    request = RequestFactory().post("/", {"form_token": "the-token-sent", "name": ""})
    html = Template(PAGE).render(Context({"request": request, "first": first, "second": second}))
    return [part.split('"')[0] for part in html.split('name="form_token" value="')[1:]]


def test_the_form_sent_back_with_errors_keeps_its_token_and_the_others_get_new_ones():
    sent, other = _tokens(_Form({"name": ""}), _Form())
    assert sent == "the-token-sent"
    assert other and other != "the-token-sent"
    other, sent = _tokens(_Form(), _Form({"name": ""}))
    assert (sent, other != "the-token-sent") == ("the-token-sent", True)
