"""Timebank pages: a member's home and statement, recording and confirming exchanges, offers and requests,
and the coordinator's pages (joining, limits and support, brokering, group sessions, reversals, reports).

Views authorise (rules), load, validate, call one action and respond; they never write themselves.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, requires, signed_in, signed_in_user
from commonweal.audit.actions import AccessGrant, record_access
from commonweal.audit.models import RecordAccess
from commonweal.timebank import actions, queries, reports, rules
from commonweal.timebank.actions import TimebankError
from commonweal.timebank.forms import (
    AnswerForm,
    BrokerForm,
    JoinForm,
    ListingForm,
    SearchForm,
    SessionForm,
    SupportForm,
    TransferForm,
    date_at_noon,
    find_account,
    parse_numbers,
)
from commonweal.timebank.models import Account, Answer, Bank, Listing, Transfer
from commonweal.ui.forms import show_error
from commonweal.ui.idempotency import submitted_once


def _status(form_errors: bool) -> int:
    return 400 if form_errors else 200


def _form_page(request: HttpRequest, template: str, form: Any, **context: Any) -> HttpResponse:
    return render(request, template, {"form": form, **context}, status=_status(bool(form.errors)))


def _account(pk: int) -> Account:
    return get_object_or_404(Account.objects.select_related("bank", "user", "guardian"), pk=pk)


def _acting(request: HttpRequest, pk: int) -> Account:
    """An account the signed-in user acts for (holder or guardian); 403 otherwise."""
    account = _account(pk)
    if not rules.may_act_for(request.user, account):
        raise PermissionDenied("You do not act for this timebank account.")
    return account


def _coordinated(request: HttpRequest, slug: str) -> Bank:
    bank = get_object_or_404(Bank.objects.select_related("area"), slug=slug)
    if not rules.may_coordinate(request.user, bank):
        raise PermissionDenied("You do not coordinate this timebank.")
    return bank


def hours(minutes: int) -> str:
    """Minutes as hours and minutes for people: 90 → 1h30, -600 → -10h."""
    sign = "-" if minutes < 0 else ""
    whole, rest = divmod(abs(minutes), 60)
    return f"{sign}{whole}h{rest:02d}" if rest else f"{sign}{whole}h"


# Members ---------------------------------------------------------------------------------------------------


@requires(Capability.USE_TIMEBANK)
def home(request: HttpRequest) -> HttpResponse:
    """The timebank accounts the user holds or acts for, what waits for them, and banks they may join."""
    user = signed_in_user(request)
    accounts = list(queries.accounts_of(user))
    joined = {account.bank_id for account in accounts}
    joinable = Bank.objects.exclude(pk__in=joined) if rules.may_join(user) else Bank.objects.none()
    waiting = [(account, list(queries.waiting_for(account))) for account in accounts]
    return render(
        request,
        "timebank/home.html",
        {"accounts": accounts, "joinable": joinable, "waiting": waiting},
    )


@requires(Capability.USE_TIMEBANK)
@require_POST
def join(request: HttpRequest, slug: str) -> HttpResponse:
    """Apply to join a bank; the coordinator will interview and take references."""
    bank = get_object_or_404(Bank, slug=slug)
    if not rules.may_join(request.user):
        raise PermissionDenied("Only residents can join a timebank as members.")
    try:
        actions.apply_to_join(by=signed_in_user(request), bank=bank, phone=request.POST.get("phone", "")[:30])
    except TimebankError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"You have applied to join {bank.name}. The coordinator will be in touch.")
    return redirect("timebank:home")


@signed_in
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    """An account's statement: balance, hours given and received, every movement (holder, guardian,
    coordinator)."""
    account = _account(pk)
    if not rules.may_see_account(request.user, account):
        raise PermissionDenied("You may not see this account's statement.")
    viewer = signed_in_user(request)
    if account.user_id is not None and account.user_id != viewer.pk:
        detail = "Guardian" if rules.is_guardian_of(viewer, account) else "Timebank coordinator"
        record_access(
            viewer=viewer,
            subject=account,
            subject_user=account.user,
            grant=AccessGrant(RecordAccess.Reason.ORGANISATION, detail),
            path=request.get_full_path(),
        )
    csv = request.GET.get("format") == "csv"
    lines = queries.statement(account, limit=None if csv else 200)
    if csv:
        return reports.csv_response(
            f"statement-{account.pk}.csv",
            ["When", "Minutes", "Balance after", "With", "Category", "Reason", "Transfer", "Recorded"],
            [
                [
                    line.at.isoformat(),
                    line.minutes,
                    line.balance,
                    line.other,
                    line.category,
                    line.reason,
                    line.transfer_id,
                    line.recorded_as,
                ]
                for line in lines
            ],
        )
    given, received = queries.totals(account)
    return render(
        request,
        "timebank/statement.html",
        {
            "account": account,
            "lines": lines,
            "given": given,
            "received": received,
            "acts_for": rules.may_act_for(request.user, account),
            "waiting": list(queries.waiting_for(account)) if rules.may_act_for(request.user, account) else [],
            "answers": queries.answers_involving(account) if rules.may_act_for(request.user, account) else [],
        },
    )


@signed_in
@submitted_once
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """Record an exchange this account took part in."""
    account = _acting(request, pk)
    form = TransferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        other = find_account(account.bank, form.cleaned_data["other"], field="other", form=form)
        if other is not None:
            gave = form.cleaned_data["direction"] == "gave"
            try:
                transfer = actions.record_transfer(
                    by=signed_in_user(request),
                    source=other if gave else account,
                    destination=account if gave else other,
                    minutes=form.cleaned_data["minutes"],
                    category=form.cleaned_data["category"],
                    reason=form.cleaned_data["reason"],
                    home_exchange=form.cleaned_data["home_exchange"],
                )
            except TimebankError as error:
                show_error(
                    form, error if error.field != "destination" else TimebankError(str(error), field="other")
                )
            else:
                messages.success(request, _recorded_message(transfer))
                return redirect("timebank:statement", pk=account.pk)
    return _form_page(
        request,
        "timebank/record.html",
        form,
        account=account,
        heading="Record an exchange",
        caption=f"{account.name} · account number {account.pk}",
        back=reverse("timebank:statement", args=[account.pk]),
        back_text=account.name,
        button="Record it",
    )


def _recorded_message(transfer: Transfer) -> str:
    if transfer.status == Transfer.Status.COMPLETE:
        return f"{hours(transfer.minutes)} recorded and counted." + (
            f" {transfer.warning}" if transfer.warning else ""
        )
    if transfer.status == Transfer.Status.PENDING:
        return f"{hours(transfer.minutes)} recorded. It counts once the other person confirms it."
    return f"{hours(transfer.minutes)} recorded. {transfer.warning}"


@signed_in
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm an exchange the other side recorded."""
    transfer = get_object_or_404(Transfer.objects.select_related("bank", "source", "destination"), pk=pk)
    back = request.POST.get("account", "")
    try:
        actions.confirm_transfer(by=signed_in_user(request), transfer=transfer)
    except TimebankError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Confirmed: {hours(transfer.minutes)} now count.")
    if back.isdigit():
        return redirect("timebank:statement", pk=int(back))
    return redirect("timebank:home")


