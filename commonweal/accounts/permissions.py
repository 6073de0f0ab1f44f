"""Who may do what: the one place where Commonweal's permission rules live.

Views and API endpoints ask `can(user, Capability.X)` (or use `@requires(...)`); navigation is built
from the same table, so a role never sees a link to a page it would be refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from commonweal.accounts.models import Role, User


class Capability(StrEnum):
    """Something a person may do; roles grant capabilities."""

    VIEW_OWN_RECORD = "view_own_record"
    VIEW_ORGANISATIONS = "view_organisations"
    MANAGE_ORGANISATIONS = "manage_organisations"
    VIEW_OWN_ORGANISATION = "view_own_organisation"
    DRAW_NEIGHBOURHOODS = "draw_neighbourhoods"
    VIEW_DEPRIVATION_PROFILE = "view_deprivation_profile"
    MANAGE_ACCESS = "manage_access"
    BREAK_GLASS = "break_glass"
    USE_API_TOKENS = "use_api_tokens"
    MAKE_REFERRALS = "make_referrals"
    TRIAGE_REFERRALS = "triage_referrals"
    WORK_CASELOAD = "work_caseload"
    RESPOND_TO_CONNECTIONS = "respond_to_connections"
    MANAGE_OWN_PLAN = "manage_own_plan"
    MAINTAIN_DIRECTORY_ENTRIES = "maintain_directory_entries"
    STEWARD_DIRECTORY = "steward_directory"
    ANSWER_OWN_MEASURES = "answer_own_measures"
    RECORD_MEASURES = "record_measures"
    RESPOND_TO_SAFETY_ALERTS = "respond_to_safety_alerts"
    RUN_ASSEMBLIES = "run_assemblies"  # citizens' assemblies and neighbourhood steering groups
    RUN_BUDGETING = "run_budgeting"  # budgeting rounds: projects, paper ballots, counts, delivery
    ANALYSE_EVIDENCE = "analyse_evidence"  # dashboards, stories, SROI analyses, alliance shared outcomes
    VISIT_HOUSEHOLDS = "visit_households"  # a community health worker's agenda and visits (their patch only)
    SUPERVISE_HOUSEHOLDS = "supervise_households"  # patches they supervise: dashboard, review queue
    MANAGE_HOUSEHOLDS = "manage_households"  # onboarding households, patches, reassignment, GP extracts
    VOLUNTEER = "volunteer"  # my matches, hours, expenses, checks and training
    COORDINATE_VOLUNTEERS = "coordinate_volunteers"  # pipeline, vetting, roles, buddy matching, approvals
    RECEIVE_SAFEGUARDING_CONCERNS = "receive_safeguarding_concerns"  # the organisation's designated lead
    USE_TIMEBANK = "use_timebank"  # join a timebank, post offers and requests, record and confirm hours
    RUN_TIMEBANK = "run_timebank"  # coordinate a timebank: members, limits, brokering, reports


_STAFF_BASICS = frozenset({Capability.VIEW_ORGANISATIONS, Capability.USE_API_TOKENS})

# Least privilege: each role gets only what its work needs.
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.RESIDENT: frozenset(
        {
            Capability.VIEW_OWN_RECORD,
            Capability.MANAGE_OWN_PLAN,
            Capability.ANSWER_OWN_MEASURES,
            Capability.USE_TIMEBANK,
        }
    ),
    Role.LINK_WORKER: _STAFF_BASICS
    | {
        Capability.BREAK_GLASS,
        Capability.MAKE_REFERRALS,
        Capability.TRIAGE_REFERRALS,
        Capability.WORK_CASELOAD,
        Capability.RECORD_MEASURES,
        Capability.RESPOND_TO_SAFETY_ALERTS,
    },
    Role.REFERRER: _STAFF_BASICS | {Capability.MAKE_REFERRALS},
    Role.ORGANISATION_MEMBER: frozenset(
        {
            Capability.VIEW_OWN_ORGANISATION,
            Capability.RESPOND_TO_CONNECTIONS,
            Capability.MAINTAIN_DIRECTORY_ENTRIES,
            Capability.USE_TIMEBANK,  # for the organisation's own timebank account
        }
    ),
    # A CHW supervisor is a community health worker named as a patch's supervisor (households.Patch):
    # the capability lets them reach the supervision pages, and the patch decides what they see there.
    Role.COMMUNITY_HEALTH_WORKER: _STAFF_BASICS
    | {
        Capability.BREAK_GLASS,
        Capability.MAKE_REFERRALS,
        Capability.VISIT_HOUSEHOLDS,
        Capability.SUPERVISE_HOUSEHOLDS,
    },
    Role.FACILITATOR: frozenset({Capability.VIEW_OWN_ORGANISATION, Capability.VOLUNTEER}),
    Role.COMMUNITY_ORGANISER: _STAFF_BASICS
    | {
        Capability.DRAW_NEIGHBOURHOODS,
        Capability.VIEW_DEPRIVATION_PROFILE,
        Capability.STEWARD_DIRECTORY,
        Capability.RUN_ASSEMBLIES,
        Capability.RUN_BUDGETING,
        Capability.RUN_TIMEBANK,
    },
    Role.COMMISSIONER: _STAFF_BASICS | {Capability.VIEW_DEPRIVATION_PROFILE, Capability.ANALYSE_EVIDENCE},
    Role.ADMINISTRATOR: _STAFF_BASICS
    | {
        Capability.MANAGE_ACCESS,
        Capability.MANAGE_ORGANISATIONS,
        Capability.DRAW_NEIGHBOURHOODS,
        Capability.VIEW_DEPRIVATION_PROFILE,
        Capability.STEWARD_DIRECTORY,
        Capability.RUN_ASSEMBLIES,
        Capability.RUN_BUDGETING,
        Capability.RUN_TIMEBANK,
        Capability.ANALYSE_EVIDENCE,
        Capability.MANAGE_HOUSEHOLDS,
    },
    Role.VOLUNTEER_COORDINATOR: _STAFF_BASICS
    | {Capability.VIEW_OWN_ORGANISATION, Capability.COORDINATE_VOLUNTEERS},
    Role.SAFEGUARDING_LEAD: _STAFF_BASICS
    | {Capability.VIEW_OWN_ORGANISATION, Capability.RECEIVE_SAFEGUARDING_CONCERNS},
}


def roles_of(user: User | AnonymousUser) -> frozenset[Role]:
    """Return the roles a signed-in user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_commonweal_roles", None)
    if cached is None:
        cached = frozenset(Role(value) for value in user.role_assignments.values_list("role", flat=True))
        user._commonweal_roles = cached  # type: ignore[attr-defined]
    return cast(frozenset[Role], cached)


