"""A journey's actions: e-mail from a template, chat message, recruiter task in the inbox, signed webhook.

Every message carries its journey id (``X-Journey-Id`` header, chat event metadata) so "why did I get this?"
can be answered. A chat message goes into the candidate's open conversation (appended to the Rasa tracker and
pushed, like recruiter replies); with no open chat it is kept and shown on the next visit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from assistant import mail, rasa_client
from assistant.analytics import feedback
from assistant.candidates import stages
from assistant.identity.models import ConversationIdentity
from assistant.inbox import service as inbox_service
from assistant.journeys import templates, unsubscribe
from assistant.journeys.definitions import Action, LoadedJourney
from assistant.journeys.models import JourneyChatMessage, JourneyRun
from assistant.journeys.planner import TASK_REASON, Occurrence, Snapshot
from assistant.settings import get_settings

log = logging.getLogger(__name__)


class DeliveryFailed(RuntimeError):
    """An action could not be carried out now (mail server, webhook receiver); the run is retried."""


def _interview(occurrence: Occurrence, zone: str) -> dict[str, Any] | None:
    interview = occurrence.interview
    if interview is None:
        return None
    try:
        local = interview.scheduled_at.astimezone(ZoneInfo(zone))
    except (KeyError, ValueError):
        local, zone = interview.scheduled_at, "UTC"
    return {"when": f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({zone})", "kind": interview.kind,
            "location": interview.location, "meeting_link": interview.meeting_link,
            "interviewers": ", ".join(interview.interviewers), "notes": interview.notes,
            "duration_minutes": interview.duration_minutes}


def context(*, loaded: LoadedJourney, occurrence: Occurrence, snapshot: Snapshot, now: datetime,
            sign_links: bool = True) -> dict[str, Any]:
    """Returns what a journey's templates see for one message (placeholder links unless sign_links)."""
    settings = get_settings()
    candidate = snapshot.candidates[occurrence.candidate_id]
    app = snapshot.apps.get(occurrence.application_id) if occurrence.application_id else None
    stage = None
    if app is not None:
        info = stages.info(app.stage)
        stage = {"name": app.stage, "label": info.label, "explanation": info.explanation, "next_step": info.next_step}
    links = {name: unsubscribe_link(candidate_external_id=candidate.external_id, journey_id=journey)
             if sign_links else f"<unsubscribe link: {journey}>"
             for name, journey in (("unsubscribe_url", loaded.journey.id), ("unsubscribe_all_url", unsubscribe.ALL))}
    links["nps_url"] = None
    if app is not None and occurrence.stage:  # the candidate NPS survey of this stage outcome (signed, audience nps)
        links["nps_url"] = feedback.nps_link(candidate_external_id=candidate.external_id,
                                             application_external_id=app.external_id, stage=occurrence.stage) \
            if sign_links else "<NPS survey link>"
    return {
        "candidate": {"first_name": candidate.first_name}, "company": settings.company_name,
        "recruiting_email": settings.recruiting_email, "department": occurrence.department,
        "job": {"title": occurrence.job_title, "department": occurrence.department} if occurrence.job_title else None,
        "stage": stage, "interview": _interview(occurrence, candidate.time_zone),
        "days_in_stage": stages.days_in_stage(app.stage_changed_at, now=now) if app else None,
        "typical_days": stages.typical_days(app.stage) if app else None, **links,
    }


def unsubscribe_link(*, candidate_external_id: str, journey_id: str) -> str:
    """Returns the signed one-click link that unsubscribes from one journey (or "*": all).

    Its validity runs on real time, not the journeys clock (a link must work when the candidate clicks it)."""
    token = unsubscribe.token(candidate_external_id=candidate_external_id, journey_id=journey_id)
    return f"{get_settings().public_url}/alerts/unsubscribe?" + urlencode({"journey": journey_id, "token": token})


def render_action(action: Action, ctx: dict[str, Any]) -> dict[str, str]:
    """Returns the rendered fields of one action (subject/body, text, title, or event)."""
    body = getattr(action, action.kind)
    if action.kind == "webhook":
        return {"event": body.event}
    return {name: templates.render(getattr(body, name), ctx) for name in ("subject", "body", "text", "title")
            if hasattr(body, name)}


def _open_conversation(db_session: Session, candidate_id: int) -> str | None:
    """Returns the candidate's latest conversation if they wrote in it recently (the chat is open), else None."""
    conversation_id = db_session.scalar(select(ConversationIdentity.conversation_id)
                                        .where(ConversationIdentity.candidate_id == candidate_id)
                                        .order_by(ConversationIdentity.verified_at.desc()).limit(1))
    if conversation_id is None:
        return None
    try:
        tracker = rasa_client.get_tracker(conversation_id=conversation_id)
    except rasa_client.RasaUnavailable:
        return None
    return None if inbox_service.candidate_idle(tracker) else conversation_id


def last_reply_at(*, db_session: Session, candidate_id: int) -> datetime | None:
    """Returns when the candidate last wrote in any of their verified conversations (from Rasa), or None."""
    latest = None
    for conversation_id in db_session.scalars(select(ConversationIdentity.conversation_id)
                                              .where(ConversationIdentity.candidate_id == candidate_id)):
        try:
            events = rasa_client.get_tracker(conversation_id=conversation_id).get("events", [])
        except rasa_client.RasaUnavailable as error:
            raise DeliveryFailed("Rasa unreachable: cannot tell whether the candidate replied") from error
        stamps = [e.get("timestamp") or 0 for e in events if e.get("event") == "user"]
        if stamps:
            at = datetime.fromtimestamp(max(stamps), tz=timezone.utc)
            latest = at if latest is None or at > latest else latest
    return latest


