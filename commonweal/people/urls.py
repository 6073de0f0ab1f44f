from django.urls import path

from commonweal.people import views

app_name = "people"

urlpatterns = [
    path("me/", views.my_record, name="my-record"),
    path("me/who-has-looked/", views.my_access_log, name="my-access-log"),
    path("me/download/", views.my_download, name="my-download"),
    path("me/download.json", views.my_download_json, name="my-download-json"),
    path("me/edit/<slug:section>/", views.my_edit, name="my-edit"),
    path("me/plan/", views.my_plan, name="my-plan"),
    path("me/goals/new/", views.my_goal_new, name="my-goal-new"),
    path("me/goals/<int:goal_id>/", views.my_goal_update, name="my-goal"),
    path("people/find/", views.find_person, name="find"),
    path("people/<int:person_id>/", views.PersonRecord.as_view(), name="record"),
    path("people/<int:person_id>/break-glass/", views.break_glass_view, name="break-glass"),
    path("people/break-glass/reviews/", views.break_glass_reviews, name="break-glass-reviews"),
    path("people/break-glass/reviews/<int:opening_id>/", views.break_glass_review, name="break-glass-review"),
    path("people/<int:person_id>/edit/<slug:section>/", views.PersonEdit.as_view(), name="edit"),
    path("people/<int:person_id>/plan/", views.PersonPlan.as_view(), name="plan"),
    path("people/<int:person_id>/goals/new/", views.PersonGoalNew.as_view(), name="goal-new"),
    path("people/<int:person_id>/goals/<int:goal_id>/", views.PersonGoalUpdate.as_view(), name="goal"),
    path("people/<int:person_id>/network/", views.PersonNetwork.as_view(), name="network"),
    path("people/<int:person_id>/safeguarding/", views.PersonSafeguarding.as_view(), name="safeguarding"),
]