def must_use_second_factor(user: User | AnonymousUser) -> bool:
    """Tell whether the user must sign in with a second factor: anyone who can see another person's
    record or count votes, i.e. every role but resident, and the Django admin's operators."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or roles_of(user) - {Role.RESIDENT})


def capabilities_of(user: User | AnonymousUser) -> frozenset[Capability]:
    """Return every capability the user's roles grant."""
    granted: set[Capability] = set()
    for role in roles_of(user):
        granted |= ROLE_CAPABILITIES[role]
    return frozenset(granted)


def can(user: User | AnonymousUser, capability: Capability) -> bool:
    """Tell whether the user holds a role that grants the capability."""
    return capability in capabilities_of(user)


def signed_in_user(request: HttpRequest) -> User:
    """Return the signed-in user of a request that a guard has already let through."""
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in to use this page.")
    return request.user


ViewFunction = TypeVar("ViewFunction", bound=Callable[..., HttpResponse])


def requires(capability: Capability) -> Callable[[ViewFunction], ViewFunction]:
    """Wrap a view: anonymous users go to sign in, signed-in users without the capability get 403."""

    def decorate(view: ViewFunction) -> ViewFunction:
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, capability):
                raise PermissionDenied(f"Your roles do not allow this ({capability.value}).")
            return view(request, *args, **kwargs)

        guarded.required_capability = capability  # type: ignore[attr-defined]
        return cast(ViewFunction, guarded)

    return decorate


def signed_in(view: ViewFunction) -> ViewFunction:
    """Wrap a view that any signed-in user may use."""

    @wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return cast(ViewFunction, guarded)


@dataclass(frozen=True)
class NavigationItem:
    """One link in the header navigation."""

    label: str
    url_name: str
    capability: Capability | None  # None: any signed-in user


