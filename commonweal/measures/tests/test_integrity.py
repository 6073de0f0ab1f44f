"""A submitted response is never changed: the model, its queryset and the database all refuse; a correction
is a new version with a reason, and the original stays exactly as submitted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction

from commonweal.audit.models import AuditEvent
from commonweal.measures import actions, registry
from commonweal.measures.models import ImmutableResponseError, Response
from commonweal.measures.tests.conftest import PHQ9_SAFE

pytestmark = pytest.mark.django_db


def _submitted(cast, answers=PHQ9_SAFE) -> Response:
    response = actions.start_response(
        person=cast.rosa,
        definition=registry.definition("phq-9"),
        mode=Response.Mode.CONVERSATION,
        by=cast.lena,
    )
    actions.save_answers(response=response, answers=answers, by=cast.lena)
    actions.submit_response(response=response, by=cast.lena)
    return Response.objects.get(pk=response.pk)


def _row(response: Response) -> tuple:
    return tuple(
        Response.objects.filter(pk=response.pk)
        .values_list("status", "answers", "submitted_at", "version")
        .get()
    )


def test_saving_a_changed_submitted_response_is_refused_and_nothing_changes(cast):
    response = _submitted(cast)
    before = _row(response)
    response.answers = {**response.answers, "phq9_1": "3"}
    with pytest.raises(ImmutableResponseError) as refused:
        response.save()
    assert str(refused.value) == (
        "A submitted questionnaire response is never changed. Record a correction (a new version with a "
        "reason) instead."
    )
    assert _row(response) == before


def test_a_bulk_update_or_delete_touching_a_submitted_response_is_refused(cast):
    response = _submitted(cast)
    before = _row(response)
    with pytest.raises(ImmutableResponseError):
        Response.objects.filter(pk=response.pk).update(answers={})
    with pytest.raises(ImmutableResponseError):
        Response.objects.filter(pk=response.pk).delete()
    with pytest.raises(ImmutableResponseError):
        response.delete()
    assert _row(response) == before


def test_the_database_itself_refuses_an_update_of_a_submitted_response(cast):
    response = _submitted(cast)
    before = _row(response)
    with (
        pytest.raises((IntegrityError, DatabaseError)) as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE measures_response SET answers = '{}' WHERE id = %s", [response.pk])
    assert "A submitted questionnaire response is never changed" in str(refused.value)
    assert _row(response) == before


def test_save_answers_on_a_submitted_response_is_refused_and_nothing_changes(cast):
    response = _submitted(cast)
    before = _row(response)
    events = AuditEvent.objects.count()
    with pytest.raises(actions.MeasureError) as refused:
        actions.save_answers(response=response, answers={"phq9_1": 3}, by=cast.lena)
    assert str(refused.value) == "These answers were already submitted, so they cannot be changed."
    assert _row(response) == before
    assert AuditEvent.objects.count() == events


def test_a_correction_is_a_new_version_with_its_reason_and_the_original_is_kept(cast):
    original = _submitted(cast)
    before = _row(original)
    correction = actions.correct_response(
        response=original,
        answers=PHQ9_SAFE | {"phq9_1": 3},
        reason="Misheard the answer to question 1 on the phone",
        by=cast.lena,
    )
    assert (correction.version, correction.corrects_id, correction.mode, correction.status) == (
        2,
        original.pk,
        Response.Mode.CORRECTION,
        Response.Status.SUBMITTED,
    )
    assert correction.correction_reason == "Misheard the answer to question 1 on the phone"
    assert correction.answers["phq9_1"] == "3"
    assert _row(original) == before
    original.refresh_from_db()
    assert (original.is_current, correction.is_current) == (False, True)
    assert list(Response.objects.current().filter(person=cast.rosa)) == [correction]
    event = AuditEvent.objects.get(action="measures.correct_response")
    assert event.detail == {
        "corrects": original.pk,
        "reason": "Misheard the answer to question 1 on the phone",
        "changed_items": ["phq9_1"],
    }


def test_a_superseded_version_cannot_be_corrected_again(cast):
    original = _submitted(cast)
    actions.correct_response(
        response=original,
        answers=PHQ9_SAFE | {"phq9_2": 2},
        reason="Question 2 was recorded wrongly",
        by=cast.lena,
    )
    with pytest.raises(actions.MeasureError) as refused:
        actions.correct_response(
            response=original,
            answers=PHQ9_SAFE | {"phq9_3": 2},
            reason="Another go at the original",
            by=cast.lena,
        )
    assert (
        str(refused.value) == "This version has already been corrected. Correct the latest version instead."
    )
    assert Response.objects.filter(person=cast.rosa).count() == 2


@pytest.mark.parametrize(
    ("reason", "answers", "message"),
    [
        (
            "short",
            PHQ9_SAFE | {"phq9_1": 3},
            "Say why the answers are being corrected (at least 10 characters).",
        ),
        (
            "The same answers again, by mistake",
            PHQ9_SAFE,
            "The corrected answers are the same as the current ones. Change at least one answer.",
        ),
        (
            "Question 1 left out by mistake",
            {key: value for key, value in PHQ9_SAFE.items() if key != "phq9_1"},
            "Answer every question in the correction (not yet answered: 1).",
        ),
    ],
    ids=["no-reason", "unchanged", "incomplete"],
)
def test_a_correction_needs_a_reason_a_change_and_every_answer(cast, reason, answers, message):
    original = _submitted(cast)
    with pytest.raises(actions.MeasureError) as refused:
        actions.correct_response(response=original, answers=answers, reason=reason, by=cast.lena)
    assert str(refused.value) == message
    assert Response.objects.filter(person=cast.rosa).count() == 1


def test_a_resident_cannot_record_a_correction(cast):
    original = _submitted(cast)
    with pytest.raises(PermissionDenied):
        actions.correct_response(
            response=original,
            answers=PHQ9_SAFE | {"phq9_1": 3},
            reason="I want to change my answer",
            by=cast.rosa.user,
        )
    assert Response.objects.filter(person=cast.rosa).count() == 1
