"""Business hours: response targets count only open time, and read naturally to a candidate."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from assistant.escalation.hours import BusinessHours, parse_days
from assistant.settings import Settings

BERLIN = ZoneInfo("Europe/Berlin")


def hours(**overrides) -> BusinessHours:
    settings = Settings(business_hours="09:00-17:00", business_days="Mon-Fri", business_timezone="Europe/Berlin", **overrides)
    return BusinessHours.from_settings(settings)


def test_target_inside_one_day():
    start = datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN)  # Tuesday
    assert hours().add(start, 4) == datetime(2026, 11, 24, 14, 0, tzinfo=BERLIN)


def test_target_runs_over_the_weekend():
    start = datetime(2026, 11, 27, 16, 0, tzinfo=BERLIN)  # Friday, one open hour left
    due = hours().add(start, 4)
    assert due == datetime(2026, 11, 30, 12, 0, tzinfo=BERLIN)  # Monday
    assert hours().describe(due, start) == "by Monday 12:00 (Europe/Berlin time)"


def test_escalation_at_night_starts_counting_at_opening():
    start = datetime(2026, 11, 24, 22, 30, tzinfo=BERLIN)
    due = hours().add(start, 1)
    assert due == datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
    assert hours().describe(due, start) == "tomorrow by 10:00 (Europe/Berlin time)"
    assert not hours().is_open(start) and hours().is_open(due)


def test_utc_input_is_converted():
    start = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)  # 10:00 in Berlin
    assert hours().add(start, 2).astimezone(BERLIN).hour == 12
    assert hours().describe(hours().add(start, 2), start).startswith("today by 12:00")


def test_day_specs():
    assert parse_days("Mon-Fri") == frozenset(range(5))
    assert parse_days("Sat,Sun") == frozenset({5, 6})
    assert parse_days("Fri-Mon") == frozenset({4, 5, 6, 0})
    with pytest.raises(ValueError, match="unknown day"):
        parse_days("Mon-Funday")


def test_closing_before_opening_is_rejected():
    with pytest.raises(ValueError, match="open before they close"):
        BusinessHours.from_settings(Settings(business_hours="17:00-09:00"))
