"""AI feature switches: on by default, an admin turns them off at once, and the chat actions then answer
honestly and offer a recruiter instead of searching; job alerts stop too."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

import actions.jobs as jobs_actions
import actions.knowledge as knowledge_actions
from actions.oversight import OFF_TEXTS
from assistant.jobs import alerts
from assistant.knowledge.models import AnswerLog
from assistant.oversight import service as oversight_service


@pytest.fixture(autouse=True)
def same_session(db_session, monkeypatch):
    @contextmanager
    def scope():
        yield db_session
        db_session.flush()

    for module in (knowledge_actions, jobs_actions, alerts):
        monkeypatch.setattr(module, "session_scope", scope)


def _tracker(text: str, intent: str) -> Tracker:
    parse = {"intent": {"name": intent, "confidence": 0.9}, "entities": []}
    return Tracker.from_dict({"sender_id": "oversight-1", "slots": {}, "paused": False, "followup_action": None,
                              "active_loop": {}, "latest_action_name": "action_listen",
                              "latest_message": {"text": text, **parse, "metadata": {}},
                              "events": [{"event": "user", "text": text, "parse_data": parse}]})


def test_switches_default_on_and_turn_off_all_at_once(db_session):
    assert all(oversight_service.is_enabled(db_session=db_session, feature=f) for f in oversight_service.FEATURES)
    oversight_service.set_all(db_session=db_session, enabled=False, changed_by="admin@example.com")
    assert not any(oversight_service.is_enabled(db_session=db_session, feature=f) for f in oversight_service.FEATURES)
    switch = oversight_service.switches(db_session=db_session)["journeys"]
    assert (switch.enabled, switch.changed_by) == (False, "admin@example.com")
    oversight_service.set_enabled(db_session=db_session, feature="journeys", enabled=True, changed_by="a")
    assert oversight_service.is_enabled(db_session=db_session, feature="journeys")
    with pytest.raises(oversight_service.UnknownFeature, match="feature: must be one of recommendations"):
        oversight_service.is_enabled(db_session=db_session, feature="ranking")


async def test_switched_off_features_answer_honestly_and_offer_a_recruiter(db_session):
    oversight_service.set_all(db_session=db_session, enabled=False, changed_by="admin")
    for action, text, intent, feature in (
            (knowledge_actions.ActionSearchKnowledge(), "do you sponsor visas?", "ask_question", "knowledge_answers"),
            (jobs_actions.ActionFindJobs(), "remote python jobs", "find_jobs", "recommendations"),
            (jobs_actions.ActionSimilarJobs(), "jobs like the one I viewed", "similar_jobs", "recommendations"),
            (jobs_actions.ActionMoreJobs(), "show more", "more_jobs", "recommendations")):
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, _tracker(text, intent), {})
        [message] = dispatcher.messages
        assert message["text"] == OFF_TEXTS[feature]
        assert message["buttons"] == [{"title": "Talk to a recruiter", "payload": "/request_human"}]
    assert db_session.scalars(select(AnswerLog)).all() == []
    assert alerts.send_alerts() == {"candidates": 0, "emails": 0, "jobs": 0, "failed": 0}
