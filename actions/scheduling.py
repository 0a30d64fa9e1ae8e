"""Interview self-scheduling in the chat for the verified candidate: book, move or cancel an interview.

Thin: the rules (what is offered, the change cutoff, one holder per slot) live in assistant.scheduling.service,
the reading of a reply in assistant.scheduling.choice, and the e-mails and webhook in assistant.scheduling.notify
(sent after the booking is committed). Every action re-checks identity.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TypedValuesOnly
from actions.candidates import NOT_VERIFIED, actor, interview_messages
from actions.identity import latest_intent, verified_candidate
from assistant.candidates import parsing
from assistant.candidates import service as candidates_service
from assistant.db import session_scope, utcnow
from assistant.scheduling import choice, notify
from assistant.scheduling import service as scheduling_service
from assistant.scheduling.models import InterviewBooking
from assistant.settings import get_settings

PAGE = 5
FORM_SLOTS = ("booking_choice", "booking_offered", "booking_page", "cancel_confirmed")
RECRUITER_BUTTON = {"title": "Talk to a recruiter", "payload": "/request_human"}
BOOK_BUTTON = {"title": "Book my interview", "payload": "/book_interview"}
CHANGE_BUTTONS = [{"title": "Reschedule", "payload": "/reschedule_interview"},
                  {"title": "Cancel it", "payload": "/cancel_interview"}]
NOTHING_TO_BOOK = ("I can't see an interview for you to book right now. When the team invites you to one, you can "
                   "book it here.")
STOPPED = {"stopped": "keep"}


def _reset(step: str | None) -> list[EventType]:
    return [SlotSet("scheduling_step", step), *(SlotSet(name, None) for name in FORM_SLOTS)]


def _intent(tracker: Tracker) -> str | None:
    return tracker.get_slot("pending_intent") or latest_intent(tracker)


def _about(booking: InterviewBooking, tz, link: str = "on") -> str:
    """Returns 'video interview for **Data Scientist** on Thursday 10 December, 09:30–10:15 (Europe/Berlin time)'."""
    slot = booking.slot
    return f"{slot.kind} interview for **{slot.job.title}** {link} {scheduling_service.slot_when(slot, tz)}"


def _too_late(booking: InterviewBooking, tz) -> str:
    hours = get_settings().scheduling_change_cutoff_hours
    return (f"Your {_about(booking, tz)} is less than {hours:g} hours away, so it can't be moved or cancelled here any "
            "more. A recruiter can help with that.")


def interview_changes(db, candidate, tracker: Tracker, shown: int) -> list[tuple[str, list[dict]]]:
    """Returns the messages (text, buttons) that follow the candidate's ``shown`` upcoming interviews: how to move
    them. One booked here can be moved or cancelled here until the cutoff, later a recruiter helps; one the team
    arranged is moved through the invitation e-mail or a recruiter; an interview still to book is offered."""
    now = utcnow()
    tz = candidates_service.zone(candidate)
    pending = scheduling_service.pending_for(db_session=db, candidate=candidate, actor=actor(candidate, tracker))
    booked_here = scheduling_service.upcoming_bookings(db_session=db, candidate=candidate, now=now)
    messages, recruiter_offered = [], False
    booking = pending.booking if pending else None
    if booking is not None and booking in booked_here:
        slot = booking.slot
        subject = "it" if shown == 1 else f"your {slot.kind} interview for **{slot.job.title}**"
        if scheduling_service.can_change(booking, now):
            deadline = scheduling_service.change_deadline(slot).astimezone(tz)
            messages.append((f"You booked {subject} in this chat, so you can move or cancel it here until "
                             f"{deadline:%A %-d %B, %H:%M}.", CHANGE_BUTTONS))
        else:
            messages.append((_too_late(booking, tz), [RECRUITER_BUTTON]))
            recruiter_offered = True
    arranged = shown - len(booked_here)
    if arranged > 0:
        which = ("this interview" if shown == 1 else "these interviews" if arranged == shown
                 else "your other interview" if arranged == 1 else "your other interviews")
        them = "it" if arranged == 1 else "them"
        messages.append((f"The team arranged {which}, so to move {them}, reply to your invitation e-mail or ask me "
                         "for a recruiter.", [] if recruiter_offered else [RECRUITER_BUTTON]))
    if pending is not None and pending.booking is None:
        messages.append((f"You {'also ' if shown else ''}have an interview to book: I can show you the open times.",
                         [BOOK_BUTTON]))
    return messages


class ActionPrepareScheduling(Action):
    """Finds the candidate's interview to book and says what can be done (the cutoff applies to changes)."""

    def name(self) -> str:
        return "action_prepare_scheduling"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        intent = _intent(tracker)
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return _reset(None)
            pending = scheduling_service.pending_for(db_session=db, candidate=candidate, actor=actor(candidate, tracker))
            if pending is None:
                dispatcher.utter_message(text=NOTHING_TO_BOOK)
                messages, upcoming = interview_messages(db, candidate, tracker)
                for text, buttons in messages if upcoming else []:  # what is booked already, and how to move it
                    dispatcher.utter_message(text=text, buttons=buttons)
                return _reset(None)
            tz, booking = candidates_service.zone(candidate), pending.booking
            if booking is not None and not scheduling_service.can_change(booking):
                dispatcher.utter_message(text=_too_late(booking, tz), buttons=[RECRUITER_BUTTON])
                return _reset(None)
            if intent == "cancel_interview":
                if booking is None:
                    dispatcher.utter_message(text="You haven't booked your interview yet, so there's nothing to cancel. "
                                                  "Say “book my interview” whenever you'd like to pick a time.")
                    return _reset(None)
                return _reset("confirm_cancel")
            if not scheduling_service.available_slots(db_session=db, request=pending.request):
                dispatcher.utter_message(text="There are no open times for your interview right now. A recruiter can "
                                              "find one with you.", buttons=[RECRUITER_BUTTON])
                return _reset(None)
            if booking is not None:
                dispatcher.utter_message(text=f"You're booked: your {_about(booking, tz)}. Here are other times if you'd "
                                              "like to move it.")
            elif intent == "reschedule_interview":
                dispatcher.utter_message(text="You haven't booked your interview yet, so let's pick a time.")
        return _reset("choose_slot")


