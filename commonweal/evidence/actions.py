"""Write use cases of the evidence app: each takes the actor as `by=`, runs in a transaction, is audited."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.evidence import rules, tasks
from commonweal.evidence.indicators import INDICATORS
from commonweal.evidence.models import (
    Alliance,
    SharedOutcome,
    SroiAnalysis,
    SroiInput,
    SroiOutcome,
    SroiStakeholder,
    Story,
    SummaryRefresh,
)
from commonweal.evidence.queries import measure_choices, pending_refresh
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.ui.forms import LONG_TEXT_MAX


class EvidenceError(ValueError):
    """A request that cannot be carried out as asked; the message says why in plain words."""


# -------------------------------------------------------------------------------------- refresh


@transaction.atomic
def request_refresh(*, by: User, at: datetime.datetime | None = None) -> SummaryRefresh:
    """Ask for the summaries to be rebuilt in the background (once at a time)."""
    at = at or timezone.now()
    if not rules.may_refresh_summaries(by):
        raise PermissionDenied("Only people who analyse evidence can bring the figures up to date.")
    if pending_refresh() is not None:
        raise EvidenceError("The figures are already being brought up to date. Come back in a few minutes.")
    run = SummaryRefresh.objects.create(requested_by=by, started_at=at)
    record_event(by=by, at=at, action="evidence.request_refresh", target=run)
    # The worker reads the run from the database, so it is queued only once the run is committed.
    transaction.on_commit(lambda: tasks.refresh_summaries_task.enqueue(run.pk))
    return run


# ---------------------------------------------------------------------------------------- stories


@transaction.atomic
def add_story(*, fields: dict[str, Any], by: User, at: datetime.datetime | None = None) -> Story:
    """Attach a story to a dashboard, with the consent the person gave to publish it."""
    at = at or timezone.now()
    if not rules.may_add_story(by):
        raise PermissionDenied("Only people who analyse evidence can add stories.")
    if not fields.get("consent_method") or fields.get("consent_given_on") is None:
        raise EvidenceError("A story is published only with the person's consent: record how and when.")
    if fields["consent_given_on"] > timezone.localdate(at):
        raise EvidenceError("The consent cannot have been given in the future.")
    if len(fields.get("text") or "") > LONG_TEXT_MAX:
        raise EvidenceError(f"Keep the story to {LONG_TEXT_MAX:,} characters or fewer.")
    story = Story.objects.create(**fields, consent_recorded_by=by, created_at=at)
    record_event(by=by, at=at, action="evidence.add_story", target=story, dashboard=story.dashboard)
    return story


@transaction.atomic
def withdraw_story(*, story: Story, note: str, by: User, at: datetime.datetime | None = None) -> Story:
    """The person withdrew their consent: the story is no longer shown anywhere."""
    at = at or timezone.now()
    if not rules.may_withdraw_story(by, story):
        raise PermissionDenied("Only people who analyse evidence can withdraw a story.")
    story = Story.objects.select_for_update().get(pk=story.pk)
    if story.is_withdrawn:
        raise EvidenceError("This story was already withdrawn.")
    story.withdrawn_at = at
    story.withdrawn_by = by
    story.withdrawal_note = note
    story.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note"])
    record_event(by=by, at=at, action="evidence.withdraw_story", target=story)
    return story


# ------------------------------------------------------------------------------------------- SROI


def _check_may_edit(by: User, analysis: SroiAnalysis) -> None:
    if not rules.may_edit_analysis(by, analysis):
        raise PermissionDenied("Only people who analyse evidence can change an SROI analysis.")


def _touch(analysis: SroiAnalysis, at: datetime.datetime) -> None:
    SroiAnalysis.objects.filter(pk=analysis.pk).update(updated_at=at)


@transaction.atomic
def save_analysis(
    *, analysis: SroiAnalysis | None, fields: dict[str, Any], by: User, at: datetime.datetime | None = None
) -> SroiAnalysis:
    """Create an SROI analysis, or change its scope, period and discount rate."""
    at = at or timezone.now()
    if not (rules.may_analyse(by) if analysis is None else rules.may_edit_analysis(by, analysis)):
        raise PermissionDenied("Only people who analyse evidence can make or change an SROI analysis.")
    if fields["period_end"] < fields["period_start"]:
        raise EvidenceError("The period must end on or after the day it starts.")
    if analysis is None:
        analysis = SroiAnalysis.objects.create(**fields, created_by=by, created_at=at, updated_at=at)
        record_event(by=by, at=at, action="evidence.create_analysis", target=analysis)
        return analysis
    for name, value in fields.items():
        setattr(analysis, name, value)
    analysis.updated_at = at
    analysis.save()
    record_event(by=by, at=at, action="evidence.change_analysis", target=analysis, fields=sorted(fields))
    return analysis


@transaction.atomic
def add_stakeholder(
    *, analysis: SroiAnalysis, name: str, description: str, by: User, at: datetime.datetime | None = None
) -> SroiStakeholder:
    """Add a stakeholder to an analysis."""
    at = at or timezone.now()
    _check_may_edit(by, analysis)
    if analysis.stakeholders.filter(name__iexact=name.strip()).exists():
        raise EvidenceError(f"There is already a stakeholder called {name.strip()} in this analysis.")
    stakeholder = SroiStakeholder.objects.create(
        analysis=analysis, name=name.strip(), description=description
    )
    _touch(analysis, at)
    record_event(by=by, at=at, action="evidence.add_stakeholder", target=stakeholder, analysis=analysis.pk)
    return stakeholder


def _check_stakeholder(analysis: SroiAnalysis, stakeholder: SroiStakeholder) -> None:
    if stakeholder.analysis_id != analysis.pk:
        raise EvidenceError("Choose one of this analysis's stakeholders.")


@transaction.atomic
def add_input(
    *,
    analysis: SroiAnalysis,
    stakeholder: SroiStakeholder,
    description: str,
    value: Decimal,
    by: User,
    at: datetime.datetime | None = None,
) -> SroiInput:
    """Add an input (an investment) to an analysis."""
    at = at or timezone.now()
    _check_may_edit(by, analysis)
    _check_stakeholder(analysis, stakeholder)
    item = SroiInput.objects.create(
        analysis=analysis, stakeholder=stakeholder, description=description, value=value
    )
    _touch(analysis, at)
    record_event(
        by=by, at=at, action="evidence.add_input", target=item, analysis=analysis.pk, value=str(value)
    )
    return item


def _check_outcome_fields(fields: dict[str, Any]) -> None:
    if fields.get("measure"):
        if fields["measure"] not in dict(measure_choices()):
            raise EvidenceError("Choose a questionnaire score from the list.")
        if fields.get("improvement") is None:
            raise EvidenceError(
                "Say how many points of improvement count, for a quantity counted from answers."
            )
        fields["quantity"] = None
    else:
        if fields.get("quantity") is None:
            raise EvidenceError("Give the quantity, or choose a questionnaire score to count it from.")
        fields["improvement"] = None


@transaction.atomic
def save_outcome(
    *,
    analysis: SroiAnalysis,
    outcome: SroiOutcome | None,
    fields: dict[str, Any],
    by: User,
    at: datetime.datetime | None = None,
) -> SroiOutcome:
    """Add an outcome to an analysis, or change one."""
    at = at or timezone.now()
    _check_may_edit(by, analysis)
    _check_stakeholder(analysis, fields["stakeholder"])
    _check_outcome_fields(fields)
    if outcome is None:
        outcome = SroiOutcome.objects.create(analysis=analysis, **fields)
        record_event(by=by, at=at, action="evidence.add_outcome", target=outcome, analysis=analysis.pk)
    else:
        if outcome.analysis_id != analysis.pk:
            raise EvidenceError("That outcome belongs to another analysis.")
        for name, value in fields.items():
            setattr(outcome, name, value)
        outcome.save()
        record_event(by=by, at=at, action="evidence.change_outcome", target=outcome, analysis=analysis.pk)
    _touch(analysis, at)
    return outcome


@transaction.atomic
def remove_item(
    *,
    analysis: SroiAnalysis,
    item: SroiInput | SroiOutcome | SroiStakeholder,
    by: User,
    at: datetime.datetime | None = None,
) -> None:
    """Remove an input, an outcome or an unused stakeholder from an analysis."""
    at = at or timezone.now()
    _check_may_edit(by, analysis)
    if item.analysis_id != analysis.pk:
        raise EvidenceError("That entry belongs to another analysis.")
    if isinstance(item, SroiStakeholder) and (item.inputs.exists() or item.outcomes.exists()):
        raise EvidenceError(f"Remove {item.name}'s inputs and outcomes first.")
    kind = type(item).__name__
    record_event(by=by, at=at, action="evidence.remove_sroi_entry", target=analysis, kind=kind, entry=item.pk)
    item.delete()
    _touch(analysis, at)


# -------------------------------------------------------------------------------------- alliances


@transaction.atomic
def save_alliance(
    *,
    alliance: Alliance | None,
    name: str,
    description: str,
    members: Iterable[Organisation],
    by: User,
    at: datetime.datetime | None = None,
) -> Alliance:
    """Form an alliance of organisations, or change its name, description and members."""
    at = at or timezone.now()
    if not (rules.may_analyse(by) if alliance is None else rules.may_edit_alliance(by, alliance)):
        raise PermissionDenied("Only people who analyse evidence can form or change an alliance.")
    chosen = list(members)
    if len(chosen) < 2:
        raise EvidenceError("An alliance needs at least two member organisations.")
    duplicate = Alliance.objects.filter(name__iexact=name.strip())
    if alliance is not None:
        duplicate = duplicate.exclude(pk=alliance.pk)
    if duplicate.exists():
        raise EvidenceError(f"There is already an alliance called {name.strip()}.")
    if alliance is None:
        alliance = Alliance.objects.create(
            name=name.strip(), description=description, created_by=by, created_at=at
        )
        action = "evidence.create_alliance"
    else:
        alliance.name, alliance.description = name.strip(), description
        alliance.save()
        action = "evidence.change_alliance"
    alliance.members.set(chosen)
    record_event(by=by, at=at, action=action, target=alliance, members=sorted(member.pk for member in chosen))
    return alliance


@transaction.atomic
def save_shared_outcome(
    *,
    alliance: Alliance,
    shared_outcome: SharedOutcome | None,
    indicator: str,
    target: Decimal,
    neighbourhood: Area | None,
    imd_quintile: int | None,
    agreed_on: datetime.date,
    by: User,
    at: datetime.datetime | None = None,
) -> SharedOutcome:
    """Agree an outcome indicator and its target for an alliance, or change one."""
    at = at or timezone.now()
    if not rules.may_edit_alliance(by, alliance):
        raise PermissionDenied("Only people who analyse evidence can change an alliance's outcomes.")
    if indicator not in INDICATORS:
        raise EvidenceError("Choose an indicator from the list.")
    if not INDICATORS[indicator].accepts(target):
        raise EvidenceError(INDICATORS[indicator].target_message)
    if neighbourhood is not None and neighbourhood.kind != Area.Kind.NEIGHBOURHOOD:
        raise EvidenceError("Choose a neighbourhood, or leave the place blank for every place.")
    same = alliance.shared_outcomes.filter(
        indicator=indicator, neighbourhood=neighbourhood, imd_quintile=imd_quintile
    )
    if shared_outcome is not None:
        same = same.exclude(pk=shared_outcome.pk)
    if same.exists():
        raise EvidenceError("The alliance already has this indicator for this place and deprivation group.")
    fields = {
        "indicator": indicator,
        "target": target,
        "neighbourhood": neighbourhood,
        "imd_quintile": imd_quintile,
        "agreed_on": agreed_on,
    }
    if shared_outcome is None:
        shared_outcome = SharedOutcome.objects.create(alliance=alliance, created_by=by, **fields)
        action = "evidence.add_shared_outcome"
    else:
        if shared_outcome.alliance_id != alliance.pk:
            raise EvidenceError("That indicator belongs to another alliance.")
        for name, value in fields.items():
            setattr(shared_outcome, name, value)
        shared_outcome.save()
        action = "evidence.change_shared_outcome"
    record_event(
        by=by, at=at, action=action, target=shared_outcome, indicator=indicator, target_value=str(target)
    )
    return shared_outcome


@transaction.atomic
def remove_shared_outcome(
    *, shared_outcome: SharedOutcome, by: User, at: datetime.datetime | None = None
) -> None:
    """Stop tracking an indicator the alliance no longer agrees."""
    at = at or timezone.now()
    if not rules.may_edit_alliance(by, shared_outcome.alliance):
        raise PermissionDenied("Only people who analyse evidence can change an alliance's outcomes.")
    record_event(
        by=by,
        at=at,
        action="evidence.remove_shared_outcome",
        target=shared_outcome.alliance,
        indicator=shared_outcome.indicator,
    )
    shared_outcome.delete()
