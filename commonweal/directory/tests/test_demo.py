"""The demo directory is realistic, deterministic from the seed and idempotent."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest
from django.db import transaction

from commonweal.demo.builder import _context
from commonweal.directory import oruk
from commonweal.directory.demo import DEMO_SOURCE, build_directory
from commonweal.directory.models import DirectoryOrganisation, Location, SearchDocument, Service
from commonweal.referrals.models import Connection


def _digest() -> str:
    documents = [
        oruk.service_document(service) for service in oruk.full_services(Service.objects.order_by("oruk_id"))
    ]
    return hashlib.sha256(json.dumps(documents, sort_keys=True).encode()).hexdigest()


@pytest.mark.django_db
@pytest.mark.usefixtures("demo_borough")
def test_the_demo_directory_is_deterministic_idempotent_and_varied():
    assert Service.objects.filter(source=DEMO_SOURCE).count() == 300
    assert SearchDocument.objects.count() == 300
    first = _digest()
    with transaction.atomic():
        assert build_directory(_context(2019)) is False
    assert _digest() == first
    capacity = Counter(Service.objects.values_list("accepting_referrals", flat=True))
    assert set(capacity) == {"yes", "no", "waiting_list"}
    assert Service.objects.filter(owner__isnull=False).count() > 100
    assert Service.objects.filter(service_terms__isnull=True).count() == 0
    # The demo's journeys connect people to these services (protected); clear them before the directory.
    Connection.objects.all().delete()
    Service.objects.all().delete()
    Location.objects.all().delete()
    DirectoryOrganisation.objects.all().delete()
    with transaction.atomic():
        assert build_directory(_context(2019)) is True
    assert _digest() == first
