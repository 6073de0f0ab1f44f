from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonweal.accounts"
    verbose_name = "Accounts and access"

    def ready(self) -> None:
        # Registers the system check that person-level views cannot skip the access audit.
        from commonweal.accounts import checks  # noqa: F401
