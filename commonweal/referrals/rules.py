"""Who may do what in the journey: named predicates, read only.

Actions call these and raise PermissionDenied when one says no (the authoritative check); views call
the same predicates for an early, friendly refusal. Role capabilities (`can`) stay in
accounts/permissions.py; what is here is about one record: this referral, this connection, this team.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import salted_hmac

from commonweal.accounts.models import Role, RoleAssignment, User
from commonweal.accounts.permissions import Capability, can, roles_of
from commonweal.audit.actions import AccessGrant
from commonweal.audit.models import RecordAccess
from commonweal.organisations.queries import organisation_ids_of
from commonweal.people.models import Person
from commonweal.referrals.models import (
    Connection,
    Referral,
    ReferralStatus,
    SelfReferralAttempt,
    TeamSupervisor,
)
from commonweal.referrals.queries import link_worker_team_ids
from commonweal.referrals.workflow import ACTIVE, Party

# Spam protection for the public self-referral form: at most this many per address per hour.
SELF_REFERRALS_PER_HOUR = getattr(settings, "SELF_REFERRALS_PER_HOUR", 5)
SELF_REFERRAL_WINDOW_SECONDS = 3600
SELF_REFERRAL_LIMIT_REACHED = (
    "We have had several referrals from this connection in the last hour, so we cannot take "
    "another one now. Please try again later, or ask your GP practice to refer you."
)


# ------------------------------------------------------------------------------------ referrals in


def may_refer(user: User | None, person: Person | None = None) -> bool:
    """Tell whether someone may send a referral: a referrer, or the person about themselves.

    `user` is None for the public self-referral form, which anyone may use (its spam protection is
    `may_self_refer_from`).
    """
    if user is None:
        return True
    if person is not None and person.user_id is not None and person.user_id == user.pk:
        return True
    return can(user, Capability.MAKE_REFERRALS)


def self_referral_key(client_address: str) -> str:
    """Return the key under which self-referrals from one address are counted (a keyed hash of it)."""
    return salted_hmac("self-referral", client_address, algorithm="sha256").hexdigest()


def self_referral_window_start(at: datetime.datetime) -> datetime.datetime:
    """Return the start of the hour whose self-referrals count against the limit at `at`."""
    return at - datetime.timedelta(seconds=SELF_REFERRAL_WINDOW_SECONDS)


def may_self_refer_from(client_address: str, at: datetime.datetime | None = None) -> bool:
    """Tell whether the public form may take another self-referral from this address this hour.

    Counted in the database, so the limit holds across web workers and restarts.
    """
    at = at or timezone.now()
    recent = SelfReferralAttempt.objects.filter(
        client=self_referral_key(client_address), at__gt=self_referral_window_start(at), at__lte=at
    )
    return recent.count() < SELF_REFERRALS_PER_HOUR


def may_triage(user: User, referral: Referral) -> bool:
    """Tell whether a user may triage a referral: a link worker of the team it was sent to."""
    return referral.team_id in link_worker_team_ids(user)


def may_rerefer(user: User, referral: Referral) -> bool:
    """Tell whether a user may refer a closed or declined case again (its referrer, the person, the team)."""
    if referral.status not in (ReferralStatus.CLOSED, ReferralStatus.DECLINED):
        return False
    return (
        referral.referred_by_id == user.pk
        or referral.person.user_id == user.pk
        or referral.team_id in link_worker_team_ids(user)
    )


# ---------------------------------------------------------------------------------------- the case


def may_supervise_team(user: User, team_id: int) -> bool:
    """Tell whether a user supervises a team: sees its caseloads, sets its budget, decides its small sums."""
    return TeamSupervisor.objects.filter(user=user, team_id=team_id).exists()


def may_work_case(user: User, referral: Referral) -> bool:
    """Tell whether a user may work an open case: its link worker, or a supervisor of its team."""
    if referral.status != ReferralStatus.OPEN:
        return False
    return referral.link_worker_id == user.pk or may_supervise_team(user, referral.team_id)


def may_send_message_back(user: User, referral: Referral) -> bool:
    """Tell whether a user may send the GP and referrer a message back: the team holding the referral
    (its link workers and supervisors), who triage and close it."""
    return referral.team_id in link_worker_team_ids(user) or may_supervise_team(user, referral.team_id)


def may_read_message_back(user: User, referral: Referral) -> bool:
    """Tell whether a user may read what was sent back about a referral: its referrer, or a referrer
    at the person's GP practice (the person and the team reach it through their own relationship)."""
    practice_id = referral.person.gp_practice_id
    return referral.referred_by_id == user.pk or (
        practice_id is not None and practice_id in organisation_ids_of(user, Role.REFERRER)
    )


# ------------------------------------------------------------------------------------- connections


def may_connect(user: User, person: Person, referral: Referral | None = None) -> bool:
    """Tell whether a user may connect a person to a service: the person, or the worker of their case."""
    if person.user_id is not None and person.user_id == user.pk:
        return True
    return referral is not None and referral.person_id == person.pk and may_work_case(user, referral)


def parties_of(user: User, connection: Connection) -> set[Party]:
    """Return the sides of a connection a user acts for (usually one; none for everyone else)."""
    parties: set[Party] = set()
    referral = connection.referral
    if (
        connection.requested_by_id == user.pk
        or connection.person.user_id == user.pk
        or (
            referral is not None
            and referral.status == ReferralStatus.OPEN
            and referral.link_worker_id == user.pk
        )
    ):
        parties.add(Party.REQUESTER)
    if RoleAssignment.objects.filter(
        user=user, role=Role.ORGANISATION_MEMBER, organisation_id=connection.organisation_id
    ).exists():
        parties.add(Party.TARGET)
    return parties


def may_move_connection(user: User, connection: Connection) -> bool:
    """Tell whether a user is a party to a connection, and so may change its status (their side's moves)."""
    return bool(parties_of(user, connection))


def may_respond_to_connection(user: User, connection: Connection) -> bool:
    """Tell whether a user acts for the organisation a connection was sent to (and records attendance)."""
    return Party.TARGET in parties_of(user, connection)


def may_follow_up_connection(user: User, connection: Connection) -> bool:
    """Tell whether a user acts for the side that asked for a connection (and hears when it comes back)."""
    return Party.REQUESTER in parties_of(user, connection)


# ------------------------------------------------------------------------- reasons to open a record


def journey_relationship(user: User, person: Person) -> AccessGrant | None:
    """Return why a member of staff may open a person's record through the journey, or None.

    - the link worker whose caseload holds the person's open case;
    - a link worker of the team a referral waits with, to triage it;
    - a supervisor of the team holding the open case;
    - the link worker who made a connection the organisation still holds.
    A closed or declined case gives no one a continuing reason to look. Community organisations never
    open the record itself: they see a connection, with only what the person agreed to share.
    """
    if Role.LINK_WORKER not in roles_of(user):
        return None
    referrals = list(
        Referral.objects.filter(
            person=person, status__in=[ReferralStatus.OPEN, ReferralStatus.AWAITING_TRIAGE]
        ).values_list("status", "link_worker_id", "team_id")
    )
    for status, link_worker_id, _ in referrals:
        if status == ReferralStatus.OPEN and link_worker_id == user.pk:
            return AccessGrant(RecordAccess.Reason.CASELOAD)
    waiting_teams = {team_id for status, _, team_id in referrals if status == ReferralStatus.AWAITING_TRIAGE}
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
