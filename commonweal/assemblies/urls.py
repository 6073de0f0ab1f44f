"""Citizens' assemblies and steering groups: the organisers' pages and the public ones."""

from django.urls import path

from commonweal.assemblies import views

app_name = "assemblies"

urlpatterns = [
    # Organisers: the list, setting up, and each body's hub.
    path("", views.index, name="index"),
    path("assemblies/new/", views.assembly_create, name="assembly-create"),
    path("steering-groups/new/", views.steering_group_create, name="steering-group-create"),
    path("bodies/<int:pk>/", views.manage, name="manage"),
    # An assembly's recruitment and selection.
    path("bodies/<int:pk>/invitations/", views.invitations, name="invitations"),
    path("bodies/<int:pk>/invitations.csv", views.invitations_csv, name="invitations-csv"),
    path("bodies/<int:pk>/letters/", views.letters, name="letters"),
    path("bodies/<int:pk>/pool/", views.pool, name="pool"),
    path("bodies/<int:pk>/pool/<int:number>/withdraw/", views.withdraw, name="withdraw"),
    path("bodies/<int:pk>/quotas/", views.quotas, name="quotas"),
    path("bodies/<int:pk>/quotas/template.csv", views.quota_template, name="quota-template"),
    path("bodies/<int:pk>/quotas/<int:quota_id>/", views.quota_change, name="quota-change"),
    path("bodies/<int:pk>/selection/", views.selection, name="selection"),
    path("bodies/<int:pk>/selection/publish/", views.publish, name="publish"),
    path("bodies/<int:pk>/panel/", views.panel, name="panel"),
    # Every body at work.
    path("bodies/<int:pk>/members/", views.members, name="members"),
    path("bodies/<int:pk>/members/<int:membership_id>/leave/", views.member_leave, name="member-leave"),
    path("bodies/<int:pk>/sessions/new/", views.session_edit, name="session-create"),
    path("bodies/<int:pk>/sessions/<int:session_id>/", views.session_edit, name="session"),
    path("bodies/<int:pk>/sessions/<int:session_id>/evidence/", views.evidence_add, name="evidence-add"),
    path(
        "bodies/<int:pk>/recommendations/new/",
        views.recommendation_create,
        name="recommendation-create",
    ),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/",
        views.recommendation,
        name="recommendation",
    ),
    path("bodies/<int:pk>/recommendations/<int:recommendation_id>/votes/", views.votes, name="votes"),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/response/",
        views.response,
        name="response",
    ),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/delivery/",
        views.delivery,
        name="delivery",
    ),
    # Public pages.
    path("assemblies/<int:pk>/", views.assembly_page, name="assembly"),
    path("assemblies/<int:pk>/register/", views.register, name="register"),
    path("assemblies/<int:pk>/privacy/", views.privacy, name="privacy"),
    path("assemblies/<int:pk>/lottery.json", views.distribution, name="distribution"),
    path("steering-groups/<int:pk>/", views.steering_group_page, name="steering-group"),
    path("bodies/<int:pk>/sessions/<int:session_id>/notes/", views.session_page, name="session-public"),
    path("you-said-we-did/", views.places, name="places"),
    path("you-said-we-did/<slug:code>/", views.place_page, name="place"),
]
