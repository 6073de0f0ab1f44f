"""Recording, confirming, referring and reversing transfers through the actions, with the database."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from commonweal.audit.models import AuditEvent
from commonweal.timebank import actions
from commonweal.timebank.core.policies import LimitMode, RecordingPolicy
from commonweal.timebank.models import Account, Listing, Movement, Transfer
from commonweal.timebank.queries import balances_from_movements
from commonweal.timebank.tests.world import START, World

LATER = START + datetime.timedelta(days=3)


def _balance(account: Account) -> int:
    return Account.objects.get(pk=account.pk).balance_minutes


def _ledger() -> tuple[int, int, int]:
    return Transfer.objects.count(), Movement.objects.count(), AuditEvent.objects.count()


def _set_policy(
    world: World, recording: RecordingPolicy | None = None, mode: LimitMode | None = None
) -> None:
    if recording is not None:
        world.bank.recording_policy = recording.value
    if mode is not None:
        world.bank.limit_mode = mode.value
    world.bank.save()
    for account in (world.ann, world.bob, world.cat, world.group, world.chest):
        account.bank = world.bank


def test_a_provider_records_and_two_movements_summing_to_zero_are_written(world):
    transfer = actions.record_transfer(
        by=world.bob.user, source=world.ann, destination=world.bob, minutes=90, category="gardening", at=LATER
    )
    assert transfer.status == Transfer.Status.COMPLETE
    assert transfer.recorded_as == "self"
    legs = list(Movement.objects.filter(transfer=transfer).order_by("leg").values_list("account", "minutes"))
    assert legs == [(world.ann.pk, -90), (world.bob.pk, 90)]
    assert (_balance(world.ann), _balance(world.bob)) == (-90, 90)
    assert balances_from_movements(world.bank) == {world.ann.pk: -90, world.bob.pk: 90}


@pytest.mark.parametrize(
    ("minutes", "destination", "message"),
    [
        (0, "bob", "The time must be more than zero."),
        (-30, "bob", "The time must be more than zero."),
        (30, "ann", "An account cannot give hours to itself."),
        (30, "applicant", "Pat Pending is not an active member of this timebank."),
    ],
)
def test_bad_transfers_are_refused_with_a_message_and_nothing_written(world, minutes, destination, message):
    before = _ledger()
    with pytest.raises(actions.TimebankError, match=message):
        actions.record_transfer(
            by=world.coordinator, source=world.ann, destination=getattr(world, destination), minutes=minutes
        )
    assert _ledger() == before


def test_the_receiver_cannot_record_where_the_provider_records(world):
    before = _ledger()
    with pytest.raises(actions.TimebankError, match="the person who gave help records the hours"):
        actions.record_transfer(by=world.ann.user, source=world.ann, destination=world.bob, minutes=30)
    assert _ledger() == before


def test_someone_outside_the_exchange_is_refused_and_nothing_written(world):
    before = _ledger()
    with pytest.raises(PermissionDenied):
        actions.record_transfer(by=world.cat.user, source=world.ann, destination=world.bob, minutes=30)
    with pytest.raises(PermissionDenied):
        actions.record_transfer(by=world.group_member, source=world.ann, destination=world.bob, minutes=30)
    assert _ledger() == before


def test_both_confirm_counts_only_on_the_other_sides_confirmation_and_refuses_a_second(world):
    _set_policy(world, recording=RecordingPolicy.BOTH_CONFIRM)
    transfer = actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=60)
    assert (transfer.status, transfer.waiting_for) == (Transfer.Status.PENDING, "receiver")
    assert Movement.objects.filter(transfer=transfer).count() == 0
    with pytest.raises(actions.TimebankError, match="The other person must confirm"):
        actions.confirm_transfer(by=world.bob.user, transfer=transfer)
    with pytest.raises(PermissionDenied):
        actions.confirm_transfer(by=world.cat.user, transfer=transfer)
    actions.confirm_transfer(by=world.ann.user, transfer=transfer, at=LATER)
    transfer.refresh_from_db()
    assert (transfer.status, transfer.confirmed_by, transfer.counted_at) == (
        Transfer.Status.COMPLETE,
        world.ann.user,
        LATER,
    )
    before = _ledger()
    with pytest.raises(actions.TimebankError, match="already confirmed; nothing was changed"):
        actions.confirm_transfer(by=world.ann.user, transfer=transfer)
    assert _ledger() == before
    assert (_balance(world.ann), _balance(world.bob)) == (-60, 60)


def test_block_refuses_past_the_limit_and_allows_exactly_to_it(world):
    actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=540)
    before = _ledger()
    with pytest.raises(actions.TimebankError, match=re.escape("of -10h. Nothing was recorded.")):
        actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=61)
    assert _ledger() == before
    actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=60)
    assert _balance(world.ann) == -600


def test_warn_counts_with_a_warning_and_refer_waits_for_the_coordinator(world):
    _set_policy(world, mode=LimitMode.WARN)
    warned = actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=660)
    assert warned.status == Transfer.Status.COMPLETE
    assert warned.warning.startswith("This would take the account to -11h, past its limit of -10h.")
    _set_policy(world, mode=LimitMode.REFER)
    referred = actions.record_transfer(by=world.cat.user, source=world.ann, destination=world.cat, minutes=30)
    assert referred.status == Transfer.Status.REFERRED
    assert _balance(world.ann) == -660
    with pytest.raises(PermissionDenied):
        actions.decide_referred(by=world.cat.user, transfer=referred, approve=True)
    actions.decide_referred(by=world.coordinator, transfer=referred, approve=True)
    assert (_balance(world.ann), _balance(world.cat)) == (-690, 30)
    with pytest.raises(actions.TimebankError, match="not waiting for the coordinator"):
        actions.decide_referred(by=world.coordinator, transfer=referred, approve=False)


def test_a_reversal_undoes_once_and_only_the_coordinator_reverses(world):
    transfer = actions.record_transfer(by=world.bob.user, source=world.ann, destination=world.bob, minutes=45)
    with pytest.raises(PermissionDenied):
        actions.reverse_transfer(by=world.bob.user, transfer=transfer, reason="mistake")
    with pytest.raises(actions.TimebankError, match="Say why"):
        actions.reverse_transfer(by=world.coordinator, transfer=transfer, reason=" ")
    reversal = actions.reverse_transfer(by=world.coordinator, transfer=transfer, reason="Recorded twice")
    assert (reversal.source, reversal.destination, reversal.minutes, reversal.reverses) == (
        world.bob,
        world.ann,
        45,
        transfer,
    )
    assert (_balance(world.ann), _balance(world.bob)) == (0, 0)
    assert Movement.objects.filter(transfer__in=[transfer, reversal]).count() == 4
    with pytest.raises(actions.TimebankError, match="already been reversed"):
        actions.reverse_transfer(by=world.coordinator, transfer=transfer, reason="again")
    with pytest.raises(actions.TimebankError, match="cannot itself be reversed"):
        actions.reverse_transfer(by=world.coordinator, transfer=reversal, reason="again")


def test_a_broker_records_for_two_members_and_it_counts_at_once_even_under_both_confirm(world):
    _set_policy(world, recording=RecordingPolicy.BOTH_CONFIRM)
    transfer = actions.record_transfer(
        by=world.coordinator, source=world.cat, destination=world.ann, minutes=30
    )
    assert (transfer.status, transfer.recorded_as, transfer.recorded_by) == (
        Transfer.Status.COMPLETE,
        "broker",
        world.coordinator,
    )


def test_a_guardian_acts_for_their_member_and_it_is_recorded_as_such(world):
    actions.set_member_support(
        by=world.coordinator,
        account=world.cat,
        limit_minutes=None,
        needs_support=False,
        guardian=world.guardian,
    )
    cat = Account.objects.get(pk=world.cat.pk)
    transfer = actions.record_transfer(by=world.guardian, source=world.ann, destination=cat, minutes=20)
    assert (transfer.recorded_as, transfer.recorded_by, transfer.status) == (
        "guardian",
        world.guardian,
        Transfer.Status.COMPLETE,
    )
    with pytest.raises(PermissionDenied):  # guardian of Cat, not of Bob
        actions.record_transfer(by=world.guardian, source=world.ann, destination=world.bob, minutes=20)


def test_a_home_exchange_with_a_member_who_needs_support_waits_for_the_coordinator(world):
    actions.set_member_support(
        by=world.coordinator, account=world.ann, limit_minutes=None, needs_support=True, guardian=None
    )
    ann = Account.objects.get(pk=world.ann.pk)
    transfer = actions.record_transfer(
        by=world.bob.user, source=ann, destination=world.bob, minutes=60, home_exchange=True
    )
    assert transfer.status == Transfer.Status.REFERRED
    assert Movement.objects.filter(transfer=transfer).count() == 0


def test_a_group_session_is_one_transfer_per_participant_all_or_nothing(world):
    actions.set_member_support(
        by=world.coordinator, account=world.cat, limit_minutes=60, needs_support=False, guardian=None
    )
    cat = Account.objects.get(pk=world.cat.pk)
    before = _ledger()
    with pytest.raises(actions.TimebankError, match="Cat Cedar: This would take the account to -1h30"):
        actions.record_group_session(
            by=world.group_member,
            provider=world.group,
            participants=[world.ann, cat],
            title="Tai chi",
            minutes_each=90,
        )
    assert _ledger() == before
    session = actions.record_group_session(
        by=world.group_member,
        provider=world.group,
        participants=[world.ann, world.bob, cat],
        title="Tai chi",
        minutes_each=60,
    )
    assert session.transfers.count() == 3
    assert _balance(world.group) == 180
    with pytest.raises(PermissionDenied):
        actions.record_group_session(
            by=world.ann.user, provider=world.group, participants=[world.bob], title="x", minutes_each=60
        )


def test_donations_fill_the_chest_and_the_chest_never_goes_below_zero(world):
    actions.record_transfer(
        by=world.coordinator, source=world.bob, destination=world.chest, minutes=120, category="donation"
    )
    with pytest.raises(actions.TimebankError, match="past its limit"):
        actions.record_transfer(by=world.coordinator, source=world.chest, destination=world.ann, minutes=121)
    actions.record_transfer(by=world.coordinator, source=world.chest, destination=world.ann, minutes=120)
    assert (_balance(world.chest), _balance(world.bob), _balance(world.ann)) == (0, -120, 120)


def test_a_member_gives_hours_to_the_chest_at_once_and_hours_from_it_wait_for_the_coordinator(world):
    # The bank's policy is "the person who gave help records": the chest, held by nobody, could never
    # record or confirm, so a member's gift counts at once and a member's claim on it is referred.
    gift = actions.record_transfer(
        by=world.bob.user, source=world.bob, destination=world.chest, minutes=90, category="donation"
    )
    assert (gift.status, gift.waiting_for) == ("complete", "")
    claim = actions.record_transfer(by=world.ann.user, source=world.chest, destination=world.ann, minutes=60)
    assert (
        claim.status == "referred"
        and claim.warning == "Hours from the community chest wait for the coordinator."
    )
    assert (_balance(world.chest), _balance(world.ann)) == (90, 0)
    actions.decide_referred(by=world.coordinator, transfer=claim, approve=True)
    assert (_balance(world.chest), _balance(world.bob), _balance(world.ann)) == (30, -90, 60)


def test_joining_needs_interview_references_and_dbs_where_the_bank_requires_it(world):
    with pytest.raises(actions.TimebankError, match="Record who gave references"):
        actions.record_joining(
            by=world.coordinator,
            account=world.applicant,
            interviewed_at=START,
            interview_notes="ok",
            references="",
        )
    world.bank.requires_dbs = True
    world.bank.save()
    applicant = Account.objects.get(pk=world.applicant.pk)
    with pytest.raises(actions.TimebankError, match="needs a DBS check"):
        actions.record_joining(
            by=world.coordinator,
            account=applicant,
            interviewed_at=START,
            interview_notes="ok",
            references="two",
        )
    with pytest.raises(PermissionDenied):
        actions.record_joining(
            by=world.ann.user, account=applicant, interviewed_at=START, interview_notes="ok", references="two"
        )
    joined = actions.record_joining(
        by=world.coordinator,
        account=applicant,
        interviewed_at=START,
        interview_notes="ok",
        references="two",
        dbs_checked_on=datetime.date(2026, 2, 1),
    )
    assert joined.status == Account.Status.ACTIVE


def test_only_residents_join_and_only_coordinators_open_banks(world):
    with pytest.raises(PermissionDenied):
        actions.apply_to_join(by=world.group_member, bank=world.bank)
    with pytest.raises(PermissionDenied):
        actions.open_bank(by=world.ann.user, name="Mine", slug="mine", area=world.places.north)
    with pytest.raises(PermissionDenied):
        actions.add_organisation(by=world.ann.user, bank=world.bank, organisation=world.places.practice)
    with pytest.raises(PermissionDenied):
        actions.set_member_support(
            by=world.ann.user, account=world.bob, limit_minutes=0, needs_support=False, guardian=None
        )


def test_importing_past_exchanges_checks_every_row_and_writes_all_or_nothing(world):
    day = START + datetime.timedelta(days=1)
    rows = [
        actions.PastExchange(world.ann, world.bob, 300, "gardening", day),
        actions.PastExchange(world.ann, world.cat, 300, "cooking", day + datetime.timedelta(hours=1)),
        actions.PastExchange(world.ann, world.bob, 1, "cooking", day + datetime.timedelta(hours=2)),
    ]
    before = _ledger()
    with pytest.raises(
        actions.TimebankError, match=re.escape("Row 3: This would take the account to -10h01")
    ):
        actions.import_exchanges(by=world.coordinator, bank=world.bank, exchanges=rows)
    with pytest.raises(actions.TimebankError, match=re.escape("Row 1: The time must be more than zero.")):
        actions.import_exchanges(
            by=world.coordinator,
            bank=world.bank,
            exchanges=[actions.PastExchange(world.ann, world.bob, 0, "other", day)],
        )
    with pytest.raises(PermissionDenied):
        actions.import_exchanges(by=world.ann.user, bank=world.bank, exchanges=rows[:2])
    assert _ledger() == before
    assert actions.import_exchanges(by=world.coordinator, bank=world.bank, exchanges=rows[:2]) == 2
    assert (_balance(world.ann), _balance(world.bob), _balance(world.cat)) == (-600, 300, 300)
    assert balances_from_movements(world.bank) == {world.ann.pk: -600, world.bob.pk: 300, world.cat.pk: 300}
    assert set(Transfer.objects.filter(recorded_as="imported").values_list("counted_at", flat=True)) == {
        day,
        day + datetime.timedelta(hours=1),
    }


def test_importing_members_needs_interview_and_references_and_a_coordinator(world):
    from tests.factories import UserFactory

    newcomer = UserFactory.create(full_name="New Comer")
    member = actions.NewMember(newcomer, START, "Met at the hub", "", phone="1")
    with pytest.raises(
        actions.TimebankError, match=re.escape("Row 1: record the interview and the references.")
    ):
        actions.import_members(by=world.coordinator, bank=world.bank, members=[member])
    complete = actions.NewMember(newcomer, START, "Met at the hub", "Two neighbours")
    with pytest.raises(PermissionDenied):
        actions.import_members(by=world.ann.user, bank=world.bank, members=[complete])
    (account,) = actions.import_members(by=world.coordinator, bank=world.bank, members=[complete])
    assert (account.status, account.references, account.joined_at) == (
        Account.Status.ACTIVE,
        "Two neighbours",
        START,
    )
    with pytest.raises(actions.TimebankError, match="already have an account"):
        actions.import_members(by=world.coordinator, bank=world.bank, members=[complete])


def test_an_offer_or_answer_longer_than_its_box_is_refused_whole_and_nothing_is_kept(world: World):
    bob, cat = world.bob.user, world.cat.user
    assert bob is not None and cat is not None

    def post(title: str, description: str) -> Listing:
        return actions.post_listing(
            by=bob,
            account=world.bob,
            kind="offer",
            title=title,
            description=description,
            category="gardening",
            expires_on=START.date().replace(year=2099),
            at=START,
        )

    with pytest.raises(actions.TimebankError) as error:
        post("Gardening", "x" * 2001)
    assert str(error.value) == "The description is 2,001 characters long: keep it to 2,000."
    assert error.value.field == "description"
    with pytest.raises(actions.TimebankError) as error:
        post("G" * 121, "")
    assert (str(error.value), error.value.field) == (
        "The title is 121 characters long: keep it to 120.",
        "title",
    )
    assert world.bob.listings.count() == 0
    listing = post("Gardening", "x" * 2000)
    assert len(listing.description) == 2000
    with pytest.raises(actions.TimebankError) as error:
        actions.answer_listing(by=cat, listing=listing, account=world.cat, message="y" * 501, at=START)
    assert (str(error.value), error.value.field) == (
        "The message is 501 characters long: keep it to 500.",
        "message",
    )
    assert listing.answers.count() == 0
