"""The Open Referral UK 3.0 API, mounted at /openreferral/ (paths as the UK profile defines them)."""

from django.urls import path

from commonweal.directory import oruk_views as views

app_name = "openreferral"

urlpatterns = [
    path("", views.api_root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    path("services", views.service_list, name="services"),
    path("services/<str:service_id>", views.service_detail, name="service"),
    path("service_at_locations", views.service_at_location_list, name="service-at-locations"),
    path("service_at_locations/<str:link_id>", views.service_at_location_detail, name="service-at-location"),
    path("taxonomies", views.taxonomy_list, name="taxonomies"),
    path("taxonomies/<str:taxonomy_id>", views.taxonomy_detail, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_term_list, name="taxonomy-terms"),
    path("taxonomy_terms/<str:term_id>", views.taxonomy_term_detail, name="taxonomy-term"),
]
