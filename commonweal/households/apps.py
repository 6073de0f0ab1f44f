from django.apps import AppConfig


class HouseholdsConfig(AppConfig):
    name = "commonweal.households"
    verbose_name = "Community health workers: households, patches and visits"

    def ready(self) -> None:
        # The people app cannot import this one (dependencies point one way): the relationship that lets
        # a community health worker open the records of the households in their patch is registered here.
        from commonweal.households import rules
        from commonweal.people import rules as people_rules

        people_rules.register_relationship(rules.household_relationship)
