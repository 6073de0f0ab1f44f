"""Rebuilding the dashboards' summary tables from the journey and measures records.

Everything per row happens in the database: each fact and cell table is filled by one
INSERT … SELECT compiled from an ORM query (so it runs the same on SQLite and PostgreSQL), and only
questionnaire scoring — the measures app's own Python scoring of each instrument definition — runs in
Python, once per submitted response ever (responses are final once submitted).

`refresh_summaries` at the end is the only writer of these tables: it holds the lock and records the
run. The background task calls it; it sits below the actions (which queue that task), so the task never
imports the module that queues it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.audit.actions import record_event
from commonweal.audit.models import AuditEvent
from commonweal.evidence import rules
from commonweal.evidence.breakdowns import (
    AGE_BANDS,
    DECLINED_CODE,
    ETHNIC_GROUPS,
    REFERRED_CODE,
    SEEN_CODE,
    SEX_NOT_KNOWN,
    SEX_OWN_GROUPS,
)
from commonweal.evidence.models import (
    ALL_ORGANISATIONS,
    ConnectionCell,
    ConnectionFact,
    OutcomeCell,
    OutcomeFact,
    ReferralFact,
    ResponseScore,
    ServiceCell,
    SummaryRefresh,
    TermCell,
    UptakeCell,
)
from commonweal.measures import registry
from commonweal.measures.models import Response
from commonweal.measures.scoring import score
from commonweal.organisations.models import Organisation
from commonweal.places.models import Area
from commonweal.referrals.models import (
    Attendance,
    Connection,
    ConnectionTransition,
    DeclineReason,
    JourneyCode,
    Referral,
    ReferralStatus,
)
from commonweal.referrals.workflow import RejectionReason, Status

# The instruments and scores whose change the outcome dashboard shows.
OUTCOME_INSTRUMENTS = ("ons4", "ucla-3", "phq-9", "gad-7")
SCORING_BATCH = 5_000
PREFIX = "c_"


# ---------------------------------------------------------------------------------- SQL helpers


def _insert_select(model: type[models.Model], queryset: models.QuerySet[Any, Any]) -> int:
    """Run INSERT INTO model's table SELECT queryset; the queryset's aliases are PREFIX + column."""
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    aliases = [alias for _, _, alias in compiler.select]
    if not all(alias and alias.startswith(PREFIX) for alias in aliases):
        raise ValueError(f"Every selected column needs an alias starting with {PREFIX!r}: {aliases}")
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(alias)[len(PREFIX) :]) for alias in aliases)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {sql}", params)
        return int(cursor.rowcount)


def _truncate(*model_classes: type[models.Model]) -> None:
    for model in model_classes:
        model._default_manager.all()._raw_delete(using=model._default_manager.db)


def _month(field: str) -> Any:
    return ExtractYear(field) * 100 + ExtractMonth(field)


def _age_band(at: str, born: str) -> Case:
    """The age band on the day `at` of someone born on `born`, computed in SQL."""
    birthday_to_come = LessThan(
        ExtractMonth(at) * 100 + ExtractDay(at), ExtractMonth(born) * 100 + ExtractDay(born)
    )
    age = (
        ExtractYear(at)
        - ExtractYear(born)
        - Case(When(birthday_to_come, then=Value(1)), default=Value(0), output_field=IntegerField())
    )
    whens = [
        When(LessThan(age, Value(next_youngest)), then=Value(key))
        for (key, _, _), (_, _, next_youngest) in itertools.pairwise(AGE_BANDS)
    ]
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=models.CharField())


def _sex_group(field: str) -> Case:
    whens = [When(**{field: sex}, then=Value(sex)) for sex in SEX_OWN_GROUPS]
    return Case(*whens, default=Value(SEX_NOT_KNOWN), output_field=models.CharField())


def _ethnic_group(field: str) -> Case:
    whens = [When(**{f"{field}__in": codes}, then=Value(group)) for group, codes in ETHNIC_GROUPS.items()]
    return Case(*whens, default=Value("not_stated"), output_field=models.CharField())


def _flag(condition: Q | Exists) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=models.BooleanField())


def _person_columns(person: str, at: str) -> dict[str, Any]:
    """The breakdown columns of the person at `person` (a path), as of the moment at `at`."""
    return {
        f"{PREFIX}lsoa_id": F(f"{person}__lsoa_id"),
        f"{PREFIX}imd_decile": Coalesce(
            F(f"{person}__lsoa__imd_decile"), Value(0), output_field=IntegerField()
        ),
        f"{PREFIX}ethnic_group": _ethnic_group(f"{person}__ethnicity"),
        f"{PREFIX}age_band": _age_band(at, f"{person}__date_of_birth"),
        f"{PREFIX}sex": _sex_group(f"{person}__sex"),
    }


# ----------------------------------------------------------------------------------------- scores


def _scores_of(code: str, version: str, answers: Any) -> list[tuple[str, float | None]]:
    """Score one response's answers with the measures app's definition; ('', None) when it has no score."""
    try:
        definition = registry.definition(code, version)
        values = {item: None if value is None else Decimal(str(value)) for item, value in answers.items()}
        result = score(definition, values)
    except (LookupError, ValueError, InvalidOperation, AttributeError):
        return [("", None)]
    found: list[tuple[str, float | None]] = [
        (each.score_id, float(each.value)) for each in result.scores if each.value is not None
    ]
    return found or [("", None)]


_SCORE_COLUMNS = ("response_id", "person_id", "instrument_code", "score_id", "value", "submitted_at")


def _write_scores(rows: list[tuple[Any, ...]]) -> None:
    """Store a batch of scores: with COPY on PostgreSQL (millions of rows in a first refresh)."""
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        columns = ", ".join(quote(name) for name in _SCORE_COLUMNS)
        with connection.cursor() as cursor:
            statement = f"COPY {quote(ResponseScore._meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    ResponseScore.objects.bulk_create(
        [ResponseScore(**dict(zip(_SCORE_COLUMNS, row, strict=True))) for row in rows],
        batch_size=SCORING_BATCH,
    )


def score_new_responses() -> int:
    """Score every submitted response not scored yet (scoring is pure, so equal answers share a result)."""
    scored_ids = ResponseScore.objects.filter(response_id=OuterRef("pk"))
    pending = (
        Response.objects.submitted()
        .filter(~Exists(scored_ids))
        .order_by("pk")
        .values_list("pk", "person_id", "instrument_code", "instrument_version", "answers", "submitted_at")
    )
    cache: dict[tuple[str, str, str], list[tuple[str, float | None]]] = {}
    batch: list[tuple[Any, ...]] = []
    done = 0
    for response_id, person_id, code, version, answers, at in pending.iterator(chunk_size=SCORING_BATCH):
        key = (code, version, json.dumps(answers, sort_keys=True))
        if key not in cache:
            cache[key] = _scores_of(code, version, answers)
        when = at or timezone.now()
        batch.extend((response_id, person_id, code, score_id, value, when) for score_id, value in cache[key])
        done += 1
        if len(batch) >= SCORING_BATCH:
            _write_scores(batch)
            batch = []
    if batch:
        _write_scores(batch)
    return done


# ------------------------------------------------------------------------------------------ facts


def _code(code: str) -> Exists:
    return Exists(JourneyCode.objects.filter(referral=OuterRef("pk"), code=code))


def build_referral_facts() -> int:
    """One row per referral with its breakdown and how far along the funnel it got (see breakdowns.py)."""
    live = ~Q(connection__status=Status.ENTERED_IN_ERROR.value)
    accepted = ConnectionTransition.objects.filter(
        live, connection__referral=OuterRef("pk"), to_status=Status.ACCEPTED.value
    )
    attended = Attendance.objects.filter(live, connection__referral=OuterRef("pk"), attended=True)
    accepted_at_triage = Q(triaged_at__isnull=False, status__in=[ReferralStatus.OPEN, ReferralStatus.CLOSED])
    rows = Referral.objects.order_by().values(
        **{
            f"{PREFIX}referral_id": F("pk"),
            f"{PREFIX}person_id": F("person_id"),
            f"{PREFIX}month": _month("received_at"),
            f"{PREFIX}organisation_id": F("team_id"),
            **_person_columns("person", "received_at"),
            f"{PREFIX}source": F("source"),
            # Every referral received is an offer taken up (see breakdowns.py).
            f"{PREFIX}offered": Value(True, output_field=models.BooleanField()),
            f"{PREFIX}referred": _flag(Q(_code(REFERRED_CODE)) | accepted_at_triage),
            f"{PREFIX}seen": _flag(Q(_code(SEEN_CODE)) | Q(first_seen_at__isnull=False)),
            f"{PREFIX}connected": _flag(Exists(accepted)),
            f"{PREFIX}attended": _flag(Exists(attended)),
            f"{PREFIX}declined": _flag(
                Q(_code(DECLINED_CODE)) | Q(decline_reason=DeclineReason.PERSON_DECLINED)
            ),
        }
    )
    return _insert_select(ReferralFact, rows)


def build_connection_facts() -> int:
    """One row per connection (not entered in error) with its breakdown and what became of it."""
    accepted = ConnectionTransition.objects.filter(connection=OuterRef("pk"), to_status=Status.ACCEPTED.value)
    rejected = Q(status=Status.REJECTED.value)
    at_capacity = Q(rejection_reason=RejectionReason.AT_CAPACITY.value)
    rows = (
        Connection.objects.exclude(status=Status.ENTERED_IN_ERROR.value)
        .order_by()
        .values(
            **{
                f"{PREFIX}connection_id": F("pk"),
                f"{PREFIX}service_id": F("service_id"),
                f"{PREFIX}month": _month("requested_at"),
                f"{PREFIX}organisation_id": F("organisation_id"),
                **_person_columns("person", "requested_at"),
                f"{PREFIX}accepted": _flag(Exists(accepted)),
                f"{PREFIX}rejected_at_capacity": _flag(rejected & at_capacity),
                f"{PREFIX}rejected_other": _flag(rejected & ~at_capacity),
                f"{PREFIX}cancelled": _flag(Q(status=Status.CANCELLED.value)),
                f"{PREFIX}completed": _flag(Q(status=Status.COMPLETED.value)),
                f"{PREFIX}attended": _flag(Q(sessions_attended__gt=0)),
            }
        )
    )
    return _insert_select(ConnectionFact, rows)


def build_outcome_facts() -> int:
    """One row per person and score with at least two answers: the first, the latest and when.

    Two statements, so that no subquery runs per response: one GROUP BY over the scores gives each
    person's first and latest times (and their breakdown as of the first); then one UPDATE looks up the
    two scores and the team by index, once per row.
    """
    corrected = Response.objects.filter(corrects_id=OuterRef("response_id"))
    current = (
        ResponseScore.objects.exclude(score_id="").filter(value__isnull=False).filter(~Exists(corrected))
    )
    groups = (
        current.order_by()
        .values(
            **{
                f"{PREFIX}person_id": F("person_id"),
                f"{PREFIX}instrument_code": F("instrument_code"),
                f"{PREFIX}score_id": F("score_id"),
                f"{PREFIX}lsoa_id": F("person__lsoa_id"),
                f"{PREFIX}imd_decile": Coalesce(
                    F("person__lsoa__imd_decile"), Value(0), output_field=IntegerField()
                ),
                f"{PREFIX}ethnic_group": _ethnic_group("person__ethnicity"),
                f"{PREFIX}sex": _sex_group("person__sex"),
                "born_on": F("person__date_of_birth"),
            }
        )
        .annotate(
            **{f"{PREFIX}first_at": Min("submitted_at"), f"{PREFIX}latest_at": Max("submitted_at")},
            answers=Count("pk"),
        )
        .filter(answers__gte=2)
        .annotate(
            **{
                f"{PREFIX}month": _month(f"{PREFIX}first_at"),
                f"{PREFIX}age_band": _age_band(f"{PREFIX}first_at", "born_on"),
                f"{PREFIX}organisation_id": Value(0, output_field=models.BigIntegerField()),
                f"{PREFIX}baseline": Value(0.0, output_field=models.FloatField()),
                f"{PREFIX}follow_up": Value(0.0, output_field=models.FloatField()),
            }
        )
    )
    inserted = _insert_select(OutcomeFact, groups.values(*_aliases(groups)))

    def score_at(when: str, order: tuple[str, ...]) -> Subquery:
        same = current.filter(
            person_id=OuterRef("person_id"),
            instrument_code=OuterRef("instrument_code"),
            score_id=OuterRef("score_id"),
            submitted_at=OuterRef(when),
        )
        return Subquery(same.order_by(*order).values("value")[:1])

    # The organisation is the team of the person's latest referral.
    team = Referral.objects.filter(person_id=OuterRef("person_id")).order_by("-received_at", "-pk")
    OutcomeFact.objects.update(
        baseline=score_at("first_at", ("response_id",)),
        follow_up=score_at("latest_at", ("-response_id",)),
        organisation_id=Coalesce(
            Subquery(team.values("team_id")[:1]), Value(0), output_field=models.BigIntegerField()
        ),
    )
    return inserted


def _aliases(queryset: models.QuerySet[Any, Any]) -> list[str]:
    return [name for name in queryset.query.annotation_select if name.startswith(PREFIX)]


# ------------------------------------------------------------------------------------------ cells

# (dimension, fact column) for the breakdowns that are not a property of the place.
_DIMENSION_COLUMNS = (("ethnicity", "ethnic_group"), ("age", "age_band"), ("sex", "sex"))


def _partitions(facts: models.QuerySet[Any, Any]) -> Iterable[tuple[models.QuerySet[Any, Any], Any]]:
    """Every place once (neighbourhood 0), then each neighbourhood's people."""
    yield facts, Value(0)
    in_neighbourhood = facts.filter(lsoa__areas__kind=Area.Kind.NEIGHBOURHOOD)
    yield in_neighbourhood, F("lsoa__areas__id")


