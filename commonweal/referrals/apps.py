from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "commonweal.referrals"
    verbose_name = "Referrals and connections"

    def ready(self) -> None:
        # The people app cannot import this one (dependencies point one way), so the relationships
        # that give staff a reason to open a record, and this app's part of a person's own record,
        # are registered with it here.
        from commonweal.people import record_sections
        from commonweal.people import rules as people_rules
        from commonweal.referrals import rules, sections

        people_rules.register_relationship(rules.journey_relationship)
        record_sections.register_section(sections.JOURNEY_SECTION)
