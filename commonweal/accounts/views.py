"""Sign-in, the user's own account and API tokens, and administrators' management of access."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

import django_otp
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweal.accounts import actions, factors, rules
from commonweal.accounts.forms import (
    ApiTokenForm,
    CodeForm,
    GrantRoleForm,
    LimitedPasswordResetForm,
    PasskeyForm,
    SignInForm,
    UserSearchForm,
)
from commonweal.accounts.models import ApiToken, Passkey, Role, RoleAssignment, User
from commonweal.accounts.permissions import (
    Capability,
    can,
    must_use_second_factor,
    requires,
    signed_in,
    signed_in_user,
)
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.audit.views import PersonRecordView


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, as Django requires) and say so on the next page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Sign out, then leave a message that the cookie-backed message store carries over."""
        response = super().post(request, *args, **kwargs)
        messages.success(request, "You have signed out.")
        # Pages this browser keeps in its HTTP cache go too (a shared device); the offline copies the
        # households service worker keeps are deleted by the page's script before it signs out.
        response["Clear-Site-Data"] = '"cache"'
        return response


# --- Sign-in: the password step, then a second factor (or enrolment in one) ---

PENDING = "commonweal_pending_sign_in"  # the user who gave the right password, until the second step
RECOVERY_CODES = "commonweal_new_recovery_codes"  # shown once, on the next page
AFTER_CODES = "commonweal_after_recovery_codes"


def _safe_next(request: HttpRequest, url: str) -> str:
    """Return `url` if it is a local address, else the default page after sign-in."""
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
        return url
    return str(reverse(settings.LOGIN_REDIRECT_URL))


def pending_user(request: HttpRequest) -> User | None:
    """The person half-way through signing in, while the password step is fresh enough."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < timezone.now().timestamp():
        return None
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _finish_sign_in(request: HttpRequest, user: User, device: object | None = None) -> str:
    """Sign in (a new session key), forget the pending step, return where to go next."""
    pending = request.session.pop(PENDING, {})
    login(request, user, backend=pending.get("backend") or settings.AUTHENTICATION_BACKENDS[1])
    if isinstance(device, TOTPDevice | StaticDevice):
        django_otp.login(request, device)
    return _safe_next(request, pending.get("next", ""))


def _add_page_error(form: forms.Form, message: str) -> None:
    """Put an error at the top of a form that was not submitted (the error summary lists it)."""
    form.full_clean()
    form.cleaned_data = {}
    form.add_error(None, message)


def _sign_in_again(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING, None)
    messages.info(request, "Your sign-in ran out of time. Enter your e-mail address and password again.")
    return redirect("accounts:sign-in")


class SignInView(auth_views.LoginView):
    """The password step. It signs in only people who need no second factor and have none; everyone
    else goes on to give one (or, staff who have none yet, to set one up) before the session starts."""

    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not must_use_second_factor(user) and not factors.has_second_factor(user):
            return super().form_valid(form)
        minutes = settings.SIGN_IN_SECOND_STEP_MINUTES
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_success_url(),
            "until": (timezone.now() + datetime.timedelta(minutes=minutes)).timestamp(),
        }
        if factors.has_second_factor(user):
            return redirect("accounts:sign-in-verify")
        return redirect("accounts:sign-in-set-up")


def locked_out(
    request: HttpRequest, response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out attempt: the sign-in page with the same words whether or not
    the account exists (attempts are counted per address typed and per client, known or not)."""
    request.session.pop(PENDING, None)
    email = str((credentials or {}).get("username") or request.POST.get("username", ""))[:254]
    form = SignInForm(request, initial={"username": email})  # unbound: the e-mail stays, nothing is checked
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    _add_page_error(
        form,
        f"Too many attempts to sign in. For your security, wait {minutes} minutes and try again, "
        "or reset your password.",
    )
    return render(request, "accounts/sign_in.html", {"form": form, "next": ""}, status=429)


