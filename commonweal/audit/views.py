"""The access audit: every view of a person-level record by anyone but that person is recorded.

Person-level pages are built on `PersonRecordView`, which cannot render a record without deciding
why the viewer may see it and logging that decision first. A system check (`checks.py`) refuses to
start the application if a URL that names a person is served by any other kind of view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.views import View

from commonweal.audit.actions import AccessGrant, record_access

if TYPE_CHECKING:  # the user model is reached through settings.AUTH_USER_MODEL, never imported
    from commonweal.accounts.models import User

# URL keyword arguments that identify a person; views receiving one must be PersonRecordViews.
PERSON_URL_KEYWORDS = frozenset({"person_id", "user_id"})


class PersonRecordView(View):
    """Base view for every page that shows a person-level record.

    Subclasses define `get_subject`, `subject_user_of`, `access_grant` (None refuses) and the usual
    `get`/`post`. `self.subject` is set before they run, and the access is already logged.
    """

    subject: Any

    def get_subject(self, **kwargs: Any) -> models.Model:
        """Load the record named by the URL (raise Http404 when there is none)."""
        raise NotImplementedError

    def subject_user_of(self, subject: Any) -> User | None:
        """Return the account of the person the record is about, if they have one."""
        raise NotImplementedError

    def access_grant(self, request: HttpRequest, subject: Any) -> AccessGrant | None:
        """Return why this viewer may see the record, or None to refuse."""
        raise NotImplementedError

    def refused(self, request: HttpRequest, subject: Any) -> HttpResponse:
        """Respond when the viewer has no legitimate reason (403 unless a subclass offers a route)."""
        raise PermissionDenied("You have no recorded reason to see this person's record.")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        viewer = request.user
        if isinstance(viewer, AnonymousUser) or not viewer.is_authenticated:
            return redirect_to_login(request.get_full_path())
        subject = self.get_subject(**kwargs)
        owner = self.subject_user_of(subject)
        if owner is None or owner.pk != viewer.pk:
            grant = self.access_grant(request, subject)
            if grant is None:
                return self.refused(request, subject)
            record_access(
                viewer=viewer, subject=subject, subject_user=owner, grant=grant, path=request.get_full_path()
            )
        self.subject = subject
        return super().dispatch(request, *args, **kwargs)
