"""What `make run` prints is worth reading (issue 20, item 12): one line per e-mail, no line per task,
no traceback per refused page, and Ctrl+C stops every process once."""

from __future__ import annotations

import io
import logging
import logging.config
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import get_connection, send_mail
from django_tasks_db.management.commands import db_worker as upstream

from commonweal.ui.management.commands.db_worker import Command as WorkerCommand


def test_each_email_is_kept_whole_in_a_folder_and_gets_one_line_on_the_console(tmp_path: Path):
    console = io.StringIO()
    connection = get_connection(
        "commonweal.ui.mail.ShortConsoleBackend", file_path=str(tmp_path), console=console
    )
    body = "Please sign in and check it: https://commonweal.example.org/directory/services/7/\n" * 3
    send_mail("Please check your entry", body, None, ["owner@example.org"], connection=connection)
    send_mail("A second message", "Hello", None, ["a@example.org", "b@example.org"], connection=connection)
    lines = console.getvalue().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("E-mail to owner@example.org: “Please check your entry” (kept in ")
    assert lines[1].startswith("E-mail to a@example.org, b@example.org: “A second message”")
    kept = "".join(path.read_text(encoding="utf-8") for path in tmp_path.iterdir())
    assert kept.count("https://commonweal.example.org/directory/services/7/") == 3


def test_the_default_email_backend_is_the_short_one():
    assert django_settings.EMAIL_BACKEND in {
        "commonweal.ui.mail.ShortConsoleBackend",
        "django.core.mail.backends.locmem.EmailBackend",  # what pytest-django puts in place for tests
    }
    assert django_settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"


def test_refused_and_missing_pages_are_not_logged_again_after_the_access_log_but_server_errors_are():
    logging.config.dictConfig(django_settings.LOGGING)
    request_log = logging.getLogger("django.request")
    assert not request_log.isEnabledFor(logging.WARNING)  # 403 and 404: Django logs them at WARNING
    assert request_log.isEnabledFor(logging.ERROR)  # 500s keep their traceback


def test_the_worker_prints_failures_but_not_two_lines_for_every_task():
    command = WorkerCommand(stdout=io.StringIO())
    tasks_log = logging.getLogger(upstream.TASKS_LOGGER)
    try:
        command.configure_logging(1)
        assert not tasks_log.isEnabledFor(logging.INFO)  # "Task id=… state=RUNNING"
        assert tasks_log.isEnabledFor(logging.ERROR)  # a failed task's traceback
        command.configure_logging(2)
        assert tasks_log.isEnabledFor(logging.INFO)
    finally:
        tasks_log.setLevel(logging.NOTSET)
        upstream.logger.setLevel(logging.NOTSET)


def serve_recipe() -> str:
    """The Makefile's `serve` target, from its name to the blank line after it."""
    makefile = (Path(django_settings.BASE_DIR) / "Makefile").read_text(encoding="utf-8")
    return makefile.split("\nserve:", 1)[1].split("\n\n", 1)[0]


def test_make_serve_stops_its_processes_by_id_once_instead_of_signalling_its_own_group(settings: Any):
    serve = serve_recipe()
    # `trap "kill 0"` signalled make and the shell itself, and ran its own trap again on every signal.
    assert "kill 0" not in serve
    assert "stop() { trap - INT TERM EXIT; kill $$pids" in serve
    assert serve.count('& pids="$$pids $$!"') == 3