class ActionAskBookingChoice(Action):
    """Shows up to five open times in the candidate's time zone as buttons, with "Other times"."""

    def name(self) -> str:
        return "action_ask_booking_choice"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        page = int(tracker.get_slot("booking_page") or 0)
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            pending = candidate and scheduling_service.pending_for(db_session=db, candidate=candidate,
                                                                   actor=actor(candidate, tracker))
            slots = scheduling_service.available_slots(db_session=db, request=pending.request) if pending else []
            if not slots:
                dispatcher.utter_message(text="There are no open times left right now.",
                                         buttons=[{"title": "Talk to a recruiter", "payload": "recruiter"},
                                                  {"title": "Stop", "payload": "stop"}])
                return [SlotSet("booking_offered", []), SlotSet("booking_page", 0)]
            tz = candidates_service.zone(candidate)
            if page * PAGE >= len(slots):
                page, intro = 0, f"Those were all the open times. Here are the first ones again ({tz.key} time):"
            else:
                intro = (f"Here are the next open times ({tz.key} time):" if page == 0
                         else f"Here are later times ({tz.key} time):")
            shown = [[slot.external_id, scheduling_service.slot_label(slot, tz)] for slot in slots[page * PAGE:(page + 1) * PAGE]]
            rebooking = pending.booking is not None
        buttons = [{"title": label, "payload": slot_id} for slot_id, label in shown]
        if len(slots) > (page + 1) * PAGE:
            buttons.append({"title": "Other times", "payload": "other times"})
        buttons.append({"title": "None of these work", "payload": "none of these"})
        if rebooking:
            buttons.append({"title": "Keep my current time", "payload": "keep"})
        dispatcher.utter_message(text=intro, buttons=buttons)
        return [SlotSet("booking_offered", shown), SlotSet("booking_page", page)]


