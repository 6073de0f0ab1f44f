from django.urls import path

from commonweal.households import views

app_name = "households"

urlpatterns = [
    path("agenda/", views.agenda, name="agenda"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("supervision/", views.supervision, name="supervision"),
    path("visits/<int:visit_id>/review/", views.review_visit, name="review-visit"),
    path("manage/", views.manage, name="manage"),
    path("mine/", views.mine, name="mine"),
    path("mine/stop/", views.stop_visits, name="stop-visits"),
    path("<int:household_id>/", views.household, name="household"),
    path("<int:household_id>/visit/", views.record_visit, name="visit"),
    path("<int:household_id>/status/", views.set_status, name="status"),
]