class SecondStepView(View):
    """The second step: a code from an authenticator app, a recovery code or a passkey."""

    def _render(self, request: HttpRequest, user: User, form: CodeForm, status: int = 200) -> HttpResponse:
        has_app = factors.authenticator_of(user) is not None
        passkey_options = factors.authentication_options(request, user) if user.passkeys.exists() else None
        return render(
            request,
            "accounts/sign_in_verify.html",
            {"form": form, "has_app": has_app, "passkey_options": passkey_options},
            status=status,
        )

    @staticmethod
    def _form(data: Any = None) -> CodeForm:
        return CodeForm(
            data,
            label="Code",
            help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return _sign_in_again(request)
        return self._render(request, user, self._form())

    def _failed(self, request: HttpRequest, user: User) -> None:
        # A wrong second factor counts towards the account's lock-out, as a wrong password does.
        user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = pending_user(request)
        if user is None:
            return _sign_in_again(request)
        form = self._form(request.POST)
        if request.POST.get("passkey_response"):
            try:
                factors.verify_passkey(request, user, request.POST["passkey_response"])
            except factors.PasskeyError as error:
                self._failed(request, user)
                form = self._form()
                _add_page_error(form, str(error))
                return self._render(request, user, form, status=400)
            return redirect(_finish_sign_in(request, user))
        if not form.is_valid():
            return self._render(request, user, form, status=400)
        check = factors.check_code(user, form.cleaned_data["code"])
        if not check.ok:
            self._failed(request, user)
            form.add_error(
                "code",
                "You have entered several wrong codes: wait a few seconds, then enter the newest code"
                if check.throttled
                else "Enter a correct code: the newest one your app shows, or an unused recovery code",
            )
            return self._render(request, user, form, status=400)
        destination = _finish_sign_in(request, user, check.device)
        if isinstance(check.device, StaticDevice):
            left = factors.recovery_codes_left(user)
            messages.warning(
                request,
                f"You signed in with a recovery code. You have {left} left: make new ones on your "
                "account page if you are running out.",
            )
        return redirect(destination)


def _authenticator_page(
    request: HttpRequest, device: TOTPDevice, form: CodeForm, *, at_sign_in: bool, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "accounts/authenticator.html",
        {
            "form": form,
            "qr_code": factors.qr_code_svg(device),
            "secret": factors.secret_as_text(device),
            "at_sign_in": at_sign_in,
        },
        status=status,
    )


WRONG_NEW_CODE = "Enter the newest 6-digit code your app shows for this account"


def _authenticator_form(data: Any = None) -> CodeForm:
    return CodeForm(data, label="Code from your app", help_text="Enter the 6-digit code the app shows now.")


def _show_recovery_codes(request: HttpRequest, codes: list[str], then: str) -> HttpResponse:
    request.session[RECOVERY_CODES] = codes
    request.session[AFTER_CODES] = then
    return redirect("accounts:recovery-codes")


class SetUpAtSignInView(View):
    """Staff who have no second factor set one up (an authenticator app) before their sign-in completes."""

    def _user(self, request: HttpRequest) -> User | None:
        user = pending_user(request)
        if user is not None and factors.has_second_factor(user):
            return None  # someone who has a factor gives it; they do not add another here
        return user

    def get(self, request: HttpRequest) -> HttpResponse:
        user = self._user(request)
        if user is None:
            return _sign_in_again(request)
        device = actions.start_authenticator(user=user, by=user)
        return _authenticator_page(request, device, _authenticator_form(), at_sign_in=True)

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self._user(request)
        if user is None:
            return _sign_in_again(request)
        device = actions.start_authenticator(user=user, by=user)
        form = _authenticator_form(request.POST)
        if form.is_valid():
            codes = actions.confirm_authenticator(device=device, code=form.cleaned_data["code"], by=user)
            if codes is not None:
                destination = _finish_sign_in(request, user, device)
                return _show_recovery_codes(request, codes, destination) if codes else redirect(destination)
            form.add_error("code", WRONG_NEW_CODE)
        return _authenticator_page(request, device, form, at_sign_in=True, status=400)


@signed_in
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """Show new recovery codes once: they are kept only as single-use tokens after this page."""
    codes = request.session.pop(RECOVERY_CODES, None)
    then = _safe_next(request, request.session.pop(AFTER_CODES, "") or reverse("accounts:security"))
    if not codes:
        return redirect(then)
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "then": then})


