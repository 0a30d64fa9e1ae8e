"""Respect for the candidate: consent, opt-outs, quiet hours in their time zone, the frequency cap, holdouts.

``decide`` is the one place that says whether a due message goes now, waits (until when) or is skipped; the
scheduler and the simulation both call it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assistant.journeys.definitions import Journey
from assistant.journeys.planner import CandidateFacts, Occurrence, Snapshot
from assistant.settings import get_settings

ALL = "*"
HOURS = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*-\s*(\d{1,2})(?::(\d{2}))?\s*$")
CLOCK = r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?"


@dataclass(frozen=True)
class Decision:
    action: str  # send|wait|skip
    reason: str = ""
    until: datetime | None = None


def in_holdout(*, journey_id: str, candidate_external_id: str, share: float) -> bool:
    """Returns True when this candidate is in the journey's holdout (deterministic: sha256 of journey and candidate)."""
    if share <= 0:
        return False
    digest = hashlib.sha256(f"{journey_id}:{candidate_external_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _clock(hour: str, minute: str | None, half: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if half == "pm" and h < 12:
        h += 12
    if half == "am" and h == 12:
        h = 0
    return time(h, m) if 0 <= h < 24 and 0 <= m < 60 else None


def allowed_window(candidate: CandidateFacts) -> tuple[time, time]:
    """Returns the local (start, end) of the hours messages may arrive: outside quiet hours, narrowed by the
    candidate's own contact hours when they read as "after 5pm", "before 10am" or "9-17"."""
    match = HOURS.match(get_settings().journey_quiet_hours)
    quiet_start, quiet_end = (time(int(match[1]), int(match[2] or 0)), time(int(match[3]), int(match[4] or 0))) if match else (time(21), time(8))
    start, end = quiet_end, quiet_start
    hours = (candidate.contact_hours or "").lower()
    if found := re.search(rf"after\s+{CLOCK}", hours):
        start = max(start, _clock(*found.groups()) or start)
    elif found := re.search(rf"before\s+{CLOCK}", hours):
        end = min(end, _clock(*found.groups()) or end)
    elif found := re.search(rf"(?:between\s+)?{CLOCK}\s*(?:-|to|and)\s*{CLOCK}", hours):
        first, second = _clock(*found.groups()[:3]), _clock(*found.groups()[3:])
        if first and second and second < first and not found.group(6):
            second = _clock(found.group(4), found.group(5), "pm")  # "between 9 and 5"
        if first and second and first < second:
            start, end = max(start, first), min(end, second)
    return (start, end) if start < end else (quiet_end, quiet_start)


def next_allowed(candidate: CandidateFacts, now: datetime) -> datetime:
    """Returns now when it is inside the candidate's allowed hours, else the next start of them (aware UTC)."""
    zone = _zone(candidate.time_zone)
    local = now.astimezone(zone)
    start, end = allowed_window(candidate)
    if start <= local.time() < end:
        return now
    day = local.date() if local.time() < start else local.date() + timedelta(days=1)
    return datetime.combine(day, start, tzinfo=zone).astimezone(now.tzinfo)


def consent_problem(journey: Journey, candidate: CandidateFacts, opt_outs: set[str]) -> str | None:
    """Returns why this candidate must not get this journey (unsubscribed, no consent, no opt-in), or None."""
    if ALL in opt_outs:
        return "unsubscribed from all journeys"
    if journey.id in opt_outs:
        return "unsubscribed from this journey"
    if candidate.consents.get("journeys") is False:
        return "no consent to automated messages"
    if journey.purpose == "engagement" and not (candidate.job_alerts or candidate.consents.get("marketing")):
        return "no opt-in to engagement messages"
    return None


def decide(*, journey: Journey, occurrence: Occurrence, snapshot: Snapshot, now: datetime,
           recent_sends: list[datetime]) -> Decision:
    """Returns what to do with a due message now; recent_sends are the candidate's capped messages' send times."""
    candidate = snapshot.candidates[occurrence.candidate_id]
    if now >= occurrence.expires_at:
        return Decision("skip", "expired: no longer makes sense")
    problem = consent_problem(journey, candidate, snapshot.opt_outs.get(candidate.id, set()))
    if problem and journey.messages_candidate:
        return Decision("skip", problem)
    if not journey.messages_candidate:
        return Decision("send")
    settings = get_settings()
    waits = []
    if not journey.cap_exempt:
        window = timedelta(days=settings.journey_cap_days)
        inside = sorted(at for at in recent_sends if at > now - window)
        if len(inside) >= settings.journey_max_messages:
            waits.append((inside[len(inside) - settings.journey_max_messages] + window, "frequency cap"))
    allowed = next_allowed(candidate, max([now, *[until for until, _ in waits]]))
    if allowed > now and not waits:
        waits.append((allowed, "quiet hours"))
    elif waits and allowed > waits[0][0]:
        waits = [(allowed, waits[0][1])]
    if waits:
        until, why = waits[0]
        if until >= occurrence.expires_at:
            return Decision("skip", f"{why} until it expired")
        return Decision("wait", why, until)
    return Decision("send")
