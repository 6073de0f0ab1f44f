import datetime
from zoneinfo import ZoneInfo

import pytest

from commonweal.accounts.models import Role
from commonweal.people import queries
from tests.factories import PersonFactory, RecordAccessFactory

MORNING = datetime.datetime(2025, 3, 3, 10, 0, tzinfo=ZoneInfo("Europe/London"))


@pytest.mark.django_db
def test_access_runs_read_in_chunks_keep_every_view_once_even_at_the_same_instant(persona):
    rosa = PersonFactory(user=persona(Role.RESIDENT))
    lena = persona(Role.LINK_WORKER)
    otis = persona(Role.COMMUNITY_HEALTH_WORKER)
    looks = [
        RecordAccessFactory(person=rosa, viewer=viewer, accessed_at=MORNING)
        for viewer in [lena, lena, lena, otis, otis]
    ]
    looks.append(
        RecordAccessFactory(person=rosa, viewer=otis, accessed_at=MORNING - datetime.timedelta(hours=2))
    )
    runs = list(queries.access_runs(rosa, chunk=2))
    assert [(run.latest, run.earliest, run.views) for run in runs] == [
        (looks[4], looks[3], 2),
        (looks[2], looks[0], 3),
        (looks[5], looks[5], 1),
    ]


@pytest.mark.django_db
def test_the_latest_access_runs_stop_at_the_count_asked_for(persona):
    rosa = PersonFactory(user=persona(Role.RESIDENT))
    lena = persona(Role.LINK_WORKER)
    for hour in range(4):
        RecordAccessFactory(person=rosa, viewer=lena, accessed_at=MORNING + datetime.timedelta(hours=hour))
    runs = queries.latest_access_runs(rosa, 2)
    assert [run.latest.accessed_at for run in runs] == [
        MORNING + datetime.timedelta(hours=3),
        MORNING + datetime.timedelta(hours=2),
    ]
