"""Application status, interviews, contact/preferences/profile updates and withdrawal for the verified candidate.

Thin: values are read by assistant.candidates.parsing, the record is read and written (and audited) by
assistant.candidates.service. Every action re-checks identity; an unverified turn gets no data.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TypedValuesOnly, conversation_id
from actions.identity import RESEND_WORDS, audit_channel, latest_intent, verified_candidate
from assistant.audit import service as audit_service
from assistant.candidates import parsing, stages
from assistant.candidates import service as candidates_service
from assistant.candidates.models import Candidate
from assistant.db import session_scope
from assistant.identity import otp

FORM_SLOTS = ("contact_field", "contact_value", "contact_code", "preferences_value", "profile_value", "withdraw_target", "withdraw_confirmed")
CANCELLED = {"cancelled": True}
NOT_VERIFIED = "I need to confirm it's you before I can help with that. Just ask again and I'll send a code."
NOTHING_CHANGED = "Okay, I haven't changed anything."


def reset_form_slots() -> list[EventType]:
    return [SlotSet(name, None) for name in FORM_SLOTS]


def actor(candidate: Candidate, tracker: Tracker) -> audit_service.Actor:
    return audit_service.candidate_actor(candidate_id=candidate.id, channel=audit_channel(tracker))


def request_text(tracker: Tracker) -> str:
    """Returns the message that asked for this (kept while the conversation was being verified)."""
    return tracker.get_slot("pending_text") or ""


def prefill(db_session, candidate: Candidate, intent: str | None, text: str) -> list[EventType]:
    """Returns slot events that take a value given in the asking message, so the form does not ask again."""
    if intent == "update_contact":
        lowered = text.lower()
        field = "email" if (parsing.find_email(text) or "mail" in lowered) else (
            "phone" if (parsing.find_phone(text) or any(w in lowered for w in ("phone", "number", "mobile"))) else None)
        value = text if (parsing.find_email(text) or parsing.find_phone(text)) else None
        return [SlotSet("contact_field", field), SlotSet("contact_value", value)]
    if intent in ("update_preferences", "update_profile"):
        parse = parsing.parse_preferences if intent == "update_preferences" else parsing.parse_profile
        try:
            parse(text)
        except parsing.InvalidValue:
            return []
        return [SlotSet("preferences_value" if intent == "update_preferences" else "profile_value", text)]
    if intent == "withdraw_application":
        active = candidates_service.active_applications(db_session=db_session, candidate=candidate)
        if not active:
            return [SlotSet("withdraw_target", "none"), SlotSet("withdraw_confirmed", False)]
        match = candidates_service.match_applications(active, text)
        if len(match.applications) == 1 and not match.reference_not_found:
            return [SlotSet("withdraw_target", match.applications[0].external_id)]
    return []


# ---- status and interviews -----------------------------------------------------------------------

class ActionCheckStatus(Action):
    def name(self) -> str:
        return "action_check_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return []
            report = candidates_service.application_status(db_session=db, candidate=candidate, text=request_text(tracker),
                                                           actor=actor(candidate, tracker))
            if report.reference_not_found:
                report = candidates_service.application_status(db_session=db, candidate=candidate, text="",
                                                               actor=actor(candidate, tracker))
                dispatcher.utter_message(text="I couldn't find an application of yours with that reference.")
        if not report.lines:
            dispatcher.utter_message(text="I can't see any applications in your record yet. If you applied in the last "
                                          "day, it can take a little while to appear.")
            return []
        count = len(report.lines)
        dispatcher.utter_message(text="Here's where your application stands:" if count == 1
                                 else f"Here's where your {count} applications stand:")
        for line in report.lines:
            dispatcher.utter_message(text=line)
        return []


def interview_messages(db_session, candidate: Candidate, tracker: Tracker) -> tuple[list[tuple[str, list[dict]]], int]:
    """Returns the messages (text, buttons) about the candidate's upcoming interviews and how to move them,
    and how many there are."""
    interviews = candidates_service.upcoming_interviews(db_session=db_session, candidate=candidate, actor=actor(candidate, tracker))
    from actions.scheduling import interview_changes  # here: actions.scheduling imports this module

    changes = interview_changes(db_session, candidate, tracker, len(interviews))
    if not interviews:
        return [("You don't have any upcoming interviews scheduled. When one is booked, the details will show here "
                 "and in your e-mail.", []), *changes], 0
    header = "Your upcoming interview:" if len(interviews) == 1 else "Your upcoming interviews:"
    return [(header, []), *((line, []) for line in interviews), *changes], len(interviews)


class ActionShowInterviews(Action):
    def name(self) -> str:
        return "action_show_interviews"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return []
            messages, _ = interview_messages(db, candidate, tracker)
        for text, buttons in messages:
            dispatcher.utter_message(text=text, buttons=buttons)
        return []


# ---- forms: shared shape -------------------------------------------------------------------------

class SingleValueForm:
    """Mixin for a form with one free-text slot: cancel words stop it; parse() returns the value or raises
    InvalidValue. (Not an Action itself, so rasa-sdk does not register it.)"""

    slot = ""
    intent = ""  # the request that starts the form: said again without a value, it is only asked again

    def parse(self, text: str, tracker: Tracker) -> dict:
        raise NotImplementedError

    async def run(self, dispatcher, tracker, domain):  # one validate_<slot> for the configured slot
        setattr(self, f"validate_{self.slot}", self._validate)
        return await super().run(dispatcher, tracker, domain)

    def _validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        if isinstance(value, dict):
            return {self.slot: value}
        text = str(value or "")
        if parsing.is_cancel(text) or latest_intent(tracker) == "deny":
            return {self.slot: CANCELLED}
        try:
            return {self.slot: self.parse(text, tracker)}
        except parsing.InvalidValue as error:
            repeated_request = latest_intent(tracker) == self.intent and not any(c.isdigit() or c == "@" for c in text)
            if not repeated_request:
                dispatcher.utter_message(text=f"{error} (Or type “cancel” to leave it as it is.)")
            return {self.slot: None}


class ValidateContactForm(TypedValuesOnly, SingleValueForm, FormValidationAction):
    """A change of contact details needs a code typed back: for a new e-mail address the code goes to that
    address, for a new phone number to the e-mail address on record."""

    slot, intent = "contact_value", "update_contact"

    def name(self) -> str:
        return "validate_contact_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        value = tracker.get_slot("contact_value")
        needs_code = isinstance(value, dict) and value.get("field") in ("email", "phone")
        return [slot for slot in domain_slots if slot != "contact_code" or needs_code]

    def parse(self, text: str, tracker: Tracker) -> dict:
        field = tracker.get_slot("contact_field")
        if parsing.find_email(text) or (field == "email" and not parsing.find_phone(text)):
            return self._request_code({"field": "email", "value": parsing.parse_email(text)}, tracker)
        if parsing.find_phone(text) or field == "phone":
            with session_scope() as db:
                candidate = verified_candidate(db, tracker)
                region = candidates_service.phone_region(candidate) if candidate else None
            return self._request_code({"field": "phone", "value": parsing.parse_phone(text, region)}, tracker)
        raise parsing.InvalidValue("Please type your new e-mail address or phone number (with the country code).")

    def _request_code(self, change: dict, tracker: Tracker) -> dict:
        """Returns the change after mailing its confirmation code, or a cancelled (locked) change."""
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                return CANCELLED
            if change["field"] == "email":
                sent = otp.request_email_change(db_session=db, conversation_id=conversation_id(tracker), candidate=candidate,
                                                new_email=change["value"])
            else:
                sent = otp.request_phone_change(db_session=db, conversation_id=conversation_id(tracker), candidate=candidate)
        return change if sent is otp.RequestOutcome.SENT else {"cancelled": True, "locked": True, "field": change["field"]}

    def validate_contact_code(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        text = str(value or "")
        if parsing.is_cancel(text) or latest_intent(tracker) == "deny":
            return {"contact_code": "cancelled"}
        change = tracker.get_slot("contact_value") or {}
        if any(word in text.lower() for word in RESEND_WORDS):
            return {"contact_code": "locked" if self._request_code(change, tracker).get("locked") else None}
        try:
            code = parsing.parse_code(text)
        except parsing.InvalidValue as error:
            dispatcher.utter_message(text=str(error))
            return {"contact_code": None}
        confirm = otp.confirm_email_change if change.get("field") == "email" else otp.confirm_phone_change
        with session_scope() as db:
            result = confirm(db_session=db, conversation_id=conversation_id(tracker), code=code)
        if result.outcome is otp.VerifyOutcome.VERIFIED and (change.get("field") != "email" or result.email == change.get("value")):
            return {"contact_code": "confirmed"}
        if result.outcome is otp.VerifyOutcome.LOCKED:
            return {"contact_code": "locked"}
        if result.outcome is otp.VerifyOutcome.WRONG:
            left = result.attempts_left
            dispatcher.utter_message(text=f"That code isn't right. You have {left} attempt{'s' if left != 1 else ''} left.")
            return {"contact_code": None}
        dispatcher.utter_message(text="That code has expired, so I'm sending a new one.")
        return {"contact_code": "locked" if self._request_code(change, tracker).get("locked") else None}


class ActionAskContactValue(Action):
    def name(self) -> str:
        return "action_ask_contact_value"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        field = tracker.get_slot("contact_field")
        question = {"phone": "What's your new phone number? Please include the country code, like +44 7700 900123.",
                    "email": "What's your new e-mail address?"}.get(field, "What's the new e-mail address or phone number?")
        dispatcher.utter_message(text=question)
        return []


class ActionAskContactCode(Action):
    def name(self) -> str:
        return "action_ask_contact_code"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        change = tracker.get_slot("contact_value") or {}
        if change.get("field") == "phone":
            dispatcher.utter_message(text="To make sure it's you changing your phone number, I've sent a 6-digit code to "
                                          "the e-mail address we have for you. Please type the code here (or “resend”, "
                                          "or “cancel”).")
        else:
            dispatcher.utter_message(text=f"To make sure {change.get('value', 'the new address')} is yours, I've sent a "
                                          "6-digit code to it. Please type the code here (or “resend”, or “cancel”).")
        return []


class ActionUpdateContact(Action):
    def name(self) -> str:
        return "action_update_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = tracker.get_slot("contact_value") or CANCELLED
        code = tracker.get_slot("contact_code")
        if value.get("locked") or code == "locked":
            label = "phone number" if value.get("field") == "phone" else "e-mail address"
            dispatcher.utter_message(text=f"That's too many attempts, so I've left your {label} as it is. "
                                          "Please try again later.")
            return reset_form_slots()
        if value.get("cancelled") or code != "confirmed":
            dispatcher.utter_message(text=NOTHING_CHANGED)
            return reset_form_slots()
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return reset_form_slots()
            try:
                if value["field"] == "email":
                    candidates_service.update_email(db_session=db, candidate=candidate, email=value["value"], actor=actor(candidate, tracker))
                else:
                    candidates_service.update_phone(db_session=db, candidate=candidate, phone=value["value"], actor=actor(candidate, tracker))
            except parsing.InvalidValue as error:
                dispatcher.utter_message(text=str(error))
                return reset_form_slots()
        label = "e-mail address" if value["field"] == "email" else "phone number"
        dispatcher.utter_message(text=f"Done: your {label} is now {value['value']}.")
        return reset_form_slots()


class ValidatePreferencesForm(TypedValuesOnly, SingleValueForm, FormValidationAction):
    slot, intent = "preferences_value", "update_preferences"

    def name(self) -> str:
        return "validate_preferences_form"

    def parse(self, text: str, tracker: Tracker) -> dict:
        return asdict(parsing.parse_preferences(text))


class AskFor(Action, ABC):
    """Asks for a single-value form's slot with examples of what can be said."""

    prompt: str

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=self.prompt)
        return []

    @abstractmethod
    def name(self) -> str: ...