def admin_sign_in(request: HttpRequest) -> HttpResponse:
    """The Django admin's own sign-in page sends people to ours, with its factors and lock-out.

    Someone already signed in comes here only because the admin refused their account: sending them to
    sign in again would bring them straight back, so they are told plainly instead.
    """
    if request.user.is_authenticated:
        raise PermissionDenied("This account may not use the Django admin.")
    target = _safe_next(request, request.GET.get("next", "") or reverse("admin:index"))
    return HttpResponseRedirect(f"{reverse('accounts:sign-in')}?{urlencode({'next': target})}")


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link; the page answers the same whether or not an e-mail went (finding 16)."""

    form_class = LimitedPasswordResetForm
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
    user = signed_in_user(request)
    assignments = user.role_assignments.select_related("organisation", "area")
    return render(
        request,
        "accounts/account.html",
        {
            "assignments": assignments,
            "can_use_tokens": can(request.user, Capability.USE_API_TOKENS),
            "two_step_on": factors.has_second_factor(user),
        },
    )


def _security_page(
    request: HttpRequest, passkey_form: PasskeyForm | None = None, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "authenticator": factors.authenticator_of(user),
            "recovery_codes_left": factors.recovery_codes_left(user),
            "passkeys": list(user.passkeys.all()),
            "two_step_on": factors.has_second_factor(user),
            "required": must_use_second_factor(user),
            "passkey_form": passkey_form or PasskeyForm(),
            "passkey_options": factors.registration_options(request, user),
        },
        status=status,
    )


@signed_in
def security(request: HttpRequest) -> HttpResponse:
    """Two-step sign-in: the person's authenticator app, recovery codes and passkeys, and sign-out
    everywhere. Each change is an action, audited."""
    user = signed_in_user(request)
    if request.method != "POST":
        return _security_page(request)
    if "regenerate" in request.POST:
        codes = actions.regenerate_recovery_codes(user=user, by=user)
        return _show_recovery_codes(request, codes, reverse("accounts:security"))
    if "remove_passkey" in request.POST:
        passkey = get_object_or_404(Passkey, pk=request.POST["remove_passkey"], user=user)
        try:
            actions.remove_passkey(passkey=passkey, by=user)
        except actions.FactorError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Passkey “{passkey.name}” removed.")
        return redirect("accounts:security")
    if "turn_off" in request.POST:
        try:
            actions.turn_off_second_factor(user=user, by=user)
        except actions.FactorError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Two-step sign-in is off. You sign in with your password alone.")
        return redirect("accounts:security")
    return _add_passkey(request, user)


def _add_passkey(request: HttpRequest, user: User) -> HttpResponse:
    form = PasskeyForm(request.POST)
    if not form.is_valid():
        return _security_page(request, form, status=400)
    if not form.cleaned_data["passkey_response"]:
        form.add_error(None, "Your browser did not create a passkey. Try again, or use an authenticator app.")
        return _security_page(request, form, status=400)
    try:
        credential_id, public_key, sign_count = factors.verify_new_passkey(
            request, form.cleaned_data["passkey_response"]
        )
    except factors.PasskeyError as error:
        form.add_error(None, str(error))
        return _security_page(request, form, status=400)
    if Passkey.objects.filter(credential_id=credential_id).exists():
        form.add_error(None, "That passkey is already added.")
        return _security_page(request, form, status=400)
    passkey, codes = actions.add_passkey(
        user=user,
        name=form.cleaned_data["name"],
        credential_id=credential_id,
        public_key=public_key,
        sign_count=sign_count,
        by=user,
    )
    messages.success(request, f"Passkey “{passkey.name}” added. You can sign in with it.")
    if codes:
        return _show_recovery_codes(request, codes, reverse("accounts:security"))
    return redirect("accounts:security")


@signed_in
def authenticator(request: HttpRequest) -> HttpResponse:
    """Set up an authenticator app (residents turn two-step sign-in on this way) or replace one."""
    user = signed_in_user(request)
    device = actions.start_authenticator(user=user, by=user)
    form = _authenticator_form(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = actions.confirm_authenticator(device=device, code=form.cleaned_data["code"], by=user)
        if codes is not None:
            messages.success(request, "Your authenticator app is set up. Sign in with its codes from now on.")
            if codes:
                return _show_recovery_codes(request, codes, reverse("accounts:security"))
            return redirect("accounts:security")
        form.add_error("code", WRONG_NEW_CODE)
    status = 400 if form.errors else 200
    return _authenticator_page(request, device, form, at_sign_in=False, status=status)


@require_POST
@signed_in
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of this person (this one too) and stop their API tokens."""
    user = signed_in_user(request)
    actions.sign_out_everywhere(user=user, by=user)
    logout(request)
    messages.success(
        request, "You have signed out everywhere: on every device, and your API tokens no longer work."
    )
    return redirect("accounts:sign-in")


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
        {
            "form": form,
            "tokens": [(token, token.status()) for token in user.api_tokens.select_related("user")],
            "new_secret": new_secret,
            "token_days": settings.API_TOKEN_DAYS,
        },
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
            {
                "subject": self.subject,
                "assignments": assignments,
                "form": form,
                "two_step_on": factors.has_second_factor(self.subject),
            },
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
        if "reset_factors" in request.POST:
            actions.reset_second_factors(user=self.subject, by=actor)
            messages.success(
                request,
                f"{self.subject.full_name}'s sign-in factors are reset and their sessions ended. They have "
                "been sent an e-mail, and set up a new factor at their next sign-in.",
            )
            return redirect("accounts:user-detail", user_id=self.subject.pk)
        if "revoke" in request.POST:
            assignment = get_object_or_404(RoleAssignment, pk=request.POST["revoke"], user=self.subject)
            if request.POST.get("confirm") != "yes":
                # Removing a role takes away access at once: ask first, on a page of its own.
                return render(
                    request,
                    "accounts/revoke_confirm.html",
                    {"subject": self.subject, "assignment": assignment},
                )
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
