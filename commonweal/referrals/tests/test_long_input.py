"""Text too long for a field is refused whole with a message, never cut short without a word (issue 20,
item 11): the browser's maxlength cut 10,000 characters to 3,000 and long postcodes to 10 silently."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from commonweal.referrals.models import Referral
from commonweal.referrals.tests.test_pages import _self_referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_no_text_box_has_a_maxlength_that_would_cut_what_is_typed(world):
    html = Client().get("/refer/yourself/").content.decode()
    assert re.search(r"<(input|textarea)[^>]*maxlength", html) is None


def test_ten_thousand_characters_are_refused_with_a_message_and_kept_on_the_page(world):
    story = ("I would like to meet people. " * 345).strip()  # 10,004 characters
    response = Client().post(
        "/refer/yourself/", {**_self_referral(reason_detail=story), "form_token": "long-story"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Ensure this value has at most 3000 characters (it has 10004)." in html
    assert story in html
    assert Referral.objects.count() == 0


def test_a_postcode_too_long_is_refused_not_cut(world):
    response = Client().post(
        "/refer/yourself/", {**_self_referral(postcode="M33 7AA EXTRA"), "form_token": "long-postcode"}
    )
    assert response.status_code == 400
    assert "M33 7AA EXTRA" in response.content.decode()
    assert Referral.objects.count() == 0
