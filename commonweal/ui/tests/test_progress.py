import datetime

import pytest

from commonweal.ui.progress import duration_in_words


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (-3, "0 seconds"),
        (0, "0 seconds"),
        (1, "1 second"),
        (40.9, "40 seconds"),
        (59, "59 seconds"),
        (60, "1 minute"),
        (125, "2 minutes"),
        (3599, "59 minutes"),
        (3600, "1 hour"),
        (3900, "1 hour 5 minutes"),
        (7260, "2 hours 1 minute"),
    ],
)
def test_a_duration_is_said_in_whole_seconds_then_minutes_then_hours_and_minutes(seconds, words):
    assert duration_in_words(datetime.timedelta(seconds=seconds)) == words
