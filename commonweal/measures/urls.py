from django.urls import path

from commonweal.measures import views

app_name = "measures"

answer = views.ResponseAnswerView.as_view
by_link = views.LinkAnswerView.as_view

urlpatterns = [
    path("me/", views.mine, name="mine"),
    path("me/start/", views.mine_start, name="mine-start"),
    path("responses/<int:response_id>/", views.ResponseDetail.as_view(), name="response"),
    path("responses/<int:response_id>/correct/", views.ResponseCorrect.as_view(), name="correct"),
    path("responses/<int:response_id>/answer/", answer(step="start"), name="answer"),
    path("responses/<int:response_id>/answer/all/", answer(step="all"), name="answer-all"),
    path("responses/<int:response_id>/answer/check/", answer(step="check"), name="answer-check"),
    path("responses/<int:response_id>/answer/done/", answer(step="done"), name="answer-done"),
    path("responses/<int:response_id>/answer/<int:number>/", answer(step="question"), name="answer-question"),
    path("link/<str:token>/", by_link(step="start"), name="link"),
    path("link/<str:token>/all/", by_link(step="all"), name="link-all"),
    path("link/<str:token>/check/", by_link(step="check"), name="link-check"),
    path("link/<str:token>/done/", by_link(step="done"), name="link-done"),
    path("link/<str:token>/<int:number>/", by_link(step="question"), name="link-question"),
    path("people/<int:person_id>/", views.PersonMeasures.as_view(), name="person"),
    path("people/<int:person_id>/record/", views.PersonRecord.as_view(), name="record"),
    path("people/<int:person_id>/schedule/", views.PersonSchedule.as_view(), name="schedule"),
    path("people/<int:person_id>/link/", views.PersonLink.as_view(), name="make-link"),
    path("due/", views.due, name="due"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.AlertDetail.as_view(), name="alert"),
    path("instruments/", views.instruments, name="instruments"),
]
