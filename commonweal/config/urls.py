"""URL configuration: each app's pages under its own prefix, the API under /api/."""

from django.contrib import admin
from django.urls import include, path

from commonweal.config.api import api

urlpatterns = [
    path("", include("commonweal.ui.urls")),
    path("", include("commonweal.accounts.urls")),
    path("", include("commonweal.people.urls")),
    path("", include("commonweal.referrals.urls")),
    path("measures/", include("commonweal.measures.urls")),
    path("households/", include("commonweal.households.urls")),
    path("places/", include("commonweal.places.urls")),
    path("organisations/", include("commonweal.organisations.urls")),
    # Both apps keep the paths they had under participation/, so links and letters keep working.
    path("participation/", include("commonweal.assemblies.urls")),
    path("participation/", include("commonweal.budgeting.urls")),
    path("directory/", include("commonweal.directory.urls")),
    path("volunteering/", include("commonweal.volunteering.urls")),
    path("evidence/", include("commonweal.evidence.urls")),
    path("privacy/", include("commonweal.privacy.urls")),
    path("timebank/", include("commonweal.timebank.urls")),
    path("openreferral/", include("commonweal.directory.oruk_urls")),
    path("api/", api.urls),
    path("django-admin/", admin.site.urls),
]

handler400 = "commonweal.ui.views.bad_request"
handler403 = "commonweal.ui.views.permission_denied"
handler404 = "commonweal.ui.views.page_not_found"
handler500 = "commonweal.ui.views.server_error"