class ApplyFormChange(Action, ABC):
    """Applies a single-value form's parsed change to the verified candidate's record and confirms it."""

    slot: str

    @abstractmethod
    def apply(self, db_session, candidate: Candidate, value: dict, actor: audit_service.Actor) -> str:
        """Writes the change; returns the confirmation for the candidate."""

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        value = tracker.get_slot(self.slot) or CANCELLED
        if value.get("cancelled"):
            dispatcher.utter_message(text=NOTHING_CHANGED)
            return reset_form_slots()
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                dispatcher.utter_message(text=NOT_VERIFIED)
                return reset_form_slots()
            confirmation = self.apply(db, candidate, value, actor(candidate, tracker))
        dispatcher.utter_message(text=confirmation)
        return reset_form_slots()


class ActionAskPreferencesValue(AskFor):
    prompt = "What would you like to change? For example “contact me by phone”, “only after 5pm” or “turn job alerts on”."

    def name(self) -> str:
        return "action_ask_preferences_value"


class ActionUpdatePreferences(ApplyFormChange):
    slot = "preferences_value"

    def name(self) -> str:
        return "action_update_preferences"

    def apply(self, db_session, candidate: Candidate, value: dict, actor: audit_service.Actor) -> str:
        candidates_service.update_preferences(db_session=db_session, candidate=candidate,
                                              change=parsing.PreferenceChange(**value), actor=actor)
        alerts = "on" if candidate.job_alerts else "off"
        hours = f", {candidate.contact_hours}" if candidate.contact_hours else ""
        return f"Done: we'll contact you by {candidate.contact_channel}{hours}, and job alerts are {alerts}."