# Each role's daily work comes first, right after Home, so that it shows in the header without opening
# "More" (the NHS.UK header moves the links that do not fit into it); the pages every role shares follow.
NAVIGATION: tuple[NavigationItem, ...] = (
    NavigationItem("Home", "ui:dashboard", None),
    # A resident's own record and support.
    NavigationItem("My record", "people:my-record", Capability.VIEW_OWN_RECORD),
    NavigationItem("My wellbeing", "measures:mine", Capability.ANSWER_OWN_MEASURES),
    NavigationItem("My household", "households:mine", Capability.VIEW_OWN_RECORD),
    # Link workers.
    NavigationItem("Caseload", "referrals:caseload", Capability.WORK_CASELOAD),
    NavigationItem("Triage", "referrals:triage", Capability.TRIAGE_REFERRALS),
    NavigationItem("Safety alerts", "measures:alerts", Capability.RESPOND_TO_SAFETY_ALERTS),
    NavigationItem("Questionnaires due", "measures:due", Capability.RECORD_MEASURES),
    # Community health workers and their supervisors.
    NavigationItem("My agenda", "households:agenda", Capability.VISIT_HOUSEHOLDS),
    NavigationItem("Supervision", "households:supervision", Capability.SUPERVISE_HOUSEHOLDS),
    NavigationItem("Households", "households:manage", Capability.MANAGE_HOUSEHOLDS),
    # Referrers (link workers and community health workers refer too, after their own work).
    NavigationItem("Refer someone", "referrals:refer", Capability.MAKE_REFERRALS),
    NavigationItem("My referrals", "referrals:mine", Capability.MAKE_REFERRALS),
    # Organisers.
    NavigationItem("Assemblies", "assemblies:index", Capability.RUN_ASSEMBLIES),
    NavigationItem("Budgeting rounds", "budgeting:index", Capability.RUN_BUDGETING),
    # Volunteers, coordinators and safeguarding leads.
    NavigationItem("My volunteering", "volunteering:mine", Capability.VOLUNTEER),
    NavigationItem("Volunteers", "volunteering:overview", Capability.COORDINATE_VOLUNTEERS),
    NavigationItem(
        "Safeguarding concerns", "volunteering:concerns", Capability.RECEIVE_SAFEGUARDING_CONCERNS
    ),
    # Community organisations.
    NavigationItem("Connections inbox", "referrals:inbox", Capability.RESPOND_TO_CONNECTIONS),
    NavigationItem("My organisation", "organisations:mine", Capability.VIEW_OWN_ORGANISATION),
    NavigationItem("My directory entries", "directory:mine", Capability.MAINTAIN_DIRECTORY_ENTRIES),
    NavigationItem("Directory review", "directory:review", Capability.STEWARD_DIRECTORY),
    # Commissioners and administrators.
    NavigationItem("Evidence", "evidence:index", Capability.ANALYSE_EVIDENCE),
    NavigationItem("People and access", "accounts:users", Capability.MANAGE_ACCESS),
    NavigationItem("Break-glass reviews", "people:break-glass-reviews", Capability.MANAGE_ACCESS),
    NavigationItem("Erasure requests", "privacy:find-person", Capability.MANAGE_ACCESS),
    NavigationItem("Find a person", "people:find", Capability.BREAK_GLASS),
    # The timebank, for its members and its coordinators.
    NavigationItem("Timebank", "timebank:home", Capability.USE_TIMEBANK),
    NavigationItem("Timebank coordination", "timebank:coordinate", Capability.RUN_TIMEBANK),
    # What every role shares.
    NavigationItem("Community directory", "directory:search", None),
    NavigationItem("Participatory budgeting", "budgeting:budgets", None),
    NavigationItem("You said, we did", "assemblies:places", None),
    NavigationItem("Organisations", "organisations:list", Capability.VIEW_ORGANISATIONS),
    NavigationItem("Places", "places:list", None),
    NavigationItem("Postcode lookup", "places:postcode", None),
)


def navigation_for(user: User | AnonymousUser) -> list[NavigationItem]:
    """Return the navigation links a user's roles allow, in order."""
    if not user.is_authenticated:
        return []
    granted = capabilities_of(user)
    return [item for item in NAVIGATION if item.capability is None or item.capability in granted]
