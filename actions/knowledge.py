"""Knowledge-base answers in the chat: cited answer, "did you mean", or an honest "I don't know"; and thumbs."""

from __future__ import annotations

import json
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import conversation_id, latest_text
from actions.oversight import feature_off
from assistant.db import session_scope
from assistant.knowledge import service as knowledge_service
from assistant.knowledge.index import KnowledgeUnavailable
from assistant.language import detection
from assistant.language.screening import screen
from assistant.rasa_client import socketio_custom
from assistant.settings import get_settings

log = logging.getLogger(__name__)
QUESTION_INTENTS = {"ask_question", "nlu_fallback"}
CONTEXT_TURNS = 3  # how many earlier user messages can be a follow-up's context
DECLINE_TEXT = ("I don't know that one, sorry: I couldn't find it in our careers help articles. "
                "You could rephrase your question, or I can connect you with a recruiter.")
UNAVAILABLE_TEXT = ("Sorry, I can't search our help articles right now. "
                    "Please try again in a moment, or I can connect you with a recruiter.")
RECRUITER_BUTTON = {"title": "Talk to a recruiter", "payload": "/request_human"}
FAILED_TURNS_BEFORE_HANDOFF = 2  # consecutive turns the assistant could not answer before a person takes over
SHOWN_ANSWERS = 3  # how many earlier answers a follow-up avoids repeating
detection.warm_up()  # the language models load while the action server starts, not on the first message


def entity(tracker: Tracker, name: str) -> Any:
    """Returns the value of an entity in the latest message (button payloads carry them), or None."""
    return next((e.get("value") for e in (tracker.latest_message or {}).get("entities") or [] if e.get("entity") == name), None)


def previous_questions(tracker: Tracker) -> list[str]:
    """Returns the earlier questions of this session (oldest first), for follow-ups such as "and for fathers?"."""
    questions: list[str] = []
    user_events = [e for e in tracker.events if e.get("event") == "user"]
    for event in user_events[:-1][-CONTEXT_TURNS:]:
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        text = event.get("text") or ""
        if intent in QUESTION_INTENTS and text and not text.startswith("/"):
            questions.append(text)
    return questions


def shown_sections(tracker: Tracker) -> list[tuple[str, str]]:
    """Returns the sections (doc_path, heading) of the latest answers in this conversation, newest last."""
    shown = []
    for event in tracker.events:
        payload = ((((event.get("data") or {}).get("custom") or {}).get("data")) or {}) if event.get("event") == "bot" else {}
        source = payload.get("source") or {}
        if payload.get("type") == "cited_answer" and source.get("doc") and source.get("section"):
            shown.append((source["doc"], source["section"]))
    return shown[-SHOWN_ANSWERS:]


class ActionSearchKnowledge(Action):
    """Searches the knowledge base for the latest message and answers, offers choices, or declines."""

    def name(self) -> str:
        return "action_search_knowledge"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        with session_scope() as db:
            off = feature_off(dispatcher, "knowledge_answers", db_session=db)
        if off:
            return []
        picked = entity(tracker, "kb_doc")
        context = previous_questions(tracker)
        question = latest_text(tracker)
        if picked or question.startswith("/"):
            question = context[-1] if context else ""
            context = []
        else:
            screening = screen(question, recruiting_email=get_settings().recruiting_email)
            if screening.reply:  # junk or another language: say so honestly, never answer from an article
                log.info("knowledge question not searched: %s %s", screening.verdict, screening.language or screening.junk_kind)
                dispatcher.utter_message(text=screening.reply)
                return []
        try:
            result = knowledge_service.search(query=question or str(picked or ""), context=context,
                                              only_doc=str(picked) if picked else None, shown=shown_sections(tracker))
        except KnowledgeUnavailable:
            log.exception("knowledge index unavailable")
            dispatcher.utter_message(text=UNAVAILABLE_TEXT, buttons=[RECRUITER_BUTTON])
            return self._failed(tracker)
        with session_scope() as db:
            entry = knowledge_service.log_answer(db_session=db, conversation_id=conversation_id(tracker), result=result)
            answer_id = entry.id
        log.info("knowledge %s doc=%s version=%s context=%s", result.decision,
                 result.best.doc_path if result.best else None, result.index_version, result.used_context)
        if result.decision == "answer":
            return self._answer(dispatcher, result, answer_id)
        if result.decision == "clarify":
            dispatcher.utter_message(
                text="I found a few articles that might fit. Which one did you mean?",
                buttons=[{"title": hit.title, "payload": "/ask_question" + json.dumps({"kb_doc": hit.doc_path})}
                         for hit in result.hits]
                + [RECRUITER_BUTTON],
            )
            return []
        dispatcher.utter_message(text=DECLINE_TEXT, buttons=[RECRUITER_BUTTON])
        return self._failed(tracker)

    @staticmethod
    def _answer(dispatcher: CollectingDispatcher, result: knowledge_service.SearchResult, answer_id: str) -> list[EventType]:
        hit = result.best
        dispatcher.utter_message(
            text=knowledge_service.answer_text(hit),
            buttons=[{"title": "👍 Helpful", "payload": "/answer_feedback" + json.dumps({"answer_id": answer_id, "helpful": True})},
                     {"title": "👎 Not helpful", "payload": "/answer_feedback" + json.dumps({"answer_id": answer_id, "helpful": False})}],
            json_message=socketio_custom({"type": "cited_answer", "answer_id": answer_id,
                                          "source": {"title": hit.title, "url": hit.url, "section": hit.section.heading,
                                                     "doc": hit.doc_path},
                                          "feedback": True}),
        )
        return [SlotSet("failed_turns", 0.0), SlotSet("kb_last_answer_id", answer_id)]

    @staticmethod
    def _failed(tracker: Tracker) -> list[EventType]:
        failed = float(tracker.get_slot("failed_turns") or 0) + 1
        events: list[EventType] = [SlotSet("failed_turns", failed)]
        if failed >= FAILED_TURNS_BEFORE_HANDOFF:
            events.append(FollowupAction("action_escalate"))  # escalates with reason repeated_failure
        return events


class ActionAnswerFeedback(Action):
    """Records the candidate's thumbs up/down on an answer (from the buttons or typed)."""

    def name(self) -> str:
        return "action_answer_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        answer_id = entity(tracker, "answer_id") or tracker.get_slot("kb_last_answer_id")
        helpful = entity(tracker, "helpful")
        if helpful is None:
            helpful = knowledge_service.helpful_from_text(latest_text(tracker))
        if not answer_id:
            dispatcher.utter_message(text="Thanks! I haven't given you an answer to rate yet: ask me anything about working here.")
            return []
        try:
            with session_scope() as db:
                knowledge_service.record_feedback(db_session=db, answer_id=str(answer_id),
                                                  conversation_id=conversation_id(tracker), helpful=_as_bool(helpful))
        except knowledge_service.AnswerNotFound:
            dispatcher.utter_message(text="Sorry, I couldn't match that rating to one of my answers in this chat.")
            return []
        if _as_bool(helpful):
            dispatcher.utter_message(text="Thanks for letting me know!")
        else:
            dispatcher.utter_message(text="Sorry that didn't help. You could rephrase your question, or I can connect you with a recruiter.",
                                     buttons=[RECRUITER_BUTTON])
        return []


def _as_bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
