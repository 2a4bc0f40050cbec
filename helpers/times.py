"""Times with a precision: parsing, intervals, gaps and display in any zone.

A time in the case data is written at the precision the sources allow (see data/README.md).
Everything coarser than a point becomes a half-open interval ``[start, end)`` in UTC, so that
gaps between two items can be stated honestly as ``[shortest, longest]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from .errors import did_you_mean

PRECISIONS = ("second", "minute", "hour", "part_of_day", "day", "month", "unknown")
BASES = ("reported", "derived", "inferred")

# Conventional clock hours of each part of a day, in the case's zone: [start, end).
# fmt: off
PARTS_OF_DAY = {
    "morning": (5, 12),
    "afternoon": (12, 17),
    "evening": (17, 21),
    "night": (21, 24),
}
# fmt: on

# Twitter's snowflake ids: milliseconds since this epoch, shifted left by 22 bits.
TWITTER_EPOCH_MS = 1288834974657

_OFFSET = r"(?:Z|[+-]\d{2}:\d{2})"
_CLOCK_PATTERNS = {
    "second": re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d{{1,6}})?{_OFFSET}$"),
    "minute": re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}{_OFFSET}$"),
    "hour": re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:00{_OFFSET}$"),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_PART = re.compile(r"^(\d{4}-\d{2}-\d{2}) ([a-z]+)$")
_BOUND = re.compile(rf"^\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d{{1,6}})?)?{_OFFSET}$")

_FORMAT_HELP = {
    "second": "YYYY-MM-DDTHH:MM:SS+HH:MM",
    "minute": "YYYY-MM-DDTHH:MM+HH:MM",
    "hour": "YYYY-MM-DDTHH:00+HH:MM",
    "part_of_day": "YYYY-MM-DD <" + "|".join(PARTS_OF_DAY) + ">",
    "day": "YYYY-MM-DD",
    "month": "YYYY-MM",
    "unknown": "blank",
}


class TimeFormatError(ValueError):
    """A time value that does not fit its precision, zone or bounds."""


@dataclass(frozen=True, order=True)
class Interval:
    """A half-open span of time ``[start, end)`` in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self):
        for name in ("start", "end"):
            value = getattr(self, name)
            if value.tzinfo is None:
                raise ValueError(f"Interval {name} must be timezone-aware, got {value!r}")
        if self.end < self.start:
            raise ValueError(f"Interval ends before it starts: {self.start} > {self.end}")

    @property
    def width(self) -> timedelta:
        return self.end - self.start

    @property
    def is_point(self) -> bool:
        """True when the interval is one second or narrower."""
        return self.width <= timedelta(seconds=1)

    @property
    def midpoint(self) -> datetime:
        return self.start + self.width / 2

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end or (self.width == timedelta(0) and moment == self.start)

    def intersect(self, other: Interval) -> Interval | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Interval(start, end) if start < end else None

    def shift(self, delta: timedelta) -> Interval:
        return Interval(self.start + delta, self.end + delta)


@dataclass(frozen=True)
class Gap:
    """The time from item A to item B, as the range the sources allow.

    ``shortest`` is negative when the sources cannot rule out that B came first.
    """

    shortest: timedelta
    longest: timedelta

    @property
    def certain_order(self) -> bool:
        """True when B certainly started after A ended."""
        return self.shortest >= timedelta(0)

    def __str__(self) -> str:
        return f"[{format_duration(self.shortest)}, {format_duration(self.longest)}]"


def gap(a: Interval, b: Interval) -> Gap:
    """Range of the time from a moment in ``a`` to a moment in ``b``."""
    return Gap(shortest=b.start - a.end, longest=b.end - a.start)


