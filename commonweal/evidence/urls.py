"""Evidence pages, under /evidence/."""

from django.urls import path

from commonweal.evidence import household_coverage, household_uptake, views, volunteering_views

app_name = "evidence"

urlpatterns = [
    path("", views.index, name="index"),
    path("refresh/", views.refresh, name="refresh"),
    path("volunteering/", volunteering_views.page, name="volunteering"),
    path("volunteering/<str:key>.csv", volunteering_views.table_csv, name="volunteering-csv"),
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_create, name="story-create"),
    path("stories/<int:pk>/withdraw/", views.story_withdraw, name="story-withdraw"),
    path("sroi/", views.sroi_list, name="sroi-list"),
    path("sroi/new/", views.sroi_edit, name="sroi-create"),
    path("sroi/<int:pk>/", views.sroi_detail, name="sroi-detail"),
    path("sroi/<int:pk>/edit/", views.sroi_edit, name="sroi-edit"),
    path("sroi/<int:pk>/stakeholders/new/", views.sroi_stakeholder, name="sroi-stakeholder"),
    path("sroi/<int:pk>/inputs/new/", views.sroi_input, name="sroi-input"),
    path("sroi/<int:pk>/outcomes/new/", views.sroi_outcome, name="sroi-outcome"),
    path("sroi/<int:pk>/outcomes/<int:outcome_pk>/edit/", views.sroi_outcome, name="sroi-outcome-edit"),
    path("sroi/<int:pk>/remove/<str:kind>/<int:item_pk>/", views.sroi_remove, name="sroi-remove"),
    path("sroi/<int:pk>/report/", views.sroi_report, name="sroi-report"),
    path("sroi/<int:pk>/report.csv", views.sroi_report_csv, name="sroi-report-csv"),
    path("alliances/", views.alliance_list, name="alliance-list"),
    path("alliances/new/", views.alliance_edit, name="alliance-create"),
    path("alliances/<int:pk>/", views.alliance_detail, name="alliance-detail"),
    path("alliances/<int:pk>/edit/", views.alliance_edit, name="alliance-edit"),
    path("alliances/<int:pk>/outcomes.csv", views.alliance_csv, name="alliance-csv"),
    path("alliances/<int:pk>/outcomes/new/", views.shared_outcome_edit, name="shared-outcome-create"),
    path(
        "alliances/<int:pk>/outcomes/<int:outcome_pk>/edit/",
        views.shared_outcome_edit,
        name="shared-outcome-edit",
    ),
    path(
        "alliances/<int:pk>/outcomes/<int:outcome_pk>/remove/",
        views.shared_outcome_remove,
        name="shared-outcome-remove",
    ),
    path("households/coverage/", household_coverage.household_coverage, name="household-coverage"),
    path("households/uptake/", household_uptake.household_uptake, name="household-uptake"),
    path("<str:key>/", views.dashboard, name="dashboard"),
    path("<str:key>/<str:section>.csv", views.dashboard_csv, name="dashboard-csv"),
]
