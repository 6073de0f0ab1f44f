from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "commonweal.measures"
    verbose_name = "Wellbeing and outcome measures"

    def ready(self) -> None:
        # The people app cannot import this one (dependencies point one way), so this app's part of a
        # person's record is registered with it here.
        from commonweal.measures import (
            checks,  # noqa: F401 - registers the settings check
            sections,
        )
        from commonweal.people import record_sections

        record_sections.register_section(sections.MEASURES_SECTION)
