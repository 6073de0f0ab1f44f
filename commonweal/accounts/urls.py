from django.urls import path

from commonweal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-in/verify/", views.SecondStepView.as_view(), name="sign-in-verify"),
    path("sign-in/set-up/", views.SetUpAtSignInView.as_view(), name="sign-in-set-up"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("sign-out/everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    # The Django admin signs in through the pages above (the same factors and lock-out); this app's
    # URLs are included before the admin's, so this path wins over its own login page.
    path("django-admin/login/", views.admin_sign_in, name="admin-sign-in"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", views.PasswordResetSentView.as_view(), name="password-reset-sent"),
    path(
        "password-reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path(
        "password-reset/complete/", views.PasswordResetCompleteView.as_view(), name="password-reset-complete"
    ),
    path("account/", views.account, name="account"),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path("account/two-step/", views.security, name="security"),
    path("account/two-step/authenticator/", views.authenticator, name="authenticator"),
    path("account/two-step/recovery-codes/", views.recovery_codes, name="recovery-codes"),
    path("access/users/", views.users, name="users"),
    path("access/users/<int:user_id>/", views.UserDetail.as_view(), name="user-detail"),
]
