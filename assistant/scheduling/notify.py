"""Telling people about a booking change (after it is committed): the candidate (e-mail with the iCalendar
invite), the recruiters (e-mail with ids, job and time, never contact data) and the ATS (signed webhook).

Each channel fails on its own: failures are logged and reported, never raised, and the ATS can always catch
up with ``GET /api/ats/bookings?since=``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from typing import Literal
from zoneinfo import ZoneInfo

import httpx

from assistant import mail
from assistant.candidates import service as candidates_service
from assistant.db import as_utc, session_scope
from assistant.scheduling import invites
from assistant.scheduling import service as scheduling_service
from assistant.scheduling.models import InterviewBooking
from assistant.settings import get_settings

log = logging.getLogger(__name__)
Change = Literal["booked", "rescheduled", "cancelled"]
SIGNATURE_HEADER = "X-Signature"


def announce(*, booking_id: int, change: Change) -> dict[str, bool]:
    """Sends the candidate's invite, the recruiters' notice and the ATS webhook; returns what succeeded."""
    with session_scope() as db:
        booking = scheduling_service.get_booking_or_raise(db_session=db, booking_id=booking_id)
        done = {"candidate": _send(to=booking.candidate.email, subject=_candidate_subject(booking, change),
                                   body=_candidate_body(booking, change), booking=booking,
                                   attachments=[_invite(booking)])}
        settings = get_settings()
        if settings.recruiter_notify_email:
            done["recruiter"] = _send(to=settings.recruiter_notify_email, subject=_recruiter_subject(booking, change),
                                      body=_recruiter_body(booking, change), booking=booking)
        if settings.scheduling_webhook_url:
            done["webhook"] = _post_webhook(booking, change)
    return done


def _invite(booking: InterviewBooking) -> mail.Attachment:
    method = "CANCEL" if booking.status == "cancelled" else "REQUEST"
    return mail.Attachment(filename="invite.ics", content=invites.build(booking=booking), maintype="text",
                           subtype="calendar", params={"method": method})


def _candidate_subject(booking: InterviewBooking, change: Change) -> str:
    title = booking.slot.job.title
    return {"booked": f"Interview booked: {title}", "rescheduled": f"Interview moved: {title}",
            "cancelled": f"Interview cancelled: {title}"}[change]


def _candidate_body(booking: InterviewBooking, change: Change) -> str:
    settings = get_settings()
    slot = booking.slot
    tz = candidates_service.zone(booking.candidate)
    lines = [f"Hi {booking.candidate.first_name},", ""]
    if change == "cancelled":
        lines += [f"Your interview for {slot.job.title} on {scheduling_service.slot_when(booking.slot, tz)} is cancelled. The calendar entry attached "
                  "removes it from your calendar.", "",
                  "When you're ready, you can book a new time with the careers assistant on our site."]
    else:
        verb = "is booked" if change == "booked" else "has moved to a new time"
        lines += [f"Your {slot.kind} interview for {slot.job.title} {verb}: {scheduling_service.slot_when(booking.slot, tz)}.", ""]
        if slot.meeting_link:
            lines.append(f"Online: {slot.meeting_link}")
        if slot.location:
            lines.append(f"Where: {slot.location}")
        if slot.interviewer_names:
            lines.append(f"With: {', '.join(slot.interviewer_names)}")
        if booking.request.notes_for_candidate:
            lines.append(booking.request.notes_for_candidate)
        deadline = scheduling_service.change_deadline(slot).astimezone(tz)
        lines += ["", "The attached invitation adds it to your calendar.",
                  f"You can move or cancel it with the careers assistant until {deadline:%A %-d %B, %H:%M}; after that, "
                  f"please write to {settings.recruiting_email}."]
    lines += ["", f"{settings.company_name} recruiting"]
    return "\n".join(lines)


def _recruiter_subject(booking: InterviewBooking, change: Change) -> str:
    return f"Interview {change}: {booking.slot.job.title} ({booking.request.application.external_id})"


def _recruiter_body(booking: InterviewBooking, change: Change) -> str:
    settings = get_settings()
    tz = ZoneInfo(settings.business_timezone)
    return (f"A candidate has {change} an interview in the chat.\n\n"
            f"Application: {booking.request.application.external_id}\nJob: {booking.slot.job.title}\n"
            f"Slot: {booking.slot.external_id}, {scheduling_service.slot_when(booking.slot, tz)}\n\n"
            f"All bookings: {settings.public_url}/inbox/scheduling\n")


def webhook_signature(body: bytes) -> str:
    """Returns the X-Signature value for a webhook body (HMAC-SHA256 with settings.scheduling_webhook_secret)."""
    secret = get_settings().secret("scheduling_webhook_secret").encode()
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def _post_webhook(booking: InterviewBooking, change: Change) -> bool:
    if not get_settings().secret("scheduling_webhook_secret"):
        log.warning("scheduling webhook not sent: ASSISTANT_SCHEDULING_WEBHOOK_SECRET is not set",
                    extra={"booking_id": booking.id})
        return False
    payload = {"type": f"interview.{change}", "booking": scheduling_service.booking_read(booking).model_dump(mode="json")}
    body = json.dumps(payload, separators=(",", ":")).encode()
    try:
        response = httpx.post(get_settings().scheduling_webhook_url, content=body, timeout=3.0,
                              headers={"Content-Type": "application/json", SIGNATURE_HEADER: webhook_signature(body)})
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("scheduling webhook failed", extra={"booking_id": booking.id, "error": type(error).__name__})
        return False
    return True


def _send(*, to: str, subject: str, body: str, booking: InterviewBooking, attachments: list[mail.Attachment] = ()) -> bool:
    try:
        mail.send(to=to, subject=subject, body=body, attachments=attachments)
    except Exception as error:  # noqa: BLE001 - SMTP raises many types; logged, never fatal
        log.warning("scheduling e-mail failed", extra={"booking_id": booking.id, "error": type(error).__name__})
        return False
    return True
