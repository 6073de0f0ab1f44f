"""Sign-in, the user's own account and API tokens, and administrators' management of access."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy

from commonweal.accounts import actions, rules
from commonweal.accounts.forms import ApiTokenForm, GrantRoleForm, SignInForm, UserSearchForm
from commonweal.accounts.models import ApiToken, Role, RoleAssignment, User
from commonweal.accounts.permissions import Capability, can, requires, signed_in, signed_in_user
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and say so on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Sign out, then leave a message that the cookie-backed message store carries over."""
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        return response


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-sent")


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    assignments = signed_in_user(request).role_assignments.select_related("organisation", "area")
    return render(
        request,
        "accounts/account.html",
        {"assignments": assignments, "can_use_tokens": can(request.user, Capability.USE_API_TOKENS)},
    )


@requires(Capability.USE_API_TOKENS)
def api_tokens(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and "revoke" in request.POST:
        token = get_object_or_404(ApiToken, pk=request.POST.get("revoke"), user=user)
        actions.revoke_api_token(token=token, by=user)
        messages.success(request, f"Token “{token.name}” revoked. It no longer works.")
        return redirect("accounts:api-tokens")
    if request.method == "POST" and form.is_valid():
        _token, new_secret = actions.create_api_token(user=user, name=form.cleaned_data["name"], by=user)
        form = ApiTokenForm()
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": user.api_tokens.all(), "new_secret": new_secret},
    )


@requires(Capability.MANAGE_ACCESS)
def users(request: HttpRequest) -> HttpResponse:
    form = UserSearchForm(request.GET or None)
    found = User.objects.prefetch_related("role_assignments")
    query = ""
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"]
        found = found.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    return render(
        request, "accounts/users.html", {"form": form, "page": page, "query": f"q={query}" if query else ""}
    )


class UserDetail(PersonRecordView):
    """An administrator's view of one user's access: roles and the log of who looked at them."""

    def get_subject(self, **kwargs: Any) -> User:
        return get_object_or_404(User, pk=kwargs["user_id"])

    def subject_user_of(self, subject: User) -> User | None:
        return subject

    def access_grant(self, request: HttpRequest, subject: User) -> AccessGrant | None:
        if can(request.user, Capability.MANAGE_ACCESS):
            return AccessGrant(RecordAccess.Reason.ADMINISTRATION)
        return None

    def _render(self, request: HttpRequest, form: GrantRoleForm, status: int = 200) -> HttpResponse:
        assignments = self.subject.role_assignments.select_related("organisation", "area")
        return render(
            request,
            "accounts/user_detail.html",
            {"subject": self.subject, "assignments": assignments, "form": form},
            status=status,
        )

    def get(self, request: HttpRequest, user_id: int) -> HttpResponse:
        if not rules.may_manage_access(request.user):
            raise PermissionDenied("Only administrators manage access.")
        return self._render(request, GrantRoleForm())

    def post(self, request: HttpRequest, user_id: int) -> HttpResponse:
        if not rules.may_manage_access(request.user):
            raise PermissionDenied("Only administrators manage access.")
        actor = signed_in_user(request)
        if "revoke" in request.POST:
            assignment = get_object_or_404(RoleAssignment, pk=request.POST["revoke"], user=self.subject)
            actions.revoke_role(assignment=assignment, by=actor)
            messages.success(request, f"{assignment.get_role_display()} role removed.")
            return redirect("accounts:user-detail", user_id=self.subject.pk)
        form = GrantRoleForm(request.POST)
        if not form.is_valid():
            return self._render(request, form, status=400)
        actions.grant_role(
            user=self.subject,
            role=Role(form.cleaned_data["role"]),
            organisation=form.cleaned_data["organisation"],
            area=form.cleaned_data["area"],
            by=actor,
        )
        messages.success(request, "Role granted.")
        return redirect("accounts:user-detail", user_id=self.subject.pk)
