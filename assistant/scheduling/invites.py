"""iCalendar invites for bookings (RFC 5545/5546 via ``icalendar``): METHOD:REQUEST for a booking or a move,
METHOD:CANCEL for a cancellation; the UID is the booking's and SEQUENCE grows with every change, so calendar
apps update the one event instead of adding another."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from assistant.db import as_utc, utcnow
from assistant.scheduling.models import InterviewBooking
from assistant.settings import get_settings


def summary(booking: InterviewBooking) -> str:
    """Returns the event title, e.g. 'Video interview: Data Scientist (Fernhill Group)'."""
    slot = booking.slot
    return f"{slot.kind.replace('_', ' ').capitalize()} interview: {slot.job.title} ({get_settings().company_name})"


def build(*, booking: InterviewBooking) -> bytes:
    """Returns the invite (REQUEST while booked, CANCEL once cancelled) as iCalendar bytes."""
    settings = get_settings()
    slot, request = booking.slot, booking.request
    cancelled = booking.status == "cancelled"
    calendar = Calendar()
    calendar.add("prodid", f"-//{settings.company_name}//Candidate assistant//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", booking.uid)
    event.add("sequence", booking.sequence)
    event.add("dtstamp", utcnow())
    start = as_utc(slot.starts_at)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=slot.duration_minutes))
    event.add("summary", summary(booking))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if slot.location or slot.meeting_link:
        event.add("location", slot.location or slot.meeting_link)
    details = [f"Online: {slot.meeting_link}" if slot.meeting_link else "",
               f"With: {', '.join(slot.interviewer_names)}" if slot.interviewer_names else "",
               request.notes_for_candidate or "",
               "To move or cancel it, ask the careers assistant on our site."]
    event.add("description", "\n".join(line for line in details if line))
    organizer = vCalAddress(f"mailto:{settings.recruiting_email}")
    organizer.params["cn"] = vText(f"{settings.company_name} recruiting")
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{booking.candidate.email}")
    attendee.params.update({"cn": vText(booking.candidate.full_name), "role": vText("REQ-PARTICIPANT"),
                            "partstat": vText("ACCEPTED"), "rsvp": vText("FALSE")})
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
