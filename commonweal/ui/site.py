"""The address people reach this deployment at, for links that leave the site (e-mails, letters, FHIR).

One setting, SITE_URL (settings, environment or .env). Left unset, the address `make serve` is serving
at (COMMONWEAL_SERVED_AT, which it sets from HOST and PORT), so a link in an e-mail points at the port
the server really runs on; outside `make serve`, http://127.0.0.1:8000. It is checked at start-up
(measures' system check reads it) and every link built from it is absolute.
"""

from __future__ import annotations

import os

from django.conf import settings

DEFAULT_SITE_URL = "http://127.0.0.1:8000"


class SiteUrlError(ValueError):
    """SITE_URL is not an http:// or https:// address."""


def site_url() -> str:
    """Return the site's public address without a trailing slash; raise SiteUrlError if malformed."""
    raw = (
        getattr(settings, "SITE_URL", None)
        or os.environ.get("SITE_URL")
        or os.environ.get("COMMONWEAL_SERVED_AT")
        or DEFAULT_SITE_URL
    )
    cleaned = str(raw).strip().rstrip("/")
    if not cleaned.startswith(("http://", "https://")) or len(cleaned) <= len("https://"):
        raise SiteUrlError(f"SITE_URL must start with http:// or https://, not {cleaned!r}.")
    return cleaned


def absolute(path: str) -> str:
    """Return a path of this site (from reverse()) as an address that works from an e-mail."""
    return site_url() + path
