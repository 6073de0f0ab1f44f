"""Participatory budgeting: the organisers' pages under budgeting/, the residents' under budgets/."""

from django.urls import path

from commonweal.budgeting import views

app_name = "budgeting"

urlpatterns = [
    # Organisers' pages.
    path("budgeting/", views.index, name="index"),
    path("budgeting/new/", views.round_create, name="create"),
    path("budgeting/<int:pk>/", views.manage, name="manage"),
    path("budgeting/<int:pk>/settings/", views.round_settings, name="settings"),
    path("budgeting/<int:pk>/next/<slug:step>/", views.advance, name="advance"),
    path("budgeting/<int:pk>/ideas/", views.ideas, name="ideas"),
    path("budgeting/<int:pk>/ideas/<int:idea_id>/", views.idea_answer, name="idea-answer"),
    path("budgeting/<int:pk>/projects/", views.projects, name="projects"),
    path("budgeting/<int:pk>/projects/<int:number>/", views.project, name="project"),
    path(
        "budgeting/<int:pk>/projects/<int:number>/feasibility/",
        views.feasibility,
        name="feasibility",
    ),
    path("budgeting/<int:pk>/paper/", views.paper, name="paper"),
    path("budgeting/<int:pk>/paper/<int:paper_id>/", views.paper_resolve, name="paper-resolve"),
    path("budgeting/<int:pk>/delivery/<int:number>/", views.delivery, name="delivery"),
    path(
        "budgeting/<int:pk>/delivery/<int:number>/milestones/",
        views.milestone_add,
        name="milestone-add",
    ),
    path(
        "budgeting/<int:pk>/delivery/<int:number>/milestones/<int:milestone_id>/done/",
        views.milestone_done,
        name="milestone-done",
    ),
    path("budgeting/<int:pk>/delivery/<int:number>/spend/", views.spend, name="spend"),
    # Residents' pages.
    path("budgets/", views.budgets, name="budgets"),
    path("budgets/<int:pk>/", views.budget_page, name="budget"),
    path("budgets/<int:pk>/ideas/new/", views.idea_create, name="budget-idea"),
    path("budgets/<int:pk>/vote/", views.vote, name="budget-vote"),
    path("budgets/<int:pk>/results/", views.results, name="budget-results"),
    path("budgets/<int:pk>/round.pb", views.export, name="budget-export"),
    path("budgets/<int:pk>/weights.csv", views.export_weights, name="budget-weights"),
]
