"""Who would get what, and when, over the next days on the current data: the scheduler's rules, sending nothing.

The record is taken as it is now (no future ATS events); runs already decided in ``journey_run`` are not
repeated and messages already sent count toward the cap. Quiet hours, the cap, opt-outs, stop conditions and
holdouts apply exactly as when sending (same functions).
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant.journeys import delivery, planner, policy
from assistant.journeys.definitions import JourneySet
from assistant.journeys.models import JourneyRun
from assistant.journeys.scheduler import capped_sends


def simulate(*, db_session: Session, journeys: JourneySet, now: datetime, days: float) -> list[dict[str, Any]]:
    """Returns one entry per journey with the messages it would send (or hold out, or skip) until now + days."""
    end = now + timedelta(days=days)
    snapshot = planner.load_snapshot(db_session=db_session, now=now)
    decided = set(db_session.execute(select(JourneyRun.journey_id, JourneyRun.candidate_id, JourneyRun.occurrence_key)
                                     .where(JourneyRun.status != "scheduled")).all())
    by_id = {item.journey.id: item for item in journeys.journeys}
    entries = {item.journey.id: {"journey_id": item.journey.id, "name": item.journey.name, "version": item.version,
                                 "trigger": item.journey.trigger.kind, "channel": item.journey.channel,
                                 "holdout": item.journey.holdout, "messages": []} for item in journeys.journeys}
    queue: list[tuple[datetime, int, planner.Occurrence]] = []
    for item in journeys.journeys:
        for occurrence in planner.occurrences(item.journey, snapshot, now):
            if occurrence.due_at <= end and occurrence.expires_at > now and \
                    (item.journey.id, occurrence.candidate_id, occurrence.key) not in decided:
                queue.append((max(occurrence.due_at, now), len(queue), occurrence))
    heapq.heapify(queue)
    sends: dict[int, list[datetime]] = {}
    while queue:
        at, order, occurrence = heapq.heappop(queue)
        loaded = by_id[occurrence.journey_id]
        journey = loaded.journey
        candidate = snapshot.candidates[occurrence.candidate_id]
        message = {"candidate": candidate.external_id, "occurrence": occurrence.key,
                   "due_at": occurrence.due_at.isoformat(timespec="minutes")}
        stop = planner.stop_reason(journey, occurrence, snapshot)
        if stop:
            entries[journey.id]["messages"].append(message | {"outcome": "cancelled", "reason": stop})
            continue
        if policy.in_holdout(journey_id=journey.id, candidate_external_id=candidate.external_id, share=journey.holdout):
            entries[journey.id]["messages"].append(message | {"outcome": "held_out"})
            continue
        if candidate.id not in sends:
            sends[candidate.id] = capped_sends(db_session=db_session, candidate_id=candidate.id, journeys=journeys, now=now)
        decision = policy.decide(journey=journey, occurrence=occurrence, snapshot=snapshot, now=at, recent_sends=sends[candidate.id])
        if decision.action == "wait":
            if decision.until <= end:
                heapq.heappush(queue, (decision.until, order, occurrence))
            else:
                entries[journey.id]["messages"].append(message | {"outcome": "waiting", "reason": decision.reason,
                                                                  "until": decision.until.isoformat(timespec="minutes")})
            continue
        if decision.action == "skip":
            entries[journey.id]["messages"].append(message | {"outcome": "skipped", "reason": decision.reason})
            continue
        if journey.messages_candidate and not journey.cap_exempt:
            sends[candidate.id].append(at)
        ctx = delivery.context(loaded=loaded, occurrence=occurrence, snapshot=snapshot, now=at, sign_links=False)
        actions = [{"kind": action.kind, **delivery.render_action(action, ctx)} for action in journey.actions]
        for action in actions:
            if action["kind"] == "email" and candidate.contact_channel != "email":
                action["kind"] = "chat (prefers not to be e-mailed)"
        entries[journey.id]["messages"].append(message | {"outcome": "send", "send_at": at.isoformat(timespec="minutes"),
                                                          "actions": actions})
    return list(entries.values())
