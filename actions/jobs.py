"""Job recommendations in the conversation: find, similar, show more, not interested, and the short form.

Thin: identity comes from assistant.identity, ranking and reasons from assistant.jobs.recommend, signals
from assistant.events. Results go out as one custom message {"data": {"type": "job_cards", "jobs": [...], "more": ...}}
(wrapped for Rasa 3.6's socket.io channel, see assistant.rasa_client.socketio_custom).
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import TypedValuesOnly, conversation_id, metadata
from actions.identity import audit_channel, verified_candidate
from actions.oversight import feature_off
from assistant.audit import service as audit_service
from assistant.db import session_scope
from assistant.events import service as events_service
from assistant.events import visitors
from assistant.jobs import followup
from assistant.jobs import service as jobs_service
from assistant.jobs.recommend import Recommendations, recommend_jobs
from assistant.rasa_client import socketio_custom

FORM_SLOTS = ("job_role", "job_skills", "job_location")
SKIP = "skip"
SKIP_WORDS = {"skip", "no", "none", "any", "anything", "anywhere", "don't know", "dont know", "not sure", "-", "n/a",
              "no preference", "doesn't matter", "doesnt matter", "pass", "nope"}
PAGE_SIZE = 5
MAX_SHOWN = 200
NO_MORE_TEXT = "That's all the matching open roles I have for now. Try a different role or place, or ask for remote jobs."
JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")


def visitor_id(tracker: Tracker) -> str | None:
    """Returns the career site's anonymous visitor id from the message metadata, if the server issued it."""
    value = metadata(tracker).get("visitor_id")
    return value if visitors.is_signed(value) else None


def _actor(candidate, tracker: Tracker) -> audit_service.Actor | None:
    return audit_service.candidate_actor(candidate_id=candidate.id, channel=audit_channel(tracker)) if candidate else None


def _identify(db, tracker: Tracker):
    """Returns (candidate or None, visitor id or None); merges the visitor into a verified candidate."""
    candidate = verified_candidate(db, tracker)
    visitor = visitor_id(tracker)
    if candidate is not None and visitor:
        events_service.merge_visitor(db_session=db, visitor_id=visitor, candidate_id=candidate.id, actor=_actor(candidate, tracker))
    return candidate, visitor


def _show(dispatcher: CollectingDispatcher, result: Recommendations, *, first: bool) -> None:
    cards = [item.card() for item in result.items]
    if first:
        intro = "Here are a few open roles that could fit you." if len(cards) > 1 else "Here is an open role that could fit you."
    else:
        intro = "Here are some more."
    dispatcher.utter_message(text=intro, json_message=socketio_custom({"type": "job_cards", "jobs": cards, "more": result.more}))


def _explain_empty(dispatcher: CollectingDispatcher, result: Recommendations, *, more: bool = False) -> None:
    if more:
        dispatcher.utter_message(text=NO_MORE_TEXT)
    elif result.reason == "no_match":
        dispatcher.utter_message(text="I couldn't find open roles matching that right now. Try another role or place, "
                                      "or ask for remote jobs.")
    else:
        dispatcher.utter_message(text="Tell me a little about what you're after, for example "
                                      "\"remote data jobs\" or \"nursing jobs in Berlin\".")


def _shown(result: Recommendations, before: list[str]) -> list[EventType]:
    """Returns the slots that remember what was shown: every job so far, and the page now on screen."""
    page = [c.job.external_id for c in result.items]
    return [SlotSet("jobs_shown", (before + page)[-MAX_SHOWN:]), SlotSet("jobs_last_page", page),
            SlotSet("jobs_more", result.more)]


def _form_text(tracker: Tracker) -> str:
    return " ".join(v for v in (tracker.get_slot(s) for s in FORM_SLOTS) if v and v != SKIP)


def _search(tracker: Tracker, *, text: str, similar: bool, shown: list[str], newest_if_empty: bool = False) -> Recommendations:
    with session_scope() as db:
        candidate, visitor = _identify(db, tracker)
        result = recommend_jobs(db_session=db, text=text, candidate=candidate, visitor_id=visitor,
                                conversation_id=conversation_id(tracker), similar=similar,
                                exclude_external_ids=shown, page_size=PAGE_SIZE, actor=_actor(candidate, tracker),
                                newest_if_empty=newest_if_empty)
    return result


