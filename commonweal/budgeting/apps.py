from django.apps import AppConfig


class BudgetingConfig(AppConfig):
    name = "commonweal.budgeting"
    verbose_name = "Participatory budgeting"
