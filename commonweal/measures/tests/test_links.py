"""One-time links: a signed, expiring token that opens one questionnaire once, with no account and no
personal details on the page."""

from __future__ import annotations

import datetime

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from commonweal.measures import actions, registry
from commonweal.measures.models import AnswerLink, Response, SafetyAlert
from commonweal.measures.tests.conftest import PHQ9_RISK, PHQ9_SAFE

pytestmark = pytest.mark.django_db


def _link(cast, code="phq-9"):
    return actions.create_answer_link(person=cast.rosa, definition=registry.definition(code), by=cast.lena)


def _answer_everything(client: Client, token: str, answers: dict[str, int]) -> None:
    client.post(f"/measures/link/{token}/", {"language": "en-GB"})
    for number in range(1, 10):
        client.post(f"/measures/link/{token}/{number}/", {f"phq9_{number}": answers[f"phq9_{number}"]})
    client.post(f"/measures/link/{token}/10/", {})


def test_the_link_opens_the_questionnaire_without_an_account_and_shows_no_personal_details(cast):
    link, token = _link(cast)
    page = Client().get(f"/measures/link/{token}/").content.decode()
    assert "<h1>Patient Health Questionnaire (PHQ-9)</h1>" in page
    assert "Rosa" not in page and "Resident" not in page
    assert link.secret_digest not in token


def test_answering_through_the_link_saves_each_answer_then_submits_once(cast):
    link, token = _link(cast)
    client = Client()
    _answer_everything(client, token, PHQ9_SAFE)
    response = Response.objects.get()
    assert (response.mode, response.status, response.started_by) == (
        Response.Mode.ONE_TIME_LINK,
        Response.Status.IN_PROGRESS,
        None,
    )
    assert len(response.answers) == 9
    done = client.post(f"/measures/link/{token}/check/")
    assert done["Location"] == f"/measures/link/{token}/done/"
    response.refresh_from_db()
    link.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert link.used_at == response.submitted_at
    thanks = client.get(done["Location"]).content.decode()
    assert "Answers submitted" in thanks
    # The link works once: it cannot be used again to start or change anything.
    again = client.get(f"/measures/link/{token}/1/")
    assert again.status_code == 410
    assert "This link has already been used, and each link works once." in again.content.decode()


def test_a_risk_answer_through_the_link_shows_crisis_contacts_at_once(cast):
    _, token = _link(cast)
    client = Client()
    client.post(f"/measures/link/{token}/", {"language": "en-GB"})
    response = client.post(f"/measures/link/{token}/9/", {"phq9_9": "2"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(f"/measures/link/{token}/10/", 302)]
    assert SafetyAlert.objects.get().responsible_worker == cast.lena
    assert 'Samaritans: <a href="tel:116123">116 123</a>' in page
    assert 'NHS 111: <a href="tel:111">111</a>' in page
    _answer_everything(client, token, PHQ9_RISK)
    done = client.post(f"/measures/link/{token}/check/", follow=True).content.decode()
    assert "Thank you for telling us. If you need help now" in done


@pytest.mark.parametrize("tamper", ["truncate", "other-salt", "wrong-secret"])
def test_a_tampered_link_is_refused_and_nothing_changes(cast, tamper):
    link, token = _link(cast)
    if tamper == "truncate":
        token = token[:-3]
    elif tamper == "other-salt":
        token = signing.dumps({"link": link.pk, "secret": "x"}, salt="something-else")
    else:
        token = signing.dumps({"link": link.pk, "secret": "not-the-secret"}, salt=actions.LINK_SALT)
    response = Client().post(f"/measures/link/{token}/", {"language": "en-GB"})
    assert response.status_code == 410
    assert (
        "This link is not valid. Check you copied all of it, or ask for a new one."
        in response.content.decode()
    )
    assert Response.objects.count() == 0


def test_an_expired_link_is_refused(cast, settings):
    link, token = _link(cast)
    AnswerLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    response = Client().get(f"/measures/link/{token}/")
    assert response.status_code == 410
    assert "This link has expired. Ask your link worker for a new one." in response.content.decode()


def test_a_bad_answer_through_the_link_shows_the_message_and_keeps_nothing_wrong(cast):
    _, token = _link(cast, "ons4")
    client = Client()
    client.post(f"/measures/link/{token}/", {"language": "en-GB"})
    page = client.post(f"/measures/link/{token}/1/", {"life_satisfaction": "11"}).content.decode()
    assert "Enter a number from 0 to 10 for question 1" in page
    assert 'value="11"' in page
    assert Response.objects.get().answers == {}


def test_a_score_entry_instrument_cannot_be_sent_as_a_link(cast):
    with pytest.raises(actions.MeasureError) as refused:
        _link(cast, "pam")
    assert str(refused.value) == "PAM is entered as a score by staff; it cannot be sent as a link."
    assert AnswerLink.objects.count() == 0
