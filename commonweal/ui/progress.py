"""Pages that show long work in the background (a selection, an import) while it runs.

Such a page reloads itself with an HTTP `Refresh` header until the work is done: it needs no script (so it
works without JavaScript and under the content security policy), and the page still offers a link to
check again by hand.
"""

from __future__ import annotations

import datetime

from django.http import HttpResponse

# Often enough that a selection of a few seconds shows its result at once, rarely enough to cost nothing.
REFRESH_SECONDS = 5


def refresh_while_running(response: HttpResponse, *, running: bool) -> HttpResponse:
    """Ask the browser to load the page again in a few seconds while the work is running."""
    if running:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _count(number: int, unit: str) -> str:
    return f"{number} {unit}{'' if number == 1 else 's'}"


def duration_in_words(elapsed: datetime.timedelta) -> str:
    """Say how long something has taken: "40 seconds", "3 minutes", "1 hour 5 minutes"."""
    seconds = max(int(elapsed.total_seconds()), 0)
    if seconds < 60:
        return _count(seconds, "second")
    minutes = seconds // 60
    if minutes < 60:
        return _count(minutes, "minute")
    hours, minutes = divmod(minutes, 60)
    return _count(hours, "hour") + (f" {_count(minutes, 'minute')}" if minutes else "")
