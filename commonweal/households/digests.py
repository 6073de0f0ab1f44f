"""The supervision digest: each supervisor is e-mailed the patches that need their attention.

Supervision by exception (issue 13): a patch is named when it is behind its monthly goal in proportion to
the days gone, or holds households not visited for 30 days or more (`queries.digest`). The e-mail names
patches, workers and counts, never a household's address or a person: those stay behind sign-in, on the
supervision page it links to. A supervisor with nothing to attend to gets no e-mail. Run it weekly
(`commonweal households_digest`, from cron or a timer).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.audit.actions import record_event
from commonweal.households import queries
from commonweal.households.models import Patch
from commonweal.ui.site import site_url

logger = logging.getLogger("commonweal.households")


@dataclass(frozen=True)
class DigestReport:
    sent: int
    nothing_to_report: int
    failed: int

    def __str__(self) -> str:
        return (
            f"Digests sent: {self.sent}; supervisors with nothing to report: {self.nothing_to_report}; "
            f"could not be sent: {self.failed}."
        )


def digest_text(entries: list[queries.DigestEntry], link: str) -> str:
    """The e-mail's words: each patch, its worker and why it is named; no household or person."""
    lines = ["These patches need your attention:", ""]
    for entry in entries:
        worker = entry.row.patch.chw.full_name if entry.row.patch.chw else "no worker"
        lines.append(f"{entry.row.patch.name} ({worker}):")
        lines.extend(f"  - {reason}" for reason in entry.reasons)
        lines.append("")
    lines.append(
        f"See the households waiting longest, and the visits to review, on your supervision page: {link}"
    )
    return "\n".join(lines) + "\n"


def send_digests(*, today: datetime.date | None = None, at: datetime.datetime | None = None) -> DigestReport:
    """E-mail every supervisor whose patches need attention; record each e-mail sent."""
    at = at or timezone.now()
    today = today or timezone.localdate(at)
    link = site_url() + reverse("households:supervision")
    sent = quiet = failed = 0
    supervisors = User.objects.filter(
        pk__in=Patch.objects.filter(supervisor__isnull=False).values("supervisor"), is_active=True
    ).order_by("pk")
    for supervisor in supervisors:
        if not can(supervisor, Capability.SUPERVISE_HOUSEHOLDS):
            continue  # no longer a supervisor (the role was taken away): the patch waits for a new one
        entries = queries.digest(list(queries.patches_supervised(supervisor)), today)
        if not entries:
            quiet += 1
            continue
        patches = f"{len(entries)} patch{'es' if len(entries) > 1 else ''}"
        try:
            delivered = send_mail(
                subject=f"Supervision: {patches} need your attention",
                message=digest_text(entries, link),
                from_email=None,
                recipient_list=[supervisor.email],
            )
        except OSError:
            logger.exception("The supervision digest could not be sent to user %s", supervisor.pk)
            delivered = 0
        if delivered:
            sent += 1
            record_event(
                by=None,
                at=at,
                action="households.digest_sent",
                target=supervisor,
                patches=[entry.row.patch.pk for entry in entries],
            )
        else:
            failed += 1
    return DigestReport(sent, quiet, failed)
