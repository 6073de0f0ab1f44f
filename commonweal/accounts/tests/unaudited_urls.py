"""A URL configuration with a deliberate mistake, for the audit system check's test."""

from django.http import HttpRequest, HttpResponse
from django.urls import path


def leaky_view(request: HttpRequest, person_id: int) -> HttpResponse:
    return HttpResponse("a record without an audit")


urlpatterns = [path("people-leak/<int:person_id>/", leaky_view)]