# Offers and requests --------------------------------------------------------------------------------------


@signed_in
def listings(request: HttpRequest, pk: int) -> HttpResponse:
    """Browse and search the bank's open offers and requests (through an account the user acts for)."""
    account = _acting(request, pk)
    search = SearchForm(request.GET or None)
    found = queries.open_listings(
        account.bank,
        today=timezone.localdate(),
        kind=search.filters().get("kind", ""),
        category=search.filters().get("category", ""),
        text=search.filters().get("q", ""),
    )[:100]
    return render(
        request, "timebank/listings.html", {"account": account, "search": search, "listings": found}
    )


@signed_in
@submitted_once
def listing_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Post an offer or a request."""
    account = _acting(request, pk)
    form = ListingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            listing = actions.post_listing(
                by=signed_in_user(request), account=account, area=account.neighbourhood, **form.cleaned_data
            )
        except TimebankError as error:
            show_error(form, error)
        else:
            messages.success(request, "Posted. Members can answer it through the timebank.")
            return redirect("timebank:listing", pk=account.pk, listing_id=listing.pk)
    return _form_page(
        request,
        "timebank/listing_form.html",
        form,
        account=account,
        heading="Post an offer or a request",
        caption=account.bank.name,
        back=reverse("timebank:listings", args=[account.pk]),
        back_text="Offers and requests",
        button="Post it",
    )


@signed_in
def listing(request: HttpRequest, pk: int, listing_id: int) -> HttpResponse:
    """One offer or request; answer it, or (as its poster) agree to answers. Contact details once agreed."""
    account = _acting(request, pk)
    found = get_object_or_404(Listing.objects.select_related("account"), pk=listing_id, bank=account.bank)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_listing(
                by=signed_in_user(request),
                listing=found,
                account=account,
                message=form.cleaned_data["message"],
            )
        except TimebankError as error:
            show_error(form, error)
        else:
            messages.success(
                request,
                "Your answer was sent through the timebank. "
                "You will see their contact details once they agree.",
            )
            return redirect("timebank:listing", pk=account.pk, listing_id=found.pk)
    mine = found.account_id == account.pk
    answers = found.answers.select_related("account__user") if mine else found.answers.filter(account=account)
    return render(
        request,
        "timebank/listing.html",
        {"account": account, "listing": found, "form": form, "mine": mine, "answers": answers},
        status=_status(bool(form.errors)),
    )


@signed_in
@require_POST
def answer_decide(request: HttpRequest, pk: int, answer_id: int) -> HttpResponse:
    """The poster agrees to (or declines) an answer."""
    account = _acting(request, pk)
    answer = get_object_or_404(
        Answer.objects.select_related("listing__account"), pk=answer_id, listing__account=account
    )
    try:
        actions.decide_answer(
            by=signed_in_user(request), answer=answer, agree=request.POST.get("agree") == "yes"
        )
    except TimebankError as error:
        messages.error(request, str(error))
    return redirect("timebank:listing", pk=account.pk, listing_id=answer.listing_id)


# Coordinators ---------------------------------------------------------------------------------------------


@requires(Capability.RUN_TIMEBANK)
def coordinate(request: HttpRequest) -> HttpResponse:
    """The timebanks in the coordinator's places."""
    banks = Bank.objects.filter(area_id__in=rules.coordinated_place_ids(request.user)).select_related("area")
    return render(request, "timebank/coordinate.html", {"banks": banks})