class ActionFindJobs(Action):
    """Shows job cards for the request, the profile or the form's answers; asks the short form when it has nothing."""

    def name(self) -> str:
        return "action_find_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            off = feature_off(dispatcher, "recommendations", db_session=db)
        if off:
            return [SlotSet("jobs_need_details", False)]
        after_form = tracker.latest_action_name == "job_preferences_form"
        text = _form_text(tracker) if after_form else (tracker.latest_message or {}).get("text") or ""
        if text.startswith("/"):
            text = ""  # a button payload such as /find_jobs says nothing about the role
        result = _search(tracker, text=text, similar=False, shown=[], newest_if_empty=after_form)
        if result.reason == "no_signal" and not after_form:
            return [SlotSet("jobs_need_details", True), *[SlotSet(s, None) for s in FORM_SLOTS]]
        events: list[EventType] = [SlotSet("jobs_need_details", False), SlotSet("jobs_request", text), SlotSet("jobs_similar", False)]
        if not result.items:
            _explain_empty(dispatcher, result)
            return events + [SlotSet("jobs_shown", []), SlotSet("jobs_last_page", [])]
        _show(dispatcher, result, first=True)
        return events + _shown(result, [])


class ActionSimilarJobs(Action):
    """Shows jobs like the ones this person recently viewed (or like a role named in the message)."""

    def name(self) -> str:
        return "action_similar_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            off = feature_off(dispatcher, "recommendations", db_session=db)
        if off:
            return []
        text = (tracker.latest_message or {}).get("text") or ""
        text = "" if text.startswith("/") else text
        result = _search(tracker, text=text, similar=True, shown=[])
        if not result.items:
            if result.reason == "no_signal":
                dispatcher.utter_message(text="I don't see any roles you've looked at yet. Tell me what kind of role "
                                              "you're after, for example \"remote python jobs\".")
            else:
                _explain_empty(dispatcher, result)
            return [SlotSet("jobs_shown", []), SlotSet("jobs_last_page", []), SlotSet("jobs_request", text),
                    SlotSet("jobs_similar", True)]
        _show(dispatcher, result, first=True)
        return [*_shown(result, []), SlotSet("jobs_request", text), SlotSet("jobs_similar", True)]


class ActionMoreJobs(Action):
    """Shows the next page of the last search, never repeating a job already shown."""

    def name(self) -> str:
        return "action_more_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            off = feature_off(dispatcher, "recommendations", db_session=db)
        if off:
            return []
        shown = list(tracker.get_slot("jobs_shown") or [])
        if tracker.get_slot("jobs_request") is None and not shown:
            dispatcher.utter_message(text="Let's start with a search: what kind of role are you looking for?")
            return []
        if tracker.get_slot("jobs_more") is False:  # the last page was all that matched: no filler
            dispatcher.utter_message(text=NO_MORE_TEXT)
            return []
        result = _search(tracker, text=tracker.get_slot("jobs_request") or "",
                         similar=bool(tracker.get_slot("jobs_similar")), shown=shown)
        if not result.items:
            _explain_empty(dispatcher, result, more=True)
            return []
        _show(dispatcher, result, first=False)
        return _shown(result, shown)


class ActionAboutShownJobs(Action):
    """Answers a question about the job cards just shown (pay, place, remote, level, details, apply) from the
    catalogue; with no cards on screen the question goes to the knowledge base."""

    def name(self) -> str:
        return "action_about_shown_jobs"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        page = list(tracker.get_slot("jobs_last_page") or [])
        if not page:  # no cards on screen: a general question, answered from the knowledge base
            from actions.knowledge import ActionSearchKnowledge

            return await ActionSearchKnowledge().run(dispatcher, tracker, domain)
        with session_scope() as db:
            jobs = [job for job in (jobs_service.get_by_external_id(db_session=db, external_id=i) for i in page) if job]
            open_jobs = [job for job in jobs if job.status == "open"]
            if not open_jobs:
                dispatcher.utter_message(text="Those roles have closed since I showed them. Ask me for jobs again and "
                                              "I'll look for open ones.")
                return []
            text = (tracker.latest_message or {}).get("text") or ""
            question = followup.parse(text, [job.title for job in open_jobs])
            dispatcher.utter_message(text=followup.answer(open_jobs, question))
        return []