# Cells are summed for each organisation, and once more over every organisation (ALL_ORGANISATIONS), so
# that a page for the whole system reads a few thousand rows rather than one per organisation.
_ORGANISATION_LEVELS = (F("organisation_id"), Value(ALL_ORGANISATIONS, output_field=models.BigIntegerField()))


def _fill_cells(
    cell: type[models.Model],
    facts: models.QuerySet[Any, Any],
    measures: dict[str, Any],
    dimensions: Iterable[tuple[str, str]],
    keys: dict[str, Any] | None = None,
) -> int:
    inserted = 0
    for (subset, neighbourhood), organisation in itertools.product(_partitions(facts), _ORGANISATION_LEVELS):
        for dimension, column in (("all", ""), *dimensions):
            grouping = {
                f"{PREFIX}month": F("month"),
                f"{PREFIX}organisation_id": organisation,
                f"{PREFIX}neighbourhood_id": neighbourhood,
                f"{PREFIX}imd_decile": F("imd_decile"),
                f"{PREFIX}dimension": Value(dimension),
                f"{PREFIX}category": F(column) if column else Value(""),
                **(keys or {}),
            }
            rows = subset.order_by().values(**grouping).annotate(**measures)
            inserted += _insert_select(cell, rows)
    return inserted


def _count(condition: str) -> Count:
    return Count("pk", filter=Q(**{condition: True}))


