from django.urls import path

from commonweal.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
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
    path("access/users/", views.users, name="users"),
    path("access/users/<int:user_id>/", views.UserDetail.as_view(), name="user-detail"),
]