def format_duration(delta: timedelta) -> str:
    """``1 d 2 h 05 min``-style text; negative durations keep their sign."""
    sign = "-" if delta < timedelta(0) else ""
    seconds = int(abs(delta).total_seconds())
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} d")
    if hours or days:
        parts.append(f"{hours} h")
    parts.append(f"{minutes:02d} min" if (hours or days) else f"{minutes} min")
    if secs and not days:
        parts.append(f"{secs:02d} s")
    return sign + " ".join(parts)


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def get_zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``; a clear error for anything else."""
    if not isinstance(name, str) or (name not in _known_zones() and name != "UTC"):
        hint = did_you_mean(name, sorted(_known_zones()))
        raise ValueError(f"unknown time zone {name!r}{hint}: use an IANA name such as 'America/Vancouver' or 'UTC'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unloadable
        raise ValueError(f"unknown time zone {name!r}: {exc}") from None


def _parse_clock(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.astimezone(UTC)


def _local_day_interval(day: date, zone: ZoneInfo, start_hour: int = 0, end_hour: int = 24) -> Interval:
    start = datetime.combine(day, time(start_hour % 24), tzinfo=zone)
    if end_hour == 24:
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    else:
        end = datetime.combine(day, time(end_hour), tzinfo=zone)
    return Interval(start.astimezone(UTC), end.astimezone(UTC))


def parse_bound(value: str) -> datetime:
    """A ``time_earliest`` / ``time_latest`` value: a full time with a UTC offset."""
    if not _BOUND.match(value):
        raise TimeFormatError(f"{value!r} is not a time with offset (write YYYY-MM-DDTHH:MM+HH:MM)")
    try:
        return _parse_clock(value)
    except ValueError as exc:
        raise TimeFormatError(f"{value!r} is not a valid time: {exc}") from None


def time_interval(
    value: str,
    precision: str,
    zone: ZoneInfo,
    earliest: str = "",
    latest: str = "",
) -> Interval | None:
    """The interval a time value stands for, or None when it cannot be placed.

    ``zone`` is the case's zone, used for day, part-of-day and month precision.
    """
    value = (value or "").strip()
    if precision not in PRECISIONS:
        raise TimeFormatError(f"unknown precision {precision!r} (allowed: {', '.join(PRECISIONS)})")
    if precision == "unknown":
        if value:
            raise TimeFormatError(f"precision 'unknown' needs a blank time, got {value!r}")
        interval = None
    else:
        if not value:
            raise TimeFormatError(f"precision {precision!r} needs a time written {_FORMAT_HELP[precision]}")
        interval = _interval_at_precision(value, precision, zone)

    lower = parse_bound(earliest) if earliest else None
    upper = parse_bound(latest) if latest else None
    if interval is None:
        if lower is None or upper is None:
            if lower or upper:
                raise TimeFormatError("precision 'unknown' needs both time_earliest and time_latest, or neither")
            return None
        if upper <= lower:
            raise TimeFormatError(f"time_latest {latest!r} is not after time_earliest {earliest!r}")
        return Interval(lower, upper)
    start = max(interval.start, lower) if lower else interval.start
    end = min(interval.end, upper) if upper else interval.end
    if end <= start:
        raise TimeFormatError(
            f"bounds [{earliest or '-'}, {latest or '-'}] leave nothing of {value!r} at precision {precision!r}"
        )
    return Interval(start, end)


def _interval_at_precision(value: str, precision: str, zone: ZoneInfo) -> Interval:
    expected = f"write {_FORMAT_HELP[precision]}"
    try:
        if precision in _CLOCK_PATTERNS:
            if not _CLOCK_PATTERNS[precision].match(value):
                raise TimeFormatError(f"{value!r} does not fit precision {precision!r} ({expected})")
            start = _parse_clock(value)
            if precision == "second":
                step = timedelta(milliseconds=1) if "." in value else timedelta(seconds=1)
            else:
                step = timedelta(minutes=1) if precision == "minute" else timedelta(hours=1)
            return Interval(start, start + step)
        if precision == "part_of_day":
            match = _PART.match(value)
            if not match or match.group(2) not in PARTS_OF_DAY:
                raise TimeFormatError(f"{value!r} does not fit precision 'part_of_day' ({expected})")
            start_hour, end_hour = PARTS_OF_DAY[match.group(2)]
            return _local_day_interval(date.fromisoformat(match.group(1)), zone, start_hour, end_hour)
        if precision == "day":
            if not _DAY.match(value):
                raise TimeFormatError(f"{value!r} does not fit precision 'day' ({expected})")
            return _local_day_interval(date.fromisoformat(value), zone)
        if not _MONTH.match(value):
            raise TimeFormatError(f"{value!r} does not fit precision 'month' ({expected})")
        first = date.fromisoformat(value + "-01")
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
        end = datetime.combine(following, time(0), tzinfo=zone).astimezone(UTC)
        return Interval(start, end)
    except TimeFormatError:
        raise
    except ValueError as exc:
        raise TimeFormatError(f"{value!r} is not a valid {precision} time: {exc}") from None


def to_zone(moment: datetime, zone: str | ZoneInfo) -> datetime:
    """``moment`` shown in ``zone`` (daylight saving included)."""
    target = zone if isinstance(zone, ZoneInfo) else get_zone(zone)
    return moment.astimezone(target)


def format_interval(interval: Interval | None, precision: str, zone: str | ZoneInfo) -> str:
    """Human-readable time in ``zone`` at no more than the stated precision.

    ``(day)`` and ``(month)`` label a whole local day or month only when that is the stated
    precision: an ``unknown`` time whose bounds happen to span a day is shown as its bounds.
    Within one day, an interval that runs to the following midnight ends at ``24:00``.
    """
    if interval is None:
        return "unknown"
    start, end = to_zone(interval.start, zone), to_zone(interval.end, zone)
    abbrev = start.strftime("%Z")
    if precision == "second" and interval.is_point:
        return start.strftime("%Y-%m-%d %H:%M:%S ") + abbrev
    if precision == "minute" and interval.width == timedelta(minutes=1):
        return start.strftime("%Y-%m-%d %H:%M ") + abbrev
    midnights = start.time() == time(0) and end.time() == time(0)
    if start.date() == (end - timedelta(microseconds=1)).date():
        if precision == "day" and midnights:
            return start.strftime("%Y-%m-%d (day) ") + abbrev
        end_clock = "24:00" if end.time() == time(0) and end.date() > start.date() else f"{end:%H:%M}"
        return f"{start:%Y-%m-%d} {start:%H:%M}–{end_clock} {abbrev}"
    if precision == "month" and midnights and start.day == 1 and (start + timedelta(days=32)).replace(day=1).date() == end.date():
        return start.strftime("%Y-%m (month) ") + abbrev
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} {abbrev}"


def snowflake_time(status_id: int | str) -> datetime:
    """The UTC time encoded in a Twitter status id (snowflake layout, ids after late 2010)."""
    number = int(status_id)
    if number < (1 << 22):
        raise ValueError(f"{status_id!r} is too small to be a snowflake status id")
    millis = (number >> 22) + TWITTER_EPOCH_MS
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=millis)