class ValidateBookingForm(TypedValuesOnly, FormValidationAction):
    """Books the chosen time at once (the database gives a slot to one candidate only), or pages, or stops."""

    def name(self) -> str:
        return "validate_booking_form"

    def validate_booking_choice(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        if isinstance(value, dict):
            return {"booking_choice": value}
        meant = choice.understand(str(value or ""), tracker.get_slot("booking_offered") or [])
        if meant is choice.Intent.KEEP or latest_intent(tracker) == "deny":
            return {"booking_choice": STOPPED}
        if meant is choice.Intent.NONE_FIT:
            return {"booking_choice": {"stopped": "recruiter"}}
        if meant is choice.Intent.OTHER_TIMES:
            return {"booking_choice": None, "booking_page": int(tracker.get_slot("booking_page") or 0) + 1}
        if meant is None:
            dispatcher.utter_message(text="I couldn't tell which time you mean. Please pick one of the times, or say "
                                          "“other times”.")
            return {"booking_choice": None}
        return {"booking_choice": self._book(meant, dispatcher, tracker)}

    def _book(self, slot_id: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> dict | None:
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            pending = candidate and scheduling_service.pending_for(db_session=db, candidate=candidate,
                                                                   actor=actor(candidate, tracker))
            slot = scheduling_service.get_slot(db_session=db, external_id=slot_id)
            if pending is None or slot is None:
                return STOPPED
            change = "rescheduled" if pending.booking else "booked"
            try:
                booking = scheduling_service.book(db_session=db, request=pending.request, slot=slot,
                                                  actor=actor(candidate, tracker))
            except scheduling_service.SlotTaken:
                dispatcher.utter_message(text="Sorry, someone else has just taken that time.")
                return None
            except scheduling_service.SchedulingError:
                return {"stopped": "too_late"}
            booking_id = booking.id
        sent = notify.announce(booking_id=booking_id, change=change)
        return {"booking_id": booking_id, "change": change, "mailed": sent.get("candidate", False)}


class ActionFinishBooking(Action):
    """Confirms the booking made in booking_form, or says why nothing changed."""

    def name(self) -> str:
        return "action_finish_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = tracker.get_slot("booking_choice") or STOPPED
        if value.get("stopped") == "recruiter":
            dispatcher.utter_message(text="Okay. A recruiter can find a time that works for you.", buttons=[RECRUITER_BUTTON])
            return _reset(None)
        if "booking_id" not in value:
            dispatcher.utter_message(text="Okay, nothing has changed." if value.get("stopped") != "too_late" else
                                     "That interview can't be changed here any more; a recruiter can help.")
            return _reset(None)
        with session_scope() as db:
            booking = scheduling_service.get_booking(db_session=db, booking_id=value["booking_id"])
            candidate = verified_candidate(db, tracker)
            if booking is None or candidate is None or booking.candidate_id != candidate.id:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return _reset(None)
            tz = candidates_service.zone(candidate)
            about = _about(booking, tz, "on" if value["change"] == "booked" else "is now on")
            deadline = scheduling_service.change_deadline(booking.slot).astimezone(tz)
        done = f"Booked: your {about}." if value["change"] == "booked" else f"Done: your {about}."
        dispatcher.utter_message(text=done)
        mailed = ("I've e-mailed you the calendar invitation." if value.get("mailed")
                  else "I couldn't send the confirmation e-mail just now, but your booking is saved.")
        dispatcher.utter_message(text=f"{mailed} You can move or cancel it here until {deadline:%A %-d %B, %H:%M}.")
        return _reset(None)


class ValidateCancelBookingForm(TypedValuesOnly, FormValidationAction):
    def name(self) -> str:
        return "validate_cancel_booking_form"

    def validate_cancel_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        if isinstance(value, bool):
            return {"cancel_confirmed": value}
        try:
            return {"cancel_confirmed": parsing.yes_or_no(str(value or ""), latest_intent(tracker))}
        except parsing.InvalidValue as error:
            dispatcher.utter_message(text=str(error))
            return {"cancel_confirmed": None}


class ActionAskCancelConfirmed(Action):
    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            pending = candidate and scheduling_service.pending_for(db_session=db, candidate=candidate,
                                                                   actor=actor(candidate, tracker))
            about = _about(pending.booking, candidates_service.zone(candidate)) if pending and pending.booking else "interview"
        dispatcher.utter_message(text=f"Do you want to cancel your {about}?",
                                 buttons=[{"title": "Yes, cancel it", "payload": "/affirm"},
                                          {"title": "No, keep it", "payload": "/deny"}])
        return []


class ActionCancelBooking(Action):
    def name(self) -> str:
        return "action_cancel_booking"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if tracker.get_slot("cancel_confirmed") is not True:
            dispatcher.utter_message(text="Okay, your interview stays as it is.")
            return _reset(None)
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            pending = candidate and scheduling_service.pending_for(db_session=db, candidate=candidate,
                                                                   actor=actor(candidate, tracker))
            if pending is None or pending.booking is None:
                dispatcher.utter_message(text=NOT_VERIFIED if candidate is None else "There's no booked interview to cancel.")
                return _reset(None)
            tz = candidates_service.zone(candidate)
            try:
                booking = scheduling_service.cancel(db_session=db, booking=pending.booking, actor=actor(candidate, tracker))
            except scheduling_service.TooLate:
                dispatcher.utter_message(text=_too_late(pending.booking, tz), buttons=[RECRUITER_BUTTON])
                return _reset(None)
            about, booking_id = _about(booking, tz), booking.id
        sent = notify.announce(booking_id=booking_id, change="cancelled")
        mailed = " I've e-mailed you the calendar cancellation." if sent.get("candidate") else ""
        dispatcher.utter_message(text=f"Done: your {about} is cancelled.{mailed} You can book a new time here whenever "
                                      "you're ready.")
        return _reset(None)
