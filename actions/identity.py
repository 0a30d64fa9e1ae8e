"""Identity before personal data: check the conversation, run e-mail + one-time-code verification, resume.

Thin: the rules live in assistant.identity (tokens, codes) and assistant.candidates.parsing (values).
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TypedValuesOnly, channel, client_address, conversation_id, latest_text, metadata, validation_spoke
from assistant.candidates import parsing
from assistant.candidates.models import Candidate
from assistant.escalation.reasons import ESCALATION_INTENTS
from assistant.db import session_scope
from assistant.identity import otp
from assistant.identity import service as identity_service
from assistant.settings import get_settings

PERSONAL_INTENTS = ("check_status", "ask_interview", "update_contact", "update_preferences", "update_profile",
                    "withdraw_application", "verify_identity", "book_interview", "reschedule_interview", "cancel_interview")
RESEND_WORDS = ("resend", "send again", "new code", "another code", "didn't get", "didnt get", "didn't receive",
                "not received", "no code")


def audit_channel(tracker: Tracker) -> str:
    """Returns the channel recorded in audit entries for this conversation (e.g. chat:socketio)."""
    return f"chat:{channel(tracker)}"[:32]


def verified_candidate(db_session, tracker: Tracker) -> Candidate | None:
    """Returns the verified candidate of this conversation (token in this message, or an earlier verification)."""
    return identity_service.current_candidate(db_session=db_session, conversation_id=conversation_id(tracker),
                                              metadata=metadata(tracker))


def latest_intent(tracker: Tracker) -> str | None:
    return ((tracker.latest_message or {}).get("intent") or {}).get("name")


class ActionRequireIdentity(Action):
    """Checks identity for a personal-data intent; prepares what was asked (verified) or keeps it pending."""

    def name(self) -> str:
        return "action_require_identity"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from actions.candidates import prefill, reset_form_slots

        intent, text = latest_intent(tracker), latest_text(tracker)
        events: list[EventType] = [SlotSet("pending_intent", intent if intent in PERSONAL_INTENTS else None),
                                   SlotSet("pending_text", text), *reset_form_slots()]
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is not None:
                return [*events, SlotSet("identity_verified", True), *prefill(db, candidate, intent, text)]
        dispatcher.utter_message(text="Before I share or change anything personal, I need to confirm it's you.")
        events += [SlotSet("identity_verified", False), SlotSet("verify_email", None), SlotSet("verify_code", None)]
        if intent == "verify_identity" and parsing.find_email(text):
            events.append(SlotSet("verify_email", text))  # validated (and the code sent) when the form starts
        return events


class ActionResumePending(Action):
    """After verify_form: continues with the pending request, or says why verification stopped."""

    def name(self) -> str:
        return "action_resume_pending"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        from actions.candidates import prefill

        intent = tracker.get_slot("pending_intent")
        events: list[EventType] = [SlotSet("verify_email", None), SlotSet("verify_code", None)]
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is not None:
                dispatcher.utter_message(text=f"Thanks, {candidate.first_name}: you're verified for this conversation.")
                return [*events, SlotSet("identity_verified", True), SlotSet("pending_intent", intent),
                        *prefill(db, candidate, intent, tracker.get_slot("pending_text") or "")]
        if latest_intent(tracker) in ESCALATION_INTENTS:  # asked for a person (or in distress) mid-verification
            return [*events, SlotSet("identity_verified", False), SlotSet("pending_intent", None),
                    SlotSet("pending_text", None), FollowupAction("action_escalate")]
        if tracker.get_slot("verify_code") == "locked":
            minutes = get_settings().otp_ttl_minutes
            dispatcher.utter_message(text=f"That's too many attempts, so I've paused verification for {minutes} minutes to "
                                          "protect your account. You can try again later, or ask for a recruiter.")
        else:
            dispatcher.utter_message(text="Okay, I've stopped. Nothing personal was shared. You can ask again any time.")
        return [*events, SlotSet("identity_verified", False), SlotSet("pending_intent", None), SlotSet("pending_text", None)]


class ActionIdentityStatus(Action):
    """Answers a verified candidate who asks to log in or verify."""

    def name(self) -> str:
        return "action_identity_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(
            text="You're verified for this conversation. I can show where your applications stand, your upcoming "
                 "interviews, or update your contact details and profile.",
            buttons=[{"title": "Where is my application?", "payload": "/check_status"},
                     {"title": "My interviews", "payload": "/ask_interview"}],
        )
        return []


class ActionAskVerifyEmail(Action):
    def name(self) -> str:
        return "action_ask_verify_email"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        if not validation_spoke(tracker):  # a validation message already asked again
            dispatcher.utter_message(text="What's the e-mail address you applied with? I'll send a 6-digit code to it. "
                                          "(Type “cancel” to stop.)")
        return []


class ActionAskVerifyCode(Action):
    def name(self) -> str:
        return "action_ask_verify_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        # Said only right after the address was taken: after a wrong code, a resend or an expiry the
        # validation has already said what happened (and no claim of a new code is made when none was sent).
        if not validation_spoke(tracker):
            minutes = get_settings().otp_ttl_minutes
            dispatcher.utter_message(
                text=f"If that address is in our records, I've just sent a 6-digit code to it. It expires in {minutes} "
                     "minutes. Please type the code here (or “resend”, or “cancel”)."
            )
        return []


STOPPED = {"verify_email": "-", "verify_code": "cancelled"}
QUESTION_INTENTS = ("ask_question",)


class ValidateVerifyForm(TypedValuesOnly, FormValidationAction):
    """E-mail, then code: clear re-prompts on malformed input; the same reply whether or not the e-mail is known."""

    def name(self) -> str:
        return "validate_verify_form"

    async def _send(self, tracker: Tracker, email: str) -> otp.RequestOutcome:
        """Asks for a code in a worker thread: the answer comes after the same time whether or not the address is
        known (otp.request_code pads it), and other conversations are served meanwhile."""
        def request() -> otp.RequestOutcome:
            with session_scope() as db:
                return otp.request_code(db_session=db, conversation_id=conversation_id(tracker), email=email,
                                        channel=audit_channel(tracker), client=client_address(tracker),
                                        respond_after=get_settings().otp_response_seconds)

        return await asyncio.to_thread(request)

    @staticmethod
    async def _switched_topic(text: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict, *,
                              reminder: str) -> dict | None:
        """Returns how the form goes on when the candidate changed the subject instead of answering: a person
        asked for stops verification (the pending action escalates); a question is answered, then the form
        waits for its answer again. None when the message is an answer to check."""
        intent = latest_intent(tracker)
        if intent in ESCALATION_INTENTS:
            return dict(STOPPED)
        if intent in QUESTION_INTENTS:
            from actions.knowledge import ActionSearchKnowledge

            await ActionSearchKnowledge().run(dispatcher, tracker, domain)
            dispatcher.utter_message(text=reminder)
            return {}
        return None

    async def validate_verify_email(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        text = str(value or "")
        if parsing.is_cancel(text):
            return dict(STOPPED)
        if not parsing.find_email(text):
            switched = await self._switched_topic(text, dispatcher, tracker, domain, reminder=(
                "To carry on, what's the e-mail address you applied with? (Or type “cancel” to stop.)"))
            if switched is not None:
                return switched or {"verify_email": None}
        try:
            email = parsing.parse_email(text)
        except parsing.InvalidValue as error:
            dispatcher.utter_message(text=f"{error} (Or type “cancel” to stop.)")
            return {"verify_email": None}
        if await self._send(tracker, email) is otp.RequestOutcome.LOCKED:
            return {"verify_email": email, "verify_code": "locked"}
        return {"verify_email": email}

    async def validate_verify_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        text = str(value or "")
        if parsing.is_cancel(text):
            return dict(STOPPED)
        if parsing.find_email(text):  # a different address: start again with it
            return await self.validate_verify_email(text, dispatcher, tracker, domain) | {"verify_code": None}
        if not any(ch.isdigit() for ch in text) and not any(word in text.lower() for word in RESEND_WORDS):
            switched = await self._switched_topic(text, dispatcher, tracker, domain, reminder=(
                "To carry on, please type the 6-digit code I sent (or “resend”, or “cancel”)."))
            if switched is not None:
                return switched or {"verify_code": None}
        email = tracker.get_slot("verify_email") or ""
        minutes = get_settings().otp_ttl_minutes
        if any(word in text.lower() for word in RESEND_WORDS):
            if await self._send(tracker, email) is otp.RequestOutcome.LOCKED:
                return {"verify_code": "locked"}
            dispatcher.utter_message(text=f"If that address is in our records, I've sent a new 6-digit code to it. "
                                          f"It expires in {minutes} minutes. Please type it here.")
            return {"verify_code": None}
        try:
            code = parsing.parse_code(text)
        except parsing.InvalidValue as error:
            dispatcher.utter_message(text=str(error))
            return {"verify_code": None}
        with session_scope() as db:
            result = otp.verify_code(db_session=db, conversation_id=conversation_id(tracker), code=code,
                                     client_key_hash=identity_service.client_key_hash(metadata(tracker)),
                                     channel=audit_channel(tracker))
        if result.outcome is otp.VerifyOutcome.VERIFIED:
            return {"verify_code": "verified"}
        if result.outcome is otp.VerifyOutcome.LOCKED:
            return {"verify_code": "locked"}
        if result.outcome is otp.VerifyOutcome.WRONG:
            left = result.attempts_left
            dispatcher.utter_message(text=f"That code isn't right. You have {left} attempt{'s' if left != 1 else ''} left: "
                                          "please type it again, or “resend” for a new code.")
            return {"verify_code": None}
        if await self._send(tracker, email) is otp.RequestOutcome.LOCKED:
            return {"verify_code": "locked"}
        why = "That code has expired." if result.outcome is otp.VerifyOutcome.EXPIRED else "That code is no longer valid."
        dispatcher.utter_message(text=f"{why} If that address is in our records, I've sent a new one to it; it expires in "
                                      f"{minutes} minutes. Please type it here.")
        return {"verify_code": None}
