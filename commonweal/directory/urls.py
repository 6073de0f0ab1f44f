from django.urls import path

from commonweal.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.search, name="search"),
    path("services/new/", views.service_create, name="create"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/history/", views.service_history, name="history"),
    path("services/<int:pk>/edit/", views.service_edit, name="edit"),
    path("services/<int:pk>/confirm/", views.service_confirm, name="confirm"),
    path("services/<int:pk>/suggest/", views.suggest_change, name="suggest-change"),
    path("services/<int:pk>/claim/", views.service_claim, name="claim"),
    path("suggest/", views.suggest_new, name="suggest-new"),
    path("mine/", views.my_entries, name="mine"),
    path("review/", views.review, name="review"),
    path("review/<int:pk>/", views.review_detail, name="review-suggestion"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import"),
    path("taxonomies/", views.taxonomies, name="taxonomies"),
    path("export/oruk-3.0.json", views.export_json, name="export-json"),
    path("export/hsds-3.0-csv.zip", views.export_csv, name="export-csv"),
]
