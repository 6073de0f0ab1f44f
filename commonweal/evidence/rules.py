"""Who may do what with the evidence: named predicates, read by actions (which refuse) and views (early).

The dashboards, stories, SROI analyses and alliances are the shared work of everyone who analyses
evidence (commissioners and administrators): any of them may change any analysis or alliance, and the
audit log says who did. Nothing here writes.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from commonweal.accounts.models import User
from commonweal.accounts.permissions import Capability, can
from commonweal.evidence.models import Alliance, SroiAnalysis, Story


def may_analyse(user: User | AnonymousUser) -> bool:
    """Tell whether the user may read the dashboards and start analyses, stories and alliances."""
    return can(user, Capability.ANALYSE_EVIDENCE)


def may_refresh_summaries(user: User | AnonymousUser) -> bool:
    """Anyone who analyses evidence may ask for the figures to be brought up to date."""
    return may_analyse(user)


def may_add_story(user: User | AnonymousUser) -> bool:
    """Anyone who analyses evidence may attach a story (with the person's recorded consent)."""
    return may_analyse(user)


def may_withdraw_story(user: User | AnonymousUser, story: Story) -> bool:
    """Anyone who analyses evidence may record that a person withdrew consent for their story."""
    return may_analyse(user)


def may_edit_analysis(user: User | AnonymousUser, analysis: SroiAnalysis) -> bool:
    """Anyone who analyses evidence may change an SROI analysis, its stakeholders, inputs and outcomes."""
    return may_analyse(user)


def may_edit_alliance(user: User | AnonymousUser, alliance: Alliance) -> bool:
    """Anyone who analyses evidence may change an alliance, its members and its shared outcomes."""
    return may_analyse(user)