def build_uptake_cells() -> int:
    """The uptake funnel summed by month, organisation, place, decile and each breakdown."""
    measures = {
        f"{PREFIX}{step}": _count(step)
        for step in ("offered", "referred", "seen", "connected", "attended", "declined")
    }
    return _fill_cells(
        UptakeCell, ReferralFact.objects.all(), measures, (*_DIMENSION_COLUMNS, ("source", "source"))
    )


def _connection_measures() -> dict[str, Any]:
    return {
        f"{PREFIX}requested": Count("pk"),
        f"{PREFIX}accepted": _count("accepted"),
        f"{PREFIX}rejected_at_capacity": _count("rejected_at_capacity"),
        f"{PREFIX}rejected_other": _count("rejected_other"),
    }


def build_connection_cells() -> int:
    """Connections and their outcomes by month, organisation, place, decile and each breakdown."""
    measures = _connection_measures() | {
        f"{PREFIX}{flag}": _count(flag) for flag in ("cancelled", "completed", "attended")
    }
    return _fill_cells(ConnectionCell, ConnectionFact.objects.all(), measures, _DIMENSION_COLUMNS)


def _quintile() -> Case:
    whens = [When(imd_decile__in=(2 * q - 1, 2 * q), then=Value(q)) for q in range(1, 6)]
    return Case(*whens, default=Value(0), output_field=IntegerField())


