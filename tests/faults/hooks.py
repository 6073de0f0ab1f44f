"""Pause a request or a task right after a chosen SQL statement, so a test can kill the process there.

Only `tests/faults/settings.py` loads this. A request asks for a pause with the header X-Fault-Pause
(a piece of SQL, e.g. `INSERT INTO "budgeting_ballot"`); a background worker with the environment
variable FAULT_PAUSE_SQL. After that statement runs, inside its transaction, the process writes
`paused-<pid>` in FAULT_DIR and sleeps until it is killed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.http import HttpRequest, HttpResponse

_local = threading.local()


def _pattern() -> str:
    return getattr(_local, "pattern", "") or os.environ.get("FAULT_PAUSE_SQL", "")


def _pause_after(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
    result = execute(sql, params, many, context)
    pattern = _pattern()
    if pattern and pattern in sql:
        Path(os.environ["FAULT_DIR"], f"paused-{os.getpid()}").write_text(sql, encoding="utf-8")
        time.sleep(600)  # until the test kills this process
    return result


def install_pause(sender: Any, connection: Any, **kwargs: Any) -> None:
    if _pause_after not in connection.execute_wrappers:
        connection.execute_wrappers.append(_pause_after)


class PauseMiddleware:
    """Take the pause asked for by a request's X-Fault-Pause header, for that request only."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        _local.pattern = request.headers.get("X-Fault-Pause", "")
        try:
            return self.get_response(request)
        finally:
            _local.pattern = ""
