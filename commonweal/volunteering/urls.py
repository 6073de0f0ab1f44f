from django.urls import path

from commonweal.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("me/hours/", views.log_my_hours, name="log-hours"),
    path("me/expenses/", views.claim_my_expense, name="claim-expense"),
    path("concerns/new/", views.raise_concern, name="raise-concern"),
    path("concerns/", views.concerns, name="concerns"),
    path("concerns/<int:concern_id>/", views.concern, name="concern"),
    path("coordinator/", views.overview, name="overview"),
    path("coordinator/volunteers/", views.volunteers, name="volunteers"),
    path("coordinator/volunteers/<int:volunteer_id>/", views.volunteer, name="volunteer"),
    path("coordinator/volunteers/<int:volunteer_id>/move/", views.move, name="move"),
    path("coordinator/volunteers/<int:volunteer_id>/assign/", views.assign, name="assign"),
    path("coordinator/requests/", views.requests, name="requests"),
    path("coordinator/requests/<int:request_id>/", views.request_detail, name="request"),
    path("coordinator/approvals/", views.approvals, name="approvals"),
    path("coordinator/sweep/", views.sweep, name="sweep"),
    path("buddy/<int:person_id>/", views.request_buddy, name="request-buddy"),
    path("proposals/", views.proposals, name="proposals"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("opportunities/<int:opportunity_id>/", views.opportunity, name="opportunity"),
    path("coordinator/opportunities/", views.manage_opportunities, name="manage-opportunities"),
    path("matches/<int:match_id>/", views.match, name="match"),
    path("matches/<int:match_id>/contacts/", views.log_contact, name="log-contact"),
    path("matches/<int:match_id>/end/", views.end_match, name="end-match"),
]