def build_service_cells() -> int:
    """Connections by service and by taxonomy term, by month, organisation, place and IMD quintile."""
    inserted = 0
    # A service has one organisation, so its cells need no all-organisations sum; a term spans many.
    for cell, key, path, levels in (
        (ServiceCell, "service_id", "service_id", _ORGANISATION_LEVELS[:1]),
        (TermCell, "term_id", "service__service_terms__term_id", _ORGANISATION_LEVELS),
    ):
        facts = ConnectionFact.objects.all()
        if cell is TermCell:
            facts = facts.filter(service__service_terms__isnull=False)
        for (subset, neighbourhood), organisation in itertools.product(_partitions(facts), levels):
            grouping = {
                f"{PREFIX}month": F("month"),
                f"{PREFIX}organisation_id": organisation,
                f"{PREFIX}neighbourhood_id": neighbourhood,
                f"{PREFIX}imd_quintile": _quintile(),
                f"{PREFIX}{key}": F(path),
            }
            rows = subset.order_by().values(**grouping).annotate(**_connection_measures())
            inserted += _insert_select(cell, rows)
    return inserted


def build_outcome_cells() -> int:
    """Changes in the outcome instruments' scores, summed by the same keys and breakdowns."""
    measures = {
        f"{PREFIX}people": Count("pk"),
        f"{PREFIX}sum_baseline": Sum("baseline"),
        f"{PREFIX}sum_follow_up": Sum("follow_up"),
        f"{PREFIX}sum_change": Sum(F("follow_up") - F("baseline")),
        f"{PREFIX}sum_change_squared": Sum(
            (F("follow_up") - F("baseline")) * (F("follow_up") - F("baseline"))
        ),
    }
    keys = {f"{PREFIX}instrument_code": F("instrument_code"), f"{PREFIX}score_id": F("score_id")}
    facts = OutcomeFact.objects.filter(instrument_code__in=OUTCOME_INSTRUMENTS)
    return _fill_cells(OutcomeCell, facts, measures, _DIMENSION_COLUMNS, keys)


