"""Business hours and percentiles: the two definitions reports count reply times with."""

from datetime import UTC, datetime

import pytest

from cmconsole.domain.business_hours import business_seconds, parse_hours
from cmconsole.domain.errors import InvalidInput
from cmconsole.domain.percentiles import percentile


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # 2 November 2026 is a Monday


def test_always_staffed_counts_every_second():
    assert business_seconds(at(2, 9), at(2, 10), parse_hours(""), "UTC") == 3600
    assert business_seconds(at(2, 10), at(2, 9), parse_hours("always"), "UTC") == 0


def test_only_staffed_time_counts_across_nights_and_weekends():
    hours = parse_hours("mon-fri 09:00-18:00")
    assert business_seconds(at(2, 17), at(3, 10), hours, "UTC") == 2 * 3600
    # Friday 17:00 to Monday 09:30: one hour on Friday, half an hour on Monday.
    assert business_seconds(at(6, 17), at(9, 9, 30), hours, "UTC") == 5400


def test_hours_are_read_in_the_alias_time_zone():
    hours = parse_hours("mon 09:00-10:00")
    # 09:00 in Paris is 08:00 UTC in November.
    assert business_seconds(at(2, 7), at(2, 12), hours, "Europe/Paris") == 3600


def test_day_ranges_wrap_and_describe_themselves():
    hours = parse_hours("sat-sun 10:00-14:00; wed 08:00-24:00")
    assert hours.describe() == "wed 08:00-24:00; sat 10:00-14:00; sun 10:00-14:00"
    assert parse_hours("fri-mon 09:00-10:00").describe().split("; ")[0] == "mon 09:00-10:00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("mon-fry 09:00-18:00", "'fry' is not a day"),
        ("mon 18:00-09:00", "the end is not after the start"),
        ("mon 09:00-25:00", "is not a time of day"),
        ("weekdays", "is not like"),
    ],
)
def test_bad_hours_say_what_is_wrong(text, problem):
    with pytest.raises(InvalidInput, match=problem):
        parse_hours(text)


def test_percentiles_take_the_nearest_rank():
    assert percentile([], 0.5) is None
    assert percentile([5.0, 1.0, 3.0, 2.0], 0.5) == 2.0
    assert percentile(list(map(float, range(1, 11))), 0.9) == 9.0
    assert percentile([7.0], 0.9) == 7.0
