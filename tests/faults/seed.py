"""Build the world the fault tests' server serves: `python -m tests.faults.seed OUT.json`.

Runs with the environment the server gets (DATABASE_URL, DJANGO_SETTINGS_MODULE=tests.faults.settings):
migrates, builds a small demo borough, signs the personas in (sessions written straight to the
database, as the sign-in page would leave them) and writes what the tests post, as JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _session_for(user: Any) -> str:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)


def _self_referral(resident: Any) -> dict[str, Any]:
    from commonweal.referrals.forms import SelfReferralForm
    from commonweal.referrals.views import _gp_practices

    payload = {
        "given_name": "Sunita",
        "family_name": "Fault",
        "date_of_birth": "1961-04-12",
        "sex": "female",
        "postcode": resident.postcode,
        "contact_methods": ["phone"],
        "phone": "0161 496 0000",
        "reasons": ["loneliness"],
        "urgency": "routine",
        "privacy": "on",
    }
    form = SelfReferralForm(payload, practices=_gp_practices())
    if not form.is_valid():
        raise SystemExit(f"The self-referral payload is not valid: {form.errors.as_json()}")
    return payload


def _connection_to_accept(user: Any) -> list[int]:
    from commonweal.referrals import rules
    from commonweal.referrals.models import Connection
    from commonweal.referrals.workflow import Party, Status, allowed_targets

    found = []
    for connection in Connection.objects.filter(status="requested").order_by("pk"):
        parties = rules.parties_of(user, connection)
        if Party.TARGET in parties and Status.ACCEPTED in allowed_targets(
            connection.workflow_status, Party.TARGET
        ):
            found.append(connection.pk)
    return found


def _voters(budget_round: Any, count: int) -> list[str]:
    """Sign in residents of the round's place who may vote online and have not voted yet."""
    from commonweal.accounts.models import User
    from commonweal.budgeting import actions
    from commonweal.budgeting.actions import BudgetingError
    from commonweal.people.models import Person

    sessions = []
    for person in Person.objects.filter(user__isnull=True).exclude(postcode="").order_by("pk"):
        user = User.objects.create_user(email=f"voter{person.pk}@faults.invalid", password=None)
        person.user = user
        person.save(update_fields=["user"])
        try:
            actions.online_voter(budget_round, user)
        except BudgetingError:
            person.user = None
            person.save(update_fields=["user"])
            user.delete()
            continue
        sessions.append(_session_for(user))
        if len(sessions) == count:
            break
    return sessions


def _questionnaire_ready_to_submit(user: Any) -> int:
    """A questionnaire the resident has answered in full and not yet submitted."""
    from commonweal.measures import actions, registry
    from commonweal.measures.models import Response
    from commonweal.people.models import Person

    definition = registry.definition("ons4")
    response = actions.start_response(
        person=Person.objects.get(user=user), definition=definition, mode=Response.Mode.OWN_ACCOUNT, by=user
    )
    actions.save_answers(response=response, answers={item.item_id: 7 for item in definition.items}, by=user)
    return int(response.pk)


def main(out: Path) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from commonweal.accounts.models import User
    from commonweal.budgeting.demo import VOTING_ROUND
    from commonweal.budgeting.models import BudgetRound
    from commonweal.budgeting.views import _ballot_form
    from commonweal.demo.builder import DEMO_EMAIL_DOMAIN, build_demo
    from commonweal.people.models import Person

    call_command("migrate", verbosity=0, interactive=False)
    build_demo(geo_dir=Path(settings.COMMONWEAL_SHARED_DIR) / "data" / "geo", residents=40)
    resident = User.objects.get(email=f"resident@{DEMO_EMAIL_DOMAIN}")
    organisation = User.objects.get(email=f"organisation@{DEMO_EMAIL_DOMAIN}")
    commissioner = User.objects.get(email=f"commissioner@{DEMO_EMAIL_DOMAIN}")
    # The borough-wide round open to vote in (the demo's other voting round has closed, to be counted).
    budget_round = BudgetRound.objects.get(name=VOTING_ROUND)
    projects = [value for value, _ in _ballot_form(budget_round).fields["projects"].choices]  # type: ignore[attr-defined]
    voters = _voters(budget_round, 2)
    world = {
        "sessions": {
            "resident": _session_for(resident),
            "organisation": _session_for(organisation),
            "commissioner": _session_for(commissioner),
            **{f"voter{number}": session for number, session in enumerate(voters)},
        },
        "round": budget_round.pk,
        "projects": projects[:4],
        "connections": _connection_to_accept(organisation),
        "self_referral": _self_referral(Person.objects.get(user=resident)),
        "questionnaire": _questionnaire_ready_to_submit(resident),
    }
    out.write_text(json.dumps(world), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
