from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "commonweal.accounts"
    verbose_name = "Accounts and roles"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from commonweal.accounts.middleware import remember_sign_in_time

        user_logged_in.connect(remember_sign_in_time, dispatch_uid="commonweal.accounts.signed_in_at")