class ActionNotInterested(Action):
    """Stores "not interested" for a job (from the card's button) so it is never suggested again."""

    def name(self) -> str:
        return "action_not_interested"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        job_ids = [e.get("value") for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == "job_id"]
        job_id = str(job_ids[0]) if job_ids and isinstance(job_ids[0], (str, int)) else None
        shown = list(tracker.get_slot("jobs_shown") or [])
        if job_id is None:
            if not shown:
                dispatcher.utter_message(text="Okay. Ask me for jobs any time and I'll suggest some.")
                return []
            with session_scope() as db:
                jobs = [jobs_service.get_by_external_id(db_session=db, external_id=i) for i in shown[-PAGE_SIZE:]]
            buttons = [{"title": job.title, "payload": f'/not_interested{{"job_id":"{job.external_id}"}}'} for job in jobs if job]
            dispatcher.utter_message(text="Which one should I stop suggesting?", buttons=buttons)
            return []
        if not JOB_ID.match(job_id):
            dispatcher.utter_message(text="I couldn't tell which job you meant. Use the \"Not interested\" button on its card.")
            return []
        with session_scope() as db:
            candidate, visitor = _identify(db, tracker)
            job = jobs_service.get_by_external_id(db_session=db, external_id=job_id)
            if job is None:
                dispatcher.utter_message(text="I couldn't find that job any more; it may have closed.")
                return []
            if candidate is None and visitor is None:
                dispatcher.utter_message(text=f"Okay, I'll leave out {job.title} in this conversation.")
                return [SlotSet("jobs_shown", shown + [job_id] if job_id not in shown else shown)]
            events_service.record_not_interested(db_session=db, job_external_id=job_id, actor=_actor(candidate, tracker),
                                                 candidate_id=candidate.id if candidate else None, visitor_id=visitor)
            title = job.title
        dispatcher.utter_message(text=f"Got it, I won't suggest the {title} role again.")
        return [SlotSet("jobs_shown", shown + [job_id] if job_id not in shown else shown)]


class _AskJobSlot(Action):
    slot = ""
    question = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        dispatcher.utter_message(text=self.question, buttons=[{"title": "Skip", "payload": SKIP}])
        return []


class ActionAskJobRole(_AskJobSlot):
    slot, question = "job_role", "What kind of role are you looking for? (for example nurse, data analyst, warehouse)"


class ActionAskJobSkills(_AskJobSlot):
    slot, question = "job_skills", "Which key skills would you like to use? (for example Python, patient care, forklift)"


class ActionAskJobLocation(_AskJobSlot):
    slot, question = "job_location", "Where would you like to work? A city, or \"remote\"."


class ValidateJobPreferencesForm(TypedValuesOnly, FormValidationAction):
    """Each answer is kept as text (or "skip"); the recommender reads roles, skills and places from it."""

    def name(self) -> str:
        return "validate_job_preferences_form"

    @staticmethod
    def _clean(value: Any, slot: str, dispatcher: CollectingDispatcher) -> dict:
        text = str(value or "").strip()
        if not text:  # not answered yet (e.g. the slot was only reset): keep asking
            return {slot: None}
        if latest_intent_is_skip(text):
            return {slot: SKIP}
        if len(text) > 200:
            dispatcher.utter_message(text="That's a bit long for me; a few words are enough, or say skip.")
            return {slot: None}
        return {slot: text}

    def validate_job_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        return self._clean(value, "job_role", dispatcher)

    def validate_job_skills(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        return self._clean(value, "job_skills", dispatcher)

    def validate_job_location(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict) -> dict:
        return self._clean(value, "job_location", dispatcher)


def latest_intent_is_skip(text: str) -> bool:
    """Returns whether an answer means "skip this question"."""
    return text.lower().strip(" .!?") in SKIP_WORDS or text.startswith("/")
