from django.urls import path

from commonweal.timebank import views

app_name = "timebank"

urlpatterns = [
    path("", views.home, name="home"),
    path("banks/<slug:slug>/join/", views.join, name="join"),
    path("accounts/<int:pk>/", views.statement, name="statement"),
    path("accounts/<int:pk>/record/", views.record, name="record"),
    path("accounts/<int:pk>/offers-and-requests/", views.listings, name="listings"),
    path("accounts/<int:pk>/offers-and-requests/new/", views.listing_new, name="listing-new"),
    path("accounts/<int:pk>/offers-and-requests/<int:listing_id>/", views.listing, name="listing"),
    path("accounts/<int:pk>/answers/<int:answer_id>/decide/", views.answer_decide, name="answer-decide"),
    path("transfers/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("coordinate/", views.coordinate, name="coordinate"),
    path("coordinate/<slug:slug>/", views.bank, name="bank"),
    path("coordinate/<slug:slug>/accounts/<int:pk>/join/", views.member_join, name="member-join"),
    path("coordinate/<slug:slug>/accounts/<int:pk>/support/", views.member_support, name="member-support"),
    path("coordinate/<slug:slug>/broker/", views.broker, name="broker"),
    path("coordinate/<slug:slug>/group-session/", views.session, name="session"),
    path("coordinate/<slug:slug>/transfers/<int:pk>/decide/", views.transfer_decide, name="transfer-decide"),
    path(
        "coordinate/<slug:slug>/transfers/<int:pk>/reverse/", views.transfer_reverse, name="transfer-reverse"
    ),
    path("coordinate/<slug:slug>/reports/", views.report, name="report"),
    path("coordinate/<slug:slug>/reports/<slug:section>.csv", views.report, name="report-csv"),
]
