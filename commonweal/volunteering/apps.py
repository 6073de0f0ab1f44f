from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "commonweal.volunteering"
    verbose_name = "Volunteers, vetting, buddies, hours and expenses"

    def ready(self) -> None:
        # The people app cannot import this one, so this app's part of a person's record (their
        # buddies, and for their link worker the way to ask for one) is registered with it here.
        from commonweal.people import record_sections
        from commonweal.volunteering import sections

        record_sections.register_section(sections.BUDDY_SECTION)