@requires(Capability.RUN_TIMEBANK)
def bank(request: HttpRequest, slug: str) -> HttpResponse:
    """A bank's coordinator page: applicants, members and their limits, what waits, latest transfers."""
    found = _coordinated(request, slug)
    accounts = Account.objects.filter(bank=found).select_related("user", "guardian").order_by("kind", "name")
    return render(
        request,
        "timebank/bank.html",
        {
            "bank": found,
            "applicants": accounts.filter(status=Account.Status.APPLIED),
            "members": accounts.exclude(status=Account.Status.APPLIED)[:500],
            "referred": Transfer.objects.filter(bank=found, status=Transfer.Status.REFERRED).select_related(
                "source", "destination"
            ),
            "recent": Transfer.objects.filter(bank=found, status=Transfer.Status.COMPLETE).select_related(
                "source", "destination"
            )[:20],
        },
    )


@requires(Capability.RUN_TIMEBANK)
def member_join(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Record an applicant's interview and references: they join."""
    found = _coordinated(request, slug)
    account = get_object_or_404(Account, pk=pk, bank=found)
    form = JoinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_joining(
                by=signed_in_user(request),
                account=account,
                interviewed_at=date_at_noon(form.cleaned_data["interviewed_on"]),
                interview_notes=form.cleaned_data["interview_notes"],
                references=form.cleaned_data["references"],
                dbs_checked_on=form.cleaned_data["dbs_checked_on"],
            )
        except TimebankError as error:
            show_error(form, error)
        else:
            messages.success(request, f"{account.name} has joined.")
            return redirect("timebank:bank", slug=found.slug)
    return _form_page(
        request,
        "timebank/member_join.html",
        form,
        bank=found,
        account=account,
        heading=f"{account.name} joins",
        caption=found.name,
        back=reverse("timebank:bank", args=[found.slug]),
        back_text=found.name,
        button="Record and open the account",
    )


@requires(Capability.RUN_TIMEBANK)
def member_support(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Set a member's own limit, whether they need support, and their guardian."""
    found = _coordinated(request, slug)
    account = get_object_or_404(Account.objects.select_related("guardian"), pk=pk, bank=found)
    form = SupportForm(
        request.POST or None,
        initial={
            "limit_minutes": account.limit_minutes,
            "needs_support": account.needs_support,
            "guardian_email": account.guardian.email if account.guardian else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["guardian_email"]
        guardian = User.objects.filter(email=email.lower()).first() if email else None
        if email and guardian is None:
            form.add_error("guardian_email", "No one with this e-mail address has an account.")
        else:
            try:
                actions.set_member_support(
                    by=signed_in_user(request),
                    account=account,
                    limit_minutes=form.cleaned_data["limit_minutes"],
                    needs_support=form.cleaned_data["needs_support"],
                    guardian=guardian,
                )
            except TimebankError as error:
                show_error(form, error)
            else:
                messages.success(request, f"Saved for {account.name}.")
                return redirect("timebank:bank", slug=found.slug)
    return _form_page(
        request,
        "timebank/member_support.html",
        form,
        bank=found,
        account=account,
        heading=f"Limit and support: {account.name}",
        caption=found.name,
        back=reverse("timebank:bank", args=[found.slug]),
        back_text=found.name,
        button="Save",
    )


@requires(Capability.RUN_TIMEBANK)
@submitted_once
def broker(request: HttpRequest, slug: str) -> HttpResponse:
    """Record an exchange for two members as broker (it counts at once; recorded as brokered)."""
    found = _coordinated(request, slug)
    form = BrokerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        source = find_account(found, form.cleaned_data["source"], field="source", form=form)
        destination = find_account(found, form.cleaned_data["destination"], field="destination", form=form)
        if source is not None and destination is not None:
            try:
                transfer = actions.record_transfer(
                    by=signed_in_user(request),
                    source=source,
                    destination=destination,
                    minutes=form.cleaned_data["minutes"],
                    category=form.cleaned_data["category"],
                    reason=form.cleaned_data["reason"],
                )
            except TimebankError as error:
                show_error(form, error)
            else:
                messages.success(request, _recorded_message(transfer))
                return redirect("timebank:bank", slug=found.slug)
    return _form_page(
        request,
        "timebank/broker.html",
        form,
        bank=found,
        heading="Record an exchange for members",
        caption=found.name,
        back=reverse("timebank:bank", args=[found.slug]),
        back_text=found.name,
        button="Record it",
    )


@requires(Capability.RUN_TIMEBANK)
@submitted_once
def session(request: HttpRequest, slug: str) -> HttpResponse:
    """Record a group session: one provider, many participants, one transfer each (all or nothing)."""
    found = _coordinated(request, slug)
    form = SessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        provider = find_account(found, form.cleaned_data["provider"], field="provider", form=form)
        participants = [
            find_account(found, number, field="participants", form=form)
            for number in parse_numbers(form.cleaned_data["participants"])[:200]
        ]
        if provider is not None and participants and all(participants):
            try:
                made = actions.record_group_session(
                    by=signed_in_user(request),
                    provider=provider,
                    participants=[p for p in participants if p is not None],
                    title=form.cleaned_data["title"],
                    minutes_each=form.cleaned_data["minutes_each"],
                    category=form.cleaned_data["category"],
                )
            except TimebankError as error:
                show_error(form, error)
            else:
                messages.success(request, f"{made.title}: {len(participants)} participants recorded.")
                return redirect("timebank:bank", slug=found.slug)
    return _form_page(
        request,
        "timebank/session.html",
        form,
        bank=found,
        heading="Record a group session",
        caption=found.name,
        back=reverse("timebank:bank", args=[found.slug]),
        back_text=found.name,
        button="Record the session",
    )


@requires(Capability.RUN_TIMEBANK)
@require_POST
def transfer_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Approve or decline a transfer referred to the coordinator."""
    found = _coordinated(request, slug)
    transfer = get_object_or_404(Transfer, pk=pk, bank=found)
    try:
        actions.decide_referred(
            by=signed_in_user(request), transfer=transfer, approve=request.POST.get("approve") == "yes"
        )
    except TimebankError as error:
        messages.error(request, str(error))
    return redirect("timebank:bank", slug=found.slug)


@requires(Capability.RUN_TIMEBANK)
@require_POST
def transfer_reverse(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Reverse a counted transfer, with the reason."""
    found = _coordinated(request, slug)
    transfer = get_object_or_404(Transfer, pk=pk, bank=found)
    try:
        actions.reverse_transfer(
            by=signed_in_user(request), transfer=transfer, reason=request.POST.get("reason", "")
        )
    except TimebankError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Transfer {transfer.pk} reversed.")
    return redirect("timebank:bank", slug=found.slug)


@requires(Capability.RUN_TIMEBANK)
def report(request: HttpRequest, slug: str, section: str = "") -> HttpResponse:
    """The bank's reports (tables, each with a CSV): hours by category, neighbourhood and IMD quintile
    (given and received separately), inactive members, the distribution of balances."""
    found = _coordinated(request, slug)
    today = timezone.localdate()
    since = datetime.datetime.combine(
        today - datetime.timedelta(days=365), datetime.time(), tzinfo=datetime.UTC
    )
    tables = reports.all_tables(found, since=since, today=today)
    if section:
        table = next((t for t in tables if t.key == section), None)
        if table is None:
            raise Http404("There is no such report.")
        return reports.csv_response(f"{found.slug}-{table.key}.csv", table.headers, table.rows)
    return render(request, "timebank/report.html", {"bank": found, "tables": tables, "since": since})
