from django.urls import path

from commonweal.ui import views

app_name = "ui"

urlpatterns = [
    path("", views.home, name="home"),
    path("home/", views.dashboard, name="dashboard"),
    path("components/", views.components, name="components"),
    path("privacy/", views.privacy, name="privacy"),
    path("accessibility/", views.accessibility, name="accessibility"),
]
