"""Business hours: when a response target falls due, and how to say it to a candidate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.settings import Settings

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class BusinessHours:
    opens: time
    closes: time
    days: frozenset[int]  # 0 = Monday
    zone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> "BusinessHours":
        """Returns the business hours configured as e.g. "09:00-17:00", "Mon-Fri", "Europe/Berlin"."""
        opens, closes = (time.fromisoformat(part.strip()) for part in settings.business_hours.split("-"))
        if closes <= opens:
            raise ValueError(f"business_hours must open before they close: {settings.business_hours!r}")
        return cls(opens, closes, parse_days(settings.business_days), ZoneInfo(settings.business_timezone))

    def is_open(self, moment: datetime) -> bool:
        """Returns True when moment falls inside business hours."""
        local = moment.astimezone(self.zone)
        return local.weekday() in self.days and self.opens <= local.time() < self.closes

    def add(self, start: datetime, hours: float) -> datetime:
        """Returns the moment `hours` business hours after start (counting only open time)."""
        remaining = timedelta(hours=hours)
        cursor = start.astimezone(self.zone)
        for _ in range(366 * 2):  # at most two years of days; a config with no open day raises below
            day_open = cursor.replace(hour=self.opens.hour, minute=self.opens.minute, second=0, microsecond=0)
            day_close = cursor.replace(hour=self.closes.hour, minute=self.closes.minute, second=0, microsecond=0)
            if cursor.weekday() in self.days and cursor < day_close:
                cursor = max(cursor, day_open)
                if cursor + remaining <= day_close:
                    return cursor + remaining
                remaining -= day_close - cursor
            cursor = (cursor + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        raise ValueError("business_days has no open day")

    def describe(self, due: datetime, now: datetime) -> str:
        """Returns when `due` is, as a candidate reads it: "today by 15:30", "by Monday 10:00" (with the zone)."""
        local_due, local_now = due.astimezone(self.zone), now.astimezone(self.zone)
        days = (local_due.date() - local_now.date()).days
        clock = local_due.strftime("%H:%M")
        if days == 0:
            when = f"today by {clock}"
        elif days == 1:
            when = f"tomorrow by {clock}"
        elif days < 7:
            when = f"by {local_due.strftime('%A')} {clock}"
        else:
            when = f"by {local_due.strftime('%A %d %B')} {clock}"
        return f"{when} ({self.zone.key} time)"


def parse_days(spec: str) -> frozenset[int]:
    """Returns weekday numbers for a spec such as "Mon-Fri" or "Mon,Wed,Fri"; raises ValueError if malformed."""
    days: set[int] = set()
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        first, _, last = part.partition("-")
        try:
            start, end = DAYS.index(first.strip()[:3].title()), DAYS.index((last or first).strip()[:3].title())
        except ValueError as error:
            raise ValueError(f"business_days: unknown day in {spec!r} (use Mon..Sun)") from error
        days.update(range(start, end + 1) if start <= end else [*range(start, 7), *range(0, end + 1)])
    if not days:
        raise ValueError("business_days is empty")
    return frozenset(days)
