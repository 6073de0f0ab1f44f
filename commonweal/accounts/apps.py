from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonweal.accounts"
    verbose_name = "Accounts and roles"
