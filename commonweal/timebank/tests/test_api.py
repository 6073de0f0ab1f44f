"""The timebank API: a retry with the same Idempotency-Key never records twice; refusals are clear JSON;
movements and balances follow the bank's rules."""

from __future__ import annotations

import json

from django.test import Client

from commonweal.timebank.models import Movement, Transfer


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, body: dict, key: str | None = None):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        "/api/timebank/transfers", json.dumps(body), content_type="application/json", headers=headers
    )


def test_a_retry_with_the_same_key_records_once_and_returns_the_first_answer(world):
    bob = _client(world.bob.user)
    body = {"source": world.ann.pk, "destination": world.bob.pk, "minutes": 75, "category": "gardening"}
    first = _post(bob, body, "retry-1")
    assert first.status_code == 201
    again = _post(bob, body, "retry-1")
    assert (again.status_code, again.json()) == (200, first.json())
    assert first.json()["status"] == "complete"
    assert Transfer.objects.filter(source=world.ann).count() == 1
    assert Movement.objects.filter(account=world.ann).count() == 1
    other = _post(bob, body, "retry-2")
    assert other.status_code == 201
    assert Transfer.objects.filter(source=world.ann).count() == 2


def test_refusals_are_clear_json_and_write_nothing(world):
    bob = _client(world.bob.user)
    cases = [
        (
            {"source": world.ann.pk, "destination": world.bob.pk, "minutes": 0},
            "The time must be more than zero.",
        ),
        (
            {"source": world.ann.pk, "destination": world.bob.pk, "minutes": -5},
            "The time must be more than zero.",
        ),
        (
            {"source": world.bob.pk, "destination": world.bob.pk, "minutes": 5},
            "An account cannot give hours to itself.",
        ),
        ({"source": 99999, "destination": world.bob.pk, "minutes": 5}, "There is no account number 99999."),
    ]
    for body, detail in cases:
        response = _post(bob, body, "k")
        status = 404 if "no account number" in detail else 409
        assert (response.status_code, response.json()["detail"]) == (status, detail)
    bad_key = _post(bob, cases[0][0], "not a key!")
    assert (bad_key.status_code, bad_key.json()["error"]) == (422, "invalid_request")
    refused = _post(
        _client(world.cat.user), {"source": world.ann.pk, "destination": world.bob.pk, "minutes": 5}
    )
    assert refused.status_code == 403
    assert Transfer.objects.count() == 0


def test_movements_and_balances_follow_the_rules(world):
    _post(_client(world.bob.user), {"source": world.ann.pk, "destination": world.bob.pk, "minutes": 30})
    mine = _client(world.ann.user).get(f"/api/timebank/accounts/{world.ann.pk}/movements").json()
    assert [(m["minutes"], m["balance_after"], m["other"]) for m in mine] == [(-30, -30, "Bob Birch")]
    assert _client(world.cat.user).get(f"/api/timebank/accounts/{world.ann.pk}/movements").status_code == 404
    balances = _client(world.coordinator).get(f"/api/timebank/banks/{world.bank.slug}/balances").json()
    assert {b["name"]: b["balance_minutes"] for b in balances if b["balance_minutes"]} == {
        "Ann Apple": -30,
        "Bob Birch": 30,
    }
    assert sum(b["balance_minutes"] for b in balances) == 0
    assert _client(world.ann.user).get(f"/api/timebank/banks/{world.bank.slug}/balances").status_code == 404
    assert Client().get(f"/api/timebank/banks/{world.bank.slug}/balances").status_code == 401