def clear_summaries() -> None:
    """Empty every fact and cell table (the scores are kept: responses never change)."""
    _truncate(
        ReferralFact,
        ConnectionFact,
        OutcomeFact,
        UptakeCell,
        ConnectionCell,
        ServiceCell,
        TermCell,
        OutcomeCell,
    )


# Audit events of the apps whose records the summaries are built from.
SOURCE_ACTIONS = r"^(referrals|measures|people)\."


def source_marker() -> dict[str, int]:
    """What the summaries were built from: the newest audit event and the size of each source table."""
    newest_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
    return {
        "audit_event": newest_event or 0,
        "referrals": Referral.objects.count(),
        "connections": Connection.objects.exclude(status=Status.ENTERED_IN_ERROR.value).count(),
        "responses": Response.objects.submitted().count(),
    }


def changed_since(marker: dict[str, int]) -> bool:
    """Tell whether the journey, measures or people records changed after a refresh saw them (cheap)."""
    return AuditEvent.objects.filter(
        pk__gt=marker.get("audit_event", 0), action__regex=SOURCE_ACTIONS
    ).exists()


def catalogue_from_facts() -> dict[str, Any]:
    """The months and organisations the summaries hold, recorded with the refresh for the filter form."""
    months = [
        value
        for model in (ReferralFact, ConnectionFact, OutcomeFact)
        for value in model.objects.aggregate(first=Min("month"), last=Max("month")).values()
        if value is not None
    ]
    teams = set(ReferralFact.objects.order_by().values_list("organisation_id", flat=True).distinct())
    teams |= set(
        OutcomeFact.objects.exclude(organisation_id=0)
        .order_by()
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    providers = set(ConnectionFact.objects.order_by().values_list("organisation_id", flat=True).distinct())
    names = dict(Organisation.objects.filter(pk__in=teams | providers).values_list("pk", "name"))

    def named(ids: set[int]) -> list[list[Any]]:
        return sorted(([pk, names[pk]] for pk in ids if pk in names), key=lambda pair: (pair[1], pair[0]))

    return {
        "first_month": min(months) if months else None,
        "last_month": max(months) if months else None,
        "teams": named(teams),
        "providers": named(providers),
    }


# -------------------------------------------------------------------------------------- the refresh

# An arbitrary number that names the refresh lock among PostgreSQL's advisory locks.
_REFRESH_LOCK = 0x45564944


@transaction.atomic
def refresh_summaries(*, by: User | None, run: SummaryRefresh | None = None) -> SummaryRefresh:
    """Rebuild every summary table from the journey and measures records (the only writer of them).

    `by=None` is the nightly command or the demo; a person must be one who may refresh the figures.
    """
    if by is not None and not rules.may_refresh_summaries(by):
        raise PermissionDenied("Only people who analyse evidence can bring the figures up to date.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
            # The rebuild groups millions of rows once a night; let it hash them in memory.
            cursor.execute("SET LOCAL work_mem = '256MB'")
    started = time.perf_counter()
    if run is None:
        run = SummaryRefresh.objects.create(requested_by=by)
    run.source_marker = source_marker()
    run.responses_scored = score_new_responses()
    clear_summaries()
    run.referrals = build_referral_facts()
    run.connections = build_connection_facts()
    run.outcome_pairs = build_outcome_facts()
    build_uptake_cells()
    build_connection_cells()
    build_service_cells()
    build_outcome_cells()
    run.catalogue = catalogue_from_facts()
    run.state = SummaryRefresh.State.FINISHED
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - started, 3)
    run.save()
    record_event(
        by=by,
        action="evidence.refresh_summaries",
        target=run,
        referrals=run.referrals,
        connections=run.connections,
        outcome_pairs=run.outcome_pairs,
    )
    return run


def fail_refresh(*, run: SummaryRefresh, problem: str) -> None:
    """Record that a background refresh failed, so the pages can say so."""
    SummaryRefresh.objects.filter(pk=run.pk).update(
        state=SummaryRefresh.State.FAILED, finished_at=timezone.now(), problem=problem[:2000]
    )
    record_event(by=None, action="evidence.refresh_failed", target=run, problem=problem[:300])