def send_chat(*, db_session: Session, run: JourneyRun, candidate_id: int, text: str) -> str:
    """Pushes the message into the open chat, or keeps it for the next visit; returns "live" or "stored"."""
    meta = {"from": "journey", "journey_id": run.journey_id, "journey_run_id": run.id}
    conversation_id = _open_conversation(db_session, candidate_id)
    if conversation_id is not None:
        try:
            rasa_client.append_events(conversation_id=conversation_id,
                                      events=[{"event": "bot", "text": text, "metadata": meta}])
            return "live"
        except rasa_client.RasaUnavailable:
            pass
    exists = db_session.scalar(select(JourneyChatMessage.id).where(JourneyChatMessage.run_id == run.id))
    if exists is None:
        db_session.add(JourneyChatMessage(run_id=run.id, candidate_id=candidate_id, journey_id=run.journey_id, text=text))
        db_session.flush()
    return "stored"


def take_stored_chat(*, db_session: Session, candidate_id: int, now: datetime) -> list[JourneyChatMessage]:
    """Returns the chat messages kept for this candidate's next visit, oldest first, now marked delivered."""
    messages = list(db_session.scalars(select(JourneyChatMessage).where(
        JourneyChatMessage.candidate_id == candidate_id, JourneyChatMessage.delivered_at.is_(None))
        .order_by(JourneyChatMessage.id)))
    for message in messages:
        message.delivered_at = now
    db_session.flush()
    return messages


def send_webhook(*, run: JourneyRun, candidate_external_id: str, occurrence: Occurrence, snapshot: Snapshot,
                 event: str, now: datetime) -> str:
    """POSTs a signed JSON body with ids only (no message text) to settings.journey_webhook_url; returns the outcome."""
    settings = get_settings()
    if not settings.journey_webhook_url:
        return "not configured"
    secret = settings.secret("journey_webhook_secret")
    if not secret:
        raise DeliveryFailed("journey_webhook_secret is not set: webhooks are never sent unsigned")
    app = snapshot.apps.get(occurrence.application_id) if occurrence.application_id else None
    body = json.dumps({"type": event, "journey_id": run.journey_id, "journey_version": run.journey_version,
                       "run_id": run.id, "candidate_external_id": candidate_external_id,
                       "application_external_id": app.external_id if app else None,
                       "sent_at": now.isoformat()}, separators=(",", ":")).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    try:
        response = httpx.post(settings.journey_webhook_url, content=body, timeout=10, headers={
            "Content-Type": "application/json", "X-Assistant-Signature": f"sha256={signature}",
            "X-Assistant-Event": event, "Idempotency-Key": f"journey-run-{run.id}"})
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise DeliveryFailed(f"webhook failed: {type(error).__name__}") from error
    return "sent"


def open_task(*, db_session: Session, run: JourneyRun, candidate_id: int, title: str, priority: str, now: datetime) -> int:
    """Opens a recruiter task in the inbox (a ticket with reason journey_task); returns its id (once per run)."""
    ticket, _created = inbox_service.open_ticket(
        db_session=db_session, conversation_id=f"journey-task:{run.id}", reason=TASK_REASON, priority=priority,
        due_at=now + timedelta(days=1), trigger_message=title, transcript=[], candidate_id=candidate_id, created_at=now)
    return ticket.id


def perform(*, db_session: Session, loaded: LoadedJourney, action: Action, rendered: dict[str, str], run: JourneyRun,
            occurrence: Occurrence, snapshot: Snapshot, now: datetime) -> str:
    """Carries out one action; returns a short outcome for the attempt log (raises DeliveryFailed)."""
    candidate = snapshot.candidates[occurrence.candidate_id]
    if action.kind == "email" and candidate.contact_channel != "email":
        # The candidate asked not to be e-mailed (phone or SMS preferred): the chat carries it instead.
        return "chat " + send_chat(db_session=db_session, run=run, candidate_id=candidate.id,
                                   text=f"**{rendered['subject']}**\n\n{rendered['body']}")
    if action.kind == "email":
        one_click = unsubscribe_link(candidate_external_id=candidate.external_id, journey_id=loaded.journey.id)
        try:
            mail.send(to=candidate.email, subject=rendered["subject"], body=rendered["body"], headers={
                "List-Unsubscribe": f"<{one_click}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "X-Journey-Id": loaded.journey.id, "X-Journey-Run": str(run.id)})
        except OSError as error:
            raise DeliveryFailed(f"mail failed: {type(error).__name__}") from error
        return "email sent"
    if action.kind == "chat":
        return "chat " + send_chat(db_session=db_session, run=run, candidate_id=candidate.id, text=rendered["text"])
    if action.kind == "task":
        ticket_id = open_task(db_session=db_session, run=run, candidate_id=candidate.id, title=rendered["title"],
                              priority=action.task.priority, now=now)
        return f"task {ticket_id}"
    return "webhook " + send_webhook(run=run, candidate_external_id=candidate.external_id, occurrence=occurrence,
                                     snapshot=snapshot, event=action.webhook.event, now=now)
