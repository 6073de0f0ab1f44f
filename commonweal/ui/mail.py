"""E-mail for a demo or a development server: every message kept whole in a folder, one line printed.

Django's console backend prints each message in full, headers and all, so `make run` scrolled past
pages of reminders. This backend is Django's file backend (a file per connection in EMAIL_FILE_PATH,
each message whole, links included) that also prints one line per message: who, what, and where the
message is kept. Deployments that send mail use the SMTP backend instead (.env.example).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend
from django.core.mail.message import EmailMessage


class ShortConsoleBackend(EmailBackend):
    """Keep each message in EMAIL_FILE_PATH and print one line about it."""

    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        self.console = kwargs.pop("console", None) or sys.stdout
        super().__init__(file_path=file_path or str(settings.EMAIL_FILE_PATH), **kwargs)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages[:sent]:
            recipients = ", ".join(message.recipients())
            kept = self._get_filename()  # type: ignore[attr-defined]  # the file backend's own, unstubbed
            self.console.write(f"E-mail to {recipients}: “{message.subject}” (kept in {kept})\n")
        self.console.flush()
        return sent
