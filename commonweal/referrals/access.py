"""The relationships the journey gives staff with a person: caseload, triage, supervision, connection."""

from __future__ import annotations

from commonweal.accounts.models import Role, User
from commonweal.accounts.permissions import organisation_ids_of, roles_of
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.people.models import Person
from commonweal.referrals.models import Connection, Referral, ReferralStatus, TeamSupervisor
from commonweal.referrals.workflow import ACTIVE


def relationship_grant(user: User, person: Person) -> AccessGrant | None:
    """Return why a member of staff may open a person's record through the journey, or None.

    - the link worker whose caseload holds the person's open case;
    - a link worker of the team a referral waits with, to triage it;
    - a supervisor of the team holding the open case;
    - the link worker who made a connection the organisation still holds.
    A closed or declined case gives no one a continuing reason to look. Community organisations never
    open the record itself: they see a connection, with only what the person agreed to share.
    """
    roles = roles_of(user)
    if Role.LINK_WORKER in roles:
        referrals = list(
            Referral.objects.filter(
                person=person, status__in=[ReferralStatus.OPEN, ReferralStatus.AWAITING_TRIAGE]
            ).values_list("status", "link_worker_id", "team_id")
        )
        for status, link_worker_id, _ in referrals:
            if status == ReferralStatus.OPEN and link_worker_id == user.pk:
                return AccessGrant(RecordAccess.Reason.CASELOAD)
        waiting_teams = {
            team_id for status, _, team_id in referrals if status == ReferralStatus.AWAITING_TRIAGE
        }
        if waiting_teams and waiting_teams & organisation_ids_of(user, Role.LINK_WORKER):
            return AccessGrant(RecordAccess.Reason.REFERRAL, "Triage of a new referral")
        open_teams = {team_id for status, _, team_id in referrals if status == ReferralStatus.OPEN}
        if open_teams and TeamSupervisor.objects.filter(user=user, team_id__in=open_teams).exists():
            return AccessGrant(RecordAccess.Reason.CASELOAD, "Supervising the team's caseload")
        if Connection.objects.filter(
            person=person, requested_by=user, status__in=[status.value for status in ACTIVE]
        ).exists():
            return AccessGrant(RecordAccess.Reason.REFERRAL, "Following up a connection they made")
    return None
