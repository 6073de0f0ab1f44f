"""Who may do what in volunteering: named predicates, read only (actions enforce, views reuse)."""

from __future__ import annotations

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.accounts.permissions import Capability, can, roles_of
from commonweal.people.models import Person
from commonweal.referrals.models import Referral, ReferralStatus
from commonweal.volunteering.models import Concern, Match, Volunteer


def coordinated_organisation_ids(user: User) -> set[int]:
    """Return the organisations whose volunteers a user coordinates."""
    return set(
        RoleAssignment.objects.filter(
            user=user, role=Role.VOLUNTEER_COORDINATOR, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def safeguarding_organisation_ids(user: User) -> set[int]:
    """Return the organisations for which a user is the designated safeguarding lead."""
    return set(
        RoleAssignment.objects.filter(
            user=user, role=Role.SAFEGUARDING_LEAD, organisation__isnull=False
        ).values_list("organisation_id", flat=True)
    )


def may_coordinate(user: User, organisation_id: int) -> bool:
    """Tell whether a user coordinates an organisation's volunteers (pipeline, vetting, matching…)."""
    return organisation_id in coordinated_organisation_ids(user)


def may_request_buddy(user: User, person: Person) -> bool:
    """Tell whether a user may ask for a buddy for a person: the link worker of their open case."""
    return (
        can(user, Capability.WORK_CASELOAD)
        and Referral.objects.filter(person=person, status=ReferralStatus.OPEN, link_worker=user).exists()
    )


def may_answer_proposal(user: User, match: Match) -> bool:
    """Tell whether a user may accept or decline a proposed buddy: only the person themselves."""
    return match.status == Match.Status.PROPOSED and match.person.user_id == user.pk


def is_volunteer_of(user: User, volunteer: Volunteer) -> bool:
    """Tell whether a user is this volunteer."""
    return volunteer.user_id == user.pk


def may_log_contact(user: User, match: Match) -> bool:
    """Tell whether a user may log a contact on an active match: its volunteer or a coordinator."""
    return match.status == Match.Status.ACTIVE and (
        match.volunteer.user_id == user.pk or may_coordinate(user, match.organisation_id)
    )


def may_view_match(user: User, match: Match) -> bool:
    """Tell whether a user may see a match: the person, the volunteer, the requesting link worker,
    the supervisor or a coordinator of the organisation."""
    return (
        match.person.user_id == user.pk
        or match.volunteer.user_id == user.pk
        or match.request.requested_by_id == user.pk
        or match.supervisor_id == user.pk
        or may_coordinate(user, match.organisation_id)
    )


def may_see_wellbeing(user: User, match: Match) -> bool:
    """Tell whether a user may see the person's wellbeing scores on a match: the person, their link
    worker, the supervisor and the coordinators; not the volunteer, who is told only what the person
    chooses to say (questionnaire answers are health records)."""
    if match.person.user_id == user.pk:
        return True
    return may_view_match(user, match) and match.volunteer.user_id != user.pk


def may_end_match(user: User, match: Match) -> bool:
    """Tell whether a user may end an active match: a coordinator of its organisation or its supervisor."""
    return match.status == Match.Status.ACTIVE and (
        match.supervisor_id == user.pk or may_coordinate(user, match.organisation_id)
    )


def may_raise_concern(user: User) -> bool:
    """Tell whether a user may raise a safeguarding concern: any volunteer or member of staff."""
    return bool(roles_of(user) - {Role.RESIDENT}) or Volunteer.objects.filter(user=user).exists()


def may_handle_concern(user: User, concern: Concern) -> bool:
    """Tell whether a user may read and acknowledge a concern: the organisation's safeguarding lead only."""
    return concern.organisation_id in safeguarding_organisation_ids(user)
