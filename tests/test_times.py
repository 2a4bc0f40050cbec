"""Times with a precision: intervals, bounds, gaps, zones and tweet ids."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.times import (
    Interval,
    TimeFormatError,
    format_duration,
    format_interval,
    gap,
    get_zone,
    snowflake_time,
    time_interval,
    to_zone,
)

VANCOUVER = get_zone("America/Vancouver")
UTC = UTC


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_second_precision_is_one_second_in_utc():
    interval = time_interval("2020-09-23T16:51:47-07:00", "second", VANCOUVER)
    assert interval == Interval(utc(2020, 9, 23, 23, 51, 47), utc(2020, 9, 23, 23, 51, 48))


def test_fraction_of_a_second_is_one_millisecond():
    interval = time_interval("2020-09-23T16:51:47.732-07:00", "second", VANCOUVER)
    assert interval.width == timedelta(milliseconds=1)


def test_offset_kept_from_the_source_is_converted():
    # The petition page reports -04:00; the same instant as 19:28:48 PDT.
    interval = time_interval("2020-09-23T22:28:48-04:00", "second", VANCOUVER)
    assert to_zone(interval.start, "America/Vancouver").strftime("%H:%M:%S %Z") == "19:28:48 PDT"


def test_hour_precision_covers_the_hour():
    interval = time_interval("2020-09-23T21:00-07:00", "hour", VANCOUVER)
    assert (interval.start, interval.end) == (utc(2020, 9, 24, 4), utc(2020, 9, 24, 5))


def test_hour_precision_rejects_minutes():
    with pytest.raises(TimeFormatError, match="does not fit precision 'hour'"):
        time_interval("2020-09-23T21:10-07:00", "hour", VANCOUVER)


def test_day_covers_the_local_calendar_day():
    interval = time_interval("2020-09-18", "day", VANCOUVER)
    assert (interval.start, interval.end) == (utc(2020, 9, 18, 7), utc(2020, 9, 19, 7))


def test_day_with_daylight_saving_change_is_25_hours():
    # Vancouver left daylight saving on 2020-11-01: that local day lasted 25 hours.
    assert time_interval("2020-11-01", "day", VANCOUVER).width == timedelta(hours=25)
    assert time_interval("2020-03-08", "day", VANCOUVER).width == timedelta(hours=23)


def test_part_of_day_uses_the_case_zone():
    interval = time_interval("2020-09-24 morning", "part_of_day", VANCOUVER)
    assert (interval.start, interval.end) == (utc(2020, 9, 24, 12), utc(2020, 9, 24, 19))


def test_unknown_part_of_day_is_an_error():
    with pytest.raises(TimeFormatError, match="part_of_day"):
        time_interval("2020-09-24 dawn", "part_of_day", VANCOUVER)


def test_month_precision_covers_the_month():
    interval = time_interval("2020-06", "month", VANCOUVER)
    assert interval.start == utc(2020, 6, 1, 7) and interval.end == utc(2020, 7, 1, 7)


def test_bounds_narrow_the_interval():
    # "Thursday morning", and a report at 11:03 already carried it.
    interval = time_interval("2020-09-24 morning", "part_of_day", VANCOUVER, latest="2020-09-24T11:03-07:00")
    assert interval.end == utc(2020, 9, 24, 18, 3)


def test_bounds_that_leave_nothing_are_an_error():
    with pytest.raises(TimeFormatError, match="leave nothing"):
        time_interval("2020-09-24 morning", "part_of_day", VANCOUVER, earliest="2020-09-24T13:00-07:00")


def test_unknown_time_with_bounds_is_the_bounds():
    interval = time_interval("", "unknown", VANCOUVER, "2020-09-23T00:00-07:00", "2020-09-25T00:00-07:00")
    assert interval.width == timedelta(days=2)


def test_unknown_time_without_bounds_cannot_be_placed():
    assert time_interval("", "unknown", VANCOUVER) is None


@pytest.mark.parametrize(
    "value, precision, message",
    [
        ("2020-09-23 21:00", "minute", "does not fit precision 'minute'"),
        ("2020-09-23T21:00", "minute", "does not fit precision 'minute'"),  # no offset
        ("2020-02-30", "day", "not a valid day time"),
        ("yesterday", "day", "does not fit precision 'day'"),
        ("2020-09-23", "fortnight", "unknown precision 'fortnight'"),
        ("2020-09-23", "unknown", "needs a blank time"),
        ("", "day", "needs a time"),
    ],
)
def test_bad_times_are_named(value, precision, message):
    with pytest.raises(TimeFormatError, match=message):
        time_interval(value, precision, VANCOUVER)


def test_unknown_zone_is_an_error_with_a_suggestion():
    with pytest.raises(ValueError, match=r"unknown time zone 'America/Vancover'.*America/Vancouver"):
        get_zone("America/Vancover")


def test_gap_between_intervals_is_shortest_and_longest():
    email = time_interval("2020-09-23T21:00-07:00", "hour", VANCOUVER)
    statement = time_interval("2020-09-23 night", "part_of_day", VANCOUVER, earliest="2020-09-23T22:00-07:00")
    result = gap(email, statement)
    assert (result.shortest, result.longest) == (timedelta(0), timedelta(hours=3))
    assert str(result) == "[0 min, 3 h 00 min]"


def test_overlapping_intervals_give_a_negative_shortest_gap():
    day = time_interval("2020-09-24", "day", VANCOUVER)
    morning = time_interval("2020-09-24 morning", "part_of_day", VANCOUVER)
    assert gap(day, morning).shortest < timedelta(0)
    assert not gap(day, morning).certain_order


def test_snowflake_decoding_of_the_case_tweets():
    assert snowflake_time(1308917007438483457) == utc(2020, 9, 23, 23, 51, 47, 732000)
    assert snowflake_time("1308917020453408768") == utc(2020, 9, 23, 23, 51, 50, 835000)


def test_snowflake_rejects_small_numbers():
    with pytest.raises(ValueError, match="too small"):
        snowflake_time(12345)


def test_display_in_another_zone_keeps_the_precision():
    interval = time_interval("2020-09-18", "day", VANCOUVER)
    assert format_interval(interval, "day", "America/Vancouver") == "2020-09-18 (day) PDT"
    assert format_interval(interval, "day", "UTC") == "2020-09-18 07:00 – 2020-09-19 07:00 UTC"
    point = time_interval("2020-09-23T16:51:47-07:00", "second", VANCOUVER)
    assert format_interval(point, "second", "America/Chicago") == "2020-09-23 18:51:47 CDT"


def test_unknown_precision_is_shown_as_its_bounds_not_as_a_day():
    # A time no source gives, bounded to one local day by other facts, is not a day-precision time.
    bounded = time_interval("", "unknown", VANCOUVER, earliest="2020-09-24T00:00-07:00", latest="2020-09-25T00:00-07:00")
    assert format_interval(bounded, "unknown", "America/Vancouver") == "2020-09-24 00:00–24:00 PDT"
    day = time_interval("2020-09-24", "day", VANCOUVER)
    assert format_interval(day, "day", "America/Vancouver") == "2020-09-24 (day) PDT"


@pytest.mark.parametrize(
    "value, precision, earliest, zone, shown",
    [
        ("2020-09-23 night", "part_of_day", "2020-09-23T22:00-07:00", "America/Vancouver", "2020-09-23 22:00–24:00 PDT"),
        ("2020-09-23T21:00-07:00", "hour", "", "America/Chicago", "2020-09-23 23:00–24:00 CDT"),
        ("2020-09-23", "day", "2020-09-23T16:51:47.732-07:00", "America/Vancouver", "2020-09-23 16:51–24:00 PDT"),
    ],
)
def test_an_interval_ending_at_midnight_ends_at_24(value, precision, earliest, zone, shown):
    assert format_interval(time_interval(value, precision, VANCOUVER, earliest=earliest), precision, zone) == shown


def test_month_precision_is_labelled_only_for_a_whole_month():
    month = time_interval("2021-01", "month", VANCOUVER)
    assert format_interval(month, "month", "America/Vancouver") == "2021-01 (month) PST"
    bounded = time_interval("2021-01", "month", VANCOUVER, earliest="2021-01-05T00:00-08:00")
    assert format_interval(bounded, "month", "America/Vancouver") == "2021-01-05 00:00 – 2021-02-01 00:00 PST"


@pytest.mark.parametrize(
    "name, suggestion",
    [
        ("utc", "(did you mean 'UTC'?)"),
        ("europe/london", "(did you mean 'Europe/London'?)"),
        ("Europe/Londn", "(did you mean 'Europe/London'"),
    ],
)
def test_zone_suggestions_ignore_case(name, suggestion):
    with pytest.raises(ValueError) as caught:
        get_zone(name)
    assert f"unknown time zone {name!r} {suggestion}" in str(caught.value)


def test_format_duration():
    assert format_duration(timedelta(hours=2, minutes=5)) == "2 h 05 min"
    assert format_duration(timedelta(days=1, hours=3)) == "1 d 3 h 00 min"
    assert format_duration(-timedelta(minutes=30)) == "-30 min"


# ---------------------------------------------------------------- properties of intervals and gaps

moments = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400))


@st.composite
def intervals(draw):
    start = draw(moments)
    return Interval(start, start + draw(durations))


@given(intervals(), intervals(), moments, moments)
def test_every_pair_of_moments_lies_within_the_gap(a, b, x, y):
    x = a.start + (x - datetime(2000, 1, 1, tzinfo=UTC)) % (a.width or timedelta(microseconds=1)) if a.width else a.start
    y = b.start + (y - datetime(2000, 1, 1, tzinfo=UTC)) % (b.width or timedelta(microseconds=1)) if b.width else b.start
    result = gap(a, b)
    assert result.shortest <= y - x <= result.longest


@given(intervals(), intervals())
def test_gap_is_antisymmetric(a, b):
    forward, backward = gap(a, b), gap(b, a)
    assert forward.shortest == -backward.longest and forward.longest == -backward.shortest


@given(intervals(), intervals())
def test_intersection_is_inside_both(a, b):
    both = a.intersect(b)
    if both is not None:
        assert a.start <= both.start < both.end <= a.end
        assert b.start <= both.start < both.end <= b.end


@given(
    st.dates(min_value=datetime(2000, 1, 1).date(), max_value=datetime(2037, 12, 31).date()),
    st.sampled_from(["America/Vancouver", "Europe/London", "Australia/Sydney", "UTC", "Asia/Kolkata"]),
)
def test_a_local_day_is_23_to_25_hours_and_starts_at_local_midnight(day, zone_name):
    interval = time_interval(day.isoformat(), "day", get_zone(zone_name))
    assert timedelta(hours=23) <= interval.width <= timedelta(hours=25)
    local = to_zone(interval.start, zone_name)
    assert (local.date(), local.hour, local.minute) == (day, 0, 0)
