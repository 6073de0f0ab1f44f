from django.urls import path

from commonweal.participation.views import assemblies, budgeting, budgeting_public, deliberation, public

app_name = "participation"

urlpatterns = [
    # Organisers: the list, setting up, and each body's hub.
    path("", deliberation.index, name="index"),
    path("assemblies/new/", assemblies.assembly_create, name="assembly-create"),
    path("steering-groups/new/", deliberation.steering_group_create, name="steering-group-create"),
    path("bodies/<int:pk>/", deliberation.manage, name="manage"),
    # An assembly's recruitment and selection.
    path("bodies/<int:pk>/invitations/", assemblies.invitations, name="invitations"),
    path("bodies/<int:pk>/invitations.csv", assemblies.invitations_csv, name="invitations-csv"),
    path("bodies/<int:pk>/letters/", assemblies.letters, name="letters"),
    path("bodies/<int:pk>/pool/", assemblies.pool, name="pool"),
    path("bodies/<int:pk>/pool/<int:number>/withdraw/", assemblies.withdraw, name="withdraw"),
    path("bodies/<int:pk>/quotas/", assemblies.quotas, name="quotas"),
    path("bodies/<int:pk>/quotas/template.csv", assemblies.quota_template, name="quota-template"),
    path("bodies/<int:pk>/quotas/<int:quota_id>/", assemblies.quota_change, name="quota-change"),
    path("bodies/<int:pk>/selection/", assemblies.selection, name="selection"),
    path("bodies/<int:pk>/selection/publish/", assemblies.publish, name="publish"),
    path("bodies/<int:pk>/panel/", assemblies.panel, name="panel"),
    # Every body at work.
    path("bodies/<int:pk>/members/", deliberation.members, name="members"),
    path(
        "bodies/<int:pk>/members/<int:membership_id>/leave/", deliberation.member_leave, name="member-leave"
    ),
    path("bodies/<int:pk>/sessions/new/", deliberation.session_edit, name="session-create"),
    path("bodies/<int:pk>/sessions/<int:session_id>/", deliberation.session_edit, name="session"),
    path(
        "bodies/<int:pk>/sessions/<int:session_id>/evidence/", deliberation.evidence_add, name="evidence-add"
    ),
    path(
        "bodies/<int:pk>/recommendations/new/",
        deliberation.recommendation_create,
        name="recommendation-create",
    ),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/",
        deliberation.recommendation,
        name="recommendation",
    ),
    path("bodies/<int:pk>/recommendations/<int:recommendation_id>/votes/", deliberation.votes, name="votes"),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/response/",
        deliberation.response,
        name="response",
    ),
    path(
        "bodies/<int:pk>/recommendations/<int:recommendation_id>/delivery/",
        deliberation.delivery,
        name="delivery",
    ),
    # Public pages.
    path("assemblies/<int:pk>/", public.assembly_page, name="assembly"),
    path("assemblies/<int:pk>/register/", public.register, name="register"),
    path("assemblies/<int:pk>/privacy/", public.privacy, name="privacy"),
    path("assemblies/<int:pk>/lottery.json", public.distribution, name="distribution"),
    path("steering-groups/<int:pk>/", public.steering_group_page, name="steering-group"),
    path("bodies/<int:pk>/sessions/<int:session_id>/notes/", public.session_page, name="session-public"),
    path("you-said-we-did/", public.places, name="places"),
    path("you-said-we-did/<slug:code>/", public.place_page, name="place"),
    # Participatory budgeting: organisers' pages.
    path("budgeting/", budgeting.index, name="budgeting-index"),
    path("budgeting/new/", budgeting.round_create, name="budgeting-create"),
    path("budgeting/<int:pk>/", budgeting.manage, name="budgeting-manage"),
    path("budgeting/<int:pk>/settings/", budgeting.round_settings, name="budgeting-settings"),
    path("budgeting/<int:pk>/next/<slug:step>/", budgeting.advance, name="budgeting-advance"),
    path("budgeting/<int:pk>/ideas/", budgeting.ideas, name="budgeting-ideas"),
    path("budgeting/<int:pk>/ideas/<int:idea_id>/", budgeting.idea_answer, name="budgeting-idea-answer"),
    path("budgeting/<int:pk>/projects/", budgeting.projects, name="budgeting-projects"),
    path("budgeting/<int:pk>/projects/<int:number>/", budgeting.project, name="budgeting-project"),
    path(
        "budgeting/<int:pk>/projects/<int:number>/feasibility/",
        budgeting.feasibility,
        name="budgeting-feasibility",
    ),
    path("budgeting/<int:pk>/paper/", budgeting.paper, name="budgeting-paper"),
    path("budgeting/<int:pk>/paper/<int:paper_id>/", budgeting.paper_resolve, name="budgeting-paper-resolve"),
    path("budgeting/<int:pk>/delivery/<int:number>/", budgeting.delivery, name="budgeting-delivery"),
    path(
        "budgeting/<int:pk>/delivery/<int:number>/milestones/",
        budgeting.milestone_add,
        name="budgeting-milestone-add",
    ),
    path(
        "budgeting/<int:pk>/delivery/<int:number>/milestones/<int:milestone_id>/done/",
        budgeting.milestone_done,
        name="budgeting-milestone-done",
    ),
    path("budgeting/<int:pk>/delivery/<int:number>/spend/", budgeting.spend, name="budgeting-spend"),
    # Participatory budgeting: residents' pages.
    path("budgets/", budgeting_public.budgets, name="budgets"),
    path("budgets/<int:pk>/", budgeting_public.budget_page, name="budget"),
    path("budgets/<int:pk>/ideas/new/", budgeting_public.idea_create, name="budget-idea"),
    path("budgets/<int:pk>/vote/", budgeting_public.vote, name="budget-vote"),
    path("budgets/<int:pk>/results/", budgeting_public.results, name="budget-results"),
    path("budgets/<int:pk>/round.pb", budgeting_public.export, name="budget-export"),
    path("budgets/<int:pk>/weights.csv", budgeting_public.export_weights, name="budget-weights"),
]
