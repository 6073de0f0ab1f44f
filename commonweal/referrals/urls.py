from django.urls import path

from commonweal.referrals import views

app_name = "referrals"

urlpatterns = [
    path("refer/", views.refer, name="refer"),
    path("refer/yourself/", views.self_refer, name="self-refer"),
    path("refer/yourself/sent/", views.self_refer_sent, name="self-refer-sent"),
    path("referrals/mine/", views.my_referrals, name="mine"),
    path("referrals/triage/", views.triage_queue, name="triage"),
    path("referrals/<int:referral_id>/", views.CasePage.as_view(), name="case"),
    path("referrals/<int:referral_id>/triage/", views.TriagePage.as_view(), name="triage-referral"),
    path("referrals/<int:referral_id>/next-action/", views.NextActionPage.as_view(), name="next-action"),
    path("referrals/<int:referral_id>/contacts/new/", views.ContactPage.as_view(), name="contact"),
    path(
        "referrals/<int:referral_id>/conversations/<int:kind>/new/",
        views.ConversationPage.as_view(),
        name="conversation",
    ),
    path("referrals/<int:referral_id>/small-sums/new/", views.SmallSumPage.as_view(), name="small-sum"),
    path("referrals/<int:referral_id>/connect/", views.ConnectPage.as_view(), name="connect"),
    path("referrals/<int:referral_id>/close/", views.ClosePage.as_view(), name="close"),
    path("referrals/<int:referral_id>/refer-again/", views.ReReferPage.as_view(), name="rerefer"),
    path(
        "referrals/<int:referral_id>/messages/<int:message_id>/",
        views.MessageBackView.as_view(),
        name="message-back",
    ),
    path(
        "referrals/<int:referral_id>/messages/<int:message_id>.json",
        views.MessageBackView.as_view(as_json=True),
        name="message-back-json",
    ),
    path("referrals/<int:referral_id>/fhir.json", views.FhirExportView.as_view(), name="fhir"),
    path("caseload/", views.caseload, name="caseload"),
    path("caseload/team/<int:team_id>/", views.team_caseloads, name="team"),
    path("caseload/team/<int:team_id>/budget/", views.team_budget, name="team-budget"),
    path("small-sums/<int:small_sum_id>/decide/", views.decide_small_sum, name="decide-small-sum"),
    path("inbox/", views.inbox, name="inbox"),
    path("connections/<int:connection_id>/", views.ConnectionPage.as_view(), name="connection"),
    path("connections/<int:connection_id>/attendance/", views.AttendancePage.as_view(), name="attendance"),
    path("connections/<int:connection_id>/acknowledge/", views.AcknowledgePage.as_view(), name="acknowledge"),
    path("me/connect/", views.my_connect, name="my-connect"),
    path("me/connect/<int:service_id>/", views.my_connect_service, name="my-connect-service"),
]
