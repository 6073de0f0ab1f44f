import datetime
from dataclasses import dataclass

from commonweal.people.core.access_runs import WINDOW, runs_of

START = datetime.datetime(2025, 3, 3, 14, 5, tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Look:
    viewer_id: int
    accessed_at: datetime.datetime
    reason: str = "caseload"
    detail: str = ""


def newest_first(*looks: Look) -> list[Look]:
    return sorted(looks, key=lambda look: look.accessed_at, reverse=True)


def summary(looks: list[Look]) -> list[tuple[int, datetime.datetime, datetime.datetime, int]]:
    return [
        (run.latest.viewer_id, run.earliest.accessed_at, run.latest.accessed_at, run.views)
        for run in runs_of(looks)
    ]


def test_45_views_by_one_viewer_in_one_minute_are_one_run():
    looks = newest_first(*(Look(1, START + datetime.timedelta(seconds=second)) for second in range(45)))
    assert summary(looks) == [(1, START, START + datetime.timedelta(seconds=44), 45)]


def test_two_viewers_interleaved_stay_in_separate_runs():
    minute = datetime.timedelta(minutes=1)
    looks = newest_first(
        Look(1, START),
        Look(1, START + minute),
        Look(2, START + 2 * minute),
        Look(1, START + 3 * minute),
        Look(2, START + 4 * minute),
        Look(2, START + 5 * minute),
    )
    assert summary(looks) == [
        (2, START + 4 * minute, START + 5 * minute, 2),
        (1, START + 3 * minute, START + 3 * minute, 1),
        (2, START + 2 * minute, START + 2 * minute, 1),
        (1, START, START + minute, 2),
    ]


def test_a_gap_longer_than_the_window_starts_a_new_run():
    later = START + WINDOW + datetime.timedelta(seconds=1)
    assert summary(newest_first(Look(1, START), Look(1, later))) == [
        (1, later, later, 1),
        (1, START, START, 1),
    ]


def test_a_gap_of_exactly_the_window_stays_in_the_run():
    later = START + WINDOW
    assert summary(newest_first(Look(1, START), Look(1, later))) == [(1, START, later, 2)]


def test_the_window_runs_from_the_view_before_not_from_the_first():
    # A morning's steady work on one case, a view every 20 minutes, is one run.
    looks = newest_first(*(Look(1, START + datetime.timedelta(minutes=20 * step)) for step in range(6)))
    assert summary(looks) == [(1, START, START + datetime.timedelta(minutes=100), 6)]


def test_a_different_reason_or_detail_starts_a_new_run():
    second = datetime.timedelta(seconds=1)
    looks = newest_first(
        Look(1, START, reason="caseload"),
        Look(1, START + second, reason="referral"),
        Look(1, START + 2 * second, reason="organisation", detail="Connection to Sale Walking Group"),
        Look(1, START + 3 * second, reason="organisation", detail="Connection to Sale Lunch Club"),
    )
    assert [(run.latest.reason, run.latest.detail, run.views) for run in runs_of(looks)] == [
        ("organisation", "Connection to Sale Lunch Club", 1),
        ("organisation", "Connection to Sale Walking Group", 1),
        ("referral", "", 1),
        ("caseload", "", 1),
    ]


def test_every_view_is_in_exactly_one_run():
    looks = newest_first(
        *(Look(step % 3, START + datetime.timedelta(minutes=7 * step)) for step in range(100))
    )
    assert sum(run.views for run in runs_of(looks)) == 100


def test_no_views_make_no_runs():
    assert list(runs_of([])) == []
