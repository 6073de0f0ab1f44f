from django.urls import path

from commonweal.places import views

app_name = "places"

urlpatterns = [
    path("", views.area_list, name="list"),
    path("postcode/", views.postcode_lookup, name="postcode"),
    path("<slug:code>/", views.area_detail, name="detail"),
    path("<slug:code>/neighbourhoods/new/", views.neighbourhood_create, name="neighbourhood-create"),
    path("<slug:code>/edit/", views.neighbourhood_edit, name="neighbourhood-edit"),
]
