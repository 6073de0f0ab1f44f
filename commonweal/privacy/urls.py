from django.urls import path

from commonweal.privacy import views

app_name = "privacy"

urlpatterns = [
    path("erasure/", views.find_person, name="find-person"),
    path("erasure/people/<int:person_id>/", views.ErasePersonView.as_view(), name="erase-person"),
]
