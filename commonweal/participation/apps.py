"""The participation app remains only as the holder of its migration history.

Its models moved to `commonweal.assemblies` and `commonweal.budgeting` (decision 0202). Databases made
before the split have participation's migrations 0001 and 0002 applied, and the new apps' first
migrations depend on its 0003, which hands the models over; so the app stays installed, with no models,
for as long as such databases may still be migrated.
"""

from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "commonweal.participation"
    label = "participation"
    verbose_name = "Community power (migration history only)"