class ValidateProfileForm(TypedValuesOnly, SingleValueForm, FormValidationAction):
    slot, intent = "profile_value", "update_profile"

    def name(self) -> str:
        return "validate_profile_form"

    def parse(self, text: str, tracker: Tracker) -> dict:
        return asdict(parsing.parse_profile(text))


class ActionAskProfileValue(AskFor):
    prompt = ("What should I update? For example “add Python to my skills”, “I'm open to Berlin”, "
              "“I prefer hybrid work” or “I have 5 years of experience”.")

    def name(self) -> str:
        return "action_ask_profile_value"


class ActionUpdateProfile(ApplyFormChange):
    slot = "profile_value"

    def name(self) -> str:
        return "action_update_profile"

    def apply(self, db_session, candidate: Candidate, value: dict, actor: audit_service.Actor) -> str:
        candidates_service.update_profile(db_session=db_session, candidate=candidate,
                                          change=parsing.ProfileChange(**value), actor=actor)
        summary = candidates_service.profile_summary(candidate)
        return f"Done. Your profile now says {summary}. Job suggestions will use it from now on."


# ---- withdrawal ----------------------------------------------------------------------------------

class ValidateWithdrawForm(TypedValuesOnly, FormValidationAction):
    """Which application (when the message did not say), then an explicit yes."""

    def name(self) -> str:
        return "validate_withdraw_form"

    def validate_withdraw_target(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        text = str(value or "")
        if text == "none":
            return {"withdraw_target": "none", "withdraw_confirmed": False}
        if parsing.is_cancel(text) or latest_intent(tracker) == "deny":
            return {"withdraw_target": "cancelled", "withdraw_confirmed": False}
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            if candidate is None:
                return {"withdraw_target": "cancelled", "withdraw_confirmed": False}
            active = candidates_service.active_applications(db_session=db, candidate=candidate)
            exact = [a for a in active if a.external_id == text.strip()]  # a button's payload, or prefilled
            if exact:
                return {"withdraw_target": exact[0].external_id}
            match = candidates_service.match_applications(active, text)
            if len(match.applications) == 1 and not match.reference_not_found:
                return {"withdraw_target": match.applications[0].external_id}
        dispatcher.utter_message(text="I couldn't tell which application you mean.")
        return {"withdraw_target": None}

    def validate_withdraw_confirmed(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        if isinstance(value, bool):
            return {"withdraw_confirmed": value}
        try:
            return {"withdraw_confirmed": parsing.yes_or_no(str(value or ""), latest_intent(tracker))}
        except parsing.InvalidValue as error:
            dispatcher.utter_message(text=str(error))
            return {"withdraw_confirmed": None}


class ActionAskWithdrawTarget(Action):
    def name(self) -> str:
        return "action_ask_withdraw_target"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            active = candidates_service.active_applications(db_session=db, candidate=candidate) if candidate else []
            buttons = [{"title": f"{a.job.title} ({a.external_id})", "payload": a.external_id} for a in active]
        dispatcher.utter_message(text="Which application would you like to withdraw?",
                                 buttons=buttons + [{"title": "None, keep them", "payload": "cancel"}])
        return []


class ActionAskWithdrawConfirmed(Action):
    def name(self) -> str:
        return "action_ask_withdraw_confirmed"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            application = candidates_service.get_application_by_external_id(
                db_session=db, external_id=tracker.get_slot("withdraw_target") or "")
            title = application.job.title if application else "this role"
        dispatcher.utter_message(
            text=f"Just to be sure: do you want to withdraw your application for **{title}**? "
                 "I can't undo this; a recruiter would have to reopen it.",
            buttons=[{"title": "Yes, withdraw it", "payload": "/affirm"}, {"title": "No, keep it", "payload": "/deny"}],
        )
        return []


class ActionWithdrawApplication(Action):
    def name(self) -> str:
        return "action_withdraw_application"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        target = tracker.get_slot("withdraw_target")
        if target == "none":
            dispatcher.utter_message(text="You don't have any applications in progress, so there's nothing to withdraw.")
            return reset_form_slots()
        if target in (None, "cancelled") or tracker.get_slot("withdraw_confirmed") is not True:
            dispatcher.utter_message(text="Okay, your application stays as it is.")
            return reset_form_slots()
        with session_scope() as db:
            candidate = verified_candidate(db, tracker)
            application = candidates_service.get_application_by_external_id(db_session=db, external_id=target)
            if candidate is None or application is None or application.candidate_id != candidate.id:
                dispatcher.utter_message(text=NOT_VERIFIED if candidate is None else "I couldn't find that application.")
                return reset_form_slots()
            try:
                candidates_service.withdraw(db_session=db, candidate=candidate, application=application, actor=actor(candidate, tracker))
            except candidates_service.NotWithdrawable as error:
                dispatcher.utter_message(text=f"I can't withdraw it: {error}.")
                return reset_form_slots()
            title = application.job.title
        dispatcher.utter_message(text=f"Done: your application for **{title}** is withdrawn. {stages.info('withdrawn').next_step.capitalize()}. "
                                      "Thank you for your interest, and good luck!")
        return reset_form_slots()
